// Descriptor loads: MOV/POP to a segment register, LTR, LLDT, LAR and LSL, with the
// null-selector rules of 64-bit mode, the busy TSS, and #GP/#NP/#SS/#TS with selector error
// codes. SDM Vol. 3A §3.4.3 "Segment Registers", §3.4.5 "Segment Descriptors", §5.5-5.8
// privilege checks, §8.2.4 "Task Register"; Vol. 2 "MOV", "POP", "LTR", "LLDT", "LAR", "LSL".

import { DESCRIPTOR, SYSTEM_TYPE } from '../arch/segments.ts';
import { ARB, C0, EF, F, TY } from './archbits.ts';
import type { Cpu } from './cpu.ts';
import { gp, np, selectorErrorCode, ss, ud } from './fault.ts';
import { SegIndex, SEG_SLOT_NAMES } from './state.ts';
import { loadV8086Segment } from './v8086.ts';

const TWO32 = 4294967296;

/** Raw descriptor halves as read from the GDT/LDT. */
export interface RawDescriptor {
  readonly lo: number;
  readonly hi: number;
  /** Linear address of the descriptor (for setting the accessed or busy bit). */
  readonly addr: number;
}

/** Whether the processor is in protected mode (PE = 1, not virtual-8086). */
export function protectedMode(cpu: Cpu): boolean {
  return (cpu.state.cr0 & C0.PE) !== 0 && (cpu.state.rflags & F.VM) === 0;
}

/** Null selector: index 0 in the GDT (SDM Vol. 3A §3.4.2 "Segment Selectors"). */
export function isNullSelector(sel: number): boolean {
  return (sel & 0xfffc) === 0;
}

/**
 * Reads the 8-byte descriptor a selector names, or returns null when it lies outside the
 * GDT/LDT limit (the callers turn that into #GP(selector) or ZF = 0).
 */
export function readDescriptor(cpu: Cpu, sel: number): RawDescriptor | null {
  const s = cpu.state;
  const ldt = (sel & 4) !== 0;
  let base: number;
  let limit: number;
  if (ldt) {
    if ((s.segAr[SegIndex.LDTR]! & ARB.UNUSABLE) !== 0) return null;
    base = s.segBase[SegIndex.LDTR]!;
    limit = s.segLimit[SegIndex.LDTR]!;
  } else {
    base = s.gdtrBase;
    limit = s.gdtrLimit;
  }
  const off = sel & 0xfff8;
  if (off + 7 > limit) return null;
  const addr = base + off;
  const lo = cpu.readLin(addr, 4, true);
  const hi = cpu.readLin(addr + 4, 4, true);
  return { lo, hi, addr };
}

// Descriptor fields as seen in the high dword (bits 63:32), derived from the arch table.
const hiMask = (f: keyof typeof DESCRIPTOR.mask): number => Number(DESCRIPTOR.mask[f] >> 32n);
const TYPE_SHIFT = DESCRIPTOR.bit.TYPE - 32;
const DPL_SHIFT = DESCRIPTOR.bit.DPL - 32;
const M_S = hiMask('S');
const M_P = hiMask('P');
const M_G = hiMask('G');
const M_LIMIT_HIGH = hiMask('LIMIT_HIGH');
const dType = (hi: number): number => (hi & hiMask('TYPE')) >>> TYPE_SHIFT;
const dS = (hi: number): boolean => (hi & M_S) !== 0;
const dDpl = (hi: number): number => (hi & hiMask('DPL')) >>> DPL_SHIFT;
const dP = (hi: number): boolean => (hi & M_P) !== 0;

/** VMX-format access rights of a descriptor: bits 47:40 and 55:52 (SDM Vol. 3C §25.4.1). */
export function accessRights(hi: number): number {
  return (hi >>> 8) & 0xf0ff;
}

/** Base address (bits 31:0) of a descriptor. */
export function descBase(d: RawDescriptor): number {
  return ((d.lo >>> 16) | ((d.hi & 0xff) << 16) | (d.hi & 0xff000000)) >>> 0;
}

