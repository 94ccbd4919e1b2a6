import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CPUID, cpuidHas, type CpuidBit } from '../cpuid.ts';
import { CR0, CR4 } from '../cr.ts';
import { VMX_BASIC } from '../vmx-msrs.ts';
import { PROFILES, defaultProfile, findProfile, profileCpuid } from './index.ts';
import { parseSourceDump } from './source-dump.ts';
import type { Profile } from './types.ts';

const has = (p: Profile, bit: CpuidBit) => cpuidHas(profileCpuid(p, bit.leaf, bit.subleaf), bit);
const allowed1 = (v: bigint | undefined, bit: number) => v !== undefined && ((v >> BigInt(32 + bit)) & 1n) === 1n;

describe('profile registry', () => {
  it('ids unique, exactly one default', () => {
    expect(new Set(PROFILES.map((p) => p.id)).size).toBe(PROFILES.length);
    expect(PROFILES.filter((p) => p.isDefault)).toHaveLength(1);
    expect(findProfile(defaultProfile().id)).toBe(defaultProfile());
    expect(defaultProfile().id).toBe('arrow-lake');
    expect(PROFILES.map((p) => p.id)).toEqual(['core2-conroe', 'westmere-arrandale', 'ivy-bridge', 'skylake-client', 'sapphire-rapids', 'arrow-lake']);
  });
});

describe.each(PROFILES.map((p) => [p.id, p] as const))('profile %s', (id, p) => {
  it('equals its source dump', () => {
    const dump = parseSourceDump(readFileSync(new URL(`./sources/${id}.txt`, import.meta.url), 'utf8'));
    const vmx = new Map([...dump.msrs].filter(([i]) => i >= 0x480 && i <= 0x493));
    expect(new Map(Object.entries(p.msrs).map(([k, v]) => [Number(k), v]))).toEqual(vmx);
    expect(p.featureControl).toBe(dump.msrs.get(0x3a));
    expect([...p.assumedMsrs].sort()).toEqual([...dump.assumed].sort());
    for (const leaf of dump.cpuid) expect(profileCpuid(p, leaf.leaf, leaf.subleaf)).toEqual(leaf);
    expect(p.cpuid).toHaveLength(dump.cpuid.length);
  });

  it('address widths agree with CPUID 0x80000008', () => {
    const eax = profileCpuid(p, 0x8000_0008).eax;
    expect(eax & 0xff).toBe(p.maxPhysAddr);
    expect((eax >> 8) & 0xff).toBe(p.linearAddressBits);
  });

  it('feature dependencies hold (SDM Vol. 3D Appendix A)', () => {
    const m = p.msrs;
    expect(has(p, CPUID.VMX)).toBe(true);
    // A.1: TRUE controls exist exactly when BASIC[55] is set.
    const trueCtls = ((m[0x480]! >> 55n) & 1n) === 1n;
    for (const i of [0x48d, 0x48e, 0x48f, 0x490]) expect(m[i] !== undefined, `MSR ${i.toString(16)}`).toBe(trueCtls);
    // A.3.3: secondary controls exist exactly when primary bit 31 may be 1.
    expect(m[0x48b] !== undefined).toBe(allowed1(m[0x482], 31));
    // A.10: EPT_VPID_CAP exists when EPT (secondary 1) or VPID (secondary 5) may be 1.
    expect(m[0x48c] !== undefined).toBe(allowed1(m[0x48b], 1) || allowed1(m[0x48b], 5));
    // A.11: VMFUNC exists when "enable VM functions" (secondary 13) may be 1.
    expect(m[0x491] !== undefined).toBe(allowed1(m[0x48b], 13));
    // A.3.4 / A.4.2: tertiary controls (primary 17), secondary exit controls (exit 31).
    expect(m[0x492] !== undefined).toBe(allowed1(m[0x482], 17));
    expect(m[0x493] !== undefined).toBe(allowed1(m[0x483], 31));
    // Every control bit that must be 1 may be 1; TRUE MSRs relax only allowed-0.
    for (const [ctl, tru] of [[0x481, 0x48d], [0x482, 0x48e], [0x483, 0x48f], [0x484, 0x490]] as const) {
      const v = m[ctl]!;
      expect(v & 0xffff_ffffn & ~(v >> 32n)).toBe(0n);
      const t = m[tru];
      if (t !== undefined) {
        expect(t >> 32n).toBe(v >> 32n);
        expect(t & 0xffff_ffffn & ~(v & 0xffff_ffffn)).toBe(0n);
      }
    }
    // A.7/A.8: a bit fixed to 1 may be 1.
    expect(m[0x486]! & ~m[0x487]!).toBe(0n);
    expect(m[0x488]! & ~m[0x489]!).toBe(0n);
  });

  it('sets no bit the tables call reserved (IA32_VMX_BASIC, CR0/CR4 fixed bits)', () => {
    expect(p.msrs[0x480]! & VMX_BASIC.reservedMask).toBe(0n);
    expect(p.msrs[0x489]! & CR4.reservedMask).toBe(0n);
    expect(p.msrs[0x487]! & CR0.reservedMask).toBe(0n);
    expect(p.msrs[0x486]).toBe(CR0.of('PE', 'NE', 'PG'));
    expect(p.msrs[0x488]).toBe(CR4.mask.VMXE);
  });

  it('CR4_FIXED1 agrees with CPUID for CR4 features', () => {
    const f1 = p.msrs[0x489]!;
    const pairs = [
      ['VMXE', CPUID.VMX], ['SMXE', CPUID.SMX], ['FSGSBASE', CPUID.FSGSBASE], ['PCIDE', CPUID.PCID],
      ['OSXSAVE', CPUID.XSAVE], ['SMEP', CPUID.SMEP], ['SMAP', CPUID.SMAP], ['PKE', CPUID.PKU],
      ['LA57', CPUID.LA57], ['UMIP', CPUID.UMIP],
    ] as const;
    for (const [crBit, feature] of pairs) expect((f1 & CR4.mask[crBit]) !== 0n, crBit).toBe(has(p, feature));
  });
});
