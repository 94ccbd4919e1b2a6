// Stack instructions: PUSH, POP (including FS/GS), PUSHF/POPF, ENTER, LEAVE (SDM Vol. 2B "PUSH",
// "POP", "PUSHF", "POPF", Vol. 2A "ENTER", "LEAVE"; Vol. 1 §6.2 "Stacks"). Stack references that are not
// canonical raise #SS(0) (Vol. 1 §3.3.7.1 "Canonical Addressing").

import { ARB, F, IOPL_SHIFT } from '../archbits.ts';
import { effectiveAddress, operandSegment, pairLinear, readGpr, readOp, writeGpr, writeOp } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { RegKind } from '../isa/registers.ts';
import { K_REG, type Handler, type Prepared } from '../operand.ts';
import { ACC_READ, ACC_WRITE } from '../paging.ts';
import { loadSegment } from '../segmentation.ts';
import { SegIndex } from '../state.ts';

const RSP = 4;
const RBP = 5;
const TWO32 = 4294967296;

/** Stack-pointer width: 8 in 64-bit mode, else 4 or 2 from SS.B (SDM Vol. 1 §6.2.3 "Address-Size Attributes for Stack Accesses"). */
export function stackAddrSize(cpu: Cpu): number {
  if (cpu.mode === 64) return 8;
  return (cpu.state.segAr[SegIndex.SS]! & ARB.DB) !== 0 ? 4 : 2;
}

/** RSP + delta at the stack width; returns bits 31:0, 63:32 in `cpu.hi`. */
export function rspPlus(cpu: Cpu, delta: number): number {
  const g = cpu.state.gpr;
  const w = stackAddrSize(cpu);
  if (w === 8) {
    const lo = g[2 * RSP]! + delta;
    cpu.hi = (g[2 * RSP + 1]! + Math.floor(lo / TWO32)) >>> 0;
    return lo >>> 0;
  }
  cpu.hi = 0;
  return w === 4 ? (g[2 * RSP]! + delta) >>> 0 : (g[2 * RSP]! + delta) & 0xffff;
}

/** Sets RSP (at the stack width: a 16-bit stack keeps RSP 63:16). */
export function setRsp(cpu: Cpu, lo: number, hi: number): void {
  writeGpr(cpu, RSP, stackAddrSize(cpu), lo, hi);
}

/** Pushes `size` bytes (SDM Vol. 2B "PUSH"): the write happens before RSP changes, so a fault leaves RSP intact. */
export function push(cpu: Cpu, size: number, lo: number, hi: number): void {
  const nlo = rspPlus(cpu, -size);
  const nhi = cpu.hi;
  const lin = pairLinear(cpu, SegIndex.SS, nlo, nhi, size, ACC_WRITE);
  cpu.writeLin(lin, size, lo, hi);
  setRsp(cpu, nlo, nhi);
}

/** Reads the value `offset` bytes above RSP without popping. Bits 63:32 in `cpu.hi`. */
export function peek(cpu: Cpu, size: number, offset = 0): number {
  const lo = rspPlus(cpu, offset);
  const lin = pairLinear(cpu, SegIndex.SS, lo, cpu.hi, size, ACC_READ);
  return cpu.readLin(lin, size);
}

/** Pops `size` bytes. Bits 63:32 in `cpu.hi`. */
export function pop(cpu: Cpu, size: number): number {
  const v = peek(cpu, size);
  const vh = cpu.hi;
  const nlo = rspPlus(cpu, size);
  setRsp(cpu, nlo, cpu.hi);
  cpu.hi = vh;
  return v;
}

function execPush(cpu: Cpu, p: Prepared): void {
  const o = p.ops[0]!;
  const size = p.opSize;
  if (o.k === K_REG && o.rk === RegKind.SEG) {
    // Implementation choice: the selector is pushed zero-extended to the operand size
    // (SDM Vol. 2B "PUSH" allows processors to write only 16 bits; Bochs writes all of them).
    push(cpu, size, cpu.state.segSel[o.ri]!, 0);
    return;
  }
  // PUSH RSP pushes the value before the decrement.
  const lo = readOp(cpu, o, size);
  push(cpu, size, lo, size === 8 ? cpu.hi : 0);
}

function execPop(cpu: Cpu, p: Prepared): void {
  const o = p.ops[0]!;
  const size = p.opSize;
  if (o.k === K_REG && o.rk === RegKind.SEG) {
    const sel = peek(cpu, size) & 0xffff;
    loadSegment(cpu, o.ri, sel, 'pop');
    setRsp(cpu, rspPlus(cpu, size), cpu.hi);
    return;
  }
  const v = peek(cpu, size);
  const vh = size === 8 ? cpu.hi : 0;
  const nlo = rspPlus(cpu, size);
  const nhi = cpu.hi;
  if (o.k === K_REG) {
    setRsp(cpu, nlo, nhi);
    writeOp(cpu, o, size, v, vh);
    return;
  }
  // POP m: an RSP-based address uses RSP after the increment (SDM Vol. 2B "POP").
  const g = cpu.state.gpr;
  const oldLo = g[2 * RSP]!;
  const oldHi = g[2 * RSP + 1]!;
  setRsp(cpu, nlo, nhi);
  const ea = effectiveAddress(cpu, o);
  const eah = cpu.hi;
  g[2 * RSP] = oldLo;
  g[2 * RSP + 1] = oldHi;
  const lin = pairLinear(cpu, operandSegment(o), ea, eah, size, ACC_WRITE);
  cpu.writeLin(lin, size, v, vh);
  setRsp(cpu, nlo, nhi);
}

