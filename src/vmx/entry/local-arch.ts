// TEMPORARY local hardware declarations for the VM-entry checks, kept here only until
// src/arch/{controls,vmx-msrs,cr,efer,rflags,segments}.ts land (STYLE rules 1 and 10:
// the tables belong in src/arch). Each declaration uses the one bitfield helper so the
// switch to the arch tables is a change of import, not of use sites.
// Sources: SDM Vol. 3C ch. 25 "Virtual Machine Control Structures" and Vol. 3D App. A
// "VMX Capability Reporting Facility" (bit positions checked against
// ../shared/reference/vmx-reference.md sections 4 and 5).

import { bitfield } from '../../arch/bitfield.ts';

/** Capability and architectural MSR indices the checks read (Vol. 4 §2.1 Architectural MSRs). */
export const MSR = {
  IA32_VMX_BASIC: 0x480,
  IA32_VMX_PINBASED_CTLS: 0x481,
  IA32_VMX_PROCBASED_CTLS: 0x482,
  IA32_VMX_EXIT_CTLS: 0x483,
  IA32_VMX_ENTRY_CTLS: 0x484,
  IA32_VMX_MISC: 0x485,
  IA32_VMX_CR0_FIXED0: 0x486,
  IA32_VMX_CR0_FIXED1: 0x487,
  IA32_VMX_CR4_FIXED0: 0x488,
  IA32_VMX_CR4_FIXED1: 0x489,
  IA32_VMX_PROCBASED_CTLS2: 0x48b,
  IA32_VMX_EPT_VPID_CAP: 0x48c,
  IA32_VMX_TRUE_PINBASED_CTLS: 0x48d,
  IA32_VMX_TRUE_PROCBASED_CTLS: 0x48e,
  IA32_VMX_TRUE_EXIT_CTLS: 0x48f,
  IA32_VMX_TRUE_ENTRY_CTLS: 0x490,
  IA32_VMX_VMFUNC: 0x491,
  IA32_VMX_PROCBASED_CTLS3: 0x492,
  IA32_VMX_EXIT_CTLS2: 0x493,
  IA32_SMM_MONITOR_CTL: 0x9b,
  IA32_DEBUGCTL: 0x1d9,
  IA32_PAT: 0x277,
  IA32_PERF_GLOBAL_CTRL: 0x38f,
  IA32_BNDCFGS: 0xd90,
  IA32_EFER: 0xc000_0080,
  IA32_FS_BASE: 0xc000_0100,
  IA32_GS_BASE: 0xc000_0101,
} as const;

/** Name of an MSR index of the table above (for messages). */
export function msrName(index: number): string {
  for (const [name, i] of Object.entries(MSR)) if (i === index) return name;
  return `MSR 0x${index.toString(16)}`;
}

export const PIN = bitfield({
  name: 'Pin-based VM-execution controls',
  size: 32,
  fields: {
    PIN_BASED_EXT_INTR_MASK: { bit: 0, doc: 'External-interrupt exiting' },
    PIN_BASED_NMI_EXITING: { bit: 3, doc: 'NMI exiting' },
    PIN_BASED_VIRTUAL_NMIS: { bit: 5, doc: 'Virtual NMIs' },
    PIN_BASED_VMX_PREEMPTION_TIMER: { bit: 6, doc: 'Activate VMX-preemption timer' },
    PIN_BASED_POSTED_INTR: { bit: 7, doc: 'Process posted interrupts' },
  },
});

export const PROC = bitfield({
  name: 'Primary processor-based VM-execution controls',
  size: 32,
  fields: {
    CPU_BASED_ACTIVATE_TERTIARY_CONTROLS: { bit: 17, doc: 'Activate tertiary controls' },
    CPU_BASED_TPR_SHADOW: { bit: 21, doc: 'Use TPR shadow' },
    CPU_BASED_NMI_WINDOW_EXITING: { bit: 22, doc: 'NMI-window exiting' },
    CPU_BASED_USE_IO_BITMAPS: { bit: 25, doc: 'Use I/O bitmaps' },
    CPU_BASED_MONITOR_TRAP_FLAG: { bit: 27, doc: 'Monitor trap flag' },
    CPU_BASED_USE_MSR_BITMAPS: { bit: 28, doc: 'Use MSR bitmaps' },
    CPU_BASED_ACTIVATE_SECONDARY_CONTROLS: { bit: 31, doc: 'Activate secondary controls' },
  },
});

