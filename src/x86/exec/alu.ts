// Integer ALU instructions: ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC NEG NOT
// (SDM Vol. 2A/2B, each instruction's "Operation" and "Flags Affected").

import { F } from '../archbits.ts';
import { readOp, rmwRead, rmwWrite } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { RegKind } from '../isa/registers.ts';
import { K_IMM, K_REG, type Handler, type Prepared } from '../operand.ts';
import { add, logicFlags, sub } from './arith.ts';

const ADD = 0;
const OR = 1;
const ADC = 2;
const SBB = 3;
const AND = 4;
const SUB = 5;
const XOR = 6;
const CMP = 7;

function binary(op: number): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const d = p.ops[0]!;
    const size = d.size;
    const b = readOp(cpu, p.ops[1]!, size);
    const bh = cpu.hi;
    const a = op === CMP ? readOp(cpu, d, size) : rmwRead(cpu, d, size);
    const ah = cpu.hi;
    const cf = cpu.state.rflags & F.CF;
    let r: number;
    let rh = 0;
    switch (op) {
      case ADD: r = add(cpu, size, a, ah, b, bh, 0); rh = cpu.hi; break;
      case ADC: r = add(cpu, size, a, ah, b, bh, cf); rh = cpu.hi; break;
      case SUB: case CMP: r = sub(cpu, size, a, ah, b, bh, 0); rh = cpu.hi; break;
      case SBB: r = sub(cpu, size, a, ah, b, bh, cf); rh = cpu.hi; break;
      case AND: r = (a & b) >>> 0; rh = (ah & bh) >>> 0; logicFlags(cpu, r, rh, size); break;
      case OR: r = (a | b) >>> 0; rh = (ah | bh) >>> 0; logicFlags(cpu, r, rh, size); break;
      default: r = (a ^ b) >>> 0; rh = (ah ^ bh) >>> 0; logicFlags(cpu, r, rh, size); break;
    }
    if (op !== CMP) rmwWrite(cpu, d, size, r, size === 8 ? rh : 0);
  };
}

/** TEST: AND without storing the result (SDM Vol. 2B "TEST"). */
function execTest(cpu: Cpu, p: Prepared): void {
  const size = p.ops[0]!.size;
  const b = readOp(cpu, p.ops[1]!, size);
  const bh = cpu.hi;
  const a = readOp(cpu, p.ops[0]!, size);
  const ah = cpu.hi;
  logicFlags(cpu, (a & b) >>> 0, size === 8 ? (ah & bh) >>> 0 : 0, size);
}

/** INC/DEC: CF unchanged (SDM Vol. 2A "INC", "DEC"). */
function incDec(isDec: boolean): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const d = p.ops[0]!;
    const size = d.size;
    const a = rmwRead(cpu, d, size);
    const ah = cpu.hi;
    const r = isDec ? sub(cpu, size, a, ah, 1, 0, 0, true) : add(cpu, size, a, ah, 1, 0, 0, true);
    rmwWrite(cpu, d, size, r, cpu.hi);
  };
}

/** NEG: 0 - dest; CF = (dest != 0) (SDM Vol. 2B "NEG"). */
function execNeg(cpu: Cpu, p: Prepared): void {
  const d = p.ops[0]!;
  const size = d.size;
  const a = rmwRead(cpu, d, size);
  const ah = cpu.hi;
  const r = sub(cpu, size, 0, 0, a, size === 8 ? ah : 0, 0);
  rmwWrite(cpu, d, size, r, cpu.hi);
}

/** NOT: no flags (SDM Vol. 2B "NOT"). */
function execNot(cpu: Cpu, p: Prepared): void {
  const d = p.ops[0]!;
  const size = d.size;
  const a = rmwRead(cpu, d, size);
  const ah = cpu.hi;
  const mask = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  rmwWrite(cpu, d, size, (~a & mask) >>> 0, size === 8 ? ~ah >>> 0 : 0);
}

// ---- fast paths ------------------------------------------------------------------------------
// The same semantics as the generic handlers above, specialised at preparation time for the
// forms tight loops use: a 32- or 64-bit register destination with a register or immediate
// source. They read and write the GPR array directly.

/** A specialised handler for `p`, or undefined when the generic one must be used. */
export function specializeAlu(p: Prepared): Handler | undefined {
  const m = p.insn.mnemonic;
  const d = p.ops[0];
  if (d === undefined || d.k !== K_REG || (d.rk !== RegKind.GPR64 && d.rk !== RegKind.GPR32)) return undefined;
  const size = d.size;
  const di = 2 * d.ri;
  if (m === 'inc' || m === 'dec') {
    const isDec = m === 'dec';
    return (cpu: Cpu) => {
      const g = cpu.state.gpr;
      const r = isDec ? sub(cpu, size, g[di]!, g[di + 1]!, 1, 0, 0, true) : add(cpu, size, g[di]!, g[di + 1]!, 1, 0, 0, true);
      g[di] = r;
      g[di + 1] = size === 8 ? cpu.hi : 0;
    };
  }
  const op = BINARY_OPS.indexOf(m);
  const src = p.ops[1];
  if (op < 0 || src === undefined) return undefined;
  let si = -1;
  let imm = 0;
  let immH = 0;
  if (src.k === K_REG && src.rk === d.rk) si = 2 * src.ri;
  else if (src.k === K_IMM) { imm = src.lo; immH = size === 8 ? src.hi : 0; }
  else return undefined;
  return (cpu: Cpu) => {
    const g = cpu.state.gpr;
    const a = g[di]!;
    const ah = size === 8 ? g[di + 1]! : 0;
    const b = si >= 0 ? g[si]! : imm;
    const bh = size === 8 ? (si >= 0 ? g[si + 1]! : immH) : 0;
    let r: number;
    let rh = 0;
    switch (op) {
      case ADD: r = add(cpu, size, a, ah, b, bh, 0); rh = cpu.hi; break;
      case ADC: r = add(cpu, size, a, ah, b, bh, cpu.state.rflags & F.CF); rh = cpu.hi; break;
      case SUB: case CMP: r = sub(cpu, size, a, ah, b, bh, 0); rh = cpu.hi; break;
      case SBB: r = sub(cpu, size, a, ah, b, bh, cpu.state.rflags & F.CF); rh = cpu.hi; break;
      case AND: r = (a & b) >>> 0; rh = (ah & bh) >>> 0; logicFlags(cpu, r, rh, size); break;
      case OR: r = (a | b) >>> 0; rh = (ah | bh) >>> 0; logicFlags(cpu, r, rh, size); break;
      default: r = (a ^ b) >>> 0; rh = (ah ^ bh) >>> 0; logicFlags(cpu, r, rh, size); break;
    }
    if (op !== CMP) {
      g[di] = r;
      g[di + 1] = size === 8 ? rh : 0;
    }
  };
}

const BINARY_OPS = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

export const ALU_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['add', binary(ADD)], ['or', binary(OR)], ['adc', binary(ADC)], ['sbb', binary(SBB)],
  ['and', binary(AND)], ['sub', binary(SUB)], ['xor', binary(XOR)], ['cmp', binary(CMP)],
  ['test', execTest], ['inc', incDec(false)], ['dec', incDec(true)], ['neg', execNeg], ['not', execNot],
]);
