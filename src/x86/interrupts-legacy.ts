// Event delivery and IRET in legacy protected mode (IA-32e mode off): 8-byte interrupt and
// trap gates, the stack switch through a 32-bit TSS (SS0:ESP0 ...), and the return to an outer
// level (SDM Vol. 3A §6.11 "IDT Descriptors", §6.12.1 "Exception- or Interrupt-Handler
// Procedures"; Vol. 2A "IRET/IRETD", PROTECTED-MODE branch). Task gates and task returns
// (NT = 1) go to task-switch.ts after their checks. Virtual-8086 mode: delivery
// out of it to a DPL-0 handler through a 32-bit gate, and IRET back into it, as SDM Vol. 3B
// §20.3.1.1 "Handling an Interrupt or Exception Through a Protected-Mode Trap or Interrupt
// Gate" describes (a 16-bit gate from virtual-8086 mode is not modelled).

import { SYSTEM_TYPE } from '../arch/segments.ts';
import { ARB, F, GATE, IOPL_SHIFT, TY } from './archbits.ts';
import { readGpr, writeGpr } from './access.ts';
import type { Cpu } from './cpu.ts';
import { X86Fault, gp, np, selectorErrorCode, ss, ts } from './fault.ts';
import { pushedFlags } from './interrupts.ts';
import { accessRights, descBase, descLimit, isNullSelector, nullDataSegments, readDescriptor, type RawDescriptor } from './segmentation.ts';
import { SegIndex } from './state.ts';
import { switchTask, TASK_SOURCE } from './task-switch.ts';
import { loadV8086Segment } from './v8086.ts';

const RSP = 4;

function stackWidth(cpu: Cpu): number {
  return (cpu.state.segAr[SegIndex.SS]! & ARB.DB) !== 0 ? 4 : 2;
}

function pushLegacy(cpu: Cpu, size: number, value: number): void {
  const s = cpu.state;
  const w = stackWidth(cpu);
  const sp = readGpr(cpu, RSP, w);
  const nsp = w === 4 ? (sp - size) >>> 0 : (sp - size) & 0xffff;
  cpu.writeLin((s.segBase[SegIndex.SS]! + nsp) % 4294967296, size, value >>> 0, 0);
  writeGpr(cpu, RSP, w, nsp, 0);
}

function loadSegmentFrom(cpu: Cpu, seg: number, sel: number, d: RawDescriptor): void {
  const s = cpu.state;
  s.segSel[seg] = sel;
  s.segBase[seg] = descBase(d);
  s.segLimit[seg] = descLimit(d);
  s.segAr[seg] = accessRights(d.hi) | TY.A;
}

/** Checks and returns the descriptor of a stack segment for privilege level `pl` (#TS on failure, as a TSS-supplied SS). */
function stackDescriptor(cpu: Cpu, sel: number, pl: number, fault: (r: string, c: number) => X86Fault): RawDescriptor {
  const code = selectorErrorCode(sel);
  if (isNullSelector(sel)) throw fault('null stack selector', code);
  const d = readDescriptor(cpu, sel);
  if (d === null) throw fault(`stack selector 0x${sel.toString(16)} outside the descriptor table`, code);
  const ar = accessRights(d.hi);
  if ((sel & 3) !== pl || ((ar & ARB.DPL) >>> ARB.DPL_SHIFT) !== pl || (ar & ARB.S) === 0 || (ar & TY.CODE) !== 0 || (ar & TY.WR) === 0) {
    throw fault(`stack segment 0x${sel.toString(16)} is not a writable data segment at privilege ${pl}`, code);
  }
  if ((ar & ARB.P) === 0) throw ss(`stack segment 0x${sel.toString(16)} not present`, code);
  return d;
}