export const PROC2 = bitfield({
  name: 'Secondary processor-based VM-execution controls',
  size: 32,
  fields: {
    SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES: { bit: 0, doc: 'Virtualize APIC accesses' },
    SECONDARY_EXEC_ENABLE_EPT: { bit: 1, doc: 'Enable EPT' },
    SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE: { bit: 4, doc: 'Virtualize x2APIC mode' },
    SECONDARY_EXEC_ENABLE_VPID: { bit: 5, doc: 'Enable VPID' },
    SECONDARY_EXEC_UNRESTRICTED_GUEST: { bit: 7, doc: 'Unrestricted guest' },
    SECONDARY_EXEC_APIC_REGISTER_VIRT: { bit: 8, doc: 'APIC-register virtualization' },
    SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY: { bit: 9, doc: 'Virtual-interrupt delivery' },
    SECONDARY_EXEC_ENABLE_VMFUNC: { bit: 13, doc: 'Enable VM functions' },
    SECONDARY_EXEC_SHADOW_VMCS: { bit: 14, doc: 'VMCS shadowing' },
    SECONDARY_EXEC_ENABLE_PML: { bit: 17, doc: 'Enable PML' },
    SECONDARY_EXEC_EPT_VIOLATION_VE: { bit: 18, doc: 'EPT-violation #VE' },
    SECONDARY_EXEC_MODE_BASED_EPT_EXEC: { bit: 22, doc: 'Mode-based execute control for EPT' },
  },
});

export const EXIT = bitfield({
  name: 'VM-exit controls',
  size: 32,
  fields: {
    VM_EXIT_HOST_ADDR_SPACE_SIZE: { bit: 9, doc: 'Host address-space size' },
    VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL: { bit: 12, doc: 'Load IA32_PERF_GLOBAL_CTRL' },
    VM_EXIT_ACK_INTR_ON_EXIT: { bit: 15, doc: 'Acknowledge interrupt on exit' },
    VM_EXIT_LOAD_IA32_PAT: { bit: 19, doc: 'Load IA32_PAT' },
    VM_EXIT_LOAD_IA32_EFER: { bit: 21, doc: 'Load IA32_EFER' },
    VM_EXIT_SAVE_VMX_PREEMPTION_TIMER: { bit: 22, doc: 'Save VMX-preemption timer value' },
    VM_EXIT_ACTIVATE_SECONDARY_CONTROLS: { bit: 31, doc: 'Activate secondary VM-exit controls' },
  },
});

export const ENTRY = bitfield({
  name: 'VM-entry controls',
  size: 32,
  fields: {
    VM_ENTRY_LOAD_DEBUG_CONTROLS: { bit: 2, doc: 'Load debug controls' },
    VM_ENTRY_IA32E_MODE: { bit: 9, doc: 'IA-32e mode guest' },
    VM_ENTRY_SMM: { bit: 10, doc: 'Entry to SMM' },
    VM_ENTRY_DEACT_DUAL_MONITOR: { bit: 11, doc: 'Deactivate dual-monitor treatment' },
    VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL: { bit: 13, doc: 'Load IA32_PERF_GLOBAL_CTRL' },
    VM_ENTRY_LOAD_IA32_PAT: { bit: 14, doc: 'Load IA32_PAT' },
    VM_ENTRY_LOAD_IA32_EFER: { bit: 15, doc: 'Load IA32_EFER' },
    VM_ENTRY_LOAD_BNDCFGS: { bit: 16, doc: 'Load IA32_BNDCFGS' },
  },
});

