// Operand access: registers (with 8-bit high registers and the 32-bit zero-extension rule),
// effective addresses (SDM Vol. 1 §3.7.5 "Specifying an Offset"), segmentation of data
// accesses (Vol. 3A §3.4.4 "Segment Loading Instructions in IA-32e Mode", §5.3 "Limit
// Checking") and canonical checks (Vol. 1 §3.3.7.1 "Canonical Addressing": #GP(0), or
// #SS(0) for a stack reference).

import { ARB, C0, F, TY } from './archbits.ts';
import type { Cpu } from './cpu.ts';
import { gp, ss } from './fault.ts';
import { RegKind } from './isa/registers.ts';
import { K_IMM, K_MEM, K_REG, type Opnd } from './operand.ts';
import { ACC_READ, ACC_WRITE, type AccessKind } from './paging.ts';
import { SegIndex, SEG_SLOT_NAMES } from './state.ts';

const TWO32 = 4294967296;

// ---- registers ---------------------------------------------------------------------------

/** Reads a general or segment register operand. Bits 63:32 of a 64-bit register land in `cpu.hi`. */
export function readReg(cpu: Cpu, rk: number, ri: number): number {
  const g = cpu.state.gpr;
  switch (rk) {
    case RegKind.GPR64: cpu.hi = g[2 * ri + 1]!; return g[2 * ri]!;
    case RegKind.GPR32: cpu.hi = 0; return g[2 * ri]!;
    case RegKind.GPR16: cpu.hi = 0; return g[2 * ri]! & 0xffff;
    case RegKind.GPR8: cpu.hi = 0; return g[2 * ri]! & 0xff;
    case RegKind.GPR8H: cpu.hi = 0; return (g[2 * ri]! >>> 8) & 0xff;
    case RegKind.SEG: cpu.hi = 0; return cpu.state.segSel[ri]!;
    default: throw new Error(`readReg: register kind ${rk} is not a general or segment register`);
  }
}

/**
 * Writes a general register. A 32-bit write zero-extends to 64 bits; 8- and 16-bit writes
 * keep the other bits (SDM Vol. 1 §3.4.1.1 "General-Purpose Registers in 64-Bit Mode").
 */
export function writeReg(cpu: Cpu, rk: number, ri: number, lo: number, hi: number): void {
  const g = cpu.state.gpr;
  const i = 2 * ri;
  switch (rk) {
    case RegKind.GPR64: g[i] = lo; g[i + 1] = hi; return;
    case RegKind.GPR32: g[i] = lo; g[i + 1] = 0; return;
    case RegKind.GPR16: g[i] = (g[i]! & 0xffff0000) | (lo & 0xffff); return;
    case RegKind.GPR8: g[i] = (g[i]! & 0xffffff00) | (lo & 0xff); return;
    case RegKind.GPR8H: g[i] = (g[i]! & 0xffff00ff) | ((lo & 0xff) << 8); return;
    default: throw new Error(`writeReg: register kind ${rk} is not a general register`);
  }
}

/** Writes GPR `i` with a value of `size` bytes, with the same merge/zero-extend rules. */
export function writeGpr(cpu: Cpu, i: number, size: number, lo: number, hi: number): void {
  writeReg(cpu, size === 8 ? RegKind.GPR64 : size === 4 ? RegKind.GPR32 : size === 2 ? RegKind.GPR16 : RegKind.GPR8, i, lo, hi);
}

/** Reads GPR `i` at `size` bytes (low byte for size 1). Bits 63:32 in `cpu.hi`. */
export function readGpr(cpu: Cpu, i: number, size: number): number {
  return readReg(cpu, size === 8 ? RegKind.GPR64 : size === 4 ? RegKind.GPR32 : size === 2 ? RegKind.GPR16 : RegKind.GPR8, i);
}

// ---- effective and linear addresses ---------------------------------------------------------

