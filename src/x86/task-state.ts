// The TSS task switch in root operation (SDM Vol. 3A §8.3 "Task Switching", the steps
// of its numbered list; TSS layout: §8.2.1 "Task-State Segment (TSS)", Figure 8-2). The caller
// (task-switch.ts, reached from exec/far.ts and interrupts-legacy.ts) has made the checks of
// steps 1-3: the selector, the privilege rules, the descriptor's type and presence.
//
// Order: the new TSS is read completely before anything changes (a #PF there leaves the old
// task intact, step 5), then the old task is saved and the busy flags, back link, NT, TR and
// CR0.TS are updated; only then are the new LDTR, CR3, registers and segments loaded, and a
// fault from those checks is raised in the context of the new task (§8.3, "Exceptions that occur
// after the commit point"), with #TS naming the offending selector.
//
// 16-bit TSSs (types 1, 3; §8.6 "16-Bit Task-State Segment (TSS)", Figure 8-11) are saved and
// loaded in their own layout: IP, FLAGS, AX-DI, ES CS SS DS, LDT; no CR3. Implementation choices
// where the SDM says nothing, as Bochs does: a 16-bit task starts with the upper words of the
// general registers set to FFFFh, the upper word of EFLAGS and EIP clear, and FS/GS null.
// The debug trap flag (T, byte 0x64) of a 32-bit TSS is ignored (the lab models no DR7
// breakpoints); DR7's local enables are cleared as §17.2.4 "Debug Control Register (DR7)" says.

import { SYSTEM_TYPE, TSS16_LAYOUT as TSS16, TSS32_LAYOUT as TSS32, type TssLayout } from '../arch/segments.ts';
import { TASK_SWITCH_SOURCE } from '../arch/vmx-info.ts';
import { ARB, C0, F, TY } from './archbits.ts';
import type { Cpu } from './cpu.ts';
import { X86Fault, np, selectorErrorCode, ss, ts } from './fault.ts';
import { accessRights, descBase, descLimit, isNullSelector, readDescriptor, type RawDescriptor } from './segmentation.ts';
import { SegIndex } from './state.ts';
import type { TaskSwitchRequest } from './task-switch.ts';
import { loadV8086Segment } from './v8086.ts';

const { CALL: SOURCE_CALL, IRET: SOURCE_IRET, JMP: SOURCE_JMP, IDT: SOURCE_IDT } = TASK_SWITCH_SOURCE;

const LINK = 0x00;
/** Segment registers in TSS order: ES, CS, SS, DS, FS, GS (the SegIndex order). */
const SEG_ORDER = [SegIndex.ES, SegIndex.CS, SegIndex.SS, SegIndex.DS, SegIndex.FS, SegIndex.GS] as const;

/** The layout of a TSS descriptor type (1, 3: 16-bit; 9, B: 32-bit). */
const layoutOf = (type: number): TssLayout => ((type & 8) === 0 ? TSS16 : TSS32);
/** DR7 L0-L3 and LE (bits 0, 2, 4, 6, 8). */
const DR7_LOCAL = 0x155n;

interface NewTask {
  readonly cr3: number;
  readonly eip: number;
  readonly eflags: number;
  readonly gpr: readonly number[];
  readonly segs: readonly number[];
  readonly ldt: number;
}

const dplOf = (ar: number): number => (ar & ARB.DPL) >>> ARB.DPL_SHIFT;

/** Reads the state of the new task (step 5: everything is read before the old task changes). */
function readNewTask(cpu: Cpu, base: number, L: TssLayout): NewTask {
  const rd = (off: number, n: number): number => cpu.readLin(base + off, n, true);
  const high = L.w === 2 ? 0xffff0000 : 0;
  return {
    cr3: L.cr3 === null ? -1 : rd(L.cr3, 4),
    eip: rd(L.ip, L.w),
    eflags: rd(L.flags, L.w),
    gpr: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (rd(L.gpr + L.w * i, L.w) | high) >>> 0),
    segs: SEG_ORDER.map((_, i) => (i < L.segCount ? rd(L.seg + L.segStride * i, 2) : 0)),
    ldt: rd(L.ldt, 2),
  };
}

/** Sets or clears the busy bit (type bit 1) of a TSS descriptor in the GDT. */
function setBusy(cpu: Cpu, d: RawDescriptor, busy: boolean): void {
  const hi = busy ? d.hi | 0x200 : d.hi & ~0x200;
  cpu.writeLin(d.addr + 4, 4, hi >>> 0, 0, true);
}

