// The model-specific registers the lab knows, one row each: index, Linux msr-index.h
// name, SDM name, explanation, SDM reference. SDM Vol. 4 §2.1 Architectural MSRs;
// the VMX capability MSRs are described in Vol. 3D Appendix A (VMX Capability
// Reporting Facility). Which MSRs a given CPU implements comes from its profile.

import { sdm, type SdmRef } from './sdm.ts';
import { SDM_ARCH_MSRS as V4 } from './sdm-refs.ts';

export interface MsrInfo {
  readonly index: number;
  /** Linux msr-index.h name (`MSR_EFER`). */
  readonly linux: string;
  /** Older or alternative Linux names, also predefined as symbols. */
  readonly aliases: readonly string[];
  /** Name in the SDM (`IA32_EFER`). */
  readonly sdmName: string;
  /** Read-only MSR: WRMSR raises #GP(0). */
  readonly readOnly: boolean;
  readonly doc: string;
  readonly sdm: SdmRef;
}

const A = (sec: string, title: string): SdmRef => sdm('3D', sec, title);
const m = (index: number, linux: string, sdmName: string, doc: string, ref: SdmRef = V4, aliases: readonly string[] = [], readOnly = false): MsrInfo =>
  ({ index, linux, aliases, sdmName, readOnly, doc, sdm: ref });
const cap = (index: number, suffix: string, doc: string, ref: SdmRef): MsrInfo =>
  m(index, `MSR_IA32_VMX_${suffix}`, `IA32_VMX_${suffix}`, doc, ref, [], true);

