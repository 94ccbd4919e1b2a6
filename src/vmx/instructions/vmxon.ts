// VMXON—Enter VMX Operation (SDM Vol. 3C §31.3 "VMX Instructions", VMXON operation section;
// SDM Vol. 3C §24.7 "Enabling and Entering VMX Operation", §24.8 "Restrictions on VMX Operation").

import { CR4 } from '../../arch/cr.ts';
import { gp, ud } from '../../x86/fault.ts';
import { VM_FAIL_INVALID, VM_SUCCEED } from '../outcome.ts';
import { EXIT_REASON, VMX_ERROR } from '../local-arch.ts';
import { done, exitWith, inUdMode, nextRip, raise, vmFail, type InsnContext, type InsnResult } from './common.ts';
import { readM64 } from './operands.ts';
import { crViolatesFixedBits } from './cr-fixed.ts';

/** Executes VMXON m64. */
export function vmxon(ctx: InsnContext): InsnResult {
  const { cpu, insn, vmx, caps } = ctx;
  const s = cpu.state;
  const op = insn.operands[0];

  // IF (register operand) or (CR0.PE = 0) or (CR4.VMXE = 0) or (RFLAGS.VM = 1) or
  //    (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD
  if (op?.kind !== 'mem') return raise(ud('VMXON takes a memory operand'));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`VMXON raises #UD when ${udMode}`));
  if (!CR4.has(BigInt(s.cr4), 'VMXE')) return raise(ud('VMXON raises #UD while CR4.VMXE = 0: set CR4.VMXE (bit 13) first'));

  // ELSIF not in VMX operation
  if (vmx.mode === 'off') {
    // IF (CPL > 0) or (in A20M mode) or (CR0/CR4 not supported in VMX operation) or
    //    (IA32_FEATURE_CONTROL lock bit clear) or (outside SMX and bit 2 clear) THEN #GP(0)
    if (s.cpl > 0) return raise(gp(`VMXON requires CPL 0 (CPL is ${s.cpl})`));
    if (!cpu.env.platform.a20Enabled) return raise(gp('VMXON is refused in A20M mode: enable the A20 gate (port 0x92 bit 1)'));
    const cr0 = crViolatesFixedBits('CR0', BigInt(s.cr0), caps.cr0Fixed0, caps.cr0Fixed1);
    if (cr0) return raise(gp(`VMXON: ${cr0}`));
    const cr4 = crViolatesFixedBits('CR4', BigInt(s.cr4), caps.cr4Fixed0, caps.cr4Fixed1);
    if (cr4) return raise(gp(`VMXON: ${cr4}`));
    if (!caps.featureControlLocked) {
      return raise(gp('VMXON: IA32_FEATURE_CONTROL (0x3A) lock bit 0 is clear; firmware must set and lock it'));
    }
    // The lab never executes GETSEC[SENTER], so the processor is always outside SMX operation.
    if (!caps.vmxOutsideSmx) {
      return raise(gp('VMXON: IA32_FEATURE_CONTROL bit 2 "enable VMX outside SMX operation" is clear'));
    }

    // addr ← contents of 64-bit in-memory source operand
    const addr = readM64(cpu, op, nextRip(ctx));
    // IF addr is not 4KB-aligned or addr sets any bits beyond the physical-address width THEN VMfailInvalid
    if (caps.badPointer(addr)) {
      return done(VM_FAIL_INVALID, `VMXON pointer ${hexOf(addr)} is not 4-KByte aligned or exceeds the physical-address width (${caps.maxPhysAddr} bits)`);
    }
    // rev ← 32 bits located at physical address addr
    // IF rev[30:0] ≠ VMCS revision identifier supported by processor OR rev[31] = 1 THEN VMfailInvalid
    const rev = cpu.readPhys(Number(addr), 4);
    if ((rev & 0x7fff_ffffn) !== caps.revisionId || rev >> 31n !== 0n) {
      return done(VM_FAIL_INVALID, `VMXON region revision ${hexOf(rev)} differs from IA32_VMX_BASIC[30:0] = ${hexOf(caps.revisionId)} (bit 31 must be 0)`);
    }
    // current-VMCS pointer ← FFFFFFFF_FFFFFFFFH; enter VMX operation; block INIT signals;
    // block and disable A20M; clear address-range monitoring; VMsucceed
    vmx.mode = 'root';
    vmx.vmxonPtr = Number(addr);
    vmx.current = null;
    return done(VM_SUCCEED);
  }

  // ELSIF in VMX non-root operation THEN VMexit
  if (vmx.mode === 'non-root') return exitWith(EXIT_REASON.VMXON);
  // ELSIF CPL > 0 THEN #GP(0)
  if (s.cpl > 0) return raise(gp(`VMXON requires CPL 0 (CPL is ${s.cpl})`));
  // ELSE VMfail("VMXON executed in VMX root operation")
  return done(vmFail(vmx, VMX_ERROR.VMXON_IN_VMX_ROOT), 'VMXON executed in VMX root operation');
}

function hexOf(v: bigint): string {
  return `0x${v.toString(16)}`;
}
