import { describe, expect, it } from 'vitest';
import { DEBUGCTL, LBR_CTL, RTIT_CTL, debugctlReservedBits, isValidPat, perfGlobalCtrlReservedBits } from './msr-fields.ts';

describe('IA32_DEBUGCTL (SDM Vol. 3B §18.4.1)', () => {
  it('BTF is bit 1; bits 5:3 and 63:16 are reserved', () => {
    expect(DEBUGCTL.mask.BTF).toBe(2n);
    expect(DEBUGCTL.reservedMask).toBe(0xffff_ffff_ffff_0038n);
    expect(DEBUGCTL.reservedMask & DEBUGCTL.definedMask).toBe(0n);
  });
  it('BLD and RTM_DEBUG are reserved without bus-lock detection and RTM', () => {
    expect(debugctlReservedBits({ busLockDetect: false, rtm: false })).toBe(0xffff_ffff_ffff_803cn);
    expect(debugctlReservedBits({ busLockDetect: true, rtm: true })).toBe(0xffff_ffff_ffff_0038n);
    expect(debugctlReservedBits({ busLockDetect: false, rtm: true }) & DEBUGCTL.mask.BLD).toBe(4n);
  });
});

describe('IA32_PERF_GLOBAL_CTRL (SDM Vol. 3B §20.2.2)', () => {
  it('counters from CPUID leaf 0AH: 8 general, 4 fixed (version 5 with a bitmap of 0xF)', () => {
    const r = perfGlobalCtrlReservedBits({ eax: 0x0830_0805, ecx: 0xf, edx: 0x8604 });
    expect(r & 0xffn).toBe(0n);
    expect(r & 0x100n).toBe(0x100n);
    expect((r >> 32n) & 0xfn).toBe(0n);
    expect((r >> 36n) & 1n).toBe(1n);
    expect((r >> 48n) & 1n).toBe(0n); // topdown metrics from version 5
    expect(r >> 49n).toBe((1n << 15n) - 1n);
  });
  it('version 2 with 4 general and 3 fixed counters', () => {
    const r = perfGlobalCtrlReservedBits({ eax: 0x0730_0402, ecx: 0, edx: 0x603 });
    expect(~r & 0xffff_ffff_ffff_ffffn).toBe(0xfn | (0x7n << 32n));
  });
  it('no MSR before version 2; only bits 63:49 known without the leaf', () => {
    expect(perfGlobalCtrlReservedBits({ eax: 0x0001, ecx: 0, edx: 0 })).toBe(0xffff_ffff_ffff_ffffn);
    expect(perfGlobalCtrlReservedBits()).toBe(0xfffe_0000_0000_0000n);
  });
});

describe('IA32_RTIT_CTL and IA32_LBR_CTL', () => {
  it('reserved masks do not overlap the fields and cover the gaps', () => {
    for (const b of [RTIT_CTL, LBR_CTL]) {
      expect(b.reservedMask & b.definedMask).toBe(0n);
      expect(b.reservedMask | b.definedMask).toBe(0xffff_ffff_ffff_ffffn);
    }
    expect(LBR_CTL.reservedMask & 0xf0n).toBe(0xf0n);
    expect(RTIT_CTL.reservedMask & (1n << 18n)).toBe(1n << 18n);
  });
});

describe('IA32_PAT memory types (SDM Vol. 3A §13.12.2)', () => {
  it('accepts 0, 1, 4, 5, 6, 7 in every byte and nothing else', () => {
    expect(isValidPat(0x0007_0406_0007_0406n)).toBe(true);
    for (let byte = 0n; byte < 8n; byte++) {
      for (const t of [2n, 3n, 8n, 0xffn]) expect(isValidPat(t << (byte * 8n))).toBe(false);
      for (const t of [0n, 1n, 4n, 5n, 6n, 7n]) expect(isValidPat(t << (byte * 8n))).toBe(true);
    }
  });
});
