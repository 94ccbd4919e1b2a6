// The capability-MSR facts the VMX instructions consult (SDM Vol. 3D Appendix A "VMX Capability
// Reporting Facility"), read afresh on every use so a learner's edit of an MSR takes effect at
// once. Transitional: the bit layouts below are declared through the bitfield helper until
// src/arch/vmx-msrs.ts and src/arch/controls/*.ts land; then this module imports them instead.

import { bitfield } from '../arch/bitfield.ts';
import { sdm } from '../arch/sdm.ts';
import { FEATURE_CONTROL } from '../arch/feature-control.ts';

/** Capability MSR indices (SDM Vol. 4 §2.1 "Architectural MSRs"). */
export const VMX_MSR = {
  IA32_FEATURE_CONTROL: 0x3a,
  IA32_SMM_MONITOR_CTL: 0x9b,
  IA32_VMX_BASIC: 0x480,
  IA32_VMX_PROCBASED_CTLS: 0x482,
  IA32_VMX_MISC: 0x485,
  IA32_VMX_CR0_FIXED0: 0x486,
  IA32_VMX_CR0_FIXED1: 0x487,
  IA32_VMX_CR4_FIXED0: 0x488,
  IA32_VMX_CR4_FIXED1: 0x489,
  IA32_VMX_PROCBASED_CTLS2: 0x48b,
  IA32_VMX_EPT_VPID_CAP: 0x48c,
  IA32_VMX_VMFUNC: 0x491,
} as const;

const BASIC = bitfield({
  name: 'IA32_VMX_BASIC',
  size: 64,
  sdm: sdm('3D', 'A.1', 'Basic VMX Information'),
  fields: {
    REVISION: { bit: 0, width: 31, doc: 'VMCS revision identifier.' },
    REGION_SIZE: { bit: 32, width: 13, doc: 'Bytes to allocate for the VMXON region and any VMCS region.' },
    ADDR32: { bit: 48, doc: 'Physical addresses of VMX structures are limited to 32 bits.' },
    DUAL_MONITOR: { bit: 49, doc: 'Dual-monitor treatment of SMIs and SMM is supported.' },
    TRUE_CTLS: { bit: 55, doc: 'The IA32_VMX_TRUE_*_CTLS MSRs exist.' },
  },
});

const MISC = bitfield({
  name: 'IA32_VMX_MISC',
  size: 64,
  sdm: sdm('3D', 'A.6', 'Miscellaneous Data'),
  fields: {
    STORE_LMA: { bit: 5, doc: 'VM exits store IA32_EFER.LMA into the "IA-32e mode guest" VM-entry control.' },
    VMWRITE_ANY: { bit: 29, doc: 'VMWRITE may write any supported field, VM-exit information fields included.' },
  },
});

/** Allowed-1 half (bits 63:32) of IA32_VMX_PROCBASED_CTLS / CTLS2, by control bit. */
const PROC_ALLOWED1 = bitfield({
  name: 'IA32_VMX_PROCBASED_CTLS allowed-1',
  size: 64,
  sdm: sdm('3D', 'A.3.2', 'Primary Processor-Based VM-Execution Controls'),
  fields: {
    ACTIVATE_SECONDARY: { bit: 63, doc: 'Allowed-1 of "activate secondary controls" (bit 31).' },
  },
});

const PROC2_ALLOWED1 = bitfield({
  name: 'IA32_VMX_PROCBASED_CTLS2 allowed-1',
  size: 64,
  sdm: sdm('3D', 'A.3.3', 'Secondary Processor-Based VM-Execution Controls'),
  fields: {
    ENABLE_EPT: { bit: 33, doc: 'Allowed-1 of "enable EPT" (bit 1).' },
    ENABLE_VPID: { bit: 37, doc: 'Allowed-1 of "enable VPID" (bit 5).' },
    ENABLE_VMFUNC: { bit: 45, doc: 'Allowed-1 of "enable VM functions" (bit 13).' },
    SHADOW_VMCS: { bit: 46, doc: 'Allowed-1 of "VMCS shadowing" (bit 14).' },
  },
});

