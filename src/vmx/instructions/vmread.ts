// VMREAD—Read Field from Virtual-Machine Control Structure (SDM Vol. 3C §31.3 "VMX
// Instructions", VMREAD operation section; width rules: §25.11.2 "VMREAD, VMWRITE, and
// Encodings of VMCS Fields").

import { gp, ud } from '../../x86/fault.ts';
import { VM_FAIL_INVALID, VM_SUCCEED, vmFailValid } from '../outcome.ts';
import { EXIT_REASON } from '../local-arch.ts';
import { readFieldHalves } from '../vmcs-store.ts';
import { regIndex } from '../../x86/isa/registers.ts';
import { vmcsAccessExits } from '../exit/intercept.ts';
import { done, exitWith, in64BitMode, inUdMode, nextRip, raise, type InsnContext, type InsnResult } from './common.ts';
import { gprHalves, gprValue, writeRm } from './operands.ts';
import { vmcsForAccess } from './shadow.ts';

const ENC = new Uint32Array(2);
const VAL = new Uint32Array(2);
const SUCCEEDED = done(VM_SUCCEED);

/** Executes VMREAD r/m64, r64 (r/m32, r32 outside IA-32e mode). */
export function vmread(ctx: InsnContext): InsnResult {
  const { cpu, insn, vmx } = ctx;
  const [dest, src] = insn.operands;
  // IF (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD
  if (vmx.mode === 'off') return raise(ud('VMREAD outside VMX operation raises #UD'));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`VMREAD raises #UD when ${udMode}`));
  if (dest === undefined || src?.kind !== 'reg') return raise(ud('VMREAD needs r/m, reg operands'));
  gprHalves(cpu, src.reg, ENC);
  const encLo = ENC[0]!;
  const encHi = ENC[1]!;
  // ELSIF in VMX non-root operation AND ("VMCS shadowing" is 0 OR source operand sets bits in
  //   range 63:15 OR VMREAD bit corresponding to bits 14:0 of source operand is 1) THEN VMexit
  const current = vmx.currentVmcs();
  if (vmx.mode === 'non-root' && current && vmcsAccessExits(cpu, current, 'vmread', gprValue(cpu, src.reg))) return exitWith(EXIT_REASON.VMREAD);
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`VMREAD requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSIF (in VMX root operation AND current-VMCS pointer is not valid) OR
  //       (in VMX non-root operation AND VMCS link pointer is not valid) THEN VMfailInvalid
  const target = vmcsForAccess(ctx);
  if (!target) return done(VM_FAIL_INVALID, vmx.mode === 'root' ? 'no current VMCS: VMPTRLD one first' : 'the VMCS link pointer is FFFFFFFF_FFFFFFFFH');
  // ELSIF source operand does not correspond to any VMCS field THEN VMfailValid(12)
  const long = in64BitMode(cpu);
  const error = readFieldHalves(target, encLo, encHi, ctx.fields, long, VAL);
  if (error !== 0) return done(vmFailValid(error), `encoding 0x${gprValue(cpu, src.reg).toString(16)} names no VMCS field this processor supports`);
  // ELSE destination operand ← field; VMsucceed. A register destination takes the halves
  // (bits 63:32 cleared with a 32-bit operand, SDM Vol. 1 §3.4.1.1); memory the value.
  if (dest.kind === 'reg') {
    const gpr = cpu.state.gpr;
    const i = regIndex(dest.reg);
    gpr[2 * i] = VAL[0]!;
    gpr[2 * i + 1] = long ? VAL[1]! : 0;
  } else {
    writeRm(cpu, dest, long ? 8 : 4, (BigInt(VAL[1]!) << 32n) | BigInt(VAL[0]!), nextRip(ctx));
  }
  return SUCCEEDED;
}
