// Data directives as NASM emits them in a flat binary: db/dw/dd/dq values little-endian,
// truncated to the unit with NASM's "data exceeds bounds" warning for scalars (labels
// are truncated silently, as NASM's bin output does), strings padded with zeros to a
// whole number of units, and resb..resq as zeros (NASM zeroes reserved space in .text).

import type { Value } from './expr.ts';
import { absoluteValue } from './operands.ts';

const UNIT_NAMES: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword', 8: 'qword' };

/** Bytes of one string item: the string, zero-padded to a multiple of `unit`. */
export function stringItemBytes(bytes: Uint8Array, unit: number): Uint8Array {
  const len = Math.ceil(bytes.length / unit) * unit;
  const out = new Uint8Array(len);
  out.set(bytes);
  return out;
}

/** Size in bytes of one string item. */
export function stringItemSize(bytes: Uint8Array, unit: number): number {
  return Math.ceil(bytes.length / unit) * unit;
}

/**
 * Writes a value as `unit` little-endian bytes into `out` at `at`. Returns NASM's
 * overflow warning text when a scalar does not fit (as signed or unsigned), else null.
 * NASM (assemble.c, warn_overflow_const) checks -2^(n-1) <= v < 2^n.
 */
export function writeValue(out: Uint8Array, at: number, v: Value, unit: 1 | 2 | 4 | 8, origin: bigint): string | null {
  const n = absoluteValue(v, origin);
  let u = BigInt.asUintN(unit * 8, n);
  for (let i = 0; i < unit; i++) {
    out[at + i] = Number(u & 0xffn);
    u >>= 8n;
  }
  if (v.seg !== 0n || unit === 8) return null;
  const bits = BigInt(unit * 8);
  if (n < -(1n << (bits - 1n)) || n >= 1n << bits) return `${UNIT_NAMES[unit]} data exceeds bounds`;
  return null;
}

/** Little-endian bytes of a 64-bit value. */
export function le64(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  let u = BigInt.asUintN(64, v);
  for (let i = 0; i < 8; i++) { out[i] = Number(u & 0xffn); u >>= 8n; }
  return out;
}