export const VMX_BASIC = bitfield({
  name: 'IA32_VMX_BASIC',
  size: 64,
  fields: {
    REVISION_ID: { bit: 0, width: 31, doc: 'VMCS revision identifier' },
    PA_32BIT: { bit: 48, doc: 'Addresses of VMX structures limited to 32 bits' },
    TRUE_CTLS: { bit: 55, doc: 'TRUE capability MSRs exist; default1 controls may be 0' },
    NO_HW_ERROR_CODE_CC: { bit: 56, doc: 'No deliver-error-code consistency check on injection' },
  },
});

export const VMX_MISC = bitfield({
  name: 'IA32_VMX_MISC',
  size: 64,
  fields: {
    ACTIVITY_HLT: { bit: 6, doc: 'Activity state HLT supported' },
    ACTIVITY_SHUTDOWN: { bit: 7, doc: 'Activity state shutdown supported' },
    ACTIVITY_WAIT_SIPI: { bit: 8, doc: 'Activity state wait-for-SIPI supported' },
    CR3_TARGETS: { bit: 16, width: 9, doc: 'Number of CR3-target values supported' },
    ZERO_LEN_INJECTION: { bit: 30, doc: 'Software-event injection with instruction length 0' },
  },
});

export const EPT_VPID_CAP = bitfield({
  name: 'IA32_VMX_EPT_VPID_CAP',
  size: 64,
  fields: {
    PAGE_WALK_4: { bit: 6, doc: 'Page-walk length 4 supported' },
    PAGE_WALK_5: { bit: 7, doc: 'Page-walk length 5 supported' },
    EPTP_UC: { bit: 8, doc: 'EPT paging-structure memory type UC allowed' },
    EPTP_WB: { bit: 14, doc: 'EPT paging-structure memory type WB allowed' },
    AD: { bit: 21, doc: 'EPT accessed and dirty flags supported' },
  },
});

export const EPTP = bitfield({
  name: 'EPT pointer',
  size: 64,
  fields: {
    MEMORY_TYPE: { bit: 0, width: 3, doc: 'EPT paging-structure memory type' },
    WALK_LENGTH_MINUS_1: { bit: 3, width: 3, doc: 'EPT page-walk length minus 1' },
    AD_ENABLE: { bit: 6, doc: 'Enable accessed and dirty flags' },
  },
});

export const CR0 = bitfield({
  name: 'CR0',
  size: 64,
  fields: {
    PE: { bit: 0, doc: 'Protection enable' },
    NW: { bit: 29, doc: 'Not write-through' },
    CD: { bit: 30, doc: 'Cache disable' },
    PG: { bit: 31, doc: 'Paging' },
  },
});

export const CR4 = bitfield({
  name: 'CR4',
  size: 64,
  fields: {
    PAE: { bit: 5, doc: 'Physical-address extension' },
    PCIDE: { bit: 17, doc: 'PCID enable' },
  },
});

export const EFER = bitfield({
  name: 'IA32_EFER',
  size: 64,
  fields: {
    SCE: { bit: 0, doc: 'SYSCALL enable' },
    LME: { bit: 8, doc: 'IA-32e mode enable' },
    LMA: { bit: 10, doc: 'IA-32e mode active' },
    NXE: { bit: 11, doc: 'Execute-disable enable' },
  },
});

export const RFLAGS = bitfield({
  name: 'RFLAGS',
  size: 64,
  fields: {
    FIXED1: { bit: 1, doc: 'Reserved, always 1' },
    TF: { bit: 8, doc: 'Trap flag' },
    IF: { bit: 9, doc: 'Interrupt enable' },
    VM: { bit: 17, doc: 'Virtual-8086 mode' },
  },
  // Bits 63:22, 15, 5, 3 (SDM Vol. 3C §27.3.1.4 Checks on Guest RIP and RFLAGS).
  reserved: (0xffff_ffff_ffc0_0000n | (1n << 15n) | (1n << 5n) | (1n << 3n)),
});

