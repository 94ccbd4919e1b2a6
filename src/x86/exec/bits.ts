// Bit tests and scans: BT, BTS, BTR, BTC, BSF, BSR (SDM Vol. 2A "BT", "BTS", "BTR", "BTC",
// "BSF", "BSR"). With a memory operand and a register bit offset, the offset is signed and
// may select a bit far outside the addressed operand (Vol. 2A §3.1.1.9 "Operand Addressing":
// bit base and bit offset).
//
// Undefined flags, chosen to match this project's reference host (an AMD EPYC, probed with a
// small C harness): BT* leave OF SF AF PF unchanged; BSF/BSR clear CF OF SF AF and set PF from
// the bit index found (from 0 for a zero source). A zero source leaves the destination
// unchanged, as Intel and AMD processors do.

import { F } from '../archbits.ts';
import { effectiveAddress, operandSegment, pairLinear, readOp, rmwRead, rmwWrite, writeReg } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { parity } from './arith.ts';
import { K_IMM, K_MEM, type Handler, type Prepared } from '../operand.ts';
import { ACC_READ, ACC_WRITE } from '../paging.ts';

const BT = 0;
const BTS = 1;
const BTR = 2;
const BTC = 3;

function bitTest(op: number): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const d = p.ops[0]!;
    const src = p.ops[1]!;
    const size = d.size;
    const width = size * 8;
    let bit: number;
    let lo: number;
    let hi: number;
    if (d.k === K_MEM && src.k !== K_IMM) {
      // Register offset into memory: address += floor(offset / width) * size.
      const offLo = readOp(cpu, src, size);
      const offHi = cpu.hi;
      const off = size === 8 ? BigInt.asIntN(64, (BigInt(offHi) << 32n) | BigInt(offLo)) : BigInt.asIntN(size * 8, BigInt(offLo));
      const w = BigInt(width);
      const q = off >= 0n ? off / w : -((-off + w - 1n) / w);
      bit = Number(off - q * w);
      const eaLo = effectiveAddress(cpu, d);
      let ea = (BigInt(cpu.hi) << 32n) | BigInt(eaLo);
      ea = BigInt.asUintN(d.addrSize * 8, ea + q * BigInt(size));
      const lin = pairLinear(cpu, operandSegment(d), Number(ea & 0xffffffffn), Number(ea >> 32n), size, op === BT ? ACC_READ : ACC_WRITE);
      cpu.resolve(lin, size, op === BT ? ACC_READ : ACC_WRITE);
      lo = cpu.readResolved(size);
      hi = size === 8 ? cpu.hi : 0;
    } else {
      bit = (src.k === K_IMM ? src.lo : readOp(cpu, src, size)) % width;
      lo = op === BT ? readOp(cpu, d, size) : rmwRead(cpu, d, size);
      hi = size === 8 ? cpu.hi : 0;
    }
    const set = bit >= 32 ? (hi >>> (bit - 32)) & 1 : (lo >>> bit) & 1;
    const s = cpu.state;
    s.rflags = set ? s.rflags | F.CF : s.rflags & ~F.CF;
    if (op === BT) return;
    const m = bit >= 32 ? 0 : (1 << bit) >>> 0;
    const mh = bit >= 32 ? (1 << (bit - 32)) >>> 0 : 0;
    if (op === BTS) { lo = (lo | m) >>> 0; hi = (hi | mh) >>> 0; }
    else if (op === BTR) { lo = (lo & ~m) >>> 0; hi = (hi & ~mh) >>> 0; }
    else { lo = (lo ^ m) >>> 0; hi = (hi ^ mh) >>> 0; }
    if (d.k === K_MEM) cpu.writeResolved(size, lo, hi);
    else rmwWrite(cpu, d, size, lo, hi);
  };
}

function bitScan(reverse: boolean): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const d = p.ops[0]!;
    const size = d.size;
    const lo = readOp(cpu, p.ops[1]!, size);
    const hi = size === 8 ? cpu.hi : 0;
    const s = cpu.state;
    if (lo === 0 && hi === 0) {
      s.rflags = (s.rflags & ~F.STATUS) | F.ZF | parity(0);
      return;
    }
    let idx: number;
    if (reverse) idx = hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
    else idx = lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32(hi & -hi);
    s.rflags = (s.rflags & ~F.STATUS) | parity(idx);
    writeReg(cpu, d.rk, d.ri, idx, 0);
  };
}

export const BITS_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['bt', bitTest(BT)], ['bts', bitTest(BTS)], ['btr', bitTest(BTR)], ['btc', bitTest(BTC)],
  ['bsf', bitScan(false)], ['bsr', bitScan(true)],
]);
