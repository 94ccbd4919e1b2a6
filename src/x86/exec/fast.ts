// Specialised handlers chosen when an instruction is prepared, for the forms tight loops use
// (Jcc, MOV between 32/64-bit registers or from an immediate, ALU register forms). Each has
// exactly the semantics of the generic handler it replaces; the generic handlers stay the
// reference and the property and native tests exercise both.

import { F } from '../archbits.ts';
import type { Cpu } from '../cpu.ts';
import { RegKind } from '../isa/registers.ts';
import { K_IMM, K_REG, K_REL, type Handler, type Prepared } from '../operand.ts';
import { specializeAlu } from './alu.ts';
import { jumpTo } from './branch.ts';

/** Condition tests on RFLAGS, one closure per condition code (SDM Vol. 1 Appendix B). */
const CONDITIONS: readonly ((f: number) => boolean)[] = [
  (f) => (f & F.OF) !== 0, (f) => (f & F.OF) === 0,
  (f) => (f & F.CF) !== 0, (f) => (f & F.CF) === 0,
  (f) => (f & F.ZF) !== 0, (f) => (f & F.ZF) === 0,
  (f) => (f & (F.CF | F.ZF)) !== 0, (f) => (f & (F.CF | F.ZF)) === 0,
  (f) => (f & F.SF) !== 0, (f) => (f & F.SF) === 0,
  (f) => (f & F.PF) !== 0, (f) => (f & F.PF) === 0,
  (f) => ((f & F.SF) !== 0) !== ((f & F.OF) !== 0), (f) => ((f & F.SF) !== 0) === ((f & F.OF) !== 0),
  (f) => (f & F.ZF) !== 0 || ((f & F.SF) !== 0) !== ((f & F.OF) !== 0),
  (f) => (f & F.ZF) === 0 && ((f & F.SF) !== 0) === ((f & F.OF) !== 0),
];

function specializeJcc(p: Prepared): Handler | undefined {
  const t = p.ops[0];
  if (p.cond < 0 || t === undefined || t.k !== K_REL) return undefined;
  const test = CONDITIONS[p.cond]!;
  const target = t.lo;
  return (cpu: Cpu) => {
    if (test(cpu.state.rflags)) jumpTo(cpu, target);
  };
}

function specializeMov(p: Prepared): Handler | undefined {
  const d = p.ops[0];
  const s = p.ops[1];
  if (d === undefined || s === undefined || d.k !== K_REG) return undefined;
  if (d.rk !== RegKind.GPR64 && d.rk !== RegKind.GPR32) return undefined;
  const di = 2 * d.ri;
  const wide = d.rk === RegKind.GPR64;
  if (s.k === K_REG && s.rk === d.rk) {
    const si = 2 * s.ri;
    return (cpu: Cpu) => {
      const g = cpu.state.gpr;
      g[di] = g[si]!;
      g[di + 1] = wide ? g[si + 1]! : 0;
    };
  }
  if (s.k === K_IMM) {
    const lo = s.lo;
    const hi = wide ? s.hi : 0;
    return (cpu: Cpu) => {
      const g = cpu.state.gpr;
      g[di] = lo;
      g[di + 1] = hi;
    };
  }
  return undefined;
}

/** A specialised handler for `p`, or undefined when the generic one must be used. */
export function specialize(p: Prepared): Handler | undefined {
  switch (p.insn.mnemonic) {
    case 'jcc': return specializeJcc(p);
    case 'mov': return specializeMov(p);
    default: return specializeAlu(p);
  }
}
