import { describe, expect, it } from 'vitest';
import { bitfieldProblems } from './check.ts';
import { VMX_BASIC, VMX_EPT_VPID_CAP, VMX_MISC, VMX_VMCS_ENUM, VMX_VMFUNC_CAP } from './vmx-msrs.ts';

describe('VMX capability MSR layouts (SDM Vol. 3D Appendix A)', () => {
  it('are sound bitfields', () => {
    for (const bf of [VMX_BASIC, VMX_MISC, VMX_VMCS_ENUM, VMX_EPT_VPID_CAP, VMX_VMFUNC_CAP]) expect(bitfieldProblems(bf)).toEqual([]);
  });
  it('decode the Skylake IA32_VMX_BASIC 0x00DA0400_00000004', () => {
    const v = 0x00da_0400_0000_0004n;
    expect(VMX_BASIC.get(v, 'REVISION_ID')).toBe(4n);
    expect(VMX_BASIC.get(v, 'VMCS_SIZE')).toBe(0x400n);
    expect(VMX_BASIC.get(v, 'MEMORY_TYPE')).toBe(6n);
    expect(VMX_BASIC.names(v)).toEqual(['DUAL_MONITOR', 'INOUT', 'TRUE_CTLS']);
    expect(v & VMX_BASIC.reservedMask).toBe(0n);
  });
  it('decode the Core 2 IA32_VMX_BASIC 0x001A0400_00000007 (no TRUE controls)', () => {
    const v = 0x001a_0400_0000_0007n;
    expect(VMX_BASIC.get(v, 'REVISION_ID')).toBe(7n);
    expect(VMX_BASIC.has(v, 'TRUE_CTLS')).toBe(false);
    expect(VMX_BASIC.has(v, 'INOUT')).toBe(false);
  });
  it('decode IA32_VMX_MISC 0x7004C1E7', () => {
    const v = 0x7004_c1e7n;
    expect(VMX_MISC.get(v, 'PREEMPTION_TIMER_RATE')).toBe(7n);
    expect(VMX_MISC.get(v, 'CR3_TARGETS')).toBe(4n);
    expect(VMX_MISC.has(v, 'VMWRITE_ANY_FIELD')).toBe(true);
    expect(VMX_MISC.has(0x3004_81e5n & ~(1n << 29n), 'VMWRITE_ANY_FIELD')).toBe(false);
  });
  it('decode EPT_VPID_CAP 0x00000F01_06334141', () => {
    expect(VMX_EPT_VPID_CAP.names(0x0000_0f01_0633_4141n)).toEqual([
      'EXECUTE_ONLY', 'PAGE_WALK_4', 'EPTP_UC', 'EPTP_WB', 'PAGE_2MB', 'PAGE_1GB', 'INVEPT', 'AD', 'INVEPT_SINGLE', 'INVEPT_ALL',
      'INVVPID', 'INVVPID_ADDRESS', 'INVVPID_SINGLE', 'INVVPID_ALL', 'INVVPID_SINGLE_NON_GLOBAL',
    ]);
  });
  it('VMCS_ENUM index', () => {
    expect(VMX_VMCS_ENUM.get(0x2en, 'MAX_INDEX')).toBe(0x17n);
  });
});