/** Protected-mode IDT delivery. */
export function deliverProtected(cpu: Cpu, f: X86Fault, returnRip: number, ext: boolean, errorCode: number | undefined): void {
  const s = cpu.state;
  const fromV86 = (s.rflags & F.VM) !== 0;
  const v = f.vector;
  const e = ext ? 1 : 0;
  const idtCode = v * 8 + 2 + e;
  if (v * 8 + 7 > s.idtrLimit) throw gp(`vector ${v} lies beyond the IDT limit 0x${s.idtrLimit.toString(16)}`, idtCode);
  const g0 = cpu.readLin(s.idtrBase + v * 8, 4, true);
  const g1 = cpu.readLin(s.idtrBase + v * 8 + 4, 4, true);
  const type = (g1 & (GATE.TYPE | GATE.S)) >>> GATE.TYPE_SHIFT; // with the S bit, which must be 0
  const gate32 = type === SYSTEM_TYPE.INTERRUPT_GATE || type === SYSTEM_TYPE.TRAP_GATE;
  const gate16 = type === SYSTEM_TYPE.INTERRUPT_GATE16 || type === SYSTEM_TYPE.TRAP_GATE16;
  if (type === SYSTEM_TYPE.TASK_GATE) {
    deliverThroughTaskGate(cpu, f, g0, g1, idtCode, ext, errorCode);
    return;
  }
  if (!gate32 && !gate16) throw gp(`IDT entry ${v} is not an interrupt or trap gate (type ${type})`, idtCode);
  if (fromV86 && gate16) throw gp(`IDT entry ${v} is a 16-bit gate: delivery from virtual-8086 mode through it is not modelled by the lab`, idtCode);
  const gateDpl = (g1 & GATE.DPL) >>> GATE.DPL_SHIFT;
  if (f.kind === 'software' && gateDpl < s.cpl) throw gp(`INT ${v}: gate DPL ${gateDpl} < CPL ${s.cpl}`, idtCode);
  if ((g1 & GATE.P) === 0) throw np(`IDT gate ${v} not present`, idtCode);
  const sel = g0 >>> GATE.SELECTOR_SHIFT;
  const offset = gate32 ? ((g1 & GATE.OFFSET_MID) | (g0 & GATE.OFFSET_LOW)) >>> 0 : g0 & GATE.OFFSET_LOW;
  const selCode = selectorErrorCode(sel, ext);
  if (isNullSelector(sel)) throw gp(`IDT gate ${v} names a null code selector`, e);
  const d = readDescriptor(cpu, sel);
  if (d === null) throw gp(`IDT gate ${v} code selector outside the descriptor table`, selCode);
  const ar = accessRights(d.hi);
  const dpl = (ar & ARB.DPL) >>> ARB.DPL_SHIFT;
  if ((ar & ARB.S) === 0 || (ar & TY.CODE) === 0 || dpl > s.cpl) throw gp(`IDT gate ${v} target is not a code segment at DPL <= CPL`, selCode);
  if ((ar & ARB.P) === 0) throw np(`code segment 0x${sel.toString(16)} not present`, selCode);
  if (offset > descLimit(d)) throw gp(`IDT gate ${v} handler offset beyond its code segment limit`, e);
  const size = gate32 ? 4 : 2;
  const conforming = (ar & TY.EC) !== 0;
  // From virtual-8086 mode the handler must run at CPL 0 in a nonconforming segment (§20.3.1.1).
  if (fromV86 && (conforming || dpl !== 0)) throw gp(`IDT gate ${v}: a handler entered from virtual-8086 mode must be in a nonconforming DPL 0 code segment`, selCode);
  const oldCpl = s.cpl;
  const newCpl = conforming ? oldCpl : dpl;
  const oldData = [SegIndex.GS, SegIndex.FS, SegIndex.DS, SegIndex.ES].map((i) => s.segSel[i]!);
  const oldSs = s.segSel[SegIndex.SS]!;
  const oldSp = readGpr(cpu, RSP, 4);
  const oldFlags = pushedFlags(s.rflags, f);
  const oldCs = s.segSel[SegIndex.CS]!;
  const savedSs = [s.segSel[SegIndex.SS]!, s.segBase[SegIndex.SS]!, s.segLimit[SegIndex.SS]!, s.segAr[SegIndex.SS]!] as const;
  const savedSp = [s.gpr[2 * RSP]!, s.gpr[2 * RSP + 1]!] as const;
  // Pushes happen at the new privilege level; on a fault, the old CS, SS and ESP come back.
  s.segSel[SegIndex.CS] = (oldCs & ~3) | newCpl;
  // The pushes go to the ring-0 stack at CPL 0: leave virtual-8086 mode for them (restored on a fault).
  if (fromV86) s.rflags = (s.rflags & ~F.VM) >>> 0;
  try {
    if (newCpl < oldCpl) {
      // Inter-privilege: SS:ESP for the new level from the 32-bit TSS (offsets 4 + 8n, 8 + 8n).
      const tss = s.segBase[SegIndex.TR]!;
      const at = 4 + newCpl * 8;
      if (at + 5 > s.segLimit[SegIndex.TR]!) throw ts('TSS too small for the new stack', selectorErrorCode(s.segSel[SegIndex.TR]!, ext));
      const nsp = cpu.readLin(tss + at, 4, true);
      const nss = cpu.readLin(tss + at + 4, 2, true);
      const sd = stackDescriptor(cpu, nss, newCpl, ts);
      loadSegmentFrom(cpu, SegIndex.SS, nss, sd);
      writeGpr(cpu, RSP, 4, nsp, 0);
      // From virtual-8086 mode: GS, FS, DS, ES first (SDM Vol. 3B Figure 20-5).
      if (fromV86) for (const sel of oldData) pushLegacy(cpu, 4, sel);
      pushLegacy(cpu, size, oldSs);
      pushLegacy(cpu, size, oldSp);
    }
    pushLegacy(cpu, size, oldFlags);
    pushLegacy(cpu, size, oldCs);
    pushLegacy(cpu, size, returnRip);
    if (errorCode !== undefined) pushLegacy(cpu, size, errorCode);
  } catch (err) {
    // A VM exit (EPT) during the pushes has already loaded host state: leave it alone.
    if (!(err instanceof X86Fault)) throw err;
    s.segSel[SegIndex.CS] = oldCs;
    if (fromV86) s.rflags = (s.rflags | F.VM) >>> 0;
    [s.segSel[SegIndex.SS], s.segBase[SegIndex.SS], s.segLimit[SegIndex.SS], s.segAr[SegIndex.SS]] = savedSs;
    [s.gpr[2 * RSP], s.gpr[2 * RSP + 1]] = savedSp;
    throw err;
  }
  loadSegmentFrom(cpu, SegIndex.CS, (sel & ~3) | newCpl, d);
  if (fromV86) {
    // DS, ES, FS and GS are loaded with null selectors (§20.3.1.1).
    for (const i of [SegIndex.DS, SegIndex.ES, SegIndex.FS, SegIndex.GS]) {
      s.segSel[i] = 0;
      s.segBase[i] = 0;
      s.segAr[i] = ARB.UNUSABLE;
    }
  }
  let fl = s.rflags & ~(F.TF | F.NT | F.RF | F.VM);
  if (type === SYSTEM_TYPE.INTERRUPT_GATE || type === SYSTEM_TYPE.INTERRUPT_GATE16) fl &= ~F.IF;
  s.rflags = fl >>> 0;
  s.rip = offset;
  cpu.refreshMode();
}

