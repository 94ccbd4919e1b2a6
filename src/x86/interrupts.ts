// Exception and interrupt delivery (SDM Vol. 3A §6.12 "Exception and Interrupt Handling",
// §6.14 "Exception and Interrupt Handling in 64-bit Mode": 16-byte gates, IST, stack switch,
// 16-byte stack alignment, error-code push), the double-fault and triple-fault rules (§6.15
// "Interrupt 8—Double Fault Exception"), legacy protected mode (interrupts-legacy.ts), real-address-mode delivery through the IVT (§21.1.4
// "Interrupt and Exception Handling"), and IRET (Vol. 2A "IRET/IRETD/IRETQ").

import { exceptionInfo, secondEventOutcome } from '../arch/exceptions.ts';
import { SYSTEM_TYPE } from '../arch/segments.ts';
import { ARB, C0, EF, F, GATE, IOPL_SHIFT, TY } from './archbits.ts';
import { readGpr, writeGpr } from './access.ts';
import type { Cpu } from './cpu.ts';
import { VmExitUnwind } from './env.ts';
import { X86Fault, gp, np, selectorErrorCode, ss, ts, Vector } from './fault.ts';
import { deliverProtected, iretProtected } from './interrupts-legacy.ts';
import { iretV8086 } from './v8086.ts';
import { iretUnblocksNmi } from './external.ts';
import { accessRights, descBase, descLimit, isNullSelector, nullDataSegments, readDescriptor, type RawDescriptor } from './segmentation.ts';
import { SegIndex, type CpuState } from './state.ts';

const TWO32 = 4294967296;
const RSP = 4;

/** How a delivery ended. */
export type DeliveryResult =
  | { readonly kind: 'delivered'; readonly vector: number }
  | { readonly kind: 'vmexit' }
  | { readonly kind: 'shutdown'; readonly message: string };

/**
 * Whether a maskable external interrupt would be held off now: RFLAGS.IF = 0, or the shadow of
 * an STI or MOV SS/POP SS that just retired (SDM Vol. 3A §6.8.3 "Masking Exceptions and
 * Interrupts When Switching Stacks"; Vol. 2B "STI").
 */
export function maskableInterruptBlocked(s: CpuState): boolean {
  return (s.rflags & F.IF) === 0 || s.shadowUntil === s.icount || s.shadowUntil === s.icount + 1;
}

/** Whether a vector pushes an error code when raised as an exception (SDM Vol. 3A Table 6-1). */
function pushesErrorCode(f: X86Fault): boolean {
  return (f.kind === 'fault' || f.kind === 'trap') && f.vector < 32 && f.errorCode !== undefined && exceptionInfo(f.vector).errorCode;
}

/**
 * Delivers an exception or software interrupt raised by an instruction, handling a fault
 * during delivery as the SDM's double-fault table says: serially, as #DF, or as a triple
 * fault that shuts the processor down (or, in VMX non-root operation, a VM exit).
 */
export function deliverException(cpu: Cpu, first: X86Fault): DeliveryResult {
  const vmx = cpu.env.vmx;
  let current = first;
  for (let depth = 0; depth < 3; depth++) {
    if (vmx?.inNonRoot?.() && vmx.interceptEvent?.(cpu, current.vector, current.errorCode, current.kind, current)) return { kind: 'vmexit' };
    try {
      deliverOnce(cpu, current, depth > 0 || current.kind !== 'software');
      return { kind: 'delivered', vector: current.vector };
    } catch (e) {
      // The VT-x model already made a VM exit during delivery (a task gate in non-root
      // operation, an EPT violation on a push): the event ends there.
      if (e instanceof VmExitUnwind) return { kind: 'vmexit' };
      if (!(e instanceof X86Fault)) throw e;
      const outcome = secondEventOutcome(current.vector, e.vector);
      if (outcome === 'triple-fault' || current.vector === Vector.DF) {
        if (vmx?.inNonRoot?.() && vmx.interceptEvent?.(cpu, Vector.DF, 0, 'triple-fault')) return { kind: 'vmexit' };
        cpu.state.activity = 'shutdown';
        return { kind: 'shutdown', message: `triple fault: ${e.message} while delivering #DF (after ${first.message})` };
      }
      current = outcome === 'double-fault'
        ? new X86Fault(Vector.DF, 0, `double fault: ${e.message} while delivering ${first.shortName}`)
        : e;
    }
  }
  cpu.state.activity = 'shutdown';
  return { kind: 'shutdown', message: `triple fault while delivering ${first.message}` };
}

