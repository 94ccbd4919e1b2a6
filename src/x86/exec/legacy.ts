// Instructions that exist only outside 64-bit mode (table-legacy.ts), and the far-pointer loads:
// BCD adjustments (SDM Vol. 2A §3.2 "DAA", "DAS", "AAA", "AAS", "AAM", "AAD"), SALC,
// PUSHA/POPA (Vol. 2B §4.3 "PUSHA/PUSHAD", "POPA/POPAD"), BOUND (Vol. 2A §3.2 "BOUND"), ARPL
// (Vol. 2A §3.2 "ARPL") and LDS/LES/LFS/LGS/LSS (Vol. 2A §3.2 "LDS/LES/LFS/LGS/LSS").
//
// Undefined flags (SDM "Flags Affected"): the reference host cannot run these in 64-bit mode,
// so the choices are not probed. Implementation choice: DAA/DAS clear OF; AAA/AAS set SF, ZF
// and PF from AL and clear OF; AAM/AAD clear OF, AF and CF (Bochs computes the same SZP and
// leaves OF/AF/CF cleared for AAM/AAD).

import { F } from '../archbits.ts';
import { readGpr, readMemAt, readOp, rmwRead, rmwWrite, writeGpr } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { X86Fault, Vector, de, ud } from '../fault.ts';
import { PARITY } from '../flags.ts';
import { K_REG, type Handler, type Prepared } from '../operand.ts';
import { loadSegment, protectedMode } from '../segmentation.ts';
import { SegIndex } from '../state.ts';
import { peek, push, rspPlus, setRsp } from './stack.ts';

const RSP = 4;

/** SF, ZF, PF of an 8-bit result. */
function szp8(v: number): number {
  return PARITY[v]! | (v === 0 ? F.ZF : 0) | (v & 0x80 ? F.SF : 0);
}

function setFlags(cpu: Cpu, mask: number, value: number): void {
  cpu.state.rflags = ((cpu.state.rflags & ~mask) | value) >>> 0;
}

const STATUS = F.CF | F.PF | F.AF | F.ZF | F.SF | F.OF;

/** DAA / DAS: decimal adjust AL after an addition / subtraction (the SDM's pseudo-code, line by line). */
function decimalAdjust(sub: boolean): Handler {
  return (cpu: Cpu) => {
    const fl = cpu.state.rflags;
    const oldAl = readGpr(cpu, 0, 1);
    const oldCf = (fl & F.CF) !== 0;
    let al = oldAl;
    let cf = false;
    let af = false;
    if ((al & 0x0f) > 9 || (fl & F.AF) !== 0) {
      const r = sub ? al - 6 : al + 6;
      cf = oldCf || r < 0 || r > 0xff;
      al = r & 0xff;
      af = true;
    }
    if (oldAl > 0x99 || oldCf) {
      al = (sub ? al - 0x60 : al + 0x60) & 0xff;
      cf = true;
    } else if (!sub) {
      cf = false;
    }
    writeGpr(cpu, 0, 1, al, 0);
    setFlags(cpu, STATUS, szp8(al) | (cf ? F.CF : 0) | (af ? F.AF : 0));
  };
}

/** AAA / AAS: ASCII adjust after an addition / subtraction. */
function asciiAdjust(sub: boolean): Handler {
  return (cpu: Cpu) => {
    let ax = readGpr(cpu, 0, 2);
    const adjust = (ax & 0x0f) > 9 || (cpu.state.rflags & F.AF) !== 0;
    if (adjust) ax = sub ? (((ax - 6) & 0xff) | ((((ax >> 8) - 1) & 0xff) << 8)) : (ax + 0x106) & 0xffff;
    ax = (ax & 0xff00) | (ax & 0x0f);
    writeGpr(cpu, 0, 2, ax, 0);
    setFlags(cpu, STATUS, szp8(ax & 0xff) | (adjust ? F.CF | F.AF : 0));
  };
}

/** AAM imm8: AH = AL / base, AL = AL mod base; #DE for base 0. */
function execAam(cpu: Cpu, p: Prepared): void {
  const base = p.ops[0]!.lo & 0xff;
  if (base === 0) throw de('AAM with base 0');
  const al = readGpr(cpu, 0, 1);
  const r = al % base;
  writeGpr(cpu, 0, 2, (Math.floor(al / base) << 8) | r, 0);
  setFlags(cpu, STATUS, szp8(r));
}

/** AAD imm8: AL = (AL + AH * base) & FF, AH = 0. */
function execAad(cpu: Cpu, p: Prepared): void {
  const base = p.ops[0]!.lo & 0xff;
  const ax = readGpr(cpu, 0, 2);
  const al = ((ax & 0xff) + (ax >> 8) * base) & 0xff;
  writeGpr(cpu, 0, 2, al, 0);
  setFlags(cpu, STATUS, szp8(al));
}

