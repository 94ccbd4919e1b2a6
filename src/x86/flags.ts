// Arithmetic flags (SDM Vol. 1 §3.4.3.1 "Status Flags", Appendix A "EFLAGS Cross-Reference")
// and condition codes (SDM Vol. 1 Appendix B "EFLAGS Condition Codes"). Flags are computed
// eagerly into RFLAGS from the operands and the result; every function here works on 32-bit
// halves so no BigInt enters the hot path.

import { F } from './archbits.ts';

/** PF for each byte value: set when the byte has an even number of 1 bits. */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i;
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  PARITY[i] = (b & 1) === 0 ? F.PF : 0;
}

/** Sign bit of an operand of `size` bytes, for sizes 1, 2 and 4 (for 8: the high half's bit 31). */
export function signBit(size: number): number {
  return size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x80000000;
}

/** Value mask for sizes 1, 2, 4 (bits 31:0 for 8). */
export function sizeMask(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
}

/**
 * ZF, SF and PF of a result (lo, hi) of `size` bytes; lo is already masked to the size
 * (for size 8, lo holds bits 31:0 and hi bits 63:32).
 */
export function szp(lo: number, hi: number, size: number): number {
  let f = PARITY[lo & 0xff];
  if (size === 8) {
    if ((lo | hi) === 0) f |= F.ZF;
    if (hi & 0x80000000) f |= F.SF;
  } else {
    if (lo === 0) f |= F.ZF;
    if (lo & signBit(size)) f |= F.SF;
  }
  return f;
}

/** Replaces the status flags of `rflags` with `status` (CF PF AF ZF SF OF). */
export function setStatus(rflags: number, status: number): number {
  return (rflags & ~F.STATUS) | status;
}

/**
 * Whether condition `cc` (0-15: O NO B AE E NE BE A S NS P NP L GE LE G) holds
 * (SDM Vol. 1 Appendix B "EFLAGS Condition Codes").
 */
export function testCondition(rflags: number, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = (rflags & F.OF) !== 0; break;
    case 1: r = (rflags & F.CF) !== 0; break;
    case 2: r = (rflags & F.ZF) !== 0; break;
    case 3: r = (rflags & (F.CF | F.ZF)) !== 0; break;
    case 4: r = (rflags & F.SF) !== 0; break;
    case 5: r = (rflags & F.PF) !== 0; break;
    case 6: r = ((rflags & F.SF) !== 0) !== ((rflags & F.OF) !== 0); break;
    default: r = (rflags & F.ZF) !== 0 || ((rflags & F.SF) !== 0) !== ((rflags & F.OF) !== 0); break;
  }
  return (cc & 1) === 0 ? r : !r;
}