/** VMX segment access-rights format (SDM Vol. 3C §25.4.1, Table 25-2). */
export const AR = bitfield({
  name: 'Segment access rights',
  size: 32,
  fields: {
    TYPE: { bit: 0, width: 4, doc: 'Segment type' },
    S: { bit: 4, doc: 'Descriptor type (0 = system, 1 = code or data)' },
    DPL: { bit: 5, width: 2, doc: 'Descriptor privilege level' },
    P: { bit: 7, doc: 'Segment present' },
    AVL: { bit: 12, doc: 'Available for use by system software' },
    L: { bit: 13, doc: '64-bit mode active (CS only)' },
    DB: { bit: 14, doc: 'Default operation size (0 = 16-bit, 1 = 32-bit)' },
    G: { bit: 15, doc: 'Granularity' },
    UNUSABLE: { bit: 16, doc: 'Segment unusable (0 = usable)' },
  },
  reserved: 0xffff_0f00n & ~0x1_0000n,
});

/** Bits 31:17 of the access rights, reserved. */
export const AR_RESERVED_HIGH = 0xfffe_0000n;
/** Bits 11:8 of the access rights, reserved. */
export const AR_RESERVED_LOW = 0x0f00n;

export const SELECTOR = bitfield({
  name: 'Segment selector',
  size: 32,
  fields: {
    RPL: { bit: 0, width: 2, doc: 'Requested privilege level' },
    TI: { bit: 2, doc: 'Table indicator (1 = LDT)' },
  },
});

/** VM-entry interruption-information field (SDM Vol. 3C §25.8.3, Table 25-17). */
export const INTR_INFO = bitfield({
  name: 'VM-entry interruption information',
  size: 32,
  fields: {
    VECTOR: { bit: 0, width: 8, doc: 'Vector of interrupt or exception' },
    TYPE: { bit: 8, width: 3, doc: 'Interruption type' },
    DELIVER_ERROR_CODE: { bit: 11, doc: 'Deliver error code' },
    VALID: { bit: 31, doc: 'Valid' },
  },
  reserved: 0x7fff_f000n,
});

/** Interruption types of INTR_INFO.TYPE. */
export const INTR_TYPE = {
  EXT_INTR: 0n,
  RESERVED: 1n,
  NMI: 2n,
  HARD_EXCEPTION: 3n,
  SOFT_INTR: 4n,
  PRIV_SW_EXCEPTION: 5n,
  SOFT_EXCEPTION: 6n,
  OTHER_EVENT: 7n,
} as const;

/** Guest interruptibility state (SDM Vol. 3C §25.4.2, Table 25-3). */
export const INTERRUPTIBILITY = bitfield({
  name: 'Guest interruptibility state',
  size: 32,
  fields: {
    STI: { bit: 0, doc: 'Blocking by STI' },
    MOV_SS: { bit: 1, doc: 'Blocking by MOV SS' },
    SMI: { bit: 2, doc: 'Blocking by SMI' },
    NMI: { bit: 3, doc: 'Blocking by NMI' },
    ENCLAVE: { bit: 4, doc: 'Enclave interruption' },
  },
  reserved: 0xffff_ffe0n,
});

/** Guest pending debug exceptions (SDM Vol. 3C §25.4.2, Table 25-4). */
export const PENDING_DBG = bitfield({
  name: 'Pending debug exceptions',
  size: 64,
  fields: {
    B: { bit: 0, width: 4, doc: 'B3-B0: breakpoint conditions met' },
    ENABLED_BP: { bit: 12, doc: 'An enabled breakpoint condition was met' },
    BS: { bit: 14, doc: 'Single-step trap pending' },
    RTM: { bit: 16, doc: 'Debug exception inside an RTM region' },
  },
  // Bits 11:4, 13, 15, 63:17 (SDM Vol. 3C §27.3.1.5 Checks on Guest Non-Register State).
  reserved: 0xffff_ffff_fffe_0000n | 0x0ff0n | (1n << 13n) | (1n << 15n),
});

/** Guest activity states (SDM Vol. 3C §25.4.2). */
export const ACTIVITY = { ACTIVE: 0n, HLT: 1n, SHUTDOWN: 2n, WAIT_SIPI: 3n } as const;

/** IA32_DEBUGCTL.BTF (bit 1): single-step on branches. */
export const DEBUGCTL_BTF = 1n << 1n;
