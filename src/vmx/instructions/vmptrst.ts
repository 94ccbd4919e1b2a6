// VMPTRST—Store Pointer to Virtual-Machine Control Structure (SDM Vol. 3C §31.3 "VMX
// Instructions", VMPTRST operation section).

import { gp, ud } from '../../x86/fault.ts';
import { VM_SUCCEED } from '../outcome.ts';
import { EXIT_REASON } from '../local-arch.ts';
import { done, exitWith, inUdMode, nextRip, raise, type InsnContext, type InsnResult } from './common.ts';
import { resolveAddress } from './operands.ts';

/** Executes VMPTRST m64. It never VMfails. */
export function vmptrst(ctx: InsnContext): InsnResult {
  const { cpu, insn, vmx } = ctx;
  const op = insn.operands[0];
  // IF (register operand) or (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or
  //    (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD
  if (op?.kind !== 'mem') return raise(ud('VMPTRST takes a memory operand'));
  if (vmx.mode === 'off') return raise(ud('VMPTRST outside VMX operation raises #UD'));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`VMPTRST raises #UD when ${udMode}`));
  // ELSIF in VMX non-root operation THEN VMexit
  if (vmx.mode === 'non-root') return exitWith(EXIT_REASON.VMPTRST);
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`VMPTRST requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSE 64-bit in-memory destination operand ← current-VMCS pointer; VMsucceed
  const a = resolveAddress(cpu, op, nextRip(ctx));
  cpu.writeMem(a.seg, a.offset, 8, vmx.currentPointer());
  return done(VM_SUCCEED);
}