/**
 * An interrupt or exception through a task gate (SDM Vol. 3A §6.12.2 "Interrupt Tasks"; Vol. 2A
 * "INT n/INTO/INT3/INT1", TASK-GATE): the gate's DPL for INT n, present, then a TSS selector in
 * the GDT naming an available, present TSS; the switch nests (back link, NT) and an error code
 * is pushed on the new task's stack.
 */
function deliverThroughTaskGate(cpu: Cpu, f: X86Fault, g0: number, g1: number, idtCode: number, ext: boolean, errorCode: number | undefined): void {
  const s = cpu.state;
  const gateDpl = (g1 & GATE.DPL) >>> GATE.DPL_SHIFT;
  if (f.kind === 'software' && gateDpl < s.cpl) throw gp(`INT ${f.vector}: task gate DPL ${gateDpl} < CPL ${s.cpl}`, idtCode);
  if ((g1 & GATE.P) === 0) throw np(`IDT task gate ${f.vector} not present`, idtCode);
  const tssSel = g0 >>> GATE.SELECTOR_SHIFT;
  const code = selectorErrorCode(tssSel, ext);
  if ((tssSel & 4) !== 0 || isNullSelector(tssSel)) throw gp(`IDT task gate ${f.vector}: TSS selector 0x${tssSel.toString(16)} is not in the GDT`, code);
  const d = readDescriptor(cpu, tssSel);
  const ar = d === null ? 0 : accessRights(d.hi);
  const t = ar & 0xf;
  if (d === null || (ar & ARB.S) !== 0 || (t !== SYSTEM_TYPE.TSS_AVAILABLE && t !== SYSTEM_TYPE.TSS16_AVAILABLE)) {
    throw gp(`IDT task gate ${f.vector}: 0x${tssSel.toString(16)} is not an available TSS`, code);
  }
  if ((ar & ARB.P) === 0) throw np(`TSS 0x${tssSel.toString(16)} not present`, code);
  switchTask(cpu, { selector: tssSel, source: TASK_SOURCE.IDT, errorCode, returnRip: f.kind === 'fault' || f.kind === 'interrupt' ? s.rip : f.nextRip ?? s.rip });
}

