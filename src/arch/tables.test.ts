import { describe, expect, it } from 'vitest';
import { bitfieldProblems, duplicates, sdmRefProblems } from './check.ts';
import { CR0, CR3, CR3_PCID, CR4, CR8 } from './cr.ts';
import { EFER, EFER_INTEL_RESERVED } from './efer.ts';
import { FEATURE_CONTROL, FEATURE_CONTROL_FIRMWARE_DEFAULT } from './feature-control.ts';
import { LAB_BASE, PHYS_OFFSET, physToVirt, virtToPhys } from './lab.ts';
import { RFLAGS, RFLAGS_FIXED1 } from './rflags.ts';
import { PDE, PDE_2M, PDPTE, PDPTE_1G, PML4E, PML5E, PTE, addressReservedMask, canonicalFor, isCanonical, tableIndex } from './paging.ts';
import { ACCESS_RIGHTS, DESCRIPTOR, GATE64_LOW, SELECTOR, SEGMENT_TYPE, SYSTEM_DESCRIPTOR_HIGH } from './segments.ts';
import { PF_ERROR_CODE } from './exceptions.ts';

const ALL = [CR0, CR3, CR3_PCID, CR4, CR8, EFER, RFLAGS, FEATURE_CONTROL, PML5E, PML4E, PDPTE, PDE, PDPTE_1G, PDE_2M, PTE,
  SELECTOR, DESCRIPTOR, SEGMENT_TYPE, SYSTEM_DESCRIPTOR_HIGH, GATE64_LOW, ACCESS_RIGHTS, PF_ERROR_CODE];

describe('bitfield tables', () => {
  it.each(ALL.map((b) => [b.name, b] as const))('%s: every field documented and referenced', (_n, bf) => {
    expect(bitfieldProblems(bf)).toEqual([]);
    expect(sdmRefProblems(bf.name, bf.sdm)).toEqual([]);
  });
});

describe('control registers (SDM Vol. 3A §2.5)', () => {
  it('CR0 bit numbers', () => {
    expect([CR0.bit.PE, CR0.bit.MP, CR0.bit.EM, CR0.bit.TS, CR0.bit.ET, CR0.bit.NE, CR0.bit.WP, CR0.bit.AM, CR0.bit.NW, CR0.bit.CD, CR0.bit.PG])
      .toEqual([0, 1, 2, 3, 4, 5, 16, 18, 29, 30, 31]);
    expect(CR0.reservedMask).toBe(0xffff_ffff_0000_0000n);
  });
  it('CR4 bit numbers and reserved bits', () => {
    expect(CR4.bit.VMXE).toBe(13);
    expect(CR4.bit.SMXE).toBe(14);
    expect(CR4.bit.LA57).toBe(12);
    expect(CR4.bit.FSGSBASE).toBe(16);
    expect(CR4.bit.PCIDE).toBe(17);
    expect(CR4.bit.OSXSAVE).toBe(18);
    expect(CR4.bit.SMEP).toBe(20);
    expect(CR4.bit.SMAP).toBe(21);
    expect(CR4.bit.PKE).toBe(22);
    expect(CR4.bit.CET).toBe(23);
    expect(CR4.bit.PKS).toBe(24);
    expect(CR4.bit.UINTR).toBe(25);
    expect(CR4.reservedMask & (1n << 15n)).not.toBe(0n);
    // Every bit of the register is either declared or reserved.
    expect(CR4.definedMask | CR4.reservedMask).toBe(0xffff_ffff_ffff_ffffn);
    expect(CR8.reservedMask | CR8.definedMask).toBe(0xffff_ffff_ffff_ffffn);
  });
  it('CR3 base field spans 51:12', () => {
    expect(CR3.mask.BASE).toBe(0x000f_ffff_ffff_f000n);
    expect(CR3_PCID.mask.PCID).toBe(0xfffn);
  });
});

describe('EFER and RFLAGS', () => {
  it('EFER bits (SDM Vol. 3A §2.2.1)', () => {
    expect(EFER.of('SCE', 'LME', 'LMA', 'NXE')).toBe(0xd01n);
    expect(EFER_INTEL_RESERVED & 0xd01n).toBe(0n);
    expect(EFER_INTEL_RESERVED & EFER.mask.SVME).toBe(EFER.mask.SVME);
    expect(EFER.definedMask | EFER.reservedMask).toBe(0xffff_ffff_ffff_ffffn);
  });
  it('RFLAGS: bit 1 fixed, reserved 3/5/15/63:22, every bit accounted for', () => {
    expect(RFLAGS_FIXED1).toBe(2n);
    expect(RFLAGS.mask.IOPL).toBe(0x3000n);
    expect(RFLAGS.bit.ID).toBe(21);
    expect(RFLAGS.definedMask | RFLAGS.reservedMask).toBe(0xffff_ffff_ffff_ffffn);
    expect(RFLAGS.reservedMask & 0x3fffffn).toBe(0x8028n);
  });
});