/** SALC: AL = CF ? FF : 00 (undocumented by Intel; see table-legacy.ts). */
function execSalc(cpu: Cpu): void {
  writeGpr(cpu, 0, 1, (cpu.state.rflags & F.CF) !== 0 ? 0xff : 0, 0);
}

/** PUSHA/PUSHAD: AX CX DX BX, the SP of before, BP SI DI. A fault leaves (E)SP as it was. */
function execPusha(cpu: Cpu, p: Prepared): void {
  const size = p.opSize;
  const g = cpu.state.gpr;
  const saved = [g[2 * RSP]!, g[2 * RSP + 1]!] as const;
  const values = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => readGpr(cpu, r, size));
  try {
    for (const v of values) push(cpu, size, v, 0);
  } catch (e) {
    [g[2 * RSP], g[2 * RSP + 1]] = saved;
    throw e;
  }
}

/** POPA/POPAD: DI SI BP, the saved SP skipped, BX DX CX AX; everything read before anything is written. */
function execPopa(cpu: Cpu, p: Prepared): void {
  const size = p.opSize;
  const values = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => peek(cpu, size, k * size));
  setRsp(cpu, rspPlus(cpu, 8 * size), cpu.hi);
  for (let k = 0; k < 8; k++) if (7 - k !== RSP) writeGpr(cpu, 7 - k, size, values[k]!, 0);
}

const signed = (v: number, size: number): number => (size === 2 ? (v << 16) >> 16 : v | 0);

/** BOUND: #BR when the signed index lies outside [lower, upper] (two operand-size bounds in memory). */
function execBound(cpu: Cpu, p: Prepared): void {
  const size = p.opSize;
  const index = signed(readOp(cpu, p.ops[0]!, size), size);
  const lower = signed(readMemAt(cpu, p.ops[1]!, 0, size), size);
  const upper = signed(readMemAt(cpu, p.ops[1]!, size, size), size);
  if (index < lower || index > upper) {
    throw new X86Fault(Vector.BR, undefined, `BOUND: index ${index} outside [${lower}, ${upper}]`);
  }
}

/** ARPL: raises the destination selector's RPL to the source's (ZF = 1), else ZF = 0. Protected mode only. */
function execArpl(cpu: Cpu, p: Prepared): void {
  if (!protectedMode(cpu)) throw ud('ARPL is not recognized in real-address mode');
  const dst = rmwRead(cpu, p.ops[0]!, 2);
  const src = readOp(cpu, p.ops[1]!, 2);
  if ((dst & 3) < (src & 3)) {
    rmwWrite(cpu, p.ops[0]!, 2, (dst & ~3) | (src & 3), 0);
    cpu.state.rflags |= F.ZF;
  } else {
    cpu.state.rflags &= ~F.ZF;
  }
}

/**
 * LDS/LES/LFS/LGS/LSS: offset (operand size) then selector from memory; the segment register
 * is loaded as MOV Sreg loads it (with its checks and faults), then the general register.
 * LSS does not open the MOV SS interrupt shadow (only MOV SS and POP SS do, SDM Vol. 2B "MOV").
 */
function loadFarPointer(seg: number): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const dst = p.ops[0]!;
    const src = p.ops[1]!;
    if (src.k === K_REG) throw ud('a far-pointer load needs a memory operand');
    const size = p.opSize;
    const off = readMemAt(cpu, src, 0, size);
    const offHi = size === 8 ? cpu.hi : 0;
    const sel = readMemAt(cpu, src, size, 2);
    const shadow = cpu.state.shadowUntil;
    loadSegment(cpu, seg, sel, 'mov');
    cpu.state.shadowUntil = shadow;
    writeGpr(cpu, dst.ri, size, off, offHi);
  };
}

export const LEGACY_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['daa', decimalAdjust(false)], ['das', decimalAdjust(true)], ['aaa', asciiAdjust(false)], ['aas', asciiAdjust(true)],
  ['aam', execAam], ['aad', execAad], ['salc', execSalc],
  ['pushaw', execPusha], ['pushad', execPusha], ['popaw', execPopa], ['popad', execPopa],
  ['bound', execBound], ['arpl', execArpl],
  ['les', loadFarPointer(SegIndex.ES)], ['lds', loadFarPointer(SegIndex.DS)], ['lss', loadFarPointer(SegIndex.SS)],
  ['lfs', loadFarPointer(SegIndex.FS)], ['lgs', loadFarPointer(SegIndex.GS)],
]);