/**
 * IRET with NT = 1 (SDM Vol. 2A "IRET", TASK-RETURN): back to the task whose TSS selector is the
 * previous-task link of the current TSS; it must be in the GDT and name a busy, present TSS (#TS, #NP).
 */
function taskReturn(cpu: Cpu): void {
  const s = cpu.state;
  const sel = cpu.readLin(s.segBase[SegIndex.TR]!, 2, true);
  const code = selectorErrorCode(sel);
  if ((sel & 4) !== 0) throw ts(`IRET task return: the previous-task link 0x${sel.toString(16)} is not in the GDT`, code);
  const d = readDescriptor(cpu, sel);
  const ar = d === null ? 0 : accessRights(d.hi);
  const t = ar & 0xf;
  if (d === null || (ar & ARB.S) !== 0 || (t !== SYSTEM_TYPE.TSS_BUSY && t !== SYSTEM_TYPE.TSS16_BUSY)) {
    throw ts(`IRET task return: the previous-task link 0x${sel.toString(16)} is not a busy TSS`, code);
  }
  if ((ar & ARB.P) === 0) throw np(`IRET task return: TSS 0x${sel.toString(16)} not present`, code);
  switchTask(cpu, { selector: sel, source: TASK_SOURCE.IRET, insn: cpu.current?.insn, returnRip: cpu.next });
}

