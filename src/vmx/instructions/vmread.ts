// VMREAD—Read Field from Virtual-Machine Control Structure (SDM Vol. 3C §31.3 "VMX
// Instructions", VMREAD operation section; width rules: §25.11.2 "VMREAD, VMWRITE, and
// Encodings of VMCS Fields").

import { gp, ud } from '../../x86/fault.ts';
import { VM_FAIL_INVALID, VM_SUCCEED, vmFailValid } from '../outcome.ts';
import { EXIT_REASON } from '../local-arch.ts';
import { readField } from '../vmcs-store.ts';
import { vmcsAccessExits } from '../exit/intercept.ts';
import { done, exitWith, in64BitMode, inUdMode, nextRip, raise, type InsnContext, type InsnResult } from './common.ts';
import { gprValue, writeRm } from './operands.ts';
import { vmcsForAccess } from './shadow.ts';

/** Executes VMREAD r/m64, r64 (r/m32, r32 outside IA-32e mode). */
export function vmread(ctx: InsnContext): InsnResult {
  const { cpu, insn, vmx } = ctx;
  const [dest, src] = insn.operands;
  // IF (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD
  if (vmx.mode === 'off') return raise(ud('VMREAD outside VMX operation raises #UD'));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`VMREAD raises #UD when ${udMode}`));
  if (dest === undefined || src?.kind !== 'reg') return raise(ud('VMREAD needs r/m, reg operands'));
  const encoding = gprValue(cpu, src.reg);
  // ELSIF in VMX non-root operation AND ("VMCS shadowing" is 0 OR source operand sets bits in
  //   range 63:15 OR VMREAD bit corresponding to bits 14:0 of source operand is 1) THEN VMexit
  const current = vmx.currentVmcs();
  if (vmx.mode === 'non-root' && current && vmcsAccessExits(cpu, current, 'vmread', encoding)) return exitWith(EXIT_REASON.VMREAD);
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`VMREAD requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSIF (in VMX root operation AND current-VMCS pointer is not valid) OR
  //       (in VMX non-root operation AND VMCS link pointer is not valid) THEN VMfailInvalid
  const target = vmcsForAccess(ctx);
  if (!target) return done(VM_FAIL_INVALID, vmx.mode === 'root' ? 'no current VMCS: VMPTRLD one first' : 'the VMCS link pointer is FFFFFFFF_FFFFFFFFH');
  // ELSIF source operand does not correspond to any VMCS field THEN VMfailValid(12)
  const long = in64BitMode(cpu);
  const r = readField(target, encoding, ctx.fields, long);
  if (!r.ok) return done(vmFailValid(r.error), `encoding 0x${encoding.toString(16)} names no VMCS field this processor supports`);
  // ELSE destination operand ← field; VMsucceed
  writeRm(cpu, dest, long ? 8 : 4, r.value, nextRip(ctx));
  return done(VM_SUCCEED);
}