const EPT_VPID_CAP = bitfield({
  name: 'IA32_VMX_EPT_VPID_CAP',
  size: 64,
  sdm: sdm('3D', 'A.10', 'VPID and EPT Capabilities'),
  fields: {
    WALK_4: { bit: 6, doc: 'Page-walk length 4 is supported.' },
    WALK_5: { bit: 7, doc: 'Page-walk length 5 is supported.' },
    MEMTYPE_UC: { bit: 8, doc: 'The EPT paging structures may be uncacheable (EPTP memory type 0).' },
    MEMTYPE_WB: { bit: 14, doc: 'The EPT paging structures may be write-back (EPTP memory type 6).' },
    INVEPT: { bit: 20, doc: 'INVEPT is supported.' },
    AD_FLAGS: { bit: 21, doc: 'Accessed and dirty flags for EPT are supported.' },
    SUPERVISOR_SHADOW_STACK: { bit: 23, doc: 'EPTP bit 7 (supervisor shadow-stack control) may be 1.' },
    INVEPT_SINGLE: { bit: 25, doc: 'Single-context INVEPT (type 1) is supported.' },
    INVEPT_ALL: { bit: 26, doc: 'All-context INVEPT (type 2) is supported.' },
    INVVPID: { bit: 32, doc: 'INVVPID is supported.' },
    INVVPID_ADDR: { bit: 40, doc: 'Individual-address INVVPID (type 0) is supported.' },
    INVVPID_SINGLE: { bit: 41, doc: 'Single-context INVVPID (type 1) is supported.' },
    INVVPID_ALL: { bit: 42, doc: 'All-context INVVPID (type 2) is supported.' },
    INVVPID_SINGLE_GLOBALS: { bit: 43, doc: 'Single-context-retaining-globals INVVPID (type 3) is supported.' },
  },
});

const SMM_MONITOR_CTL = bitfield({
  name: 'IA32_SMM_MONITOR_CTL',
  size: 64,
  sdm: sdm('3C', '35.15.5', 'Enabling the Dual-Monitor Treatment'),
  fields: { VALID: { bit: 0, doc: 'The MSEG base is valid: VMCALL may activate dual-monitor treatment.' } },
});

/** Reads one MSR of the profile (0 when absent). */
export type MsrReader = (index: number) => bigint;

/** Typed view of the capability MSRs. Each getter reads the MSR again. */
export class VmxCaps {
  constructor(private readonly msr: MsrReader, readonly maxPhysAddr: number) {}

  /** IA32_VMX_BASIC[30:0]. */
  get revisionId(): bigint { return BASIC.get(this.msr(VMX_MSR.IA32_VMX_BASIC), 'REVISION'); }
  /** IA32_VMX_BASIC[44:32], bytes of a VMXON/VMCS region. */
  get regionSize(): number { return Number(BASIC.get(this.msr(VMX_MSR.IA32_VMX_BASIC), 'REGION_SIZE')); }
  /** IA32_VMX_BASIC[48]: VMX structure addresses limited to 32 bits. */
  get addressesLimitedTo32(): boolean { return BASIC.has(this.msr(VMX_MSR.IA32_VMX_BASIC), 'ADDR32'); }
  /** IA32_VMX_BASIC[49]. */
  get dualMonitor(): boolean { return BASIC.has(this.msr(VMX_MSR.IA32_VMX_BASIC), 'DUAL_MONITOR'); }
  /** IA32_VMX_MISC[5]. */
  get exitStoresLma(): boolean { return MISC.has(this.msr(VMX_MSR.IA32_VMX_MISC), 'STORE_LMA'); }
  /** IA32_VMX_MISC[29]. */
  get vmwriteAnyField(): boolean { return MISC.has(this.msr(VMX_MSR.IA32_VMX_MISC), 'VMWRITE_ANY'); }
  get cr0Fixed0(): bigint { return this.msr(VMX_MSR.IA32_VMX_CR0_FIXED0); }
  get cr0Fixed1(): bigint { return this.msr(VMX_MSR.IA32_VMX_CR0_FIXED1); }
  get cr4Fixed0(): bigint { return this.msr(VMX_MSR.IA32_VMX_CR4_FIXED0); }
  get cr4Fixed1(): bigint { return this.msr(VMX_MSR.IA32_VMX_CR4_FIXED1); }