/** IRET/IRETD in protected mode (IA-32e mode off). */
export function iretProtected(cpu: Cpu, size: number): void {
  const s = cpu.state;
  if ((s.rflags & F.NT) !== 0) {
    taskReturn(cpu);
    return;
  }
  const w = stackWidth(cpu);
  const sp = readGpr(cpu, RSP, w);
  const ssBase = s.segBase[SegIndex.SS]!;
  const rd = (i: number): number => cpu.readLin((ssBase + ((sp + i * size) & (w === 4 ? 0xffffffff : 0xffff))) % 4294967296, size);
  const eip = rd(0);
  const csSel = rd(1) & 0xffff;
  const flags = rd(2);
  const cpl = s.cpl;
  const rpl = csSel & 3;
  const code = selectorErrorCode(csSel);
  if (size === 4 && (flags & F.VM) !== 0 && cpl === 0) return iretToV8086(cpu, rd, eip, flags);
  if (isNullSelector(csSel)) throw gp('IRET to a null CS selector');
  if (rpl < cpl) throw gp(`IRET to CS RPL ${rpl} below CPL ${cpl}`, code);
  const d = readDescriptor(cpu, csSel);
  if (d === null) throw gp('IRET CS selector outside the descriptor table', code);
  const ar = accessRights(d.hi);
  const dpl = (ar & ARB.DPL) >>> ARB.DPL_SHIFT;
  if ((ar & ARB.S) === 0 || (ar & TY.CODE) === 0) throw gp('IRET CS is not a code segment', code);
  if ((ar & TY.EC) === 0 ? dpl !== rpl : dpl > rpl) throw gp(`IRET CS DPL ${dpl} does not match RPL ${rpl}`, code);
  if ((ar & ARB.P) === 0) throw np('IRET CS not present', code);
  if (eip > descLimit(d)) throw gp('IRET EIP beyond the CS limit');
  let outer: { sp: number; sel: number; d: RawDescriptor } | null = null;
  if (rpl > cpl) {
    const nsp = rd(3);
    const nss = rd(4) & 0xffff;
    outer = { sp: nsp, sel: nss, d: stackDescriptor(cpu, nss, rpl, gp) };
  }
  const iopl = (s.rflags & F.IOPL) >>> IOPL_SHIFT;
  let changeable = F.DEFINED & ~(F.FIXED | F.VM | F.VIF | F.VIP);
  if (cpl !== 0) changeable &= ~F.IOPL;
  if (cpl > iopl) changeable &= ~F.IF;
  if (size === 2) changeable &= 0xffff;
  s.rflags = ((s.rflags & ~changeable) | (flags & changeable) | F.FIXED) >>> 0;
  loadSegmentFrom(cpu, SegIndex.CS, csSel, d);
  if (outer !== null) {
    loadSegmentFrom(cpu, SegIndex.SS, outer.sel, outer.d);
    writeGpr(cpu, RSP, (accessRights(outer.d.hi) & ARB.DB) !== 0 ? 4 : 2, outer.sp, 0);
    nullDataSegments(cpu, rpl);
  } else {
    writeGpr(cpu, RSP, w, w === 4 ? (sp + 3 * size) >>> 0 : (sp + 3 * size) & 0xffff, 0);
  }
  cpu.refreshMode();
  cpu.next = eip;
}

/**
 * IRETD at CPL 0 with VM = 1 in the popped EFLAGS: the return to virtual-8086 mode (SDM Vol. 2A
 * "IRET", RETURN-TO-VIRTUAL-8086-MODE; Vol. 3B §20.3.1.1): pops EIP, CS, EFLAGS, then ESP, SS,
 * ES, DS, FS, GS (32 bits each, selectors from the low 16), loads every segment register as
 * virtual-8086 mode does (base = selector * 16, limit 0xFFFF, access rights 0xF3) and resumes
 * at CPL 3. #GP(0) when EIP lies beyond the 64-KiB limit of the new CS.
 */
function iretToV8086(cpu: Cpu, rd: (i: number) => number, eip: number, flags: number): void {
  const s = cpu.state;
  if (eip > 0xffff) throw gp(`IRET to virtual-8086 mode at EIP 0x${eip.toString(16)} beyond the 64-KiB CS limit`);
  const cs = rd(1) & 0xffff;
  const esp = rd(3);
  const segs = [SegIndex.SS, SegIndex.ES, SegIndex.DS, SegIndex.FS, SegIndex.GS].map((seg, i) => [seg, rd(4 + i) & 0xffff] as const);
  s.rflags = ((flags & F.DEFINED & ~F.FIXED) | F.FIXED) >>> 0;
  loadV8086Segment(cpu, SegIndex.CS, cs);
  for (const [seg, sel] of segs) loadV8086Segment(cpu, seg, sel);
  writeGpr(cpu, RSP, 4, esp, 0);
  cpu.refreshMode();
  cpu.next = eip;
}
