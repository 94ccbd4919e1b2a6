// Which instructions accept a LOCK prefix. SDM Vol. 2A §3.2 "LOCK—Assert LOCK# Signal
// Prefix": only ADD, ADC, AND, BTC, BTR, BTS, CMPXCHG, CMPXCHG8B, CMPXCHG16B, DEC, INC,
// NEG, NOT, OR, SBB, SUB, XOR, XADD and XCHG, and only when the destination operand is
// memory; otherwise #UD. (A fact about the LOCK prefix, not an opcode list: the decoder
// applies it after the table has chosen the row.)

import type { DecodedInstruction } from './isa/decoded.ts';

const LOCKABLE: ReadonlySet<string> = new Set([
  'add', 'adc', 'and', 'btc', 'btr', 'bts', 'cmpxchg', 'cmpxchg8b', 'cmpxchg16b',
  'dec', 'inc', 'neg', 'not', 'or', 'sbb', 'sub', 'xor', 'xadd', 'xchg',
]);

/** True when a LOCK prefix is allowed on this instruction (SDM Vol. 2A §3.2 "LOCK"). */
export function isLockable(insn: DecodedInstruction): boolean {
  if (!LOCKABLE.has(insn.mnemonic)) return false;
  // XCHG names its memory operand on either side (87 /r is both XCHG r/m, r and XCHG r, r/m).
  if (insn.mnemonic === 'xchg') return insn.operands.some((o) => o.kind === 'mem');
  return insn.operands[0]?.kind === 'mem';
}