/** Performs the task switch `req` describes (root operation). */
export function performTaskSwitch(cpu: Cpu, req: TaskSwitchRequest): void {
  const s = cpu.state;
  const sel = req.selector;
  const code = selectorErrorCode(sel, req.source === SOURCE_IDT);
  const d = readDescriptor(cpu, sel);
  if (d === null) throw ts(`task switch: TSS selector 0x${sel.toString(16)} lies outside the GDT`, code);
  const L = layoutOf(accessRights(d.hi) & 0xf);
  const limit = descLimit(d);
  if (limit < L.minLimit) throw ts(`task switch: TSS 0x${sel.toString(16)} limit 0x${limit.toString(16)} below 0x${L.minLimit.toString(16)}`, code);
  const newBase = descBase(d);
  const next = readNewTask(cpu, newBase, L);

  // Steps 6-8: the old task, in its own TSS's layout. JMP and IRET free its TSS; IRET clears NT
  // in the saved image.
  const oldSel = s.segSel[SegIndex.TR]!;
  const oldBase = s.segBase[SegIndex.TR]!;
  const oldD = readDescriptor(cpu, oldSel);
  const O = layoutOf(s.segAr[SegIndex.TR]! & 0xf);
  let savedFlags = s.rflags;
  if (req.source === SOURCE_IRET) savedFlags &= ~F.NT;
  const wr = (off: number, n: number, v: number): void => cpu.writeLin(oldBase + off, n, n === 2 ? v & 0xffff : v >>> 0, 0, true);
  wr(O.ip, O.w, req.returnRip ?? s.rip);
  wr(O.flags, O.w, savedFlags);
  for (let i = 0; i < 8; i++) wr(O.gpr + O.w * i, O.w, s.gpr[2 * i]!);
  SEG_ORDER.forEach((seg, i) => { if (i < O.segCount) wr(O.seg + O.segStride * i, 2, s.segSel[seg]!); });
  if ((req.source === SOURCE_JMP || req.source === SOURCE_IRET) && oldD !== null) setBusy(cpu, oldD, false);

  // Steps 9-11: nesting (back link, NT) for CALL and the IDT; the new TSS becomes busy; TR; CR0.TS.
  let eflags = next.eflags;
  if (req.source === SOURCE_CALL || req.source === SOURCE_IDT) {
    cpu.writeLin(newBase + LINK, 2, oldSel, 0, true);
    eflags |= F.NT;
  }
  if (req.source !== SOURCE_IRET) setBusy(cpu, readDescriptor(cpu, sel) ?? d, true);
  const busyD = readDescriptor(cpu, sel) ?? d;
  s.segSel[SegIndex.TR] = sel;
  s.segBase[SegIndex.TR] = newBase;
  s.segLimit[SegIndex.TR] = limit;
  s.segAr[SegIndex.TR] = accessRights(busyD.hi);
  s.cr0 = (s.cr0 | C0.TS) >>> 0;
  s.dr[7] = (s.dr[7] ?? 0n) & ~DR7_LOCAL;

  // Step 12: the new task's state. The registers first, then the checked loads.
  if ((s.cr0 & C0.PG) !== 0 && next.cr3 >= 0) {
    s.cr3 = next.cr3;
    cpu.flushTlb();
  }
  s.rflags = ((eflags & F.DEFINED & ~F.FIXED) | F.FIXED) >>> 0;
  for (let i = 0; i < 8; i++) { s.gpr[2 * i] = next.gpr[i]! >>> 0; s.gpr[2 * i + 1] = 0; }
  // Every selector is in place before the checked loads, so a fault below still shows the new task's.
  SEG_ORDER.forEach((seg, i) => { s.segSel[seg] = next.segs[i]!; });
  loadNewSegments(cpu, next);
  cpu.refreshMode();
  if (req.errorCode !== undefined) pushErrorCode(cpu, req.errorCode, L.w);
  if (req.source === SOURCE_IDT) s.rip = next.eip;
  else cpu.next = next.eip;
}

