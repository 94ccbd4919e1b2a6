// Instructions that do not cause a VM exit but behave differently in VMX non-root operation
// (SDM Vol. 3C §26.3 "Changes to Instruction Behavior in VMX Non-Root Operation"): MOV from CR0
// and CR4 read the read shadows for the bits the guest/host masks own; MOV to CR0/CR4 and CLTS
// leave owned bits unmodified; RDTSC, RDTSCP and RDMSR of IA32_TIME_STAMP_COUNTER return the
// TSC scaled by the TSC multiplier ("use TSC scaling") and plus the TSC offset ("use TSC
// offsetting"); with "use TPR shadow", MOV to/from CR8 use the virtual TPR in the virtual-APIC
// page, and a MOV to CR8 that lowers it below the TPR threshold causes a trap-like VM exit
// (§30.3 "Virtualizing CR8-Based TPR Accesses", §30.1.2 "TPR Virtualization"). The model
// completes such an instruction itself, through the executor's own CR-writing functions, so
// every other rule of the instruction still applies.

import { CR0 } from '../../arch/cr.ts';
import { MSR } from '../../arch/msrs.ts';
import { RFLAGS } from '../../arch/rflags.ts';
import { Cpu } from '../../x86/cpu.ts';
import type { CpuHandle } from '../../x86/env.ts';
import { writeCr0, writeCr4 } from '../../x86/exec/control.ts';
import { X86Fault, gp } from '../../x86/fault.ts';
import type { DecodedInstruction } from '../../x86/isa/decoded.ts';
import { RegKind, regIndex, regKind } from '../../x86/isa/registers.ts';
import { EXIT_REASON, PRIMARY_CTLS, SECONDARY_CTLS } from '../local-arch.ts';
import { secondaryControls, vmcsGet } from '../vmcs-access.ts';
import { F } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { hostTsc, in64BitMode, registerValue } from './guest-values.ts';

const CR0_TS = CR0.mask.TS;
const TF = Number(RFLAGS.mask.TF);
/** DR6.BS (SDM Vol. 3B §18.2.3 "Debug Status Register (DR6)"), set by a single-step trap. */
const DR6_BS = 1n << 14n;
const TWO32 = 4294967296;

/**
 * The value a guest MOV from CR0 or CR4 reads: the register for the bits the guest owns (mask
 * bit 0), the read shadow for the bits the host owns (mask bit 1). SDM Vol. 3C §26.3.
 */
export function shadowedCr(vmcs: ActiveVmcs, cr: 0 | 4, value: bigint): bigint {
  const mask = vmcsGet(vmcs, cr === 0 ? F.CR0_GUEST_HOST_MASK : F.CR4_GUEST_HOST_MASK);
  const shadow = vmcsGet(vmcs, cr === 0 ? F.CR0_READ_SHADOW : F.CR4_READ_SHADOW);
  return (value & ~mask) | (shadow & mask);
}

/**
 * The TSC a guest reads with RDTSC, RDTSCP or RDMSR(IA32_TIME_STAMP_COUNTER): first multiplied
 * by the TSC multiplier (a fixed-point number with 48 fractional bits) when "use TSC scaling" is
 * 1, then plus the TSC offset when "use TSC offsetting" is 1, modulo 2^64. SDM Vol. 3C §26.3,
 * §25.6.5 "Time-Stamp Counter Offset and Multiplier".
 */
export function guestTsc(vmcs: ActiveVmcs, tsc: bigint): bigint {
  if (!PRIMARY_CTLS.has(vmcsGet(vmcs, F.CPU_BASED_VM_EXEC_CONTROL), 'CPU_BASED_USE_TSC_OFFSETTING')) return tsc;
  let t = tsc;
  if (SECONDARY_CTLS.has(secondaryControls(vmcs), 'SECONDARY_EXEC_TSC_SCALING')) t = (t * vmcsGet(vmcs, F.TSC_MULTIPLIER)) >> 48n;
  return BigInt.asUintN(64, t + vmcsGet(vmcs, F.TSC_OFFSET));
}