  /** Allowed-1 of a secondary control, 0 when the secondary controls cannot be activated. */
  private secondary(f: 'ENABLE_EPT' | 'ENABLE_VPID' | 'ENABLE_VMFUNC' | 'SHADOW_VMCS'): boolean {
    if (!PROC_ALLOWED1.has(this.msr(VMX_MSR.IA32_VMX_PROCBASED_CTLS), 'ACTIVATE_SECONDARY')) return false;
    return PROC2_ALLOWED1.has(this.msr(VMX_MSR.IA32_VMX_PROCBASED_CTLS2), f);
  }
  /** The processor supports the 1-setting of "enable EPT". */
  get ept(): boolean { return this.secondary('ENABLE_EPT'); }
  /** The processor supports the 1-setting of "enable VPID". */
  get vpid(): boolean { return this.secondary('ENABLE_VPID'); }
  /** The processor supports the 1-setting of "VMCS shadowing". */
  get vmcsShadowing(): boolean { return this.secondary('SHADOW_VMCS'); }
  /** The processor supports the 1-setting of "enable VM functions". */
  get vmfunc(): boolean { return this.secondary('ENABLE_VMFUNC'); }

  /** A capability bit of IA32_VMX_EPT_VPID_CAP. */
  eptCap(f: 'WALK_4' | 'WALK_5' | 'MEMTYPE_UC' | 'MEMTYPE_WB' | 'AD_FLAGS' | 'SUPERVISOR_SHADOW_STACK'): boolean {
    return this.eptVpid(f);
  }

  private eptVpid(f: keyof typeof EPT_VPID_CAP.fields): boolean {
    return EPT_VPID_CAP.has(this.msr(VMX_MSR.IA32_VMX_EPT_VPID_CAP), f);
  }
  /** IA32_VMX_EPT_VPID_CAP[20]. */
  get invept(): boolean { return this.eptVpid('INVEPT'); }
  /** IA32_VMX_EPT_VPID_CAP[32]. */
  get invvpid(): boolean { return this.eptVpid('INVVPID'); }
  /** INVEPT types supported (1 single-context ⇔ bit 25, 2 all-context ⇔ bit 26; no other). */
  inveptTypeSupported(type: bigint): boolean {
    if (type === 1n) return this.eptVpid('INVEPT_SINGLE');
    if (type === 2n) return this.eptVpid('INVEPT_ALL');
    return false;
  }
  /** INVVPID types supported (0 ⇔ bit 40, 1 ⇔ 41, 2 ⇔ 42, 3 ⇔ 43; no other). */
  invvpidTypeSupported(type: bigint): boolean {
    switch (type) {
      case 0n: return this.eptVpid('INVVPID_ADDR');
      case 1n: return this.eptVpid('INVVPID_SINGLE');
      case 2n: return this.eptVpid('INVVPID_ALL');
      case 3n: return this.eptVpid('INVVPID_SINGLE_GLOBALS');
      default: return false;
    }
  }

  /** IA32_FEATURE_CONTROL[0]. */
  get featureControlLocked(): boolean { return FEATURE_CONTROL.has(this.msr(VMX_MSR.IA32_FEATURE_CONTROL), 'LOCKED'); }
  /** IA32_FEATURE_CONTROL[2]. */
  get vmxOutsideSmx(): boolean { return FEATURE_CONTROL.has(this.msr(VMX_MSR.IA32_FEATURE_CONTROL), 'VMX_ENABLED_OUTSIDE_SMX'); }
  /** IA32_FEATURE_CONTROL[1]. */
  get vmxInsideSmx(): boolean { return FEATURE_CONTROL.has(this.msr(VMX_MSR.IA32_FEATURE_CONTROL), 'VMX_ENABLED_INSIDE_SMX'); }
  /** IA32_SMM_MONITOR_CTL[0]. */
  get smmMonitorValid(): boolean { return SMM_MONITOR_CTL.has(this.msr(VMX_MSR.IA32_SMM_MONITOR_CTL), 'VALID'); }

  /**
   * Whether a VMX structure address is unusable: not 4-KByte aligned, or setting a bit at or
   * beyond the physical-address width (bits 63:32 when IA32_VMX_BASIC[48] = 1).
   * SDM Vol. 3C §31.3 "VMX Instructions" (VMXON, VMCLEAR, VMPTRLD operation sections).
   */
  badPointer(addr: bigint): boolean {
    if ((addr & 0xfffn) !== 0n) return true;
    const width = this.addressesLimitedTo32 ? Math.min(32, this.maxPhysAddr) : this.maxPhysAddr;
    return addr >> BigInt(width) !== 0n;
  }
}
