// The executor's own view of a decoded instruction: the decoder's `Operand`s (bigint
// immediates and displacements, `Reg` ids) turned once into plain numbers, so executing a
// cached instruction never touches BigInt or strings.

import type { DecodedInstruction } from './isa/decoded.ts';
import type { Operand } from './isa/operands.ts';
import { RegKind, regIndex, regKind } from './isa/registers.ts';

export const K_REG = 0;
export const K_IMM = 1;
export const K_MEM = 2;
export const K_REL = 3;

/** A prepared operand. Fields not used by its kind are zero / -1. */
export class Opnd {
  /** K_REG, K_IMM, K_MEM or K_REL. */
  k = 0;
  /** Operand size in bytes (register or memory access size, immediate size). */
  size = 0;
  /** Register kind (RegKind) and index. */
  rk = -1;
  ri = -1;
  /** Immediate value halves (already extended as the decoder says), or rel displacement in `lo`. */
  lo = 0;
  hi = 0;
  /** Memory: segment slot (SegIndex), or -1 for the default (DS, or SS with an RSP/RBP base). */
  seg = -1;
  /** Memory: base GPR index, 16 for RIP, -1 none. */
  base = -1;
  /** Memory: index GPR index, -1 none. */
  index = -1;
  scale = 1;
  /** Memory: displacement, bits 31:0 and 63:32 (sign-extended). */
  dispLo = 0;
  dispHi = 0;
  addrSize = 8;
  /** Memory: whether the base is 16-bit BP-based or 32/64-bit RSP/RBP-based (default segment SS). */
  stackDefault = false;
}

/** A decoded instruction ready to execute. */
export interface Prepared {
  readonly insn: DecodedInstruction;
  readonly ops: readonly Opnd[];
  readonly opSize: number;
  readonly length: number;
  /** Condition code for jcc/setcc/cmovcc, else -1. */
  readonly cond: number;
  /** Executes the instruction (dispatched once, at preparation). */
  readonly exec: Handler;
  /**
   * RIP the instruction was decoded at (its relative targets depend on it). The decode cache is
   * keyed by linear address, and outside 64-bit mode one linear address can be reached with
   * different CS bases, so a hit must also match RIP. NaN when not cached.
   */
  readonly at: number;
}

/** What an instruction handler looks like. `cpu` is the Cpu (typed loosely to avoid an import cycle). */
export type Handler = (cpu: import('./cpu.ts').Cpu, p: Prepared) => void;

/** Turns one decoded operand into an Opnd. */
export function prepareOperand(op: Operand): Opnd {
  const o = new Opnd();
  switch (op.kind) {
    case 'reg': {
      o.k = K_REG;
      o.rk = regKind(op.reg);
      o.ri = regIndex(op.reg);
      o.size = o.rk === RegKind.GPR64 ? 8 : o.rk === RegKind.GPR32 ? 4 : o.rk === RegKind.GPR16 || o.rk === RegKind.SEG ? 2 : o.rk === RegKind.GPR8 || o.rk === RegKind.GPR8H ? 1 : 8;
      break;
    }
    case 'imm': {
      o.k = K_IMM;
      o.size = op.size;
      const v = BigInt.asUintN(64, op.value);
      o.lo = Number(v & 0xffffffffn);
      o.hi = Number(v >> 32n);
      break;
    }
    case 'mem': {
      o.k = K_MEM;
      o.size = op.size;
      o.seg = op.seg === null ? -1 : regIndex(op.seg);
      if (op.base !== null) o.base = regKind(op.base) === RegKind.RIP ? 16 : regIndex(op.base);
      if (op.index !== null) o.index = regIndex(op.index);
      o.scale = op.scale;
      const d = BigInt.asUintN(64, op.disp);
      o.dispLo = Number(d & 0xffffffffn);
      o.dispHi = Number(d >> 32n);
      o.addrSize = op.addrSize;
      o.stackDefault = o.base === 4 || o.base === 5;
      break;
    }
    case 'rel': {
      // The executor decodes with the instruction's address, so `target` is absolute
      // (already truncated to the operand size); kept as a signed number.
      o.k = K_REL;
      o.size = op.size;
      o.lo = Number(BigInt.asIntN(64, op.target));
      break;
    }
  }
  return o;
}
