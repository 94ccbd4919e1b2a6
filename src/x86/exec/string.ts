// String instructions MOVS, CMPS, STOS, LODS, SCAS with REP/REPE/REPNE (SDM Vol. 2B "MOVS",
// "CMPS", "STOS", "LODS", "SCAS", "REP/REPE/REPZ/REPNE/REPNZ"). The pointer and count
// registers have the address size; DF picks the direction. A repeated instruction runs at
// most REP_BATCH iterations per step and then re-executes itself (RIP unchanged), as a
// processor may between iterations; registers are updated per iteration, so a fault part way
// leaves a restartable state.

import { F } from '../archbits.ts';
import { readGpr, regLinear, writeGpr } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import type { Handler, Prepared } from '../operand.ts';
import { ACC_READ, ACC_WRITE } from '../paging.ts';
import { SegIndex } from '../state.ts';
import { sub } from './arith.ts';

const RAX = 0;
const RCX = 1;
const RSI = 6;
const RDI = 7;
const REP_BATCH = 4096;
const TWO32 = 4294967296;

const MOVS = 0;
const CMPS = 1;
const STOS = 2;
const LODS = 3;
const SCAS = 4;

/** Advances a pointer register by `delta` at width `w` (also used by INS/OUTS, io.ts). */
export function advance(cpu: Cpu, reg: number, w: number, delta: number): void {
  const lo = readGpr(cpu, reg, w);
  if (w === 8) {
    const n = lo + delta;
    writeGpr(cpu, reg, 8, n >>> 0, (cpu.hi + Math.floor(n / TWO32)) >>> 0);
  } else {
    writeGpr(cpu, reg, w, w === 4 ? (lo + delta) >>> 0 : (lo + delta) & 0xffff, 0);
  }
}

function stringOp(kind: number, size: number): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const w = p.insn.addrSize;
    const rep = p.insn.prefixes.rep;
    const srcSeg = p.insn.prefixes.seg === null ? SegIndex.DS : p.insn.prefixes.seg & 31;
    const s = cpu.state;
    const delta = (s.rflags & F.DF) !== 0 ? -size : size;
    const repeated = rep !== null;
    for (let i = 0; ; i++) {
      if (repeated) {
        const c = readGpr(cpu, RCX, w);
        if (c === 0 && (w !== 8 || cpu.hi === 0)) return;
        if (i === REP_BATCH) {
          cpu.next = s.rip;
          return;
        }
      }
      let zfExit = false;
      switch (kind) {
        case MOVS: {
          const v = cpu.readLin(regLinear(cpu, srcSeg, RSI, w, size, ACC_READ), size);
          const vh = cpu.hi;
          cpu.writeLin(regLinear(cpu, SegIndex.ES, RDI, w, size, ACC_WRITE), size, v, vh);
          advance(cpu, RSI, w, delta);
          advance(cpu, RDI, w, delta);
          break;
        }
        case STOS: {
          const v = readGpr(cpu, RAX, size);
          const vh = cpu.hi;
          cpu.writeLin(regLinear(cpu, SegIndex.ES, RDI, w, size, ACC_WRITE), size, v, vh);
          advance(cpu, RDI, w, delta);
          break;
        }
        case LODS: {
          const v = cpu.readLin(regLinear(cpu, srcSeg, RSI, w, size, ACC_READ), size);
          writeGpr(cpu, RAX, size, v, cpu.hi);
          advance(cpu, RSI, w, delta);
          break;
        }
        case CMPS: {
          const a = cpu.readLin(regLinear(cpu, srcSeg, RSI, w, size, ACC_READ), size);
          const ah = cpu.hi;
          const b = cpu.readLin(regLinear(cpu, SegIndex.ES, RDI, w, size, ACC_READ), size);
          sub(cpu, size, a, ah, b, cpu.hi, 0);
          advance(cpu, RSI, w, delta);
          advance(cpu, RDI, w, delta);
          zfExit = true;
          break;
        }
        default: {
          const b = cpu.readLin(regLinear(cpu, SegIndex.ES, RDI, w, size, ACC_READ), size);
          const bh = cpu.hi;
          const a = readGpr(cpu, RAX, size);
          sub(cpu, size, a, cpu.hi, b, bh, 0);
          advance(cpu, RDI, w, delta);
          zfExit = true;
          break;
        }
      }
      if (!repeated) return;
      advance(cpu, RCX, w, -1);
      if (zfExit) {
        const zf = (s.rflags & F.ZF) !== 0;
        if ((rep === 'rep' && !zf) || (rep === 'repne' && zf)) return;
      }
    }
  };
}

const SIZES: readonly [string, number][] = [['b', 1], ['w', 2], ['d', 4], ['q', 8]];
const KINDS: readonly [string, number][] = [['movs', MOVS], ['cmps', CMPS], ['stos', STOS], ['lods', LODS], ['scas', SCAS]];

export const STRING_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>(
  KINDS.flatMap(([name, kind]) => SIZES.map(([suffix, size]): [string, Handler] => [name + suffix, stringOp(kind, size)])),
);
