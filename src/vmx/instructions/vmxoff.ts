// VMXOFF—Leave VMX Operation (SDM Vol. 3C §31.3 "VMX Instructions", VMXOFF operation section).

import { gp, ud } from '../../x86/fault.ts';
import { VM_SUCCEED } from '../outcome.ts';
import { EXIT_REASON } from '../local-arch.ts';
import { done, exitWith, inUdMode, raise, type InsnContext, type InsnResult } from './common.ts';

/**
 * Executes VMXOFF. Implementation choice (docs/decisions/0011-vmxoff-keeps-active-vmcses.md):
 * the processor's cache of active VMCSes survives VMXOFF, as the SDM does not flush it (software
 * is told to VMCLEAR first, SDM Vol. 3C §25.11.1 "Software Use of Virtual-Machine Control Structures").
 */
export function vmxoff(ctx: InsnContext): InsnResult {
  const { cpu, vmx } = ctx;
  // IF (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD
  if (vmx.mode === 'off') return raise(ud('VMXOFF outside VMX operation raises #UD'));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`VMXOFF raises #UD when ${udMode}`));
  // ELSIF in VMX non-root operation THEN VMexit
  if (vmx.mode === 'non-root') return exitWith(EXIT_REASON.VMXOFF);
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`VMXOFF requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSIF dual-monitor treatment of SMIs and SMM is active THEN VMfail(23): never in the lab,
  // which has no SMM (the treatment can only be activated from SMM).
  // ELSE leave VMX operation; unblock INIT; unblock and enable A20M; clear address-range monitoring; VMsucceed
  vmx.mode = 'off';
  vmx.vmxonPtr = null;
  vmx.current = null;
  return done(VM_SUCCEED);
}