/** RIP after `insn`, wrapped to the code size (the executor's `Cpu.mode`; 64-bit when unknown). */
export function ripAfter(cpu: CpuHandle, insn: DecodedInstruction): number {
  const n = cpu.state.rip + insn.length;
  const mode = cpu instanceof Cpu ? cpu.mode : 64;
  return mode === 64 ? n : mode === 32 ? n % TWO32 : n % 65536;
}

/** Ends an instruction the model completed: RIP past it, and the single-step trap if TF was set. */
function complete(cpu: Cpu, insn: DecodedInstruction, tfBefore: boolean): true {
  const s = cpu.state;
  s.rip = ripAfter(cpu, insn);
  if (tfBefore) {
    s.dr[6] = s.dr[6]! | DR6_BS;
    throw new X86Fault(1, undefined, 'single-step trap (RFLAGS.TF = 1)', 'trap', s.rip);
  }
  return true;
}

function writeGpr(cpu: Cpu, reg: number, value: bigint): void {
  const i = regIndex(reg);
  // A 32-bit destination zero-extends into the 64-bit register (SDM Vol. 1 §3.4.1.1).
  cpu.state.setGpr64(i, regKind(reg) === RegKind.GPR64 ? value : value & 0xffff_ffffn);
}

function setEdxEax(cpu: Cpu, v: bigint): void {
  cpu.state.setGpr64(0, v & 0xffff_ffffn);
  cpu.state.setGpr64(2, v >> 32n);
}

/** Offset of VTPR in the virtual-APIC page (§30.1.1 "Virtualized APIC Registers"). */
const VTPR = 0x80;

/** What `executeChanged` did: nothing (the executor runs it), completed it, or completed it and a trap-like exit follows. */
export type ChangedResult = false | true | { readonly trapExit: number; readonly singleStepPending: boolean };

/**
 * MOV to/from CR8 with "use TPR shadow" (64-bit mode only; CR8-load/store exiting already
 * decided). MOV from CR8 reads VTPR[7:4]; MOV to CR8 writes its bits 3:0 to VTPR[7:4] and clears
 * the rest of the VTPR dword; without virtual-interrupt delivery, VTPR[7:4] below TPR_THRESHOLD[3:0]
 * then causes a VM exit "TPR below threshold" after the instruction.
 */
function cr8ThroughTprShadow(cpu: Cpu, insn: DecodedInstruction, vmcs: ActiveVmcs, toCr8: boolean, tf: boolean): ChangedResult {
  const page = Number(vmcsGet(vmcs, F.VIRTUAL_APIC_PAGE_ADDR));
  const [dst, src] = insn.operands;
  if (!toCr8) {
    const vtpr = Number(cpu.readPhys(page + VTPR, 4));
    if (dst?.kind === 'reg') cpu.state.setGpr64(regIndex(dst.reg), BigInt((vtpr >>> 4) & 0xf));
    return complete(cpu, insn, tf);
  }
  const value = registerValue(cpu.state, src);
  if (value >> 4n !== 0n) throw gp('MOV to CR8 sets a reserved bit (only bits 3:0 exist)');
  cpu.writePhys(page + VTPR, 4, (value & 0xfn) << 4n);
  const delivery = SECONDARY_CTLS.has(secondaryControls(vmcs), 'SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY');
  const below = !delivery && (value & 0xfn) < (vmcsGet(vmcs, F.TPR_THRESHOLD) & 0xfn);
  complete(cpu, insn, tf && !below);
  return below ? { trapExit: EXIT_REASON.TPR_BELOW_THRESHOLD, singleStepPending: tf } : true;
}

/**
 * Completes `insn` with its non-root behaviour when that differs from the executor's, and
 * returns true (or the trap-like exit that follows it); returns false when the executor should
 * run it as usual. Called only for instructions `instructionExit` let through. Faults (e.g. #GP
 * from a CR0 value) are thrown.
 */
