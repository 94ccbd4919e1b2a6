import { describe, expect, it } from 'vitest';
import { duplicates, sdmRefProblems } from './check.ts';
import { CPUID, CPUID_BITS } from './cpuid.ts';
import { MSR, MSRS, VMX_CAPABILITY_MSRS, msrInfo } from './msrs.ts';

describe('MSR table (SDM Vol. 4 §2.1)', () => {
  it('indices and names are unique, documented and referenced', () => {
    expect(duplicates(MSRS.map((r) => r.index))).toEqual([]);
    expect(duplicates(MSRS.flatMap((r) => [r.linux, r.sdmName, ...r.aliases]))).toEqual([]);
    for (const r of MSRS) {
      expect(r.doc.length, r.linux).toBeGreaterThan(3);
      expect(sdmRefProblems(r.linux, r.sdm)).toEqual([]);
    }
  });
  it('has the brief\'s indices', () => {
    expect(MSR.IA32_FEATURE_CONTROL).toBe(0x3a);
    expect(MSR.IA32_EFER).toBe(0xc0000080);
    expect(MSR.IA32_TSC_AUX).toBe(0xc0000103);
    expect(MSR.IA32_PERF_GLOBAL_CTRL).toBe(0x38f);
    expect(msrInfo(0x277)?.linux).toBe('MSR_IA32_CR_PAT');
    expect(msrInfo(0x12345)).toBeUndefined();
  });
  it('every VMX capability MSR 0x480-0x493 is present, read-only', () => {
    expect(VMX_CAPABILITY_MSRS.map((r) => r.index)).toEqual(Array.from({ length: 20 }, (_, i) => 0x480 + i));
    expect(VMX_CAPABILITY_MSRS.every((r) => r.readOnly)).toBe(true);
    expect(msrInfo(0x48c)?.sdmName).toBe('IA32_VMX_EPT_VPID_CAP');
  });
});

describe('CPUID bits (SDM Vol. 2A §3.3)', () => {
  it('positions are unique and names are unique', () => {
    expect(duplicates(CPUID_BITS.map((b) => `${b.leaf}.${b.subleaf}.${b.reg}.${b.bit}`))).toEqual([]);
    expect(duplicates(CPUID_BITS.map((b) => b.name))).toEqual([]);
  });
  it('VMX is leaf 1 ECX bit 5; LM leaf 0x80000001 EDX bit 29; LA57 leaf 7 ECX bit 16', () => {
    expect([CPUID.VMX.leaf, CPUID.VMX.reg, CPUID.VMX.bit]).toEqual([1, 'ecx', 5]);
    expect([CPUID.LM.leaf, CPUID.LM.reg, CPUID.LM.bit]).toEqual([0x80000001, 'edx', 29]);
    expect([CPUID.LA57.leaf, CPUID.LA57.reg, CPUID.LA57.bit]).toEqual([7, 'ecx', 16]);
  });
});