export const MSRS = [
  m(0x10, 'MSR_IA32_TSC', 'IA32_TIME_STAMP_COUNTER', 'Time-stamp counter read by RDTSC.'),
  m(0x1b, 'MSR_IA32_APICBASE', 'IA32_APIC_BASE', 'Local APIC base address, enable and BSP flag.'),
  m(0x3a, 'MSR_IA32_FEATURE_CONTROL', 'IA32_FEATURE_CONTROL', 'Lock bit and VMX/SMX/SGX enables set by firmware; locked means WRMSR #GP.', sdm('3C', '24.7', 'Enabling and Entering VMX Operation'), ['MSR_IA32_FEAT_CTL']),
  m(0x3b, 'MSR_IA32_TSC_ADJUST', 'IA32_TSC_ADJUST', 'Per-thread adjustment added to the TSC.'),
  m(0x9b, 'MSR_IA32_SMM_MONITOR_CTL', 'IA32_SMM_MONITOR_CTL', 'SMM monitor (dual-monitor treatment) configuration.'),
  m(0x174, 'MSR_IA32_SYSENTER_CS', 'IA32_SYSENTER_CS', 'Code selector used by SYSENTER.'),
  m(0x175, 'MSR_IA32_SYSENTER_ESP', 'IA32_SYSENTER_ESP', 'Stack pointer loaded by SYSENTER.'),
  m(0x176, 'MSR_IA32_SYSENTER_EIP', 'IA32_SYSENTER_EIP', 'Entry point of SYSENTER.'),
  m(0x1d9, 'MSR_IA32_DEBUGCTLMSR', 'IA32_DEBUGCTL', 'Debug control: LBR, BTF, and related.'),
  m(0x277, 'MSR_IA32_CR_PAT', 'IA32_PAT', 'Page-attribute table: eight memory types selected by PAT/PCD/PWT.'),
  m(0x38f, 'MSR_CORE_PERF_GLOBAL_CTRL', 'IA32_PERF_GLOBAL_CTRL', 'Global enable of performance counters.'),
  m(0x480, 'MSR_IA32_VMX_BASIC', 'IA32_VMX_BASIC', 'VMCS revision id, region size, memory type, TRUE-controls flag.', A('A.1', 'Basic VMX Information'), [], true),
  cap(0x481, 'PINBASED_CTLS', 'Allowed 0/1 settings of the pin-based VM-execution controls.', A('A.3.1', 'Pin-Based VM-Execution Controls')),
  cap(0x482, 'PROCBASED_CTLS', 'Allowed 0/1 settings of the primary processor-based controls.', A('A.3.2', 'Primary Processor-Based VM-Execution Controls')),
  cap(0x483, 'EXIT_CTLS', 'Allowed 0/1 settings of the primary VM-exit controls.', A('A.4.1', 'Primary VM-Exit Controls')),
  cap(0x484, 'ENTRY_CTLS', 'Allowed 0/1 settings of the VM-entry controls.', A('A.5', 'VM-Entry Controls')),
  cap(0x485, 'MISC', 'Miscellaneous VMX data: preemption-timer rate, activity states, CR3-target count, MSEG revision.', A('A.6', 'Miscellaneous Data')),
  cap(0x486, 'CR0_FIXED0', 'CR0 bits that must be 1 in VMX operation.', A('A.7', 'VMX-Fixed Bits in CR0')),
  cap(0x487, 'CR0_FIXED1', 'CR0 bits that may be 1 in VMX operation.', A('A.7', 'VMX-Fixed Bits in CR0')),
  cap(0x488, 'CR4_FIXED0', 'CR4 bits that must be 1 in VMX operation.', A('A.8', 'VMX-Fixed Bits in CR4')),
  cap(0x489, 'CR4_FIXED1', 'CR4 bits that may be 1 in VMX operation.', A('A.8', 'VMX-Fixed Bits in CR4')),
  cap(0x48a, 'VMCS_ENUM', 'Highest index value used in any VMCS field encoding.', A('A.9', 'VMCS Enumeration')),
  cap(0x48b, 'PROCBASED_CTLS2', 'Allowed 1-settings of the secondary processor-based controls.', A('A.3.3', 'Secondary Processor-Based VM-Execution Controls')),
  cap(0x48c, 'EPT_VPID_CAP', 'EPT and VPID capabilities: page-walk lengths, memory types, INVEPT/INVVPID types.', A('A.10', 'VPID and EPT Capabilities')),
  cap(0x48d, 'TRUE_PINBASED_CTLS', 'Pin-based controls with default-1 bits that may be 0 (exists if BASIC[55]).', A('A.3.1', 'Pin-Based VM-Execution Controls')),
  cap(0x48e, 'TRUE_PROCBASED_CTLS', 'Primary processor-based controls, TRUE version (exists if BASIC[55]).', A('A.3.2', 'Primary Processor-Based VM-Execution Controls')),
  cap(0x48f, 'TRUE_EXIT_CTLS', 'VM-exit controls, TRUE version (exists if BASIC[55]).', A('A.4.1', 'Primary VM-Exit Controls')),
  cap(0x490, 'TRUE_ENTRY_CTLS', 'VM-entry controls, TRUE version (exists if BASIC[55]).', A('A.5', 'VM-Entry Controls')),
  cap(0x491, 'VMFUNC', 'Allowed 1-settings of the VM-function controls.', A('A.11', 'VM Functions')),
  cap(0x492, 'PROCBASED_CTLS3', 'Allowed 1-settings of the tertiary processor-based controls (64 bits).', A('A.3.4', 'Tertiary Processor-Based VM-Execution Controls')),
  cap(0x493, 'EXIT_CTLS2', 'Allowed 1-settings of the secondary VM-exit controls (64 bits).', A('A.4.2', 'Secondary VM-Exit Controls')),
  m(0x570, 'MSR_IA32_RTIT_CTL', 'IA32_RTIT_CTL', 'Intel Processor Trace control.'),
  m(0x6a0, 'MSR_IA32_U_CET', 'IA32_U_CET', 'User-mode CET configuration.'),
  m(0x6a2, 'MSR_IA32_S_CET', 'IA32_S_CET', 'Supervisor-mode CET configuration.'),
  m(0x6a4, 'MSR_IA32_PL0_SSP', 'IA32_PL0_SSP', 'Shadow-stack pointer for CPL 0.'),
  m(0x6a8, 'MSR_IA32_INT_SSP_TAB', 'IA32_INTERRUPT_SSP_TABLE_ADDR', 'Linear address of the interrupt shadow-stack table.'),
  m(0x6e0, 'MSR_IA32_TSC_DEADLINE', 'IA32_TSC_DEADLINE', 'TSC value at which the APIC timer fires in TSC-deadline mode.'),
  m(0x6e1, 'MSR_IA32_PKRS', 'IA32_PKRS', 'Protection-key rights for supervisor pages.'),
  m(0xd90, 'MSR_IA32_BNDCFGS', 'IA32_BNDCFGS', 'MPX supervisor bound configuration.'),
  m(0x14ce, 'MSR_ARCH_LBR_CTL', 'IA32_LBR_CTL', 'Architectural LBR control: enable, CPL filter, call-stack mode and branch-type filters.'),
  m(0xc0000080, 'MSR_EFER', 'IA32_EFER', 'Extended feature enables: SCE, LME, LMA, NXE.', V4, ['MSR_IA32_EFER']),
  m(0xc0000081, 'MSR_STAR', 'IA32_STAR', 'SYSCALL/SYSRET segment selectors (and legacy SYSCALL EIP).'),
  m(0xc0000082, 'MSR_LSTAR', 'IA32_LSTAR', 'RIP of the 64-bit SYSCALL entry point.'),
  m(0xc0000083, 'MSR_CSTAR', 'IA32_CSTAR', 'RIP of the compatibility-mode SYSCALL entry point (not used by Intel processors).'),
  m(0xc0000084, 'MSR_SYSCALL_MASK', 'IA32_FMASK', 'RFLAGS bits cleared by SYSCALL.'),
  m(0xc0000100, 'MSR_FS_BASE', 'IA32_FS_BASE', 'Base address of FS in 64-bit mode.'),
  m(0xc0000101, 'MSR_GS_BASE', 'IA32_GS_BASE', 'Base address of GS in 64-bit mode.'),
  m(0xc0000102, 'MSR_KERNEL_GS_BASE', 'IA32_KERNEL_GS_BASE', 'Value SWAPGS exchanges with the GS base.'),
  m(0xc0000103, 'MSR_TSC_AUX', 'IA32_TSC_AUX', 'Auxiliary value returned in ECX by RDTSCP and by RDPID.'),
] as const satisfies readonly MsrInfo[];

const byIndex = new Map<number, MsrInfo>(MSRS.map((r) => [r.index, r]));

/** The MSR at an index, or undefined. */
export function msrInfo(index: number): MsrInfo | undefined {
  return byIndex.get(index);
}

/** MSR indices by SDM name: `MSR.IA32_EFER` = 0xC0000080. */
export const MSR = Object.fromEntries(MSRS.map((r) => [r.sdmName, r.index])) as {
  readonly [R in (typeof MSRS)[number] as R['sdmName']]: number;
};

/** The VMX capability MSR range 0x480-0x493. */
export const VMX_CAPABILITY_MSRS: readonly MsrInfo[] = MSRS.filter((r) => r.index >= 0x480 && r.index <= 0x493);
