// MUL, IMUL (one, two and three operands), DIV, IDIV (SDM Vol. 2A "MUL", "IMUL", "DIV",
// "IDIV"). 8-, 16- and 32-bit products are computed exactly with numbers; 64-bit products
// and 64/128-bit dividends use BigInt (these instructions are rare in the lab's loops).
//
// Undefined flags: MUL/IMUL leave SF ZF AF PF unchanged, as this project's reference host
// (an AMD EPYC, probed with a small C harness) does; DIV/IDIV leave every flag unchanged (the
// host computes them from internal state no simple rule reproduces).

import { F } from '../archbits.ts';
import { readGpr, readOp, writeGpr, writeReg } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { de } from '../fault.ts';
import type { Handler, Prepared } from '../operand.ts';

const RAX = 0;
const RDX = 2;
const TWO32 = 4294967296;

/** Unsigned 32 x 32 -> 64 product: returns bits 31:0, bits 63:32 in `cpu.hi`. */
function mulU32(cpu: Cpu, a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const mid = al * bh + ah * bl;
  const lo = al * bl + (mid % 65536) * 65536;
  cpu.hi = (ah * bh + Math.floor(mid / 65536) + Math.floor(lo / TWO32)) >>> 0;
  return lo >>> 0;
}

const toBig = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);

function setMulFlags(cpu: Cpu, overflow: boolean): void {
  const s = cpu.state;
  s.rflags = overflow ? s.rflags | F.CF | F.OF : s.rflags & ~(F.CF | F.OF);
}

/** Sign-extends a `size`-byte value held in a number to a signed number (sizes 1, 2, 4). */
function signed(v: number, size: number): number {
  return size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v | 0;
}

/**
 * Full product of a and b at `size` bytes (signed or not): returns [lo-half bits 31:0,
 * lo-half bits 63:32, hi-half bits 31:0, hi-half bits 63:32] of the double-width result.
 */
function product(cpu: Cpu, size: number, a: number, ah: number, b: number, bh: number, isSigned: boolean): [number, number, number, number] {
  if (size === 8) {
    const x = isSigned ? BigInt.asIntN(64, toBig(a, ah)) : toBig(a, ah);
    const y = isSigned ? BigInt.asIntN(64, toBig(b, bh)) : toBig(b, bh);
    const p = BigInt.asUintN(128, x * y);
    return [Number(p & 0xffffffffn), Number((p >> 32n) & 0xffffffffn), Number((p >> 64n) & 0xffffffffn), Number(p >> 96n)];
  }
  if (size === 4) {
    const lo = mulU32(cpu, a, b);
    let hi = cpu.hi;
    if (isSigned) {
      // Signed product = unsigned product - 2^32 * (a<0 ? b : 0) - 2^32 * (b<0 ? a : 0), mod 2^64.
      if (a & 0x80000000) hi = (hi - b) >>> 0;
      if (b & 0x80000000) hi = (hi - a) >>> 0;
    }
    return [lo, 0, hi, 0];
  }
  const x = isSigned ? signed(a, size) : a;
  const y = isSigned ? signed(b, size) : b;
  const p = x * y;
  const bits = size * 8;
  const m = size === 1 ? 0xff : 0xffff;
  const pu = p < 0 ? p + 2 ** (2 * bits) : p;
  return [pu & m, 0, Math.floor(pu / 2 ** bits) & m, 0];
}

/** One-operand MUL/IMUL: AX := AL*src, DX:AX, EDX:EAX or RDX:RAX. */
function mulOne(isSigned: boolean): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const size = p.ops[0]!.size;
    const b = readOp(cpu, p.ops[0]!, size);
    const bh = cpu.hi;
    const a = readGpr(cpu, RAX, size);
    const ah = cpu.hi;
    const [l0, l1, h0, h1] = product(cpu, size, a, ah, b, bh, isSigned);
    let overflow: boolean;
    if (isSigned) {
      const neg = size === 8 ? (l1 & 0x80000000) !== 0 : (l0 & (size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x80000000)) !== 0;
      const ext = neg ? (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff) : 0;
      overflow = h0 !== ext || (size === 8 && h1 !== ext);
    } else {
      overflow = h0 !== 0 || h1 !== 0;
    }
    if (size === 1) writeGpr(cpu, RAX, 2, (h0 << 8) | l0, 0);
    else {
      writeGpr(cpu, RAX, size, l0, l1);
      writeGpr(cpu, RDX, size, h0, h1);
    }
    setMulFlags(cpu, overflow);
  };
}

