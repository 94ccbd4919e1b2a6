// TEMPORARY: the VM-instruction error numbers and basic exit reasons the VMX instructions
// produce, kept here only until src/arch/vm-instruction-errors.ts and src/arch/exit-reasons.ts
// land (STYLE rule 1: those tables are the one declaration); then this file re-exports them.
// Sources: SDM Vol. 3C §31.4 "VM Instruction Error Numbers" (Table 31-1) and Vol. 3D Appendix C
// "VMX Basic Exit Reasons" (Table C-1); ../shared/reference/vmx-reference.md §2 and §7.2.

import { bitfield } from '../arch/bitfield.ts';
import { sdm } from '../arch/sdm.ts';

/** VM-instruction error numbers (SDM Vol. 3C §31.4 "VM Instruction Error Numbers"). */
export const VMX_ERROR = {
  VMCALL_IN_VMX_ROOT: 1,
  VMCLEAR_INVALID_ADDRESS: 2,
  VMCLEAR_VMXON_POINTER: 3,
  VMLAUNCH_NONCLEAR_VMCS: 4,
  VMRESUME_NONLAUNCHED_VMCS: 5,
  ENTRY_INVALID_CONTROL_FIELD: 7,
  ENTRY_INVALID_HOST_STATE_FIELD: 8,
  VMPTRLD_INVALID_ADDRESS: 9,
  VMPTRLD_VMXON_POINTER: 10,
  VMPTRLD_INCORRECT_REVISION_ID: 11,
  UNSUPPORTED_VMCS_COMPONENT: 12,
  VMWRITE_READ_ONLY_COMPONENT: 13,
  VMXON_IN_VMX_ROOT: 15,
  VMCALL_NONCLEAR_VMCS: 19,
  VMXOFF_UNDER_DUAL_MONITOR: 23,
  ENTRY_EVENTS_BLOCKED_BY_MOV_SS: 26,
  INVALID_INVEPT_INVVPID_OPERAND: 28,
} as const;

/** Basic exit reasons (SDM Vol. 3D Appendix C "VMX Basic Exit Reasons"). */
export const EXIT_REASON = {
  TRIPLE_FAULT: 2,
  CPUID: 10,
  GETSEC: 11,
  INVD: 13,
  VMCALL: 18,
  VMCLEAR: 19,
  VMLAUNCH: 20,
  VMPTRLD: 21,
  VMPTRST: 22,
  VMREAD: 23,
  VMRESUME: 24,
  VMWRITE: 25,
  VMXOFF: 26,
  VMXON: 27,
  INVALID_STATE: 33,
  MSR_LOAD_FAIL: 34,
  INVEPT: 50,
  INVVPID: 53,
  XSETBV: 55,
  VMFUNC: 59,
} as const;

/** Names of the basic exit reasons above, for events and panels. */
export const EXIT_REASON_NAME: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(EXIT_REASON).map(([name, n]) => [n, name]),
);

// TEMPORARY control bits the model consults, until src/arch/controls/*.ts land (same rule as above).
// SDM Vol. 3C §25.6.2 "Processor-Based VM-Execution Controls", §25.7.1 "VM-Exit Controls",
// §25.8.1 "VM-Entry Controls"; Linux vmx.h names.

const CTRL_REF = sdm('3C', '25.6.2', 'Processor-Based VM-Execution Controls');

export const PRIMARY_CTLS = bitfield({
  name: 'Primary processor-based VM-execution controls',
  size: 32,
  sdm: CTRL_REF,
  fields: {
    CPU_BASED_ACTIVATE_SECONDARY_CONTROLS: { bit: 31, doc: 'The secondary processor-based controls are used.' },
  },
});

export const SECONDARY_CTLS = bitfield({
  name: 'Secondary processor-based VM-execution controls',
  size: 32,
  sdm: CTRL_REF,
  fields: {
    SECONDARY_EXEC_ENABLE_EPT: { bit: 1, doc: 'Enable EPT.' },
    SECONDARY_EXEC_ENABLE_VPID: { bit: 5, doc: 'Enable VPID.' },
    SECONDARY_EXEC_UNRESTRICTED_GUEST: { bit: 7, doc: 'Unrestricted guest.' },
    SECONDARY_EXEC_ENABLE_VMFUNC: { bit: 13, doc: 'Enable VM functions.' },
    SECONDARY_EXEC_SHADOW_VMCS: { bit: 14, doc: 'VMCS shadowing.' },
  },
});

export const EXIT_CTLS = bitfield({
  name: 'VM-exit controls',
  size: 32,
  sdm: sdm('3C', '25.7.1', 'VM-Exit Controls'),
  fields: {
    VM_EXIT_SAVE_DEBUG_CONTROLS: { bit: 2, doc: 'Save DR7 and IA32_DEBUGCTL.' },
    VM_EXIT_HOST_ADDR_SPACE_SIZE: { bit: 9, doc: 'The host is in 64-bit mode after the exit.' },
    VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL: { bit: 12, doc: 'Load IA32_PERF_GLOBAL_CTRL.' },
    VM_EXIT_ACK_INTR_ON_EXIT: { bit: 15, doc: 'Acknowledge interrupt on exit.' },
    VM_EXIT_SAVE_IA32_PAT: { bit: 18, doc: 'Save IA32_PAT.' },
    VM_EXIT_LOAD_IA32_PAT: { bit: 19, doc: 'Load IA32_PAT.' },
    VM_EXIT_SAVE_IA32_EFER: { bit: 20, doc: 'Save IA32_EFER.' },
    VM_EXIT_LOAD_IA32_EFER: { bit: 21, doc: 'Load IA32_EFER.' },
  },
});

export const ENTRY_CTLS = bitfield({
  name: 'VM-entry controls',
  size: 32,
  sdm: sdm('3C', '25.8.1', 'VM-Entry Controls'),
  fields: {
    VM_ENTRY_LOAD_DEBUG_CONTROLS: { bit: 2, doc: 'Load DR7 and IA32_DEBUGCTL.' },
    VM_ENTRY_IA32E_MODE: { bit: 9, doc: 'The guest is in IA-32e mode after entry.' },
    VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL: { bit: 13, doc: 'Load IA32_PERF_GLOBAL_CTRL.' },
    VM_ENTRY_LOAD_IA32_PAT: { bit: 14, doc: 'Load IA32_PAT.' },
    VM_ENTRY_LOAD_IA32_EFER: { bit: 15, doc: 'Load IA32_EFER.' },
  },
});