/** The effective address of a memory operand, bits 31:0 returned, 63:32 in `cpu.hi`; truncated to the address size. */
export function effectiveAddress(cpu: Cpu, o: Opnd): number {
  let lo = o.dispLo;
  let hi = o.dispHi;
  const g = cpu.state.gpr;
  if (o.base >= 0) {
    if (o.base === 16) {
      const n = cpu.next;
      lo += n >>> 0;
      hi += Math.floor(n / TWO32) >>> 0;
    } else {
      lo += g[2 * o.base]!;
      hi += g[2 * o.base + 1]!;
    }
  }
  if (o.index >= 0) {
    lo += g[2 * o.index]! * o.scale;
    hi += g[2 * o.index + 1]! * o.scale;
  }
  const carry = Math.floor(lo / TWO32);
  if (o.addrSize === 8) {
    cpu.hi = (hi + carry) >>> 0;
    return lo >>> 0;
  }
  cpu.hi = 0;
  return o.addrSize === 4 ? lo >>> 0 : lo & 0xffff;
}

/** Segment used by a memory operand: its override, else SS for RSP/RBP bases, else DS. */
export function operandSegment(o: Opnd): number {
  if (o.seg >= 0) return o.seg;
  return o.stackDefault ? SegIndex.SS : SegIndex.DS;
}

/** Linear address of a memory operand for an access of `size` bytes (checks included). */
export function memLinear(cpu: Cpu, o: Opnd, size: number, acc: AccessKind): number {
  const lo = effectiveAddress(cpu, o);
  return pairLinear(cpu, operandSegment(o), lo, cpu.hi, size, acc);
}

/** Linear address of seg:offset where the offset is a number (exact below 2^53 in magnitude). */
export function segLinear(cpu: Cpu, seg: number, offset: number, size: number, acc: AccessKind): number {
  return pairLinear(cpu, seg, offset >>> 0, Math.floor(offset / TWO32) >>> 0, size, acc);
}

/**
 * seg:offset (offset as a 64-bit pair) to a linear address. In 64-bit mode only FS and GS
 * have a base and the address must be canonical; elsewhere the segment's usability, type
 * and limit are checked (SDM Vol. 3A §5.3 "Limit Checking", §5.4 "Type Checking").
 */
export function pairLinear(cpu: Cpu, seg: number, lo: number, hi: number, size: number, acc: AccessKind): number {
  const s = cpu.state;
  if (cpu.mode === 64) {
    if (seg === SegIndex.FS || seg === SegIndex.GS) {
      const b = s.segBase[seg]!;
      const l = lo + (b >>> 0);
      hi = (hi + (Math.floor(b / TWO32) >>> 0) + Math.floor(l / TWO32)) >>> 0;
      lo = l >>> 0;
    }
    const shift = cpu.linearBits - 33;
    const top = (hi | 0) >> shift;
    const lin = (hi | 0) * TWO32 + lo;
    if ((top !== 0 && top !== -1) || !cpu.isCanonical(lin + size - 1)) {
      const what = `linear address 0x${((BigInt(hi) << 32n) | BigInt(lo)).toString(16)} is not canonical`;
      throw seg === SegIndex.SS ? ss(`stack ${what}`) : gp(what);
    }
    // Implementation limit: linear addresses are JS numbers, exact below 2^53 in magnitude. Only
    // 5-level paging can go beyond; rather than lose low bits silently, the access is refused.
    if (cpu.linearBits === 57 && (lin >= 2 ** 53 || lin < -(2 ** 53))) {
      throw gp(`linear address 0x${((BigInt(hi) << 32n) | BigInt(lo)).toString(16)} lies beyond 2^53, which the lab's processor cannot represent`);
    }
    return lin;
  }
  return legacyLinear(cpu, seg, lo, size, acc);
}

