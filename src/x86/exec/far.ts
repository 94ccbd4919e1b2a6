// Far branches: JMP and CALL to a selector:offset (direct `ptr16:16/32` or a far pointer in
// memory) and RETF. SDM Vol. 2A §3.2 "JMP", "CALL", Vol. 2B §4.3 "RET" (far-return branches),
// with the privilege rules of Vol. 3A §5.8 "Privilege Level Checking When Transferring Program
// Control Between Code Segments": §5.8.1 direct calls and jumps (conforming / nonconforming),
// §5.8.2-5.8.5 call gates (the stack switch of §5.8.5 for a CALL to a more privileged
// nonconforming segment, in legacy and IA-32e mode), §5.8.6 returns (to the same or an outer
// level). A TSS descriptor or task gate as the target is a task switch (task-switch.ts).
// In real-address and virtual-8086 mode CS is loaded as `selector * 16` (Vol. 3B §20.1.1).

import { ARB, EF, TY } from '../archbits.ts';
import { readGpr, readMemAt, writeGpr } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { gp, np, selectorErrorCode, ss, ts } from '../fault.ts';
import { K_IMM, type Handler, type Prepared } from '../operand.ts';
import { accessRights, descBase, descLimit, isNullSelector, nullDataSegments, protectedMode, readDescriptor, type RawDescriptor } from '../segmentation.ts';
import { SegIndex } from '../state.ts';
import { switchTask, TASK_SOURCE } from '../task-switch.ts';
import { inV8086, loadV8086Segment } from '../v8086.ts';
import { peek, push, rspPlus, setRsp } from './stack.ts';

const TWO32 = 4294967296;
const RSP = 4;

// System descriptor types (SDM Vol. 3A §3.5 Table 3-2 "System-Segment and Gate-Descriptor Types").
const TSS16_AVAILABLE = 0x1;
const CALL_GATE16 = 0x4;
const TASK_GATE = 0x5;
const TSS_AVAILABLE = 0x9;
const CALL_GATE = 0xc;

const dplOf = (ar: number): number => (ar & ARB.DPL) >>> ARB.DPL_SHIFT;
const typeOf = (ar: number): number => ar & 0xf;
const isCode = (ar: number): boolean => (ar & ARB.S) !== 0 && (ar & TY.CODE) !== 0;
const conforming = (ar: number): boolean => (ar & TY.EC) !== 0;
const longMode = (cpu: Cpu): boolean => (cpu.state.efer & EF.LMA) !== 0;
/** A code segment that runs 64-bit code: L = 1 in IA-32e mode. */
const code64 = (cpu: Cpu, ar: number): boolean => longMode(cpu) && (ar & ARB.L) !== 0;

/** A far target: selector and offset (offset as a signed number; 64-bit offsets in full). */
interface FarTarget { readonly sel: number; readonly off: number }

function target(cpu: Cpu, p: Prepared): FarTarget {
  const o = p.ops[0]!;
  if (o.k === K_IMM) return { sel: p.ops[1]!.lo & 0xffff, off: o.lo >>> 0 };
  const size = p.opSize;
  const lo = readMemAt(cpu, o, 0, size);
  const hi = size === 8 ? cpu.hi : 0;
  const sel = readMemAt(cpu, o, size, 2) & 0xffff;
  return { sel, off: size === 8 ? (hi | 0) * TWO32 + lo : size === 2 ? lo & 0xffff : lo };
}

/** The offset check of a new code segment: canonical for 64-bit code, else within the limit (#GP(0)). */
function checkOffset(cpu: Cpu, off: number, ar: number, limit: number): void {
  if (code64(cpu, ar)) {
    if (!cpu.isCanonical(off)) throw gp(`far branch target 0x${BigInt.asUintN(64, BigInt(off)).toString(16)} is not canonical`);
  } else if (off > limit || off < 0) {
    throw gp(`far branch target 0x${(off >>> 0).toString(16)} beyond the code segment limit 0x${limit.toString(16)}`);
  }
}

