// INVVPID—Invalidate Translations Based on VPID (SDM Vol. 3C §31.3 "VMX Instructions", INVVPID
// operation section; types: §29.4.3.1 "Operations that Invalidate Cached Mappings").

import { canonicalFor } from '../../arch/paging.ts';
import { gp, ud } from '../../x86/fault.ts';
import { VM_SUCCEED } from '../outcome.ts';
import { EXIT_REASON, VMX_ERROR } from '../local-arch.ts';
import { done, exitWith, inUdMode, nextRip, raise, vmFail, type InsnContext, type InsnResult } from './common.ts';
import { gprValue, readM128 } from './operands.ts';

/** Executes INVVPID r64, m128. */
export function invvpid(ctx: InsnContext): InsnResult {
  const { cpu, insn, vmx, caps } = ctx;
  const [typeOp, descOp] = insn.operands;
  // IF (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) or
  //    (processor does not support VPID or INVVPID) THEN #UD
  if (vmx.mode === 'off') return raise(ud('INVVPID outside VMX operation raises #UD'));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`INVVPID raises #UD when ${udMode}`));
  if (!caps.vpid) return raise(ud('INVVPID raises #UD: the processor does not support VPIDs (IA32_VMX_PROCBASED_CTLS2[37] = 0)'));
  if (!caps.invvpid) return raise(ud('INVVPID raises #UD: IA32_VMX_EPT_VPID_CAP[32] (INVVPID supported) is 0'));
  if (typeOp?.kind !== 'reg' || descOp?.kind !== 'mem') return raise(ud('INVVPID needs reg, m128 operands'));
  // ELSIF in VMX non-root operation THEN VMexit
  if (vmx.mode === 'non-root') return exitWith(EXIT_REASON.INVVPID);
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`INVVPID requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSE INVVPID_TYPE ← value of register operand;
  //   IF IA32_VMX_EPT_VPID_CAP MSR indicates that processor does not support INVVPID_TYPE THEN VMfail(28)
  const type = gprValue(cpu, typeOp.reg);
  const fail = (why: string): InsnResult => done(vmFail(vmx, VMX_ERROR.INVALID_INVEPT_INVVPID_OPERAND), why);
  if (!caps.invvpidTypeSupported(type)) return fail(`INVVPID type ${type} is not supported (IA32_VMX_EPT_VPID_CAP bits 40-43)`);
  //   ELSE INVVPID_DESC ← value of memory operand;
  //     IF INVVPID_DESC[63:16] ≠ 0 THEN VMfail(28)
  const [low, linear] = readM128(cpu, descOp, nextRip(ctx));
  if (low >> 16n !== 0n) return fail('INVVPID descriptor bits 63:16 are reserved and must be 0');
  const vpid = low & 0xffffn;
  switch (type) {
    // 0 (individual-address): IF INVVPID_DESC[15:0] = 0 OR INVVPID_DESC[127:64] is not canonical THEN VMfail(28)
    case 0n:
      if (vpid === 0n) return fail('INVVPID individual-address: VPID 0 is not allowed');
      if (!canonicalFor(linear, cpu.env.config.features.la57 ? 57 : 48)) return fail(`INVVPID individual-address: linear address 0x${linear.toString(16)} is not canonical`);
      break;
    // 1 (single-context) and 3 (single-context-retaining-globals): IF INVVPID_DESC[15:0] = 0 THEN VMfail(28)
    case 1n:
    case 3n:
      if (vpid === 0n) return fail(`INVVPID type ${type}: VPID 0 is not allowed`);
      break;
    // 2 (all-context): invalidate all mappings tagged with all VPIDs except 0000H
    default:
      break;
  }
  ctx.translations?.invvpid(Number(type) as 0 | 1 | 2 | 3, Number(vpid), Number(BigInt.asIntN(64, linear)));
  // The executor's TLB is not tagged by VPID: invalidating it all is a correct superset.
  cpu.flushTlb();
  return done(VM_SUCCEED);
}