/** Byte-granular limit of a descriptor (G applied). */
export function descLimit(d: RawDescriptor): number {
  const raw = (d.lo & 0xffff) | (d.hi & M_LIMIT_HIGH);
  return (d.hi & M_G) !== 0 ? ((raw << 12) | 0xfff) >>> 0 : raw;
}

function setAccessed(cpu: Cpu, d: RawDescriptor): void {
  if ((dType(d.hi) & TY.A) === 0) cpu.writeLin(d.addr + 4, 4, (d.hi | (TY.A << 8)) >>> 0, 0, true);
}

/**
 * Loads a data or stack segment register (ES, SS, DS, FS, GS) from a selector, as MOV Sreg or
 * POP Sreg do. `how` only changes the messages.
 */
export function loadSegment(cpu: Cpu, seg: number, sel: number, how: 'mov' | 'pop'): void {
  const s = cpu.state;
  const name = SEG_SLOT_NAMES[seg];
  if (seg === SegIndex.CS) throw ud(`${how.toUpperCase()} to CS is invalid (use a far jump or return)`);
  if ((s.rflags & F.VM) !== 0 && (s.cr0 & C0.PE) !== 0) {
    loadV8086Segment(cpu, seg, sel);
    if (seg === SegIndex.SS) s.shadowUntil = s.icount + 1;
    return;
  }
  if (!protectedMode(cpu)) {
    // Real-address and virtual-8086 mode: base = selector * 16 (SDM Vol. 3A §21.1.1 "Address Translation in Real-Address Mode").
    s.segSel[seg] = sel;
    s.segBase[seg] = sel * 16;
    if (seg === SegIndex.SS) s.shadowUntil = s.icount + 1;
    return;
  }
  const cpl = s.cpl;
  const rpl = sel & 3;
  const code = selectorErrorCode(sel);
  if (isNullSelector(sel)) {
    if (seg === SegIndex.SS) {
      // 64-bit mode allows a null SS at CPL < 3 when RPL = CPL (SDM Vol. 2B "MOV", 64-bit mode rules).
      if (!(cpu.mode === 64 && cpl !== 3 && rpl === cpl)) throw gp('loading a null selector into SS', 0);
    }
    s.segSel[seg] = sel;
    s.segAr[seg] = ARB.UNUSABLE;
    if (seg === SegIndex.SS) s.shadowUntil = s.icount + 1;
    return;
  }
  const d = readDescriptor(cpu, sel);
  if (d === null) throw gp(`selector 0x${sel.toString(16)} lies outside the descriptor table`, code);
  const type = dType(d.hi);
  const dpl = dDpl(d.hi);
  const isCode = (type & TY.CODE) !== 0;
  if (seg === SegIndex.SS) {
    if (rpl !== cpl) throw gp(`SS selector RPL ${rpl} differs from CPL ${cpl}`, code);
    if (!dS(d.hi) || isCode || (type & TY.WR) === 0) throw gp('SS must be a writable data segment', code);
    if (dpl !== cpl) throw gp(`SS descriptor DPL ${dpl} differs from CPL ${cpl}`, code);
    if (!dP(d.hi)) throw ss('SS descriptor not present', code);
  } else {
    if (!dS(d.hi) || (isCode && (type & TY.WR) === 0)) throw gp(`${name} must be a data or readable code segment`, code);
    if (!isCode || (type & TY.EC) === 0) {
      if (rpl > dpl || cpl > dpl) throw gp(`${name} descriptor DPL ${dpl} is below max(CPL ${cpl}, RPL ${rpl})`, code);
    }
    if (!dP(d.hi)) throw np(`${name} descriptor not present`, code);
  }
  setAccessed(cpu, d);
  s.segSel[seg] = sel;
  s.segBase[seg] = descBase(d);
  s.segLimit[seg] = descLimit(d);
  s.segAr[seg] = accessRights(d.hi | (TY.A << 8));
  if (seg === SegIndex.SS) s.shadowUntil = s.icount + 1;
}

