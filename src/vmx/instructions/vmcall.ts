// VMCALL—Call to VM Monitor (SDM Vol. 3C §31.3 "VMX Instructions", VMCALL operation section;
// dual-monitor activation: §35.15.6 "Activating the Dual-Monitor Treatment").

import { gp, ud } from '../../x86/fault.ts';
import { VM_FAIL_INVALID, vmFailValid } from '../outcome.ts';
import { EXIT_REASON, VMX_ERROR } from '../local-arch.ts';
import { done, exitWith, inV86OrCompatMode, raise, vmFail, type InsnContext, type InsnResult } from './common.ts';

/**
 * Executes VMCALL. In VMX non-root operation it always exits (reason 18), whatever the mode or
 * CPL; in VMX root operation every processor of the lab reports VMfail(1), because the
 * dual-monitor treatment can only be enabled from SMM, which the lab never enters.
 */
export function vmcall(ctx: InsnContext): InsnResult {
  const { cpu, vmx, caps } = ctx;
  // IF not in VMX operation THEN #UD
  if (vmx.mode === 'off') return raise(ud('VMCALL outside VMX operation raises #UD'));
  // ELSIF in VMX non-root operation THEN VM exit
  if (vmx.mode === 'non-root') return exitWith(EXIT_REASON.VMCALL);
  // ELSIF (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD
  // (CR0.PE is not tested here: VMX root operation fixes it to 1.)
  const udMode = inV86OrCompatMode(cpu);
  if (udMode) return raise(ud(`VMCALL raises #UD when ${udMode}`));
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`VMCALL requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSIF (in SMM) or (the logical processor does not support the dual-monitor treatment of SMIs and
  //   SMM) or (the valid bit in the IA32_SMM_MONITOR_CTL MSR is clear) THEN VMfail(VMCALL executed in VMX root operation)
  if (!caps.dualMonitor) return done(vmFail(vmx, VMX_ERROR.VMCALL_IN_VMX_ROOT), 'VMCALL in VMX root operation (the processor has no dual-monitor treatment, IA32_VMX_BASIC[49] = 0)');
  if (!caps.smmMonitorValid) return done(vmFail(vmx, VMX_ERROR.VMCALL_IN_VMX_ROOT), 'VMCALL in VMX root operation (IA32_SMM_MONITOR_CTL valid bit is 0)');
  // ELSIF dual-monitor treatment of SMIs and SMM is active THEN perform an SMM VM exit: never (no SMM).
  // ELSIF current-VMCS pointer is not valid THEN VMfailInvalid
  const current = vmx.currentVmcs();
  if (!current) return done(VM_FAIL_INVALID, 'no current VMCS');
  // ELSIF launch state of current VMCS is not clear THEN VMfailValid(VMCALL with non-clear VMCS)
  if (current.launch !== 'clear') return done(vmFailValid(VMX_ERROR.VMCALL_NONCLEAR_VMCS), 'VMCALL with a launched current VMCS');
  // ELSIF VM-exit control fields are not valid THEN VMfailValid(20) ... activate dual-monitor treatment.
  return { kind: 'stop', message: 'VMCALL would activate the dual-monitor treatment of SMIs and SMM, which the lab does not model' };
}
