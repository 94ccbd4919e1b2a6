// What the decoder produces and the executor, disassembler and event log consume.
// The instruction table's row type (`InstructionForm`) is defined with the table;
// this file only fixes the shape every consumer relies on.

import type { OpSize, Operand } from './operands.ts';
import type { Reg } from './registers.ts';

/** Legacy and REX prefixes seen on one instruction. */
export interface Prefixes {
  readonly lock: boolean;
  /** F3 (REP/REPE) or F2 (REPNE), as the last one written; null if neither. */
  readonly rep: 'rep' | 'repne' | null;
  /** Segment override, or null. */
  readonly seg: Reg | null;
  /** 66 operand-size prefix present. */
  readonly opsize: boolean;
  /** 67 address-size prefix present. */
  readonly addrsize: boolean;
  /** The REX byte (0x40-0x4F), or 0 if none. */
  readonly rex: number;
}

/** One decoded instruction. Immutable; the executor may cache it per address. */
export interface DecodedInstruction {
  /** Stable form id in iced style, e.g. 'ADD_rm64_r64' (the table row's id). */
  readonly id: string;
  /** Lower-case mnemonic the executor dispatches on ('add', 'jcc', 'setcc', 'vmxon'). */
  readonly mnemonic: string;
  /** Condition code 0-15 (O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G) for jcc/setcc/cmovcc. */
  readonly cond?: number;
  /** Operands in Intel order (destination first). */
  readonly operands: readonly Operand[];
  /** Effective operand size in bytes. */
  readonly opSize: OpSize;
  /** Effective address size in bytes. */
  readonly addrSize: 2 | 4 | 8;
  /** Total length in bytes, prefixes included (at most 15). */
  readonly length: number;
  readonly prefixes: Prefixes;
}

/** Decoder's answer: an instruction, or the reason the bytes are not one (the executor raises #UD). */
export type DecodeResult =
  | { readonly ok: true; readonly insn: DecodedInstruction }
  | { readonly ok: false; readonly reason: 'invalid' | 'too-long' | 'unsupported'; readonly message: string; readonly length: number };

/** Fetches instruction bytes for the decoder; may throw an X86Fault (#PF on fetch). */
export type ByteFetcher = (offset: number) => number;
