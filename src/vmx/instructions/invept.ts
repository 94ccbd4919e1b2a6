// INVEPT—Invalidate Translations Derived from EPT (SDM Vol. 3C §31.3 "VMX Instructions",
// INVEPT operation section; types: §29.4.3.1 "Operations that Invalidate Cached Mappings").
// A valid INVEPT invalidates the EPT translation cache (src/vmx/ept) for the EPTP or all EPTPs,
// and flushes the executor's TLB.

import { gp, ud } from '../../x86/fault.ts';
import { VM_SUCCEED } from '../outcome.ts';
import { EXIT_REASON, VMX_ERROR } from '../local-arch.ts';
import { done, exitWith, inUdMode, nextRip, raise, vmFail, type InsnContext, type InsnResult } from './common.ts';
import { eptpProblem } from './eptp.ts';
import { gprValue, readM128 } from './operands.ts';

/** Executes INVEPT r64, m128. */
export function invept(ctx: InsnContext): InsnResult {
  const { cpu, insn, vmx, caps } = ctx;
  const [typeOp, descOp] = insn.operands;
  // IF (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) or
  //    (processor does not support EPT or INVEPT) THEN #UD
  if (vmx.mode === 'off') return raise(ud('INVEPT outside VMX operation raises #UD'));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`INVEPT raises #UD when ${udMode}`));
  if (!caps.ept) return raise(ud('INVEPT raises #UD: the processor does not support EPT (IA32_VMX_PROCBASED_CTLS2[33] = 0)'));
  if (!caps.invept) return raise(ud('INVEPT raises #UD: IA32_VMX_EPT_VPID_CAP[20] (INVEPT supported) is 0'));
  if (typeOp?.kind !== 'reg' || descOp?.kind !== 'mem') return raise(ud('INVEPT needs reg, m128 operands'));
  // ELSIF in VMX non-root operation THEN VMexit
  if (vmx.mode === 'non-root') return exitWith(EXIT_REASON.INVEPT);
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`INVEPT requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSE INVEPT_TYPE ← value of register operand;
  //   IF IA32_VMX_EPT_VPID_CAP MSR indicates that processor does not support INVEPT_TYPE THEN VMfail(28)
  const type = gprValue(cpu, typeOp.reg);
  if (!caps.inveptTypeSupported(type)) {
    return done(vmFail(vmx, VMX_ERROR.INVALID_INVEPT_INVVPID_OPERAND), `INVEPT type ${type} is not supported (IA32_VMX_EPT_VPID_CAP bits 25-26)`);
  }
  //   ELSE INVEPT_DESC ← value of memory operand; EPTP ← INVEPT_DESC[63:0];
  const [eptp] = readM128(cpu, descOp, nextRip(ctx));
  //     CASE INVEPT_TYPE: 1 (single-context): IF VM entry with the "enable EPT" VM-execution control
  //       set to 1 would fail due to the EPTP value THEN VMfail(28) ELSE invalidate mappings for EPTP[51:12]
  if (type === 1n) {
    const problem = eptpProblem(eptp, caps);
    if (problem) return done(vmFail(vmx, VMX_ERROR.INVALID_INVEPT_INVVPID_OPERAND), `INVEPT single-context: ${problem}`);
  }
  //     2 (global): invalidate mappings associated with all EPTPs; VMsucceed
  ctx.translations?.invept(type === 1n ? 1 : 2, eptp);
  cpu.flushTlb();
  return done(VM_SUCCEED);
}
