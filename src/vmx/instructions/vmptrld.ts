// VMPTRLD—Load Pointer to Virtual-Machine Control Structure (SDM Vol. 3C §31.3 "VMX
// Instructions", VMPTRLD operation section; region format: SDM Vol. 3C §25.2 "Format of the
// VMCS Region").

import { gp, ud } from '../../x86/fault.ts';
import { VM_SUCCEED } from '../outcome.ts';
import { EXIT_REASON, VMX_ERROR } from '../local-arch.ts';
import { loadFromRegion } from '../vmcs-store.ts';
import { done, exitWith, inUdMode, nextRip, raise, vmFail, type InsnContext, type InsnResult } from './common.ts';
import { readM64 } from './operands.ts';

/** Executes VMPTRLD m64. Errors are reported through the previously current VMCS. */
export function vmptrld(ctx: InsnContext): InsnResult {
  const { cpu, insn, vmx, caps } = ctx;
  const op = insn.operands[0];
  // IF (register operand) or (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or
  //    (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD
  if (op?.kind !== 'mem') return raise(ud('VMPTRLD takes a memory operand'));
  if (vmx.mode === 'off') return raise(ud('VMPTRLD outside VMX operation raises #UD'));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`VMPTRLD raises #UD when ${udMode}`));
  // ELSIF in VMX non-root operation THEN VMexit
  if (vmx.mode === 'non-root') return exitWith(EXIT_REASON.VMPTRLD);
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`VMPTRLD requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSE addr ← contents of 64-bit in-memory source operand;
  const addr = readM64(cpu, op, nextRip(ctx));
  // IF addr is not 4KB-aligned OR addr sets any bits beyond the physical-address width THEN VMfail(9)
  if (caps.badPointer(addr)) {
    return done(vmFail(vmx, VMX_ERROR.VMPTRLD_INVALID_ADDRESS), `VMPTRLD operand 0x${addr.toString(16)} is not 4-KByte aligned or exceeds the physical-address width (${caps.maxPhysAddr} bits)`);
  }
  // ELSIF addr = VMXON pointer THEN VMfail(10)
  const pa = Number(addr);
  if (pa === vmx.vmxonPtr) return done(vmFail(vmx, VMX_ERROR.VMPTRLD_VMXON_POINTER), 'VMPTRLD operand is the VMXON pointer');
  // ELSE rev ← 32 bits located at physical address addr;
  //   IF rev[30:0] ≠ VMCS revision identifier supported by processor OR
  //      rev[31] = 1 AND processor does not support 1-setting of "VMCS shadowing" THEN VMfail(11)
  const rev = cpu.readPhys(pa, 4);
  const shadow = rev >> 31n === 1n;
  if ((rev & 0x7fff_ffffn) !== caps.revisionId) {
    return done(vmFail(vmx, VMX_ERROR.VMPTRLD_INCORRECT_REVISION_ID), `VMCS region revision 0x${(rev & 0x7fff_ffffn).toString(16)} differs from IA32_VMX_BASIC[30:0] = 0x${caps.revisionId.toString(16)}`);
  }
  if (shadow && !caps.vmcsShadowing) {
    return done(vmFail(vmx, VMX_ERROR.VMPTRLD_INCORRECT_REVISION_ID), 'shadow-VMCS indicator (bit 31) is set but the processor does not support VMCS shadowing');
  }
  //   ELSE current-VMCS pointer ← addr; VMsucceed
  let active = vmx.active.get(pa);
  if (!active) {
    active = { addr: pa, launch: 'clear', shadow, fields: loadFromRegion(pa, cpu, caps.regionSize) };
    vmx.active.set(pa, active);
  }
  active.shadow = shadow;
  vmx.current = pa;
  return done(VM_SUCCEED);
}