/**
 * The RFLAGS image pushed on delivery: RF is set for fault-class exceptions, so that the
 * faulting instruction restarts without an instruction breakpoint re-triggering (SDM Vol. 3A
 * §18.3.1.1 "Instruction-Breakpoint Exception Condition"; KVM sets RF the same way when it
 * injects a fault). The lab models no instruction breakpoints, so every fault qualifies.
 */
export function pushedFlags(rflags: number, f: X86Fault): number {
  return f.kind === 'fault' && f.vector < 32 ? (rflags | F.RF) >>> 0 : rflags;
}

/** One delivery attempt; throws X86Fault when the delivery itself faults. */
function deliverOnce(cpu: Cpu, f: X86Fault, ext: boolean): void {
  const s = cpu.state;
  if (f.vector === Vector.PF && f.cr2 !== undefined) s.cr2 = f.cr2;
  const returnRip = f.kind === 'fault' || f.kind === 'interrupt' ? s.rip : f.nextRip ?? s.rip;
  if ((s.cr0 & C0.PE) === 0) deliverReal(cpu, f.vector, returnRip);
  else if ((s.efer & EF.LMA) === 0) deliverProtected(cpu, f, returnRip, ext, pushesErrorCode(f) ? f.errorCode : undefined);
  else deliver64(cpu, f, returnRip, ext);
  // A delivered event wakes a halted processor (SDM Vol. 2A "HLT—Halt": an enabled interrupt resumes execution).
  s.activity = 'active';
}

function readTss64(cpu: Cpu, offset: number): number {
  const s = cpu.state;
  if (offset + 7 > s.segLimit[SegIndex.TR]!) throw ts(`TSS offset ${offset} beyond the TSS limit`, selectorErrorCode(s.segSel[SegIndex.TR]!));
  const lo = cpu.readLin(s.segBase[SegIndex.TR]! + offset, 4, true);
  const hi = cpu.readLin(s.segBase[SegIndex.TR]! + offset + 4, 4, true);
  return (hi | 0) * TWO32 + lo;
}