function legacyLinear(cpu: Cpu, seg: number, offset: number, size: number, acc: AccessKind): number {
  const s = cpu.state;
  const ar = s.segAr[seg]!;
  const fault = seg === SegIndex.SS ? ss : gp;
  const name = SEG_SLOT_NAMES[seg];
  const protectedMode = (s.cr0 & C0.PE) !== 0 && (s.rflags & F.VM) === 0;
  if (protectedMode && (ar & ARB.UNUSABLE) !== 0) throw fault(`${name} holds a null selector`);
  const type = ar & ARB.TYPE;
  const isCode = (type & TY.CODE) !== 0;
  if (protectedMode && acc === ACC_WRITE && (isCode || (type & TY.WR) === 0)) throw fault(`write to a read-only ${name} segment`);
  if (protectedMode && acc === ACC_READ && isCode && (type & TY.WR) === 0) throw fault(`read from an execute-only ${name} segment`);
  const limit = s.segLimit[seg]!;
  const last = offset + size - 1;
  if (!isCode && (type & TY.EC) !== 0) {
    const upper = (ar & ARB.DB) !== 0 ? 0xffffffff : 0xffff;
    if (offset <= limit || last > upper) throw fault(`offset 0x${offset.toString(16)} outside the expand-down ${name} segment`);
  } else if (last > limit) {
    throw fault(`offset 0x${offset.toString(16)} beyond the ${name} limit 0x${limit.toString(16)}`);
  }
  return (s.segBase[seg]! + offset) % TWO32;
}

/** Linear address of seg:[reg] where the register is read at the address width `w` (string instructions). */
export function regLinear(cpu: Cpu, seg: number, reg: number, w: number, size: number, acc: AccessKind): number {
  const lo = readGpr(cpu, reg, w);
  return pairLinear(cpu, seg, lo, w === 8 ? cpu.hi : 0, size, acc);
}

// ---- operands -------------------------------------------------------------------------------

/** Reads an operand of `size` bytes (register, immediate or memory). Bits 63:32 in `cpu.hi`. */
export function readOp(cpu: Cpu, o: Opnd, size: number): number {
  switch (o.k) {
    case K_REG: return readReg(cpu, o.rk, o.ri);
    case K_IMM: cpu.hi = o.hi; return o.lo;
    case K_MEM: return cpu.readLin(memLinear(cpu, o, size, ACC_READ), size);
    default: throw new Error('readOp: operand is not readable');
  }
}

/**
 * Reads `size` bytes at `delta` bytes past a memory operand's effective address, the offset
 * wrapping at the address size (far pointers: the selector after the offset; BOUND's upper
 * bound). Bits 63:32 in `cpu.hi`.
 */
export function readMemAt(cpu: Cpu, o: Opnd, delta: number, size: number): number {
  const ea = effectiveAddress(cpu, o);
  let hi = cpu.hi;
  let lo = ea + delta;
  if (o.addrSize === 2) lo &= 0xffff;
  else if (o.addrSize === 4) lo %= TWO32;
  else if (lo >= TWO32) { lo -= TWO32; hi = (hi + 1) >>> 0; }
  return cpu.readLin(pairLinear(cpu, operandSegment(o), lo, hi, size, ACC_READ), size);
}

/** Writes an operand (register or memory). */
export function writeOp(cpu: Cpu, o: Opnd, size: number, lo: number, hi: number): void {
  if (o.k === K_REG) writeReg(cpu, o.rk, o.ri, lo, hi);
  else cpu.writeLin(memLinear(cpu, o, size, ACC_WRITE), size, lo, hi);
}

/**
 * First half of a read-modify-write: reads the destination, and for memory translates it
 * for writing (a read-only page faults with W/R = 1 before anything changes).
 */
export function rmwRead(cpu: Cpu, o: Opnd, size: number): number {
  if (o.k === K_REG) return readReg(cpu, o.rk, o.ri);
  cpu.resolve(memLinear(cpu, o, size, ACC_WRITE), size, ACC_WRITE);
  return cpu.readResolved(size);
}

/** Second half of a read-modify-write (no other memory access may come between). */
export function rmwWrite(cpu: Cpu, o: Opnd, size: number, lo: number, hi: number): void {
  if (o.k === K_REG) writeReg(cpu, o.rk, o.ri, lo, hi);
  else cpu.writeResolved(size, lo, hi);
}