/** Loads CS from a checked descriptor with RPL = `cpl` (the new CPL) and sets its accessed bit. */
function loadCode(cpu: Cpu, sel: number, d: RawDescriptor, cpl: number): void {
  const s = cpu.state;
  if ((d.hi & (TY.A << 8)) === 0) cpu.writeLin(d.addr + 4, 4, (d.hi | (TY.A << 8)) >>> 0, 0, true);
  s.segSel[SegIndex.CS] = (sel & ~3) | cpl;
  s.segBase[SegIndex.CS] = descBase(d);
  s.segLimit[SegIndex.CS] = descLimit(d);
  s.segAr[SegIndex.CS] = accessRights(d.hi) | TY.A;
}

/** Real-address and virtual-8086 mode: CS = selector, base = selector * 16. */
function loadRealCs(cpu: Cpu, sel: number): void {
  const s = cpu.state;
  if (inV8086(cpu)) { loadV8086Segment(cpu, SegIndex.CS, sel); return; }
  s.segSel[SegIndex.CS] = sel;
  s.segBase[SegIndex.CS] = sel * 16;
}

/** Pushes the return CS:IP at `size`; on a fault RSP is as before. */
function pushReturn(cpu: Cpu, size: number, cs: number, ret: number): void {
  const g = cpu.state.gpr;
  const saved = [g[2 * RSP]!, g[2 * RSP + 1]!] as const;
  try {
    push(cpu, size, cs, 0);
    push(cpu, size, ret >>> 0, size === 8 ? Math.floor(ret / TWO32) >>> 0 : 0);
  } catch (e) {
    [g[2 * RSP], g[2 * RSP + 1]] = saved;
    throw e;
  }
}

/** Reads and checks the descriptor of a far target's code segment (§5.8.1); #GP/#NP with the selector. */
function codeDescriptor(cpu: Cpu, sel: number, what: string): RawDescriptor {
  const code = selectorErrorCode(sel);
  if (isNullSelector(sel)) throw gp(`${what}: null code selector`);
  const d = readDescriptor(cpu, sel);
  if (d === null) throw gp(`${what}: selector 0x${sel.toString(16)} lies outside the descriptor table`, code);
  return d;
}

function farBranch(call: boolean): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const t = target(cpu, p);
    const size = p.opSize;
    const s = cpu.state;
    if (!protectedMode(cpu)) {
      // Real-address / virtual-8086 mode (SDM "JMP"/"CALL": IF far jump AND real-address or virtual-8086 mode).
      const off = size === 2 ? t.off & 0xffff : t.off >>> 0;
      if (off > (inV8086(cpu) ? 0xffff : s.segLimit[SegIndex.CS]!)) throw gp(`far ${call ? 'CALL' : 'JMP'} to 0x${off.toString(16)} beyond the CS limit`);
      if (call) pushReturn(cpu, size, s.segSel[SegIndex.CS]!, cpu.next);
      loadRealCs(cpu, t.sel);
      cpu.next = off;
      cpu.refreshMode();
      return;
    }
    const name = call ? 'far CALL' : 'far JMP';
    const d = codeDescriptor(cpu, t.sel, name);
    const ar = accessRights(d.hi);
    const code = selectorErrorCode(t.sel);
    const cpl = s.cpl;
    const rpl = t.sel & 3;
    if ((ar & ARB.S) !== 0) {
      // §5.8.1: a direct branch to a code segment.
      if (!isCode(ar)) throw gp(`${name}: selector 0x${t.sel.toString(16)} is a data segment`, code);
      if (conforming(ar) ? dplOf(ar) > cpl : rpl > cpl || dplOf(ar) !== cpl) {
        throw gp(`${name}: ${conforming(ar) ? 'conforming' : 'nonconforming'} code segment DPL ${dplOf(ar)} with RPL ${rpl} at CPL ${cpl}`, code);
      }
      if ((ar & ARB.P) === 0) throw np(`${name}: code segment 0x${t.sel.toString(16)} not present`, code);
      if (longMode(cpu) && (ar & ARB.L) !== 0 && (ar & ARB.DB) !== 0) throw gp(`${name}: code segment with L = 1 and D = 1`, code);
      const off = size === 2 ? t.off & 0xffff : t.off;
      checkOffset(cpu, off, ar, descLimit(d));
      if (call) pushReturn(cpu, size, s.segSel[SegIndex.CS]!, cpu.next);
      loadCode(cpu, t.sel, d, cpl);
      cpu.next = off;
      cpu.refreshMode();
      return;
    }
    const type = typeOf(ar);
    if (type === CALL_GATE || (type === CALL_GATE16 && !longMode(cpu))) {
      throughCallGate(cpu, call, t.sel, d);
      return;
    }
    if (!longMode(cpu) && (type === TSS_AVAILABLE || type === TSS16_AVAILABLE || type === TASK_GATE)) {
      // §8.3: JMP/CALL to a TSS or a task gate. Privilege: DPL >= CPL and >= RPL (§8.3 step 2).
      if (dplOf(ar) < cpl || dplOf(ar) < rpl) throw gp(`${name}: ${type === TASK_GATE ? 'task gate' : 'TSS'} DPL ${dplOf(ar)} below CPL ${cpl} or RPL ${rpl}`, code);
      if ((ar & ARB.P) === 0) throw np(`${name}: ${type === TASK_GATE ? 'task gate' : 'TSS'} 0x${t.sel.toString(16)} not present`, code);
      const tssSel = type === TASK_GATE ? d.lo >>> 16 : t.sel;
      if (type === TASK_GATE) checkTaskGateTarget(cpu, tssSel, name);
      switchTask(cpu, { selector: tssSel, source: call ? TASK_SOURCE.CALL : TASK_SOURCE.JMP, insn: p.insn, returnRip: cpu.next });
      return;
    }
    throw gp(`${name}: selector 0x${t.sel.toString(16)} names a system descriptor of type ${type}, not a code segment, call gate, TSS or task gate${longMode(cpu) ? ' valid in IA-32e mode' : ''}`, code);
  };
}

