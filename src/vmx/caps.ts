// The capability-MSR facts the VMX instructions consult (SDM Vol. 3D Appendix A "VMX Capability
// Reporting Facility"), read afresh on every use so a learner's edit of an MSR takes effect at
// once. Bit layouts come from src/arch (vmx-msrs.ts, controls, feature-control.ts).

import { bitfield } from '../arch/bitfield.ts';
import { sdm } from '../arch/sdm.ts';
import { FEATURE_CONTROL } from '../arch/feature-control.ts';
import { allowedSettings, PRIMARY, PRIMARY_INFO, SECONDARY, SECONDARY_INFO } from '../arch/controls/index.ts';
import { VMX_BASIC as BASIC, VMX_EPT_VPID_CAP as EPT_VPID_CAP, VMX_MISC as MISC } from '../arch/vmx-msrs.ts';

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

const SMM_MONITOR_CTL = bitfield({
  name: 'IA32_SMM_MONITOR_CTL',
  size: 64,
  sdm: sdm('3C', '35.15.5', 'Enabling the Dual-Monitor Treatment'),
  fields: { VALID: { bit: 0, doc: 'The MSEG base is valid: VMCALL may activate dual-monitor treatment.' } },
});

/** Reads one MSR of the profile (0 when absent). */
export type MsrReader = (index: number) => bigint;

/** The single bits the hot getters test, as masks from the tables (a name lookup per call showed in the round-trip profile). */
const BASIC_PHYS_ADDR_32BIT = BASIC.mask.PHYS_ADDR_32BIT;
const BASIC_DUAL_MONITOR = BASIC.mask.DUAL_MONITOR;
const MISC_SAVE_EFER_LMA = MISC.mask.SAVE_EFER_LMA;
const MISC_VMWRITE_ANY_FIELD = MISC.mask.VMWRITE_ANY_FIELD;

/** Typed view of the capability MSRs. Each getter reads the MSR again. */
export class VmxCaps {
  constructor(private readonly msr: MsrReader, readonly maxPhysAddr: number) {}

  /** IA32_VMX_BASIC[30:0]. */
  get revisionId(): bigint { return BASIC.get(this.msr(VMX_MSR.IA32_VMX_BASIC), 'REVISION_ID'); }
  /** IA32_VMX_BASIC[44:32], bytes of a VMXON/VMCS region. */
  get regionSize(): number { return Number(BASIC.get(this.msr(VMX_MSR.IA32_VMX_BASIC), 'VMCS_SIZE')); }
  /** IA32_VMX_BASIC[48]: VMX structure addresses limited to 32 bits. */
  get addressesLimitedTo32(): boolean { return (this.msr(VMX_MSR.IA32_VMX_BASIC) & BASIC_PHYS_ADDR_32BIT) !== 0n; }
  /** IA32_VMX_BASIC[49]. */
  get dualMonitor(): boolean { return (this.msr(VMX_MSR.IA32_VMX_BASIC) & BASIC_DUAL_MONITOR) !== 0n; }
  /** IA32_VMX_MISC[5]. */
  get exitStoresLma(): boolean { return (this.msr(VMX_MSR.IA32_VMX_MISC) & MISC_SAVE_EFER_LMA) !== 0n; }
  /** IA32_VMX_MISC[29]. */
  get vmwriteAnyField(): boolean { return (this.msr(VMX_MSR.IA32_VMX_MISC) & MISC_VMWRITE_ANY_FIELD) !== 0n; }
  get cr0Fixed0(): bigint { return this.msr(VMX_MSR.IA32_VMX_CR0_FIXED0); }
  get cr0Fixed1(): bigint { return this.msr(VMX_MSR.IA32_VMX_CR0_FIXED1); }
  get cr4Fixed0(): bigint { return this.msr(VMX_MSR.IA32_VMX_CR4_FIXED0); }
  get cr4Fixed1(): bigint { return this.msr(VMX_MSR.IA32_VMX_CR4_FIXED1); }

  /** Whether a secondary control may be 1: "activate secondary controls" and the control are allowed-1. */
  private secondary(name: string): boolean {
    const primary1 = allowedSettings(PRIMARY_INFO, this.msr(PRIMARY_INFO.capabilityMsr)).allowed1;
    if (!PRIMARY.has(primary1, 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS')) return false;
    return SECONDARY.has(allowedSettings(SECONDARY_INFO, this.msr(SECONDARY_INFO.capabilityMsr)).allowed1, name);
  }
  /** The processor supports the 1-setting of "enable EPT". */
  get ept(): boolean { return this.secondary('SECONDARY_EXEC_ENABLE_EPT'); }
  /** The processor supports the 1-setting of "enable VPID". */
  get vpid(): boolean { return this.secondary('SECONDARY_EXEC_ENABLE_VPID'); }
  /** The processor supports the 1-setting of "VMCS shadowing". */
  get vmcsShadowing(): boolean { return this.secondary('SECONDARY_EXEC_SHADOW_VMCS'); }
  /** The processor supports the 1-setting of "EPT-violation #VE". */
  get eptViolationVe(): boolean { return this.secondary('SECONDARY_EXEC_EPT_VIOLATION_VE'); }
  /** The processor supports the 1-setting of "enable VM functions". */
  get vmfunc(): boolean { return this.secondary('SECONDARY_EXEC_ENABLE_VMFUNC'); }

  /** A capability bit of IA32_VMX_EPT_VPID_CAP. */
  eptCap(f: 'PAGE_WALK_4' | 'PAGE_WALK_5' | 'EPTP_UC' | 'EPTP_WB' | 'AD' | 'SUPERVISOR_SHADOW_STACK'): boolean {
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
      case 0n: return this.eptVpid('INVVPID_ADDRESS');
      case 1n: return this.eptVpid('INVVPID_SINGLE');
      case 2n: return this.eptVpid('INVVPID_ALL');
      case 3n: return this.eptVpid('INVVPID_SINGLE_NON_GLOBAL');
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