/** 64-bit IDT delivery (SDM Vol. 3A §6.14). */
function deliver64(cpu: Cpu, f: X86Fault, returnRip: number, ext: boolean): void {
  const s = cpu.state;
  const v = f.vector;
  const e = ext ? 1 : 0;
  const idtCode = v * 8 + 2 + e;
  if (v * 16 + 15 > s.idtrLimit) throw gp(`vector ${v} lies beyond the IDT limit 0x${s.idtrLimit.toString(16)}`, idtCode);
  const gateAddr = s.idtrBase + v * 16;
  const g0 = cpu.readLin(gateAddr, 4, true);
  const g1 = cpu.readLin(gateAddr + 4, 4, true);
  const g2 = cpu.readLin(gateAddr + 8, 4, true);
  const type = (g1 & GATE.TYPE) >>> GATE.TYPE_SHIFT;
  if ((g1 & GATE.S) !== 0 || (type !== SYSTEM_TYPE.INTERRUPT_GATE && type !== SYSTEM_TYPE.TRAP_GATE)) {
    throw gp(`IDT entry ${v} is not a 64-bit interrupt or trap gate (type ${type})`, idtCode);
  }
  const gateDpl = (g1 & GATE.DPL) >>> GATE.DPL_SHIFT;
  if (f.kind === 'software' && gateDpl < s.cpl) throw gp(`INT ${v}: gate DPL ${gateDpl} < CPL ${s.cpl}`, idtCode);
  if ((g1 & GATE.P) === 0) throw np(`IDT gate ${v} not present`, idtCode);
  const sel = g0 >>> GATE.SELECTOR_SHIFT;
  const offset = (g2 | 0) * TWO32 + ((g1 & GATE.OFFSET_MID) >>> 0) + (g0 & GATE.OFFSET_LOW);
  const ist = g1 & GATE.IST;
  if (isNullSelector(sel)) throw gp(`IDT gate ${v} names a null code selector`, e);
  const d = readDescriptor(cpu, sel);
  const selCode = selectorErrorCode(sel, ext);
  if (d === null) throw gp(`IDT gate ${v} code selector 0x${sel.toString(16)} lies outside the descriptor table`, selCode);
  const ar = accessRights(d.hi);
  const dpl = (ar & ARB.DPL) >>> ARB.DPL_SHIFT;
  if ((ar & ARB.S) === 0 || (ar & TY.CODE) === 0 || (ar & ARB.L) === 0 || (ar & ARB.DB) !== 0 || dpl > s.cpl) {
    throw gp(`IDT gate ${v} code segment 0x${sel.toString(16)} is not a 64-bit code segment at DPL <= CPL`, selCode);
  }
  if ((ar & ARB.P) === 0) throw np(`code segment 0x${sel.toString(16)} not present`, selCode);
  if (!cpu.isCanonical(offset)) throw gp(`IDT gate ${v} handler address is not canonical`, e);
  const conforming = (ar & TY.EC) !== 0;
  const newCpl = conforming ? s.cpl : dpl;
  const oldCpl = s.cpl;
  const oldSs = s.segSel[SegIndex.SS]!;
  const oldRsp = readGpr(cpu, RSP, 8);
  const oldRspHi = cpu.hi;
  let rsp = (oldRspHi | 0) * TWO32 + oldRsp;
  if (ist !== 0) rsp = readTss64(cpu, 36 + (ist - 1) * 8);
  else if (newCpl < oldCpl) rsp = readTss64(cpu, 4 + newCpl * 8);
  if (!cpu.isCanonical(rsp)) throw ss('new stack pointer from the TSS is not canonical', e);
  rsp -= ((rsp % 16) + 16) % 16;
  const frame: number[] = [oldSs, (oldRspHi | 0) * TWO32 + oldRsp, pushedFlags(s.rflags, f), s.segSel[SegIndex.CS]!, returnRip];
  if (pushesErrorCode(f)) frame.push(f.errorCode!);
  // Writes at the new privilege level (supervisor when the handler is at CPL 0).
  const savedSel = s.segSel[SegIndex.CS]!;
  s.segSel[SegIndex.CS] = (savedSel & ~3) | newCpl;
  try {
    for (const value of frame) {
      rsp -= 8;
      if (!cpu.isCanonical(rsp)) throw ss('stack frame address is not canonical', e);
      cpu.writeLin(rsp, 8, value >>> 0, Math.floor(value / TWO32) >>> 0);
    }
  } catch (err) {
    // An x86 fault leaves the old CS; a VM exit (EPT) has already loaded the host's.
    if (err instanceof X86Fault) s.segSel[SegIndex.CS] = savedSel;
    throw err;
  }
  s.segSel[SegIndex.CS] = savedSel;
  // Commit: CS, SS (null with RPL = new CPL on a privilege change), RSP, RIP, RFLAGS.
  loadCs(cpu, (sel & ~3) | newCpl, d);
  if (newCpl !== oldCpl) {
    s.segSel[SegIndex.SS] = newCpl;
    s.segAr[SegIndex.SS] = ARB.UNUSABLE | (newCpl << ARB.DPL_SHIFT);
  }
  writeGpr(cpu, RSP, 8, rsp >>> 0, Math.floor(rsp / TWO32) >>> 0);
  let fl = s.rflags & ~(F.TF | F.NT | F.RF | F.VM);
  if (type === SYSTEM_TYPE.INTERRUPT_GATE) fl &= ~F.IF;
  s.rflags = fl >>> 0;
  s.rip = offset;
  cpu.refreshMode();
}