describe('feature control (SDM Vol. 3C §24.7)', () => {
  it('lock, inside-SMX and outside-SMX bits', () => {
    expect(FEATURE_CONTROL.of('LOCKED', 'VMX_ENABLED_INSIDE_SMX', 'VMX_ENABLED_OUTSIDE_SMX')).toBe(7n);
    expect(FEATURE_CONTROL_FIRMWARE_DEFAULT).toBe(5n);
    expect(FEATURE_CONTROL.mask.LMCE_ENABLED).toBe(1n << 20n);
    expect(FEATURE_CONTROL.definedMask | FEATURE_CONTROL.reservedMask).toBe(0xffff_ffff_ffff_ffffn);
  });
});

describe('lab layout (DESIGN §5)', () => {
  it('LAB_BASE is the image in the direct map', () => {
    expect(LAB_BASE).toBe(0xffff_8880_0010_0000n);
    expect(physToVirt(0x100000n)).toBe(LAB_BASE);
    expect(virtToPhys(LAB_BASE)).toBe(0x100000n);
    expect(virtToPhys(PHYS_OFFSET)).toBe(0n);
  });
});

describe('paging (SDM Vol. 3A §4.5)', () => {
  it('entry bits', () => {
    expect(PTE.mask.PAT).toBe(0x80n);
    expect(PDE_2M.mask.PAT).toBe(0x1000n);
    expect(PDE_2M.mask.PS).toBe(0x80n);
    expect(PML4E.mask.XD).toBe(1n << 63n);
    expect(PTE.mask.PK).toBe(0xfn << 59n);
    expect(PDPTE_1G.mask.ADDR).toBe(0x000f_ffff_c000_0000n);
  });
  it('MAXPHYADDR reserved bits', () => {
    expect(addressReservedMask(52)).toBe(0n);
    expect(addressReservedMask(39)).toBe(0x000f_ff80_0000_0000n);
    expect(addressReservedMask(46) & (1n << 45n)).toBe(0n);
    expect(addressReservedMask(46) & (1n << 46n)).toBe(1n << 46n);
  });
  it('indices and canonical addresses', () => {
    expect(tableIndex(LAB_BASE, 'PML4')).toBe(273);
    expect(tableIndex(LAB_BASE, 'PD')).toBe(0);
    expect(tableIndex(LAB_BASE, 'PT')).toBe(256);
    expect(isCanonical(0x0000_7fff_ffff_ffffn)).toBe(true);
    expect(isCanonical(0x0000_8000_0000_0000n)).toBe(false);
    expect(isCanonical(0xffff_8000_0000_0000n)).toBe(true);
    expect(isCanonical(0x0000_8000_0000_0000n, 57)).toBe(true);
    expect(isCanonical(0x0100_0000_0000_0000n, 57)).toBe(false);
  });
  it('canonicalFor takes the value modulo 2^64 and any address width', () => {
    // A signed form (as the executor keeps linear addresses) and one past 2^64 mean their 64-bit value.
    expect(canonicalFor(-1n, 48)).toBe(true);
    expect(canonicalFor(-(2n ** 47n) - 1n, 48)).toBe(false);
    expect(canonicalFor(2n ** 64n + 5n, 48)).toBe(true);
    expect(canonicalFor(0xfeff_8000_0000_0000n, 57)).toBe(false);
    expect(canonicalFor(0xff00_0000_0000_0000n, 57)).toBe(true);
    // The same answer as sign extension from bit bits-1, for every width the INVVPID and MSR checks use.
    for (const bits of [48, 57, 64]) {
      for (const v of [0n, 2n ** BigInt(bits - 1) - 1n, 2n ** BigInt(bits - 1), 2n ** 64n - 1n, 2n ** 63n]) {
        expect(canonicalFor(v, bits)).toBe(BigInt.asIntN(bits, v) === BigInt.asIntN(64, v));
      }
    }
  });
});

describe('check helpers', () => {
  it('duplicates finds repeats', () => {
    expect(duplicates([1, 2, 2, 3, 3, 3])).toEqual([2, 3]);
  });
  it('sdmRefProblems rejects empty refs', () => {
    expect(sdmRefProblems('x', { vol: '3A', section: '', title: '' })).toHaveLength(2);
  });
});