/** Reads the upper 8 bytes of a 16-byte system descriptor in IA-32e mode; returns bits 63:32 of the base. */
function systemUpperBase(cpu: Cpu, d: RawDescriptor, sel: number, what: string): number {
  // The whole 16-byte descriptor must lie inside the GDT (SDM Vol. 2A "LTR"/"LLDT", 64-bit mode).
  if ((sel & 0xfff8) + 15 > cpu.state.gdtrLimit) throw gp(`${what} descriptor's upper 8 bytes lie beyond the GDT limit`, selectorErrorCode(sel));
  const upLo = cpu.readLin(d.addr + 8, 4, true);
  const upHi = cpu.readLin(d.addr + 12, 4, true);
  // SDM Vol. 3A §3.5.2 "Segment Descriptor Tables in IA-32e Mode": type of the upper half must be 0.
  if (((upHi >>> 8) & 0x1f) !== 0) throw gp(`${what} descriptor's upper 8 bytes have a non-zero type field`, selectorErrorCode(sel));
  return upLo;
}

/** LTR (SDM Vol. 2A "LTR"): loads TR from an available TSS descriptor and marks it busy. */
export function execLtrSelector(cpu: Cpu, sel: number): void {
  const s = cpu.state;
  if (!protectedMode(cpu)) throw ud('LTR outside protected mode');
  if (s.cpl !== 0) throw gp(`LTR at CPL ${s.cpl}`);
  const code = selectorErrorCode(sel);
  if (isNullSelector(sel)) throw gp('LTR with a null selector', 0);
  if ((sel & 4) !== 0) throw gp('LTR selector points into the LDT (TI = 1)', code);
  const d = readDescriptor(cpu, sel);
  if (d === null) throw gp(`TSS selector 0x${sel.toString(16)} lies outside the GDT`, code);
  const type = dType(d.hi);
  const long = (s.efer & EF.LMA) !== 0;
  const okType = long ? type === SYSTEM_TYPE.TSS_AVAILABLE : type === SYSTEM_TYPE.TSS_AVAILABLE || type === SYSTEM_TYPE.TSS16_AVAILABLE;
  if (dS(d.hi) || !okType) throw gp(`descriptor 0x${sel.toString(16)} is not an available TSS (type ${type})`, code);
  if (!dP(d.hi)) throw np('TSS descriptor not present', code);
  let base = descBase(d);
  if (long) {
    const upper = systemUpperBase(cpu, d, sel, 'TSS');
    const full = (upper | 0) * TWO32 + base;
    if (!cpu.isCanonical(full)) throw gp('TSS base is not canonical', code);
    base = full;
  }
  const busyHi = ((d.hi & ~0xf00) | ((type | 2) << 8)) >>> 0;
  cpu.writeLin(d.addr + 4, 4, busyHi, 0, true);
  s.segSel[SegIndex.TR] = sel;
  s.segBase[SegIndex.TR] = base;
  s.segLimit[SegIndex.TR] = descLimit(d);
  s.segAr[SegIndex.TR] = accessRights(busyHi);
}

