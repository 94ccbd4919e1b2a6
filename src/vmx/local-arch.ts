// The VM-instruction error numbers, basic exit reasons and control bits this folder uses,
// under the short names its handlers use, all taken from the src/arch tables (STYLE rule 1):
// SDM Vol. 3C §31.4 "VM Instruction Error Numbers", Vol. 3D Appendix C "VMX Basic Exit Reasons",
// Vol. 3C §25.6-25.8 (control fields).

import { EXIT_REASONS, exitReasonInfo } from '../arch/exit-reasons.ts';
import { VM_INSTRUCTION_ERRORS } from '../arch/vm-instruction-errors.ts';

import { SECONDARY } from '../arch/controls/index.ts';

export { PIN_BASED as PIN_CTLS, PRIMARY as PRIMARY_CTLS, SECONDARY as SECONDARY_CTLS, EXIT as EXIT_CTLS, ENTRY as ENTRY_CTLS } from '../arch/controls/index.ts';

/** "Enable EPT", bit 1 of the secondary processor-based controls, as a number (the model reads the 32-bit control as one). */
export const ENABLE_EPT = Number(SECONDARY.mask.SECONDARY_EXEC_ENABLE_EPT);

function err(linux: string): number {
  const e = VM_INSTRUCTION_ERRORS.find((x) => x.linux === `VMXERR_${linux}`);
  if (!e) throw new Error(`VM-instruction error ${linux} is missing from src/arch/vm-instruction-errors.ts`);
  return e.number;
}

/** VM-instruction error numbers the VMX instructions produce. */
export const VMX_ERROR = {
  VMCALL_IN_VMX_ROOT: err('VMCALL_IN_VMX_ROOT_OPERATION'),
  VMCLEAR_INVALID_ADDRESS: err('VMCLEAR_INVALID_ADDRESS'),
  VMCLEAR_VMXON_POINTER: err('VMCLEAR_VMXON_POINTER'),
  VMPTRLD_INVALID_ADDRESS: err('VMPTRLD_INVALID_ADDRESS'),
  VMPTRLD_VMXON_POINTER: err('VMPTRLD_VMXON_POINTER'),
  VMPTRLD_INCORRECT_REVISION_ID: err('VMPTRLD_INCORRECT_VMCS_REVISION_ID'),
  VMXON_IN_VMX_ROOT: err('VMXON_IN_VMX_ROOT_OPERATION'),
  VMCALL_NONCLEAR_VMCS: err('VMCALL_NONCLEAR_VMCS'),
  INVALID_INVEPT_INVVPID_OPERAND: err('INVALID_OPERAND_TO_INVEPT_INVVPID'),
} as const;

function reason(name: string): number {
  const r = EXIT_REASONS.find((x) => x.name === name);
  if (!r) throw new Error(`exit reason ${name} is missing from src/arch/exit-reasons.ts`);
  return r.reason;
}

/** Basic exit reasons the model produces. */
export const EXIT_REASON = {
  EXCEPTION_NMI: reason('EXCEPTION_NMI'),
  TRIPLE_FAULT: reason('TRIPLE_FAULT'),
  INTERRUPT_WINDOW: reason('INTERRUPT_WINDOW'),
  NMI_WINDOW: reason('NMI_WINDOW'),
  HLT: reason('HLT'),
  INVLPG: reason('INVLPG'),
  RDPMC: reason('RDPMC'),
  RDTSC: reason('RDTSC'),
  CR_ACCESS: reason('CR_ACCESS'),
  DR_ACCESS: reason('DR_ACCESS'),
  IO_INSTRUCTION: reason('IO_INSTRUCTION'),
  MSR_READ: reason('MSR_READ'),
  MSR_WRITE: reason('MSR_WRITE'),
  MWAIT: reason('MWAIT_INSTRUCTION'),
  MONITOR_TRAP_FLAG: reason('MONITOR_TRAP_FLAG'),
  MONITOR: reason('MONITOR_INSTRUCTION'),
  PAUSE: reason('PAUSE_INSTRUCTION'),
  GDTR_IDTR: reason('GDTR_IDTR'),
  LDTR_TR: reason('LDTR_TR'),
  RDTSCP: reason('RDTSCP'),
  PREEMPTION_TIMER: reason('PREEMPTION_TIMER'),
  WBINVD: reason('WBINVD'),
  RDRAND: reason('RDRAND'),
  INVPCID: reason('INVPCID'),
  RDSEED: reason('RDSEED'),
  TPR_BELOW_THRESHOLD: reason('TPR_BELOW_THRESHOLD'),
  CPUID: reason('CPUID'),
  GETSEC: reason('GETSEC'),
  INVD: reason('INVD'),
  VMCALL: reason('VMCALL'),
  VMCLEAR: reason('VMCLEAR'),
  VMLAUNCH: reason('VMLAUNCH'),
  VMPTRLD: reason('VMPTRLD'),
  VMPTRST: reason('VMPTRST'),
  VMREAD: reason('VMREAD'),
  VMRESUME: reason('VMRESUME'),
  VMWRITE: reason('VMWRITE'),
  VMXOFF: reason('VMOFF'),
  VMXON: reason('VMON'),
  INVEPT: reason('INVEPT'),
  INVVPID: reason('INVVPID'),
  XSETBV: reason('XSETBV'),
  VMFUNC: reason('VMFUNC'),
} as const;

/** Display name of a basic exit reason (the `name` of `run --json` vmexit events). */
export function exitReasonName(n: number): string {
  return exitReasonInfo(n)?.name ?? `REASON_${n}`;
}