/** A task gate's TSS selector must be in the GDT and name an available, present TSS (§8.3.2 "Task-Gate Descriptor"). */
function checkTaskGateTarget(cpu: Cpu, tssSel: number, name: string): void {
  const code = selectorErrorCode(tssSel);
  if ((tssSel & 4) !== 0 || isNullSelector(tssSel)) throw gp(`${name}: the task gate's TSS selector 0x${tssSel.toString(16)} is not in the GDT`, code);
  const d = readDescriptor(cpu, tssSel);
  const ar = d === null ? 0 : accessRights(d.hi);
  if (d === null || (ar & ARB.S) !== 0 || (typeOf(ar) !== TSS_AVAILABLE && typeOf(ar) !== TSS16_AVAILABLE)) {
    throw gp(`${name}: the task gate names 0x${tssSel.toString(16)}, which is not an available TSS`, code);
  }
  if ((ar & ARB.P) === 0) throw np(`${name}: TSS 0x${tssSel.toString(16)} not present`, code);
}

/**
 * JMP or CALL through a call gate (§5.8.4 "Accessing a Code Segment Through a Call Gate", §5.8.6
 * "Returning from a Called Procedure"; in IA-32e mode the 16-byte 64-bit gate of §5.8.3.1). A CALL
 * to a more privileged nonconforming segment switches stacks (§5.8.5).
 */
