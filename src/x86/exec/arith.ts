// The arithmetic cores shared by ALU, string and compare instructions: add/sub with carry
// and logic, on (lo, hi) 32-bit halves, setting RFLAGS exactly as SDM Vol. 2 "ADD", "SUB",
// "ADC", "SBB", "AND", "OR", "XOR" define them. Results return bits 31:0; bits 63:32 go to
// `cpu.hi`.
//
// Undefined flags: AND, OR, XOR and TEST leave AF undefined; we clear it, as Intel and AMD
// processors do (the native differential test compares only defined flags).

import { F } from '../archbits.ts';
import type { Cpu } from '../cpu.ts';
import { PARITY, signBit, szp } from '../flags.ts';

const TWO32 = 4294967296;

/** a + b + cin at `size` bytes; sets CF OF SF ZF AF PF unless `keepCf` (INC keeps CF). */
export function add(cpu: Cpu, size: number, a: number, ah: number, b: number, bh: number, cin: number, keepCf = false): number {
  let r: number;
  let rh = 0;
  let cf: boolean;
  let of: boolean;
  if (size === 8) {
    const lo = a + b + cin;
    r = lo >>> 0;
    const hs = ah + bh + (lo >= TWO32 ? 1 : 0);
    rh = hs >>> 0;
    cf = hs >= TWO32;
    of = ((ah ^ rh) & (bh ^ rh) & 0x80000000) !== 0;
  } else {
    const sum = a + b + cin;
    const mask = size === 4 ? TWO32 - 1 : size === 2 ? 0xffff : 0xff;
    cf = sum > mask;
    r = size === 4 ? sum >>> 0 : sum & mask;
    of = ((a ^ r) & (b ^ r) & signBit(size)) !== 0;
  }
  setArith(cpu, r, rh, size, cf, of, (a ^ b ^ r) & F.AF, keepCf);
  cpu.hi = rh;
  return r;
}

/** a - b - bin at `size` bytes; sets CF (borrow) OF SF ZF AF PF unless `keepCf` (DEC keeps CF). */
export function sub(cpu: Cpu, size: number, a: number, ah: number, b: number, bh: number, bin: number, keepCf = false): number {
  let r: number;
  let rh = 0;
  let cf: boolean;
  let of: boolean;
  if (size === 8) {
    const lo = a - b - bin;
    r = lo >>> 0;
    const hd = ah - bh - (lo < 0 ? 1 : 0);
    rh = hd >>> 0;
    cf = hd < 0;
    of = ((ah ^ bh) & (ah ^ rh) & 0x80000000) !== 0;
  } else {
    const d = a - b - bin;
    cf = d < 0;
    r = size === 4 ? d >>> 0 : d & (size === 2 ? 0xffff : 0xff);
    of = ((a ^ b) & (a ^ r) & signBit(size)) !== 0;
  }
  setArith(cpu, r, rh, size, cf, of, (a ^ b ^ r) & F.AF, keepCf);
  cpu.hi = rh;
  return r;
}

function setArith(cpu: Cpu, r: number, rh: number, size: number, cf: boolean, of: boolean, af: number, keepCf: boolean): void {
  const s = cpu.state;
  let f = szp(r, rh, size) | af;
  if (of) f |= F.OF;
  if (keepCf) f |= s.rflags & F.CF;
  else if (cf) f |= F.CF;
  s.rflags = (s.rflags & ~F.STATUS) | f;
}

/** Flags of a logic result: CF = OF = 0, AF cleared (undefined), SF ZF PF from the result. */
export function logicFlags(cpu: Cpu, r: number, rh: number, size: number): void {
  const s = cpu.state;
  s.rflags = (s.rflags & ~F.STATUS) | szp(r, rh, size);
}

/** Parity of the low byte, as a flag bit. */
export function parity(b: number): number {
  return PARITY[b & 0xff]!;
}