function loadCs(cpu: Cpu, sel: number, d: RawDescriptor): void {
  const s = cpu.state;
  s.segSel[SegIndex.CS] = sel;
  s.segBase[SegIndex.CS] = descBase(d);
  s.segLimit[SegIndex.CS] = descLimit(d);
  s.segAr[SegIndex.CS] = accessRights(d.hi) | TY.A;
}

/** Real-address mode: push FLAGS, CS, IP; load CS:IP from the IVT (SDM Vol. 3A §21.1.4 "Interrupt and Exception Handling" in real-address mode). */
function deliverReal(cpu: Cpu, vector: number, returnIp: number): void {
  const s = cpu.state;
  if (vector * 4 + 3 > s.idtrLimit) throw gp(`vector ${vector} beyond the IVT limit`);
  const entry = cpu.readLin(s.idtrBase + vector * 4, 4);
  let sp = readGpr(cpu, RSP, 2);
  const ssBase = s.segBase[SegIndex.SS]!;
  for (const v of [s.rflags & 0xffff, s.segSel[SegIndex.CS]!, returnIp & 0xffff]) {
    sp = (sp - 2) & 0xffff;
    cpu.writeLin(ssBase + sp, 2, v, 0);
  }
  writeGpr(cpu, RSP, 2, sp, 0);
  s.rflags &= ~(F.IF | F.TF | F.AC | F.RF);
  s.segSel[SegIndex.CS] = entry >>> 16;
  s.segBase[SegIndex.CS] = (entry >>> 16) * 16;
  s.rip = entry & 0xffff;
  cpu.refreshMode();
}

/**
 * IRET/IRETD/IRETQ in IA-32e mode (SDM Vol. 2A "IRET", IA-32e-MODE branch): pops RIP, CS,
 * RFLAGS, RSP and SS; checks the code segment; updates RFLAGS by privilege; on a return to an
 * outer level, data segments the new CPL may not use are nulled.
 */