/** LLDT (SDM Vol. 2A "LLDT"). */
export function execLldtSelector(cpu: Cpu, sel: number): void {
  const s = cpu.state;
  if (!protectedMode(cpu)) throw ud('LLDT outside protected mode');
  if (s.cpl !== 0) throw gp(`LLDT at CPL ${s.cpl}`);
  const code = selectorErrorCode(sel);
  if (isNullSelector(sel)) {
    s.segSel[SegIndex.LDTR] = sel;
    s.segAr[SegIndex.LDTR] = ARB.UNUSABLE;
    return;
  }
  if ((sel & 4) !== 0) throw gp('LLDT selector points into the LDT (TI = 1)', code);
  const d = readDescriptor(cpu, sel);
  if (d === null) throw gp(`LDT selector 0x${sel.toString(16)} lies outside the GDT`, code);
  if (dS(d.hi) || dType(d.hi) !== SYSTEM_TYPE.LDT) throw gp(`descriptor 0x${sel.toString(16)} is not an LDT`, code);
  if (!dP(d.hi)) throw np('LDT descriptor not present', code);
  let base = descBase(d);
  if ((s.efer & EF.LMA) !== 0) {
    const full = (systemUpperBase(cpu, d, sel, 'LDT') | 0) * TWO32 + base;
    if (!cpu.isCanonical(full)) throw gp('LDT base is not canonical', code);
    base = full;
  }
  s.segSel[SegIndex.LDTR] = sel;
  s.segBase[SegIndex.LDTR] = base;
  s.segLimit[SegIndex.LDTR] = descLimit(d);
  s.segAr[SegIndex.LDTR] = accessRights(d.hi);
}

/**
 * The descriptor LAR/LSL would report, or null (ZF = 0): null selector, outside the table,
 * a type not valid for the instruction, or a privilege check that fails (SDM Vol. 2A "LAR", "LSL").
 */
export function visibleDescriptor(cpu: Cpu, sel: number, forLsl: boolean): RawDescriptor | null {
  if (!protectedMode(cpu)) throw ud(`${forLsl ? 'LSL' : 'LAR'} outside protected mode`);
  if (isNullSelector(sel)) return null;
  const d = readDescriptor(cpu, sel);
  if (d === null) return null;
  const type = dType(d.hi);
  const long = (cpu.state.efer & EF.LMA) !== 0;
  if (!dS(d.hi)) {
    const ok = long
      ? [SYSTEM_TYPE.LDT, SYSTEM_TYPE.TSS_AVAILABLE, SYSTEM_TYPE.TSS_BUSY, ...(forLsl ? [] : [SYSTEM_TYPE.CALL_GATE])]
      : [SYSTEM_TYPE.TSS16_AVAILABLE, SYSTEM_TYPE.LDT, SYSTEM_TYPE.TSS16_BUSY, SYSTEM_TYPE.TSS_AVAILABLE, SYSTEM_TYPE.TSS_BUSY,
        ...(forLsl ? [] : [SYSTEM_TYPE.CALL_GATE16, SYSTEM_TYPE.TASK_GATE, SYSTEM_TYPE.CALL_GATE])];
    if (!ok.includes(type)) return null;
  }
  const conformingCode = dS(d.hi) && (type & TY.CODE) !== 0 && (type & TY.EC) !== 0;
  const dpl = dDpl(d.hi);
  if (!conformingCode && (dpl < cpu.state.cpl || dpl < (sel & 3))) return null;
  return d;
}

/** LAR's result: the access-rights bytes of the descriptor's high dword (limit bits 19:16 cleared). */
export function larValue(d: RawDescriptor, size: number): number {
  return size === 2 ? d.hi & 0xff00 : (d.hi & 0x00f0ff00) >>> 0;
}

/** LSL's result: the byte-granular limit. */
export function lslValue(d: RawDescriptor): number {
  return descLimit(d);
}

/** On a return to an outer level, DS/ES/FS/GS whose DPL < new CPL become null (SDM Vol. 2A "IRET", RETURN-TO-OUTER-PRIVILEGE-LEVEL). */
export function nullDataSegments(cpu: Cpu, cpl: number): void {
  const s = cpu.state;
  for (const seg of [SegIndex.ES, SegIndex.DS, SegIndex.FS, SegIndex.GS]) {
    const ar = s.segAr[seg]!;
    const dpl = (ar & ARB.DPL) >>> ARB.DPL_SHIFT;
    const conformingCode = (ar & TY.CODE) !== 0 && (ar & TY.EC) !== 0;
    if ((ar & ARB.UNUSABLE) === 0 && !conformingCode && dpl < cpl) {
      s.segSel[seg] = 0;
      s.segAr[seg] = ARB.UNUSABLE;
    }
  }
}
