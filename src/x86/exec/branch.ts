// Near branches: JMP, CALL, RET, Jcc, JCXZ/JECXZ/JRCXZ, LOOP/LOOPE/LOOPNE (SDM Vol. 2A "JMP", "CALL",
// "Jcc", "LOOP/LOOPcc", Vol. 2B "RET"). In 64-bit mode a non-canonical target raises #GP(0)
// at the branch itself (Vol. 1 §3.3.7.1 "Canonical Addressing").

import { F } from '../archbits.ts';
import { readGpr, readOp, writeGpr } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { gp } from '../fault.ts';
import { testCondition } from '../flags.ts';
import { K_REL, type Handler, type Opnd, type Prepared } from '../operand.ts';
import { SegIndex } from '../state.ts';
import { peek, push, rspPlus, setRsp } from './stack.ts';

const RCX = 1;
const TWO32 = 4294967296;

/** Target of a branch operand as a signed number, truncated to the operand size. */
function branchTarget(cpu: Cpu, o: Opnd, size: number): number {
  if (o.k === K_REL) return o.lo;
  const lo = readOp(cpu, o, size);
  if (size === 8) return (cpu.hi | 0) * TWO32 + lo;
  return size === 2 ? lo & 0xffff : lo;
}

/** #GP(0) for a branch target that is non-canonical in 64-bit mode or beyond the CS limit otherwise (SDM Vol. 2A "JMP", "CALL"). */
function checkTarget(cpu: Cpu, target: number): void {
  if (cpu.mode === 64) {
    if (!cpu.isCanonical(target)) throw gp(`branch target 0x${BigInt.asUintN(64, BigInt(target)).toString(16)} is not canonical`);
  } else if (target > cpu.state.segLimit[SegIndex.CS]!) {
    throw gp(`branch target 0x${target.toString(16)} beyond the CS limit`);
  }
}

/** Sets the next RIP after checking it. */
export function jumpTo(cpu: Cpu, target: number): void {
  checkTarget(cpu, target);
  cpu.next = target;
}

function execJmp(cpu: Cpu, p: Prepared): void {
  jumpTo(cpu, branchTarget(cpu, p.ops[0]!, p.opSize));
}

function execJcc(cpu: Cpu, p: Prepared): void {
  if (testCondition(cpu.state.rflags, p.cond)) jumpTo(cpu, p.ops[0]!.lo);
}

function execCall(cpu: Cpu, p: Prepared): void {
  const size = p.opSize;
  const target = branchTarget(cpu, p.ops[0]!, size);
  checkTarget(cpu, target);
  const ret = cpu.next;
  push(cpu, size, ret >>> 0, size === 8 ? Math.floor(ret / TWO32) >>> 0 : 0);
  cpu.next = target;
}

function execRet(cpu: Cpu, p: Prepared): void {
  // Near RET: 64-bit operands in 64-bit mode unless 66 makes them 16-bit (SDM Vol. 2B "RET").
  const size = p.opSize;
  const lo = peek(cpu, size);
  const target = size === 8 ? (cpu.hi | 0) * TWO32 + lo : lo;
  jumpTo(cpu, target);
  const extra = p.ops.length > 0 ? p.ops[0]!.lo & 0xffff : 0;
  setRsp(cpu, rspPlus(cpu, size + extra), cpu.hi);
}

/** The count register at the address size (RCX, ECX or CX). */
function countReg(p: Prepared): number {
  return p.insn.addrSize;
}

function execJrcxz(cpu: Cpu, p: Prepared): void {
  const w = countReg(p);
  const v = readGpr(cpu, RCX, w);
  if (v === 0 && (w !== 8 || cpu.hi === 0)) jumpTo(cpu, p.ops[0]!.lo);
}

function loop(kind: 0 | 1 | 2): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const w = countReg(p);
    let lo = readGpr(cpu, RCX, w);
    let hi = w === 8 ? cpu.hi : 0;
    if (lo === 0) {
      lo = w === 2 ? 0xffff : 0xffffffff;
      if (w === 8) hi = (hi - 1) >>> 0;
    } else {
      lo -= 1;
    }
    writeGpr(cpu, RCX, w, lo, hi);
    const zf = (cpu.state.rflags & F.ZF) !== 0;
    const nonzero = lo !== 0 || hi !== 0;
    const take = kind === 0 ? nonzero : kind === 1 ? nonzero && zf : nonzero && !zf;
    if (take) jumpTo(cpu, p.ops[0]!.lo);
  };
}

export const BRANCH_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['jmp', execJmp], ['jcc', execJcc], ['call', execCall], ['ret', execRet], ['jrcxz', execJrcxz], ['jecxz', execJrcxz], ['jcxz', execJrcxz],
  ['loop', loop(0)], ['loope', loop(1)], ['loopne', loop(2)],
]);