/** PUSHF/PUSHFD/PUSHFQ: the image has VM and RF cleared (SDM Vol. 2B "PUSHF"). */
function execPushf(cpu: Cpu, p: Prepared): void {
  const v = cpu.state.rflags & ~(F.VM | F.RF);
  push(cpu, p.opSize, p.opSize === 2 ? v & 0xffff : v >>> 0, 0);
}

/**
 * POPF/POPFD/POPFQ (SDM Vol. 2B "POPF", protected mode): IOPL changes only at CPL 0, IF only
 * when CPL <= IOPL; VM, VIP, VIF are never changed; RF is cleared; reserved bits keep their
 * fixed values.
 */
export function execPopf(cpu: Cpu, p: Prepared): void {
  const s = cpu.state;
  const size = p.opSize;
  const v = pop(cpu, size);
  const cpl = s.cpl;
  const iopl = (s.rflags & F.IOPL) >>> IOPL_SHIFT;
  let changeable = F.DEFINED & ~(F.FIXED | F.VM | F.VIP | F.VIF | F.RF);
  if (cpl !== 0) changeable &= ~F.IOPL;
  if (cpl > iopl) changeable &= ~F.IF;
  if (size === 2) changeable &= 0xffff;
  s.rflags = ((s.rflags & ~changeable & ~F.RF) | (v & changeable) | F.FIXED) >>> 0;
}

/** LEAVE: RSP := RBP, then pop RBP (SDM Vol. 2A "LEAVE"). */
function execLeave(cpu: Cpu, p: Prepared): void {
  const size = p.opSize;
  const w = stackAddrSize(cpu);
  const rbp = readGpr(cpu, RBP, w);
  const rbph = cpu.hi;
  // Read the saved RBP first, so a fault leaves RSP unchanged.
  const lin = pairLinear(cpu, SegIndex.SS, rbp, w === 8 ? rbph : 0, size, ACC_READ);
  const v = cpu.readLin(lin, size);
  const vh = cpu.hi;
  writeGpr(cpu, RSP, w, rbp, rbph);
  setRsp(cpu, rspPlus(cpu, size), cpu.hi);
  writeGpr(cpu, RBP, size, v, vh);
}

/**
 * ENTER imm16, imm8 (SDM Vol. 2A "ENTER"): push rBP, copy `level - 1` frame pointers from the
 * old frame and push the new one (level > 0), set rBP to the frame, reserve `imm16` bytes. The
 * level is taken modulo 32. A fault leaves RSP and RBP as they were.
 */
function execEnter(cpu: Cpu, p: Prepared): void {
  const size = p.opSize;
  const alloc = p.ops[0]!.lo & 0xffff;
  const level = p.ops[1]!.lo & 31;
  const g = cpu.state.gpr;
  const saved = [g[2 * RSP]!, g[2 * RSP + 1]!, g[2 * RBP]!, g[2 * RBP + 1]!] as const;
  const w = stackAddrSize(cpu);
  try {
    push(cpu, size, readGpr(cpu, RBP, size), size === 8 ? cpu.hi : 0);
    const frame = readGpr(cpu, RSP, w);
    const frameHi = w === 8 ? cpu.hi : 0;
    if (level > 0) {
      let bp = readGpr(cpu, RBP, w);
      let bpHi = w === 8 ? cpu.hi : 0;
      for (let i = 1; i < level; i++) {
        const n = bp - size;
        if (w === 8 && n < 0) bpHi = (bpHi - 1) >>> 0;
        bp = w === 2 ? n & 0xffff : n >>> 0;
        const v = cpu.readLin(pairLinear(cpu, SegIndex.SS, bp, bpHi, size, ACC_READ), size);
        push(cpu, size, v, size === 8 ? cpu.hi : 0);
      }
      push(cpu, size, frame, size === 8 ? frameHi : 0);
    }
    writeGpr(cpu, RBP, w, frame, frameHi);
    setRsp(cpu, rspPlus(cpu, -alloc), cpu.hi);
  } catch (e) {
    [g[2 * RSP], g[2 * RSP + 1], g[2 * RBP], g[2 * RBP + 1]] = saved;
    throw e;
  }
}

export const STACK_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['push', execPush], ['pop', execPop], ['pushfw', execPushf], ['pushfd', execPushf], ['pushfq', execPushf],
  ['popfw', execPopf], ['popfd', execPopf], ['popfq', execPopf], ['leave', execLeave], ['enter', execEnter],
]);
