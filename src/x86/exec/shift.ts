// Shifts and rotates: SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR (SDM Vol. 2B "SAL/SAR/SHL/SHR",
// Vol. 2B "RCL/RCR/ROL/ROR"). The count is masked to 5 bits (6 with a 64-bit operand); a
// masked count of 0 changes no flag.
//
// Undefined flags (the native differential test compares only defined flags; these choices
// match this project's reference host, an AMD EPYC probed with a small C harness): a shift by
// a non-zero count sets AF; OF for counts > 1 is MSB(result) XOR CF for SHL, the top two bits
// of the result XORed for SHR, 0 for SAR; CF of SHL/SHR with a count larger than the operand
// is the last bit shifted out of the zero-extended value (0 beyond it).

import { F } from '../archbits.ts';
import { readOp, rmwRead, rmwWrite } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { szp } from '../flags.ts';
import type { Handler, Prepared } from '../operand.ts';

const SHL = 0;
const SHR = 1;
const SAR = 2;
const ROL = 3;
const ROR = 4;
const RCL = 5;
const RCR = 6;

function bitOf(lo: number, hi: number, n: number): number {
  return n >= 32 ? (hi >>> (n - 32)) & 1 : (lo >>> n) & 1;
}

function shiftOp(op: number): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const d = p.ops[0]!;
    const size = d.size;
    const width = size * 8;
    const cnt = readOp(cpu, p.ops[1]!, 1) & (size === 8 ? 63 : 31);
    const a = rmwRead(cpu, d, size);
    const ah = size === 8 ? cpu.hi : 0;
    if (cnt === 0) {
      // Still a write for memory operands' fault semantics (done by rmwRead); value unchanged.
      rmwWrite(cpu, d, size, a, ah);
      return;
    }
    const s = cpu.state;
    let r = 0;
    let rh = 0;
    let cf = 0;
    let of = false;
    const msbOf = (lo: number, hi: number): number => (size === 8 ? hi >>> 31 : (lo >>> (width - 1)) & 1);
    switch (op) {
      case SHL: {
        if (size === 8) {
          if (cnt < 32) { rh = ((ah << cnt) | (a >>> (32 - cnt))) >>> 0; r = (a << cnt) >>> 0; }
          else { rh = (a << (cnt - 32)) >>> 0; r = 0; }
          cf = bitOf(a, ah, 64 - cnt);
        } else {
          r = size === 4 ? (a << cnt) >>> 0 : (a << cnt) & (size === 2 ? 0xffff : 0xff);
          cf = cnt <= width ? (a >>> (width - cnt)) & 1 : 0;
        }
        of = (msbOf(r, rh) ^ cf) !== 0;
        break;
      }
      case SHR: {
        if (size === 8) {
          if (cnt < 32) { r = ((a >>> cnt) | (ah << (32 - cnt))) >>> 0; rh = ah >>> cnt; }
          else { r = ah >>> (cnt - 32); rh = 0; }
          cf = bitOf(a, ah, cnt - 1);
        } else {
          r = a >>> cnt;
          cf = cnt - 1 < width ? (a >>> (cnt - 1)) & 1 : 0;
        }
        // Count 1: OF = MSB(original), which is bit (width-2) of the result; in general r[w-1] ^ r[w-2].
        of = (msbOf(r, rh) ^ (size === 8 ? (rh >>> 30) & 1 : (r >>> (width - 2)) & 1)) !== 0;
        break;
      }
      case SAR: {
        if (size === 8) {
          if (cnt < 32) { r = ((a >>> cnt) | (ah << (32 - cnt))) >>> 0; rh = (ah >> cnt) >>> 0; }
          else { r = (ah >> (cnt - 32)) >>> 0; rh = (ah >> 31) >>> 0; }
          cf = cnt - 1 >= 32 ? ((ah >> (cnt - 1 - 32)) & 1) : (a >>> (cnt - 1)) & 1;
        } else {
          const sa = size === 1 ? (a << 24) >> 24 : size === 2 ? (a << 16) >> 16 : a | 0;
          r = size === 4 ? (sa >> cnt) >>> 0 : (sa >> cnt) & (size === 2 ? 0xffff : 0xff);
          cf = (sa >> (cnt - 1)) & 1;
        }
        of = false;
        break;
      }
      default:
        return rotate(cpu, p, op, size, cnt, a, ah);
    }
    let f = szp(r, rh, size) | F.AF;
    if (cf) f |= F.CF;
    if (of) f |= F.OF;
    s.rflags = (s.rflags & ~F.STATUS) | f;
    rmwWrite(cpu, d, size, r, rh);
  };
}

/** ROL/ROR/RCL/RCR: only CF and OF change (SDM Vol. 2B "RCL/RCR/ROL/ROR", Operation). */
function rotate(cpu: Cpu, p: Prepared, op: number, size: number, cnt: number, a: number, ah: number): void {
  const s = cpu.state;
  const width = BigInt(size * 8);
  const mask = (1n << width) - 1n;
  const v = (BigInt(ah) << 32n) | BigInt(a);
  let cfIn = BigInt(s.rflags & F.CF);
  let r: bigint;
  let cf: bigint;
  if (op === ROL || op === ROR) {
    const c = BigInt(cnt) % width;
    r = op === ROL ? ((v << c) | (v >> ((width - c) % width))) & mask : ((v >> c) | (v << ((width - c) % width))) & mask;
    if (c === 0n) r = v;
    cf = op === ROL ? r & 1n : r >> (width - 1n);
  } else {
    // Rotate through CF: a (width+1)-bit rotation of CF:value.
    const c = size === 1 ? cnt % 9 : size === 2 ? cnt % 17 : cnt;
    let x = v;
    for (let i = 0; i < c; i++) {
      if (op === RCL) {
        const out = (x >> (width - 1n)) & 1n;
        x = ((x << 1n) | cfIn) & mask;
        cfIn = out;
      } else {
        const out = x & 1n;
        x = (x >> 1n) | (cfIn << (width - 1n));
        cfIn = out;
      }
    }
    r = x;
    cf = cfIn;
  }
  const msb = (r >> (width - 1n)) & 1n;
  const of = op === ROL || op === RCL ? (msb ^ cf) !== 0n : (msb ^ ((r >> (width - 2n)) & 1n)) !== 0n;
  let f = s.rflags & ~(F.CF | F.OF);
  if (cf !== 0n) f |= F.CF;
  if (of) f |= F.OF;
  s.rflags = f;
  rmwWrite(cpu, p.ops[0]!, size, Number(r & 0xffffffffn), Number(r >> 32n));
}

export const SHIFT_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['shl', shiftOp(SHL)], ['sal', shiftOp(SHL)], ['shr', shiftOp(SHR)], ['sar', shiftOp(SAR)],
  ['rol', shiftOp(ROL)], ['ror', shiftOp(ROR)], ['rcl', shiftOp(RCL)], ['rcr', shiftOp(RCR)],
]);