/** LDTR, then CS, SS, DS, ES, FS, GS of the new task, each checked (§8.3 step 12; #TS, #NP, #SS). */
function loadNewSegments(cpu: Cpu, next: NewTask): void {
  const s = cpu.state;
  loadLdt(cpu, next.ldt);
  if ((next.eflags & F.VM) !== 0) {
    for (let i = 0; i < SEG_ORDER.length; i++) loadV8086Segment(cpu, SEG_ORDER[i]!, next.segs[i]!);
    return;
  }
  const cs = next.segs[1]!;
  const ssSel = next.segs[2]!;
  const cpl = cs & 3;
  const csD = checked(cpu, cs, 'CS');
  const csAr = accessRights(csD.hi);
  if ((csAr & ARB.S) === 0 || (csAr & TY.CODE) === 0) throw ts(`new task: CS 0x${cs.toString(16)} is not a code segment`, selectorErrorCode(cs));
  if ((csAr & TY.EC) !== 0 ? dplOf(csAr) > cpl : dplOf(csAr) !== cpl) throw ts(`new task: CS DPL ${dplOf(csAr)} does not suit RPL ${cpl}`, selectorErrorCode(cs));
  if ((csAr & ARB.P) === 0) throw np(`new task: CS 0x${cs.toString(16)} not present`, selectorErrorCode(cs));
  load(cpu, SegIndex.CS, cs, csD);
  const ssD = checked(cpu, ssSel, 'SS');
  const ssAr = accessRights(ssD.hi);
  if ((ssSel & 3) !== cpl || dplOf(ssAr) !== cpl || (ssAr & ARB.S) === 0 || (ssAr & TY.CODE) !== 0 || (ssAr & TY.WR) === 0) {
    throw ts(`new task: SS 0x${ssSel.toString(16)} is not a writable data segment at CPL ${cpl}`, selectorErrorCode(ssSel));
  }
  if ((ssAr & ARB.P) === 0) throw ss(`new task: SS 0x${ssSel.toString(16)} not present`, selectorErrorCode(ssSel));
  load(cpu, SegIndex.SS, ssSel, ssD);
  for (const seg of [SegIndex.DS, SegIndex.ES, SegIndex.FS, SegIndex.GS]) {
    const sel = next.segs[SEG_ORDER.indexOf(seg as (typeof SEG_ORDER)[number])]!;
    if (isNullSelector(sel)) { s.segAr[seg] = ARB.UNUSABLE; continue; }
    const dd = checked(cpu, sel, 'data segment');
    const ar = accessRights(dd.hi);
    const codeSeg = (ar & TY.CODE) !== 0;
    if ((ar & ARB.S) === 0 || (codeSeg && (ar & TY.WR) === 0)) throw ts(`new task: 0x${sel.toString(16)} is not a data or readable code segment`, selectorErrorCode(sel));
    if ((!codeSeg || (ar & TY.EC) === 0) && (dplOf(ar) < cpl || dplOf(ar) < (sel & 3))) throw ts(`new task: segment 0x${sel.toString(16)} DPL ${dplOf(ar)} below CPL/RPL`, selectorErrorCode(sel));
    if ((ar & ARB.P) === 0) throw np(`new task: segment 0x${sel.toString(16)} not present`, selectorErrorCode(sel));
    load(cpu, seg, sel, dd);
  }
}

function checked(cpu: Cpu, sel: number, what: string): RawDescriptor {
  if (isNullSelector(sel)) throw ts(`new task: null ${what} selector`, selectorErrorCode(sel));
  const d = readDescriptor(cpu, sel);
  if (d === null) throw ts(`new task: ${what} selector 0x${sel.toString(16)} lies outside the descriptor table`, selectorErrorCode(sel));
  return d;
}

function load(cpu: Cpu, seg: number, sel: number, d: RawDescriptor): void {
  const s = cpu.state;
  if ((d.hi & (TY.A << 8)) === 0) cpu.writeLin(d.addr + 4, 4, (d.hi | (TY.A << 8)) >>> 0, 0, true);
  s.segSel[seg] = sel;
  s.segBase[seg] = descBase(d);
  s.segLimit[seg] = descLimit(d);
  s.segAr[seg] = accessRights(d.hi) | TY.A;
}

/** The new task's LDT: null (unusable) or an LDT descriptor in the GDT, present (#TS otherwise). */
function loadLdt(cpu: Cpu, sel: number): void {
  const s = cpu.state;
  s.segSel[SegIndex.LDTR] = sel;
  if (isNullSelector(sel)) { s.segAr[SegIndex.LDTR] = ARB.UNUSABLE; return; }
  const code = selectorErrorCode(sel);
  s.segAr[SegIndex.LDTR] = ARB.UNUSABLE;
  if ((sel & 4) !== 0) throw ts(`new task: LDT selector 0x${sel.toString(16)} is not in the GDT`, code);
  const d = readDescriptor(cpu, sel);
  const ar = d === null ? 0 : accessRights(d.hi);
  if (d === null || (ar & ARB.S) !== 0 || (ar & 0xf) !== SYSTEM_TYPE.LDT) throw ts(`new task: 0x${sel.toString(16)} is not an LDT descriptor`, code);
  if ((ar & ARB.P) === 0) throw ts(`new task: LDT 0x${sel.toString(16)} not present`, code);
  s.segBase[SegIndex.LDTR] = descBase(d);
  s.segLimit[SegIndex.LDTR] = descLimit(d);
  s.segAr[SegIndex.LDTR] = ar;
}

/** An exception's error code, pushed on the new task's stack (2 or 4 bytes by the TSS's size; §6.12.2). */
function pushErrorCode(cpu: Cpu, errorCode: number, size: 2 | 4): void {
  const s = cpu.state;
  const wide = (s.segAr[SegIndex.SS]! & ARB.DB) !== 0;
  const sp = wide ? s.gpr[8]! : s.gpr[8]! & 0xffff;
  const nsp = wide ? (sp - size) >>> 0 : (sp - size) & 0xffff;
  if (nsp + size - 1 > s.segLimit[SegIndex.SS]!) throw new X86Fault(12, 0, 'new task: no room on the stack for the error code');
  cpu.writeLin((s.segBase[SegIndex.SS]! + nsp) % 4294967296, size, size === 2 ? errorCode & 0xffff : errorCode >>> 0, 0);
  if (wide) s.gpr[8] = nsp;
  else s.gpr[8] = ((s.gpr[8]! & 0xffff0000) | nsp) >>> 0;
}