function throughCallGate(cpu: Cpu, call: boolean, gateSel: number, g: RawDescriptor): void {
  const s = cpu.state;
  const name = call ? 'far CALL' : 'far JMP';
  const gar = accessRights(g.hi);
  const gcode = selectorErrorCode(gateSel);
  const cpl = s.cpl;
  if (dplOf(gar) < cpl || dplOf(gar) < (gateSel & 3)) throw gp(`${name}: call gate DPL ${dplOf(gar)} below CPL ${cpl} or RPL ${gateSel & 3}`, gcode);
  if ((gar & ARB.P) === 0) throw np(`${name}: call gate 0x${gateSel.toString(16)} not present`, gcode);
  const gate64 = longMode(cpu);
  const gate16 = typeOf(gar) === CALL_GATE16;
  let off = gate16 ? g.lo & 0xffff : ((g.hi & 0xffff0000) | (g.lo & 0xffff)) >>> 0;
  if (gate64) {
    // The upper 8 bytes: offset 63:32, and a type field that must be 0 (§5.8.3.1).
    const upper = readDescriptor(cpu, gateSel + 8);
    if (upper === null || (upper.hi & 0x1f00) !== 0) throw gp(`${name}: the upper half of the 64-bit call gate is invalid`, gcode);
    off = (upper.lo | 0) * TWO32 + off;
  }
  const csSel = g.lo >>> 16;
  const d = codeDescriptor(cpu, csSel, `${name} through a call gate`);
  const ar = accessRights(d.hi);
  const code = selectorErrorCode(csSel);
  const dpl = dplOf(ar);
  if (!isCode(ar) || dpl > cpl) throw gp(`${name}: the call gate's target 0x${csSel.toString(16)} is not a code segment at DPL <= CPL ${cpl}`, code);
  if (!call && !conforming(ar) && dpl !== cpl) throw gp(`${name}: a JMP through a call gate cannot change privilege (DPL ${dpl}, CPL ${cpl})`, code);
  if ((ar & ARB.P) === 0) throw np(`${name}: code segment 0x${csSel.toString(16)} not present`, code);
  if (gate64 && ((ar & ARB.L) === 0 || (ar & ARB.DB) !== 0)) throw gp(`${name}: a 64-bit call gate must lead to 64-bit code`, code);
  checkOffset(cpu, off, ar, descLimit(d));
  const size = gate64 ? 8 : gate16 ? 2 : 4;
  const newCpl = conforming(ar) ? cpl : dpl;
  if (call && newCpl < cpl) {
    callToInnerLevel(cpu, { csSel, d, off, size, newCpl, paramCount: gate64 ? 0 : g.hi & 0x1f });
    return;
  }
  if (call) pushReturn(cpu, size, s.segSel[SegIndex.CS]!, cpu.next);
  loadCode(cpu, csSel, d, cpl);
  cpu.next = off;
  cpu.refreshMode();
}

interface InnerCall { readonly csSel: number; readonly d: RawDescriptor; readonly off: number; readonly size: number; readonly newCpl: number; readonly paramCount: number }

/**
 * §5.8.5 "Stack Switching": SS:ESP for the new level from the current TSS (RSPn in IA-32e mode,
 * with SS = NULL with RPL = new CPL), then the old SS, ESP, `paramCount` parameters copied from
 * the old stack (legacy gates), CS and EIP pushed on the new stack.
 */
function callToInnerLevel(cpu: Cpu, c: InnerCall): void {
  const s = cpu.state;
  const tr = s.segBase[SegIndex.TR]!;
  const trCode = selectorErrorCode(s.segSel[SegIndex.TR]!);
  const oldSs = s.segSel[SegIndex.SS]!;
  const oldSp = readGpr(cpu, RSP, 8);
  const oldSpHi = cpu.hi;
  const oldStackWidth = longMode(cpu) && cpu.mode === 64 ? 8 : (s.segAr[SegIndex.SS]! & ARB.DB) !== 0 ? 4 : 2;
  const params: number[] = [];
  for (let i = 0; i < c.paramCount; i++) params.push(peek(cpu, c.size, i * c.size));
  const savedSs = [s.segSel[SegIndex.SS]!, s.segBase[SegIndex.SS]!, s.segLimit[SegIndex.SS]!, s.segAr[SegIndex.SS]!] as const;
  const savedCs = [s.segSel[SegIndex.CS]!, s.segBase[SegIndex.CS]!, s.segLimit[SegIndex.CS]!, s.segAr[SegIndex.CS]!] as const;
  const savedSp = [s.gpr[2 * RSP]!, s.gpr[2 * RSP + 1]!] as const;
  const returnCs = s.segSel[SegIndex.CS]!;
  const ret = cpu.next;
  try {
    if (longMode(cpu)) {
      // IA-32e mode: RSPn at TSS offset 4 + 8n; SS becomes NULL with RPL = new CPL (§5.8.5.1 "Stack Switching in 64-bit Mode").
      const at = 4 + c.newCpl * 8;
      if (at + 7 > s.segLimit[SegIndex.TR]!) throw ts(`TSS too small for the RSP${c.newCpl} field`, trCode);
      const lo = cpu.readLin(tr + at, 4, true);
      const hi = cpu.readLin(tr + at + 4, 4, true);
      s.segSel[SegIndex.SS] = c.newCpl;
      s.segAr[SegIndex.SS] = ARB.UNUSABLE;
      s.segBase[SegIndex.SS] = 0;
      // The pushes run at the new CPL in the new code segment's mode.
      loadCode(cpu, c.csSel, c.d, c.newCpl);
      cpu.refreshMode();
      writeGpr(cpu, RSP, 8, lo, hi);
    } else {
      // 32-bit TSS: ESPn at 4 + 8n, SSn at 8 + 8n (16-bit TSSs are not modelled here).
      const at = 4 + c.newCpl * 8;
      if (at + 5 > s.segLimit[SegIndex.TR]!) throw ts(`TSS too small for the SS${c.newCpl}:ESP${c.newCpl} fields`, trCode);
      const nsp = cpu.readLin(tr + at, 4, true);
      const nss = cpu.readLin(tr + at + 4, 2, true);
      const sd = innerStack(cpu, nss, c.newCpl);
      s.segSel[SegIndex.SS] = nss;
      s.segBase[SegIndex.SS] = descBase(sd);
      s.segLimit[SegIndex.SS] = descLimit(sd);
      s.segAr[SegIndex.SS] = accessRights(sd.hi) | TY.A;
      loadCode(cpu, c.csSel, c.d, c.newCpl);
      cpu.refreshMode();
      writeGpr(cpu, RSP, 4, nsp, 0);
    }
    push(cpu, c.size, oldSs, 0);
    push(cpu, c.size, oldStackWidth === 2 ? oldSp & 0xffff : oldSp, c.size === 8 ? oldSpHi : 0);
    for (let i = c.paramCount - 1; i >= 0; i--) push(cpu, c.size, params[i]!, 0);
    push(cpu, c.size, returnCs, 0);
    push(cpu, c.size, ret >>> 0, c.size === 8 ? Math.floor(ret / TWO32) >>> 0 : 0);
  } catch (e) {
    [s.segSel[SegIndex.SS], s.segBase[SegIndex.SS], s.segLimit[SegIndex.SS], s.segAr[SegIndex.SS]] = savedSs;
    [s.segSel[SegIndex.CS], s.segBase[SegIndex.CS], s.segLimit[SegIndex.CS], s.segAr[SegIndex.CS]] = savedCs;
    [s.gpr[2 * RSP], s.gpr[2 * RSP + 1]] = savedSp;
    cpu.refreshMode();
    throw e;
  }
  cpu.next = c.off;
}

