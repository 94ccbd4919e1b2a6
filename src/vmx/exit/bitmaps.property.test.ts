// Property tests of the I/O-bitmap and MSR-bitmap decisions (SDM Vol. 3C §26.1.3, §25.6.4
// "I/O-Bitmap Addresses", §25.6.9 "MSR-Bitmap Address") against the SDM's rule written out
// directly: random bitmaps, ports, sizes and MSR indices.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { primary, vmcsWith } from '../testing/exits.ts';
import { makeRig } from '../testing/rig.ts';
import { ioPortsExit, msrExits } from './intercept.ts';

const A = 0x4_0000, B = 0x4_1000, MSRS = 0x4_2000;

describe('bitmap decisions', () => {
  it('an I/O access exits iff it wraps past FFFFh or the bit of one of its ports is set (bitmap A below 8000h, B from 8000h)', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 8 }), fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(1, 2, 4),
      (setPorts, port, size) => {
        const rig = makeRig(TEST_PROFILES[0]!);
        for (const p of setPorts) {
          const base = p < 0x8000 ? A : B;
          const at = base + ((p & 0x7fff) >> 3);
          rig.write(at, 1, rig.read(at, 1) | (1n << BigInt(p & 7)));
        }
        const vmcs = vmcsWith({ CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_USE_IO_BITMAPS'), IO_BITMAP_A: BigInt(A), IO_BITMAP_B: BigInt(B) });
        const touched = Array.from({ length: size }, (_, i) => port + i);
        const expected = port + size - 1 > 0xffff || touched.some((p) => setPorts.includes(p));
        expect(ioPortsExit(rig.cpu, vmcs, port, size)).toBe(expected);
      },
    ), { numRuns: 300 });
  });

  it('RDMSR/WRMSR exit iff ECX is outside both ranges or its bit is set in the quarter for its range and direction', () => {
    const index = fc.oneof(fc.integer({ min: 0, max: 0x1fff }), fc.integer({ min: 0xc000_0000, max: 0xc000_1fff }), fc.integer({ min: 0, max: 0xffff_ffff }));
    fc.assert(fc.property(fc.array(fc.tuple(index, fc.boolean()), { maxLength: 8 }), index, fc.boolean(), (set, ecx, write) => {
      const rig = makeRig(TEST_PROFILES[0]!);
      const inLow = (m: number) => m <= 0x1fff;
      const inHigh = (m: number) => m >= 0xc000_0000 && m <= 0xc000_1fff;
      for (const [m, w] of set) {
        if (!inLow(m) && !inHigh(m)) continue;
        const at = MSRS + (inLow(m) ? 0 : 1024) + (w ? 2048 : 0) + ((m & 0x1fff) >> 3);
        rig.write(at, 1, rig.read(at, 1) | (1n << BigInt(m & 7)));
      }
      const vmcs = vmcsWith({ CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_USE_MSR_BITMAPS'), MSR_BITMAP: BigInt(MSRS) });
      const expected = (!inLow(ecx) && !inHigh(ecx)) || set.some(([m, w]) => m === ecx && w === write);
      expect(msrExits(rig.cpu, vmcs, ecx, write)).toBe(expected);
    }), { numRuns: 300 });
  });
});