export function executeChanged(cpuHandle: CpuHandle, insn: DecodedInstruction, vmcs: ActiveVmcs): ChangedResult {
  // Implementation choice (decision 0021): the model completes these instructions itself rather
  // than adding a hook per behaviour to the executor.
  if (!(cpuHandle instanceof Cpu)) return false;
  const cpu = cpuHandle;
  const s = cpu.state;
  const tf = (s.rflags & TF) !== 0;
  switch (insn.mnemonic) {
    case 'mov': {
      const [dst, src] = insn.operands;
      if (dst?.kind !== 'reg' || src?.kind !== 'reg') return false;
      if (regKind(dst.reg) !== RegKind.CR && regKind(src.reg) !== RegKind.CR) return false;
      if (s.cpl !== 0) return false;
      const tprShadow = PRIMARY_CTLS.has(vmcsGet(vmcs, F.CPU_BASED_VM_EXEC_CONTROL), 'CPU_BASED_TPR_SHADOW') && cpu.mode === 64;
      if (tprShadow && regKind(src.reg) === RegKind.CR && regIndex(src.reg) === 8) return cr8ThroughTprShadow(cpu, insn, vmcs, false, tf);
      if (tprShadow && regKind(dst.reg) === RegKind.CR && regIndex(dst.reg) === 8) return cr8ThroughTprShadow(cpu, insn, vmcs, true, tf);
      if (regKind(src.reg) === RegKind.CR) {
        const cr = regIndex(src.reg);
        if (cr !== 0 && cr !== 4) return false;
        const mask = vmcsGet(vmcs, cr === 0 ? F.CR0_GUEST_HOST_MASK : F.CR4_GUEST_HOST_MASK);
        if (mask === 0n) return false;
        writeGpr(cpu, dst.reg, shadowedCr(vmcs, cr, BigInt(cr === 0 ? s.cr0 : s.cr4)));
        return complete(cpu, insn, tf);
      }
      if (regKind(dst.reg) === RegKind.CR) {
        const cr = regIndex(dst.reg);
        if (cr !== 0 && cr !== 4) return false;
        const mask = vmcsGet(vmcs, cr === 0 ? F.CR0_GUEST_HOST_MASK : F.CR4_GUEST_HOST_MASK);
        if (mask === 0n) return false;
        // §26.3: bits owned by the host (mask 1) keep their value; the others take the source.
        const source = in64BitMode(s) ? registerValue(s, src) : registerValue(s, src) & 0xffff_ffffn;
        const merged = (BigInt(cr === 0 ? s.cr0 : s.cr4) & mask) | (source & ~mask);
        const lo = Number(merged & 0xffff_ffffn);
        const hi = Number(merged >> 32n);
        if (cr === 0) writeCr0(cpu, lo, hi);
        else writeCr4(cpu, lo, hi);
        return complete(cpu, insn, tf);
      }
      return false;
    }
    case 'clts': {
      // §26.3: CLTS with CR0.TS owned by the host (and clear in the shadow, else it exited) leaves CR0.TS alone.
      if (s.cpl !== 0 || (vmcsGet(vmcs, F.CR0_GUEST_HOST_MASK) & CR0_TS) === 0n) return false;
      return complete(cpu, insn, tf);
    }
    case 'rdtsc':
    case 'rdtscp': {
      const t = guestTsc(vmcs, hostTsc(s));
      if (t === hostTsc(s)) return false;
      setEdxEax(cpu, t);
      if (insn.mnemonic === 'rdtscp') s.setGpr64(1, (s.msrs.get(MSR.IA32_TSC_AUX) ?? 0n) & 0xffff_ffffn);
      return complete(cpu, insn, tf);
    }
    case 'rdmsr': {
      if (s.cpl !== 0) throw gp('RDMSR at CPL > 0');
      if (Number(s.getGpr64(1) & 0xffff_ffffn) !== MSR.IA32_TIME_STAMP_COUNTER) return false;
      const t = guestTsc(vmcs, hostTsc(s));
      if (t === hostTsc(s)) return false;
      setEdxEax(cpu, t);
      return complete(cpu, insn, tf);
    }
    default:
      return false;
  }
}
