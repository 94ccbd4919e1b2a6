// Robustness: whatever bytes a program holds, a step either completes or raises an x86
// exception (X86Fault); it never throws a JavaScript error. Random instruction bytes, run at
// CPL 0 and CPL 3 on the 64-bit test machine, and in 32-bit, real-address and virtual-8086 code
// (VMXLAB_SLOW=1 runs many more).

import { describe, expect, it } from 'vitest';
import { ARB, C4, F } from './archbits.ts';
import { X86Fault } from './fault.ts';
import { SegIndex } from './state.ts';
import { descriptor, makeRig, setDescriptor, T, to32, toReal } from './testing.ts';
import { loadV8086Segment } from './v8086.ts';

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

/**
 * The same in 32-bit protected mode (CPL 0, with a TSS, a task gate and call gates in the GDT so
 * far branches meet them), real-address mode, and virtual-8086 mode with CR4.VME: the far
 * branches, task switches, legacy one-byte opcodes and VME paths of decisions 0070-0073.
 */
describe('random instruction bytes in 16- and 32-bit code', () => {
  const LEGACY_FIRST = [0xea, 0x9a, 0xcb, 0xca, 0xcf, 0x60, 0x61, 0xc4, 0xc5, 0x62, 0x63, 0xe3, 0xcd, 0x9c, 0x9d, 0xfa, 0xfb, 0x27, 0xd4, 0xff];
  for (const mode of ['protected32', 'real', 'v8086-vme'] as const) {
    it(`never throw anything but X86Fault (${mode}, ${COUNT} sequences)`, { timeout: SLOW ? 900_000 : 60_000 }, () => {
      const next = rng(0xface + mode.length);
      const bad: string[] = [];
      const rig = makeRig(undefined, 1 << 20);
      if (mode === 'real') toReal(rig);
      else to32(rig);
      // Far-branch targets: 32-bit TSS 0x80 (base 0x9000), task gate 0x88, call gates 0x90/0x98, 16-bit TSS 0xA0.
      setDescriptor(rig, 0x80, descriptor(0x9000, 0x67, 0x89, 0));
      setDescriptor(rig, 0x88, (0x80n << 16n) | (0x85n << 40n));
      setDescriptor(rig, 0x90, (0x8n << 16n) | (0xecn << 40n) | 0x1000n);
      setDescriptor(rig, 0x98, (0x8n << 16n) | (0xe4n << 40n) | 0x2000n | (2n << 32n));
      setDescriptor(rig, 0xa0, descriptor(0x9800, 0x2b, 0x81, 0)); // a 16-bit TSS
      const s0 = rig.cpu.state;
      if (mode === 'v8086-vme') {
        s0.cr4 |= C4.VME;
        s0.rflags = (F.FIXED | F.VM | F.VIP) >>> 0;
        for (const seg of [SegIndex.CS, SegIndex.SS, SegIndex.DS, SegIndex.ES, SegIndex.FS, SegIndex.GS]) loadV8086Segment(rig.cpu, seg, 0x100);
        rig.mem.write16(T.TSS + 0x66, 0x88);
        s0.rip = 0;
      }
      rig.cpu.stateChanged();
      const image = rig.mem.bytes.slice();
      const pristine = rig.cpu.state.clone();
      const at = mode === 'v8086-vme' ? 0x1000 : mode === 'real' ? 0x1000 : T.CODE;
      for (let n = 0; n < COUNT && bad.length < 5; n++) {
        rig.mem.bytes.set(image);
        rig.cpu.state.copyFrom(pristine);
        const s = rig.cpu.state;
        for (let r = 0; r < 8; r++) s.setGpr64(r, BigInt(next() & 0xffff_ffff));
        s.setGpr64(4, BigInt(mode === 'protected32' ? T.STACK_TOP - 0x100 : 0xff00));
        rig.cpu.stateChanged();
        const bytes: number[] = [];
        for (let i = 0; i < 15; i++) {
          const r = next();
          bytes.push(i === 0 && r % 2 === 0 ? LEGACY_FIRST[r % LEGACY_FIRST.length]! : r & 0xff);
        }
        // Far pointers often name the interesting selectors.
        if (next() % 2 === 0) { bytes[5] = [0x80, 0x88, 0x90, 0x98, 0xa0, 0x08][next() % 6]!; bytes[6] = 0; }
        bytes.forEach((b, i) => rig.mem.write8(at + i, b));
        rig.cpu.flushDecodeCache();
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
