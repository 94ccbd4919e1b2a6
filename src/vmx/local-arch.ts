// TEMPORARY: the VM-instruction error numbers and basic exit reasons the VMX instructions
// produce, kept here only until src/arch/vm-instruction-errors.ts and src/arch/exit-reasons.ts
// land (STYLE rule 1: those tables are the one declaration); then this file re-exports them.
// Sources: SDM Vol. 3C §31.4 "VM Instruction Error Numbers" (Table 31-1) and Vol. 3D Appendix C
// "VMX Basic Exit Reasons" (Table C-1); ../shared/reference/vmx-reference.md §2 and §7.2.


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
  INVALID_GUEST_STATE: 33,
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

// Control bits come from the arch tables, under the names this folder uses.
export { PRIMARY as PRIMARY_CTLS, SECONDARY as SECONDARY_CTLS, EXIT as EXIT_CTLS, ENTRY as ENTRY_CTLS } from '../arch/controls/index.ts';