/** IMUL r, r/m and IMUL r, r/m, imm: truncated product, CF = OF = the product did not fit. */
const imulOne = mulOne(true);

function execImul(cpu: Cpu, p: Prepared): void {
  if (p.ops.length === 1) return imulOne(cpu, p);
  const d = p.ops[0]!;
  const size = d.size;
  const three = p.ops.length === 3;
  const b = readOp(cpu, p.ops[three ? 2 : 1]!, size);
  const bh = cpu.hi;
  const a = readOp(cpu, three ? p.ops[1]! : d, size);
  const ah = cpu.hi;
  const [l0, l1, h0, h1] = product(cpu, size, a, ah, b, bh, true);
  const neg = size === 8 ? (l1 & 0x80000000) !== 0 : (l0 & (size === 2 ? 0x8000 : 0x80000000)) !== 0;
  const ext = neg ? (size === 2 ? 0xffff : 0xffffffff) : 0;
  const overflow = h0 !== ext || (size === 8 && h1 !== ext);
  writeReg(cpu, d.rk, d.ri, l0, size === 8 ? l1 : 0);
  setMulFlags(cpu, overflow);
}

/** DIV/IDIV: #DE on a zero divisor or a quotient that does not fit (SDM Vol. 2A "DIV", "IDIV"). */
function divide(isSigned: boolean): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const size = p.ops[0]!.size;
    const d0 = readOp(cpu, p.ops[0]!, size);
    const d1 = cpu.hi;
    const bits = BigInt(size * 8);
    let divisor = size === 8 ? toBig(d0, d1) : BigInt(d0);
    if (divisor === 0n) throw de(`${isSigned ? 'IDIV' : 'DIV'} by zero`);
    let dividend: bigint;
    if (size === 1) dividend = BigInt(readGpr(cpu, RAX, 2));
    else {
      const lo = readGpr(cpu, RAX, size);
      const loH = cpu.hi;
      const hi = readGpr(cpu, RDX, size);
      const hiH = cpu.hi;
      const lowPart = size === 8 ? toBig(lo, loH) : BigInt(lo);
      const highPart = size === 8 ? toBig(hi, hiH) : BigInt(hi);
      dividend = (highPart << bits) | lowPart;
    }
    if (isSigned) {
      dividend = BigInt.asIntN(Number(bits) * 2, dividend);
      divisor = BigInt.asIntN(Number(bits), divisor);
    }
    const q = dividend / divisor;
    const r = dividend % divisor;
    const fits = isSigned ? q >= -(1n << (bits - 1n)) && q < 1n << (bits - 1n) : q < 1n << bits;
    if (!fits) throw de(`${isSigned ? 'IDIV' : 'DIV'} quotient ${q} does not fit in ${size * 8} bits`);
    const qu = BigInt.asUintN(Number(bits), q);
    const ru = BigInt.asUintN(Number(bits), r);
    if (size === 1) {
      writeGpr(cpu, RAX, 2, (Number(ru) << 8) | Number(qu), 0);
      return;
    }
    writeGpr(cpu, RAX, size, Number(qu & 0xffffffffn), Number(qu >> 32n));
    writeGpr(cpu, RDX, size, Number(ru & 0xffffffffn), Number(ru >> 32n));
  };
}

export const MULDIV_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['mul', mulOne(false)], ['imul', execImul], ['div', divide(false)], ['idiv', divide(true)],
]);
