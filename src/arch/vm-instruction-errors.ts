// VM-instruction error numbers: what VMfailValid(n) writes into the VM-instruction
// error field (0x4400). SDM Vol. 3C §31.4 VM Instruction Error Numbers (table
// "VM-Instruction Error Numbers"); Linux names from `enum vm_instruction_error_number`.

import { sdm, type SdmRef } from './sdm.ts';

const R = sdm('3C', '31.4', 'VM Instruction Error Numbers');

export interface VmInstructionError {
  readonly number: number;
  /** Linux `VMXERR_*` name. */
  readonly linux: string;
  /** The SDM's description. */
  readonly text: string;
  /** Which instructions produce it. */
  readonly producedBy: string;
  readonly doc: string;
  readonly sdm: SdmRef;
}

const e = <L extends string>(number: number, linux: L, text: string, producedBy: string, doc: string): VmInstructionError & { readonly linux: L } =>
  ({ number, linux, text, producedBy, doc, sdm: R });

/** Errors 1-28; numbers 14, 21 and 27 are not used. */
export const VM_INSTRUCTION_ERRORS = [
  e(1, 'VMXERR_VMCALL_IN_VMX_ROOT_OPERATION', 'VMCALL executed in VMX root operation', 'VMCALL', 'VMCALL in root operation without dual-monitor treatment fails with this.'),
  e(2, 'VMXERR_VMCLEAR_INVALID_ADDRESS', 'VMCLEAR with invalid physical address', 'VMCLEAR', 'The operand is not 4-KiB aligned or sets bits beyond MAXPHYADDR.'),
  e(3, 'VMXERR_VMCLEAR_VMXON_POINTER', 'VMCLEAR with VMXON pointer', 'VMCLEAR', 'The operand is the VMXON region, not a VMCS.'),
  e(4, 'VMXERR_VMLAUNCH_NONCLEAR_VMCS', 'VMLAUNCH with non-clear VMCS', 'VMLAUNCH', 'The current VMCS is already launched: use VMRESUME, or VMCLEAR it first.'),
  e(5, 'VMXERR_VMRESUME_NONLAUNCHED_VMCS', 'VMRESUME with non-launched VMCS', 'VMRESUME', 'The current VMCS was never launched: use VMLAUNCH first.'),
  e(6, 'VMXERR_VMRESUME_AFTER_VMXOFF', 'VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)', 'VMRESUME', 'Launch state was lost by leaving VMX operation without VMCLEAR.'),
  e(7, 'VMXERR_ENTRY_INVALID_CONTROL_FIELD', 'VM entry with invalid control field(s)', 'VMLAUNCH, VMRESUME', 'A VM-execution, VM-exit or VM-entry control check failed.'),
  e(8, 'VMXERR_ENTRY_INVALID_HOST_STATE_FIELD', 'VM entry with invalid host-state field(s)', 'VMLAUNCH, VMRESUME', 'A host-state check failed.'),
  e(9, 'VMXERR_VMPTRLD_INVALID_ADDRESS', 'VMPTRLD with invalid physical address', 'VMPTRLD', 'The operand is not 4-KiB aligned or sets bits beyond MAXPHYADDR.'),
  e(10, 'VMXERR_VMPTRLD_VMXON_POINTER', 'VMPTRLD with VMXON pointer', 'VMPTRLD', 'The operand is the VMXON region, not a VMCS.'),
  e(11, 'VMXERR_VMPTRLD_INCORRECT_VMCS_REVISION_ID', 'VMPTRLD with incorrect VMCS revision identifier', 'VMPTRLD', 'The first 31 bits of the region differ from IA32_VMX_BASIC[30:0] (or the shadow bit is wrong).'),
  e(12, 'VMXERR_UNSUPPORTED_VMCS_COMPONENT', 'VMREAD/VMWRITE from/to unsupported VMCS component', 'VMREAD, VMWRITE', 'The encoding names no field this processor implements.'),
  e(13, 'VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT', 'VMWRITE to read-only VMCS component', 'VMWRITE', 'VM-exit information fields are read-only unless IA32_VMX_MISC[29] = 1.'),
  e(15, 'VMXERR_VMXON_IN_VMX_ROOT_OPERATION', 'VMXON executed in VMX root operation', 'VMXON', 'The processor is already in VMX operation.'),
  e(16, 'VMXERR_ENTRY_INVALID_EXECUTIVE_VMCS_POINTER', 'VM entry with invalid executive-VMCS pointer', 'VMLAUNCH, VMRESUME (SMM)', 'Dual-monitor treatment: bad executive-VMCS pointer.'),
  e(17, 'VMXERR_ENTRY_NONLAUNCHED_EXECUTIVE_VMCS', 'VM entry with non-launched executive VMCS', 'VMLAUNCH, VMRESUME (SMM)', 'Dual-monitor treatment: the executive VMCS was never launched.'),
  e(18, 'VMXERR_ENTRY_EXECUTIVE_VMCS_POINTER_NOT_VMXON_POINTER', 'VM entry with executive-VMCS pointer not VMXON pointer (when attempting to deactivate the dual-monitor treatment of SMIs and SMM)', 'VMLAUNCH, VMRESUME (SMM)', 'Dual-monitor treatment only.'),
  e(19, 'VMXERR_VMCALL_NONCLEAR_VMCS', 'VMCALL with non-clear VMCS (when attempting to activate the dual-monitor treatment of SMIs and SMM)', 'VMCALL', 'Dual-monitor activation only.'),
  e(20, 'VMXERR_VMCALL_INVALID_VM_EXIT_CONTROL_FIELDS', 'VMCALL with invalid VM-exit control fields', 'VMCALL', 'Dual-monitor activation only.'),
  e(22, 'VMXERR_VMCALL_INCORRECT_MSEG_REVISION_ID', 'VMCALL with incorrect MSEG revision identifier (when attempting to activate the dual-monitor treatment of SMIs and SMM)', 'VMCALL', 'Dual-monitor activation only.'),
  e(23, 'VMXERR_VMXOFF_UNDER_DUAL_MONITOR_TREATMENT_OF_SMIS_AND_SMM', 'VMXOFF under dual-monitor treatment of SMIs and SMM', 'VMXOFF', 'Dual-monitor treatment must be deactivated first.'),
  e(24, 'VMXERR_VMCALL_INVALID_SMM_MONITOR_FEATURES', 'VMCALL with invalid SMM-monitor features (when attempting to activate the dual-monitor treatment of SMIs and SMM)', 'VMCALL', 'Dual-monitor activation only.'),
  e(25, 'VMXERR_ENTRY_INVALID_VM_EXECUTION_CONTROL_FIELDS_IN_EXECUTIVE_VMCS', 'VM entry with invalid VM-execution control fields in executive VMCS (when attempting to return from SMM)', 'VMLAUNCH, VMRESUME (SMM)', 'Dual-monitor treatment only.'),
  e(26, 'VMXERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS', 'VM entry with events blocked by MOV SS', 'VMLAUNCH, VMRESUME', 'VMLAUNCH/VMRESUME right after MOV SS or POP SS.'),
  e(28, 'VMXERR_INVALID_OPERAND_TO_INVEPT_INVVPID', 'Invalid operand to INVEPT/INVVPID', 'INVEPT, INVVPID', 'Unsupported INVEPT/INVVPID type or an invalid descriptor.'),
] as const satisfies readonly VmInstructionError[];

const byNumber = new Map<number, VmInstructionError>(VM_INSTRUCTION_ERRORS.map((x) => [x.number, x]));

/** The error with a number, or undefined (unused numbers 14, 21, 27 and anything above 28). */
export function vmInstructionError(n: number): VmInstructionError | undefined {
  return byNumber.get(n);
}

/** Short names of the errors: the Linux name without `VMXERR_` (`VMPTRLD_INCORRECT_VMCS_REVISION_ID`). */
export type VmxErrorName = (typeof VM_INSTRUCTION_ERRORS)[number]['linux'] extends infer L
  ? L extends `VMXERR_${infer S}` ? S : never
  : never;

/** Error numbers by short name, for code: `VMX_ERROR.VMPTRLD_INCORRECT_VMCS_REVISION_ID` = 11. */
export const VMX_ERROR: Readonly<Record<VmxErrorName, number>> = Object.fromEntries(
  VM_INSTRUCTION_ERRORS.map((x) => [x.linux.replace(/^VMXERR_/, ''), x.number]),
) as Record<VmxErrorName, number>;
