// VMCLEAR—Clear Virtual-Machine Control Structure (SDM Vol. 3C §31.3 "VMX Instructions",
// VMCLEAR operation section; launch states: SDM Vol. 3C §25.1 "Overview").

import { gp, ud } from '../../x86/fault.ts';
import { VM_SUCCEED } from '../outcome.ts';
import { EXIT_REASON, VMX_ERROR } from '../local-arch.ts';
import { flushToRegion, REGION_MAGIC, REGION_MAGIC_OFFSET } from '../vmcs-store.ts';
import { done, exitWith, inUdMode, nextRip, raise, vmFail, type InsnContext, type InsnResult } from './common.ts';
import { readM64 } from './operands.ts';

/** Executes VMCLEAR m64. */
export function vmclear(ctx: InsnContext): InsnResult {
  const { cpu, insn, vmx, caps } = ctx;
  const op = insn.operands[0];
  // IF (register operand) or (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or
  //    (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD
  if (op?.kind !== 'mem') return raise(ud('VMCLEAR takes a memory operand'));
  if (vmx.mode === 'off') return raise(ud('VMCLEAR outside VMX operation raises #UD'));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`VMCLEAR raises #UD when ${udMode}`));
  // ELSIF in VMX non-root operation THEN VMexit
  if (vmx.mode === 'non-root') return exitWith(EXIT_REASON.VMCLEAR);
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`VMCLEAR requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSE addr ← contents of 64-bit in-memory operand;
  const addr = readM64(cpu, op, nextRip(ctx));
  // IF addr is not 4KB-aligned OR addr sets any bits beyond the physical-address width THEN VMfail(2)
  if (caps.badPointer(addr)) {
    return done(vmFail(vmx, VMX_ERROR.VMCLEAR_INVALID_ADDRESS), `VMCLEAR operand 0x${addr.toString(16)} is not 4-KByte aligned or exceeds the physical-address width (${caps.maxPhysAddr} bits)`);
  }
  // ELSIF addr = VMXON pointer THEN VMfail(3)
  const pa = Number(addr);
  if (pa === vmx.vmxonPtr) return done(vmFail(vmx, VMX_ERROR.VMCLEAR_VMXON_POINTER), 'VMCLEAR operand is the VMXON pointer');
  // ELSE ensure that data for VMCS referenced by the operand is in memory;
  //      initialize implementation-specific data in VMCS region; launch state of VMCS ← "clear";
  //      IF operand addr = current-VMCS pointer THEN current-VMCS pointer ← FFFFFFFF_FFFFFFFFH
  const active = vmx.active.get(pa);
  if (active) {
    flushToRegion(active, cpu, caps.regionSize);
    vmx.active.delete(pa);
  } else if (cpu.readPhys(pa + REGION_MAGIC_OFFSET, 4) !== REGION_MAGIC) {
    flushToRegion({ addr: pa, launch: 'clear', shadow: false, fields: new Map() }, cpu, caps.regionSize);
  }
  if (vmx.current === pa) vmx.current = null;
  return done(VM_SUCCEED);
}
