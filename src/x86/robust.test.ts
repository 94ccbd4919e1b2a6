// Robustness: whatever bytes a program holds, a step either completes or raises an x86
// exception (X86Fault); it never throws a JavaScript error. Random instruction bytes, run at
// CPL 0 and CPL 3 on the 64-bit test machine (VMXLAB_SLOW=1 runs many more).

import { describe, expect, it } from 'vitest';
import { ARB } from './archbits.ts';
import { X86Fault } from './fault.ts';
import { SegIndex } from './state.ts';
import { makeRig, T } from './testing.ts';

const SLOW = process.env.VMXLAB_SLOW === '1';
const COUNT = SLOW ? 100_000 : 3000;

/** Deterministic xorshift32. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describe('random instruction bytes', () => {
  for (const cpl of [0, 3]) {
    it(`never throw anything but X86Fault (CPL ${cpl}, ${COUNT} sequences)`, { timeout: SLOW ? 900_000 : 60_000 }, () => {
      const next = rng(0x5eed + cpl);
      const bad: string[] = [];
      // One 1 MiB machine, restored before each sequence (memory image and processor state).
      const rig = makeRig(undefined, 1 << 20);
      const image = rig.mem.bytes.slice();
      const pristine = rig.cpu.state.clone();
      for (let n = 0; n < COUNT && bad.length < 5; n++) {
        rig.mem.bytes.set(image);
        rig.cpu.state.copyFrom(pristine);
        rig.platform.a20Enabled = true;
        const s = rig.cpu.state;
        if (cpl === 3) {
          s.segSel[SegIndex.CS] = T.CS3;
          s.segAr[SegIndex.CS] |= 3 << ARB.DPL_SHIFT;
          s.segSel[SegIndex.SS] = T.DS3;
          s.segAr[SegIndex.SS] |= 3 << ARB.DPL_SHIFT;
        }
        for (let r = 0; r < 16; r++) s.setGpr64(r, (BigInt(next()) << 32n) | BigInt(next() & 0x3fffff));
        s.setGpr64(4, BigInt(T.STACK_TOP - 0x100));
        rig.cpu.stateChanged();
        const bytes: number[] = [];
        // Bias towards common prefixes and the 0F map.
        for (let i = 0; i < 15; i++) {
          const r = next();
          bytes.push(i === 0 && r % 4 === 0 ? [0x48, 0x66, 0x0f, 0xf3, 0x41][r % 5]! : r & 0xff);
        }
        bytes.forEach((b, i) => rig.mem.write8(T.CODE + i, b));
        try {
          for (let k = 0; k < 3; k++) if (rig.cpu.step().kind !== 'ok') break;
        } catch (e) {
          if (!(e instanceof X86Fault)) bad.push(`${bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }
});