export function execIret(cpu: Cpu, size: number): void {
  iretUnblocksNmi(cpu);
  const s = cpu.state;
  if ((s.cr0 & C0.PE) === 0) return iretReal(cpu, size);
  if ((s.rflags & F.VM) !== 0) return iretV8086(cpu, size);
  if ((s.efer & EF.LMA) === 0) return iretProtected(cpu, size);
  if ((s.rflags & F.NT) !== 0) throw gp('IRET with RFLAGS.NT = 1 in IA-32e mode (task return)');
  const base = (readGpr(cpu, RSP, 8) >>> 0) + (cpu.hi | 0) * TWO32;
  const rd = (i: number): number => {
    const lin = base + i * size;
    if (!cpu.isCanonical(lin)) throw ss('IRET stack frame address is not canonical');
    const lo = cpu.readLin(lin, size);
    return size === 8 ? (cpu.hi | 0) * TWO32 + lo : lo;
  };
  const rip = rd(0);
  const csSel = rd(1) & 0xffff;
  const flags = rd(2);
  const newRsp = rd(3);
  const ssSel = rd(4) & 0xffff;
  const cpl = s.cpl;
  const rpl = csSel & 3;
  const code = selectorErrorCode(csSel);
  if (isNullSelector(csSel)) throw gp('IRET to a null CS selector');
  if (rpl < cpl) throw gp(`IRET to CS RPL ${rpl} below CPL ${cpl}`, code);
  const d = readDescriptor(cpu, csSel);
  if (d === null) throw gp(`IRET CS selector 0x${csSel.toString(16)} lies outside the descriptor table`, code);
  const ar = accessRights(d.hi);
  const dpl = (ar & ARB.DPL) >>> ARB.DPL_SHIFT;
  if ((ar & ARB.S) === 0 || (ar & TY.CODE) === 0) throw gp('IRET CS is not a code segment', code);
  if ((ar & TY.EC) === 0 ? dpl !== rpl : dpl > rpl) throw gp(`IRET CS DPL ${dpl} does not match RPL ${rpl}`, code);
  if ((ar & ARB.P) === 0) throw np('IRET CS not present', code);
  const to64 = (ar & ARB.L) !== 0;
  if (to64 && !cpu.isCanonical(rip)) throw gp('IRET to a non-canonical RIP');
  // SS: a null SS is allowed when returning to 64-bit mode at CPL < 3.
  let ssDesc: RawDescriptor | null = null;
  if (isNullSelector(ssSel)) {
    if (!to64 || rpl === 3) throw gp('IRET loads a null SS outside 64-bit mode or at CPL 3');
  } else {
    const sc = selectorErrorCode(ssSel);
    if ((ssSel & 3) !== rpl) throw gp('IRET SS RPL differs from CS RPL', sc);
    ssDesc = readDescriptor(cpu, ssSel);
    if (ssDesc === null) throw gp('IRET SS selector outside the descriptor table', sc);
    const sar = accessRights(ssDesc.hi);
    if ((sar & ARB.S) === 0 || (sar & TY.CODE) !== 0 || (sar & TY.WR) === 0 || ((sar & ARB.DPL) >>> ARB.DPL_SHIFT) !== rpl) {
      throw gp('IRET SS is not a writable data segment at the new CPL', sc);
    }
    if ((sar & ARB.P) === 0) throw ss('IRET SS not present', sc);
  }
  // RFLAGS: IOPL only at CPL 0, IF only when CPL <= IOPL; VM/VIF/VIP kept as 64-bit mode requires.
  const iopl = (s.rflags & F.IOPL) >>> IOPL_SHIFT;
  let changeable = F.DEFINED & ~(F.FIXED | F.VM | F.VIF | F.VIP);
  if (cpl !== 0) changeable &= ~F.IOPL;
  if (cpl > iopl) changeable &= ~F.IF;
  if (size === 2) changeable &= 0xffff;
  s.rflags = ((s.rflags & ~changeable) | (flags & changeable) | F.FIXED) >>> 0;
  loadCs(cpu, csSel, d);
  s.segSel[SegIndex.SS] = ssSel;
  if (ssDesc === null) s.segAr[SegIndex.SS] = ARB.UNUSABLE | (rpl << ARB.DPL_SHIFT);
  else {
    s.segBase[SegIndex.SS] = descBase(ssDesc);
    s.segLimit[SegIndex.SS] = descLimit(ssDesc);
    s.segAr[SegIndex.SS] = accessRights(ssDesc.hi) | TY.A;
  }
  writeGpr(cpu, RSP, 8, newRsp >>> 0, Math.floor(newRsp / TWO32) >>> 0);
  if (rpl > cpl) nullDataSegments(cpu, rpl);
  cpu.refreshMode();
  cpu.next = to64 ? rip : rip % TWO32;
}

function iretReal(cpu: Cpu, size: number): void {
  const s = cpu.state;
  const sp = readGpr(cpu, RSP, 2);
  const ssBase = s.segBase[SegIndex.SS]!;
  const ip = cpu.readLin(ssBase + sp, size === 4 ? 4 : 2);
  const cs = cpu.readLin(ssBase + ((sp + size) & 0xffff), 2);
  const fl = cpu.readLin(ssBase + ((sp + 2 * size) & 0xffff), size === 4 ? 4 : 2);
  writeGpr(cpu, RSP, 2, (sp + 3 * size) & 0xffff, 0);
  s.segSel[SegIndex.CS] = cs;
  s.segBase[SegIndex.CS] = cs * 16;
  const mask = size === 4 ? F.DEFINED & ~(F.VM | F.VIF | F.VIP) : 0xffff;
  s.rflags = ((s.rflags & ~mask) | (fl & mask) | F.FIXED) >>> 0;
  cpu.next = ip;
  cpu.refreshMode();
}
