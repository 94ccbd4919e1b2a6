// VMWRITE—Write Field to Virtual-Machine Control Structure (SDM Vol. 3C §31.3 "VMX
// Instructions", VMWRITE operation section; width rules: §25.11.2 "VMREAD, VMWRITE, and
// Encodings of VMCS Fields"; IA32_VMX_MISC[29]: Vol. 3D §A.6 "Miscellaneous Data").

import { gp, ud } from '../../x86/fault.ts';
import { VM_FAIL_INVALID, VM_SUCCEED, vmFailValid } from '../outcome.ts';
import { EXIT_REASON } from '../local-arch.ts';
import { writeFieldHalves } from '../vmcs-store.ts';
import { vmcsAccessExits } from '../exit/intercept.ts';
import { done, exitWith, in64BitMode, inUdMode, nextRip, raise, type InsnContext, type InsnResult } from './common.ts';
import { gprHalves, gprValue, readRm } from './operands.ts';
import { vmcsForAccess } from './shadow.ts';

const ENC = new Uint32Array(2);
const VAL = new Uint32Array(2);
const SUCCEEDED = done(VM_SUCCEED);

/** Executes VMWRITE r64, r/m64 (r32, r/m32 outside IA-32e mode). */
export function vmwrite(ctx: InsnContext): InsnResult {
  const { cpu, insn, vmx, caps } = ctx;
  const [dst, src] = insn.operands;
  // IF (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD
  if (vmx.mode === 'off') return raise(ud('VMWRITE outside VMX operation raises #UD'));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`VMWRITE raises #UD when ${udMode}`));
  if (dst?.kind !== 'reg' || src === undefined) return raise(ud('VMWRITE needs reg, r/m operands'));
  gprHalves(cpu, dst.reg, ENC);
  const encLo = ENC[0]!;
  const encHi = ENC[1]!;
  // ELSIF in VMX non-root operation AND ("VMCS shadowing" is 0 OR secondary source operand sets
  //   bits in range 63:15 OR VMWRITE bit corresponding to bits 14:0 of it is 1) THEN VMexit
  const current = vmx.currentVmcs();
  if (vmx.mode === 'non-root' && current && vmcsAccessExits(cpu, current, 'vmwrite', gprValue(cpu, dst.reg))) return exitWith(EXIT_REASON.VMWRITE);
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`VMWRITE requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSIF (in VMX root operation AND current-VMCS pointer is not valid) OR
  //       (in VMX non-root operation AND VMCS-link pointer is not valid) THEN VMfailInvalid
  const target = vmcsForAccess(ctx);
  if (!target) return done(VM_FAIL_INVALID, vmx.mode === 'root' ? 'no current VMCS: VMPTRLD one first' : 'the VMCS link pointer is FFFFFFFF_FFFFFFFFH');
  // The primary source operand is read here: its memory faults come before the field checks.
  const long = in64BitMode(cpu);
  // A register source as halves (its low 32 bits with a 32-bit operand); memory as a value.
  if (src.kind === 'reg') {
    gprHalves(cpu, src.reg, VAL);
    if (!long) VAL[1] = 0;
  } else {
    const value = readRm(cpu, src, long ? 8 : 4, nextRip(ctx));
    VAL[0] = Number(value & 0xffff_ffffn);
    VAL[1] = Number(value >> 32n);
  }
  // ELSIF secondary source operand does not correspond to any VMCS field THEN VMfailValid(12)
  // ELSIF VMCS field is a VM-exit information field AND the processor does not support writing
  //       to such fields THEN VMfailValid(13)
  // ELSE field ← primary source operand; VMsucceed
  const error = writeFieldHalves(target, encLo, encHi, VAL[0]!, VAL[1]!, ctx.fields, caps.vmwriteAnyField, long);
  if (error !== 0) {
    const encoding = gprValue(cpu, dst.reg);
    const why = error === 12
      ? `encoding 0x${encoding.toString(16)} names no VMCS field this processor supports`
      : `field 0x${encoding.toString(16)} is a read-only VM-exit information field (IA32_VMX_MISC[29] = 0)`;
    return done(vmFailValid(error), why);
  }
  return SUCCEEDED;
}