/** The SS a TSS supplies for an inner level: RPL = DPL = the new CPL, a writable data segment, present (#TS, #SS). */
function innerStack(cpu: Cpu, sel: number, pl: number): RawDescriptor {
  const code = selectorErrorCode(sel);
  if (isNullSelector(sel)) throw ts('the TSS supplies a null stack selector', code);
  const d = readDescriptor(cpu, sel);
  if (d === null) throw ts(`the TSS stack selector 0x${sel.toString(16)} lies outside the descriptor table`, code);
  const ar = accessRights(d.hi);
  if ((sel & 3) !== pl || dplOf(ar) !== pl || (ar & ARB.S) === 0 || (ar & TY.CODE) !== 0 || (ar & TY.WR) === 0) {
    throw ts(`the TSS stack segment 0x${sel.toString(16)} is not a writable data segment at privilege ${pl}`, code);
  }
  if ((ar & ARB.P) === 0) throw ss(`stack segment 0x${sel.toString(16)} not present`, code);
  return d;
}

/**
 * RETF [imm16]: pops the return IP/EIP/RIP and CS (operand size each), then, returning to an
 * outer level, the caller's SP and SS (§5.8.6); `imm16` bytes of parameters are released
 * from each stack.
 */
function execRetf(cpu: Cpu, p: Prepared): void {
  const s = cpu.state;
  const size = p.opSize;
  const extra = p.ops.length > 0 ? p.ops[0]!.lo & 0xffff : 0;
  const lo = peek(cpu, size, 0);
  const hi = size === 8 ? cpu.hi : 0;
  const sel = peek(cpu, size, size) & 0xffff;
  const off = size === 8 ? (hi | 0) * TWO32 + lo : size === 2 ? lo & 0xffff : lo;
  if (!protectedMode(cpu)) {
    if (off > (inV8086(cpu) ? 0xffff : s.segLimit[SegIndex.CS]!)) throw gp(`RETF to 0x${off.toString(16)} beyond the CS limit`);
    setRsp(cpu, rspPlus(cpu, 2 * size + extra), cpu.hi);
    loadRealCs(cpu, sel);
    cpu.next = off;
    cpu.refreshMode();
    return;
  }
  const cpl = s.cpl;
  const rpl = sel & 3;
  const code = selectorErrorCode(sel);
  const d = codeDescriptor(cpu, sel, 'RETF');
  const ar = accessRights(d.hi);
  if (rpl < cpl) throw gp(`RETF to CS RPL ${rpl} below CPL ${cpl}`, code);
  if (!isCode(ar)) throw gp(`RETF: selector 0x${sel.toString(16)} is not a code segment`, code);
  if (conforming(ar) ? dplOf(ar) > rpl : dplOf(ar) !== rpl) throw gp(`RETF: code segment DPL ${dplOf(ar)} does not suit RPL ${rpl}`, code);
  if ((ar & ARB.P) === 0) throw np(`RETF: code segment 0x${sel.toString(16)} not present`, code);
  if (longMode(cpu) && (ar & ARB.L) !== 0 && (ar & ARB.DB) !== 0) throw gp('RETF: code segment with L = 1 and D = 1', code);
  if (rpl === cpl) {
    checkOffset(cpu, off, ar, descLimit(d));
    setRsp(cpu, rspPlus(cpu, 2 * size + extra), cpu.hi);
    loadCode(cpu, sel, d, cpl);
    cpu.next = off;
    cpu.refreshMode();
    return;
  }
  // Return to an outer level: the caller's SP and SS follow the parameters.
  const spLo = peek(cpu, size, 2 * size + extra);
  const spHi = size === 8 ? cpu.hi : 0;
  const ssSel = peek(cpu, size, 3 * size + extra) & 0xffff;
  let ssD: RawDescriptor | null = null;
  const to64 = code64(cpu, ar);
  if (isNullSelector(ssSel)) {
    // IA-32e mode allows a null SS when returning to 64-bit code below ring 3 (SDM "RET").
    if (!(to64 && rpl !== 3)) throw gp('RETF to an outer level with a null SS selector');
  } else {
    const sc = selectorErrorCode(ssSel);
    ssD = readDescriptor(cpu, ssSel);
    if (ssD === null) throw gp(`RETF: SS selector 0x${ssSel.toString(16)} lies outside the descriptor table`, sc);
    const sar = accessRights(ssD.hi);
    if ((ssSel & 3) !== rpl || dplOf(sar) !== rpl || (sar & ARB.S) === 0 || (sar & TY.CODE) !== 0 || (sar & TY.WR) === 0) {
      throw gp(`RETF: SS 0x${ssSel.toString(16)} is not a writable data segment at privilege ${rpl}`, sc);
    }
    if ((sar & ARB.P) === 0) throw ss(`RETF: SS 0x${ssSel.toString(16)} not present`, sc);
  }
  checkOffset(cpu, off, ar, descLimit(d));
  loadCode(cpu, sel, d, rpl);
  if (ssD === null) {
    s.segSel[SegIndex.SS] = ssSel;
    s.segAr[SegIndex.SS] = ARB.UNUSABLE;
  } else {
    s.segSel[SegIndex.SS] = ssSel;
    s.segBase[SegIndex.SS] = descBase(ssD);
    s.segLimit[SegIndex.SS] = descLimit(ssD);
    s.segAr[SegIndex.SS] = accessRights(ssD.hi) | TY.A;
  }
  cpu.refreshMode();
  const width = to64 ? 8 : (s.segAr[SegIndex.SS]! & ARB.DB) !== 0 ? 4 : 2;
  const spv = size === 8 ? (spHi | 0) * TWO32 + spLo : spLo;
  const nsp = spv + extra;
  writeGpr(cpu, RSP, width, width === 8 ? nsp >>> 0 : width === 4 ? nsp >>> 0 : nsp & 0xffff, width === 8 ? Math.floor(nsp / TWO32) >>> 0 : 0);
  nullDataSegments(cpu, rpl);
  cpu.next = off;
}

export const FAR_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['retf', execRetf],
]);

/** Far JMP / CALL: the decoder reports them as `jmp`/`call`; handlers.ts picks these by form id (FORM_HANDLERS). */
export const execFarJmp: Handler = farBranch(false);
export const execFarCall: Handler = farBranch(true);
