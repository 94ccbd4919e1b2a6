// The parsed form of a program: one statement per label, equ, instruction, data or
// reserve line, with expressions kept as trees so every pass re-evaluates them.

import type { Expr } from './expr.ts';
import type { MemSize, OpSize } from '../x86/isa/operands.ts';
import type { Reg } from '../x86/isa/registers.ts';

/** An instruction operand as written, before evaluation. */
export type OperandAst =
  | { readonly kind: 'reg'; readonly reg: Reg; readonly col: number; readonly size?: MemSize }
  | {
      readonly kind: 'imm';
      readonly expr: Expr;
      readonly col: number;
      readonly size?: OpSize;
      readonly strict: boolean;
    }
  | {
      readonly kind: 'mem';
      readonly expr: Expr | null;
      readonly col: number;
      readonly size?: MemSize;
      readonly seg?: Reg;
      readonly relKw?: 'rel' | 'abs';
      readonly nosplit: boolean;
      readonly dispSize?: 1 | 4 | 8;
    };

/** `times N` in front of a statement. */
export interface Times {
  readonly expr: Expr;
  readonly col: number;
  /** For `align n`: the alignment, which must be a power of two (NASM's `sectalign`). */
  readonly align?: Expr;
}

interface At {
  /** 1-based source line. */
  readonly line: number;
  /** 1-based column of the statement's first token (label or mnemonic). */
  readonly col: number;
}

/**
 * One item of db/dw/dd/dq: an expression, a string (padded to the unit size), or `?`
 * (one uninitialised unit, zeroed in .text as NASM does). `size` is a size keyword on
 * the item (`db 1, dword 2`), which NASM lets override the directive's unit.
 */
export type DataItem = (
  | { readonly kind: 'expr'; readonly expr: Expr; readonly col: number }
  | { readonly kind: 'str'; readonly bytes: Uint8Array; readonly col: number }
  | { readonly kind: 'zero'; readonly col: number }
) & { readonly size?: 1 | 2 | 4 | 8 };

export type Stmt =
  | (At & { readonly kind: 'label'; readonly name: string })
  | (At & { readonly kind: 'equ'; readonly name: string; readonly expr: Expr; readonly exprCol: number })
  | (At & {
      readonly kind: 'insn';
      readonly mnemonic: string;
      readonly prefixes: readonly string[];
      readonly operands: readonly OperandAst[];
      /** `short`/`near` on a branch target; `far` for a far pointer (`jmp far [bx]`, `jmp 0x8:0x1000`). */
      readonly branch?: 'short' | 'near' | 'far';
      readonly times?: Times;
    })
  | (At & { readonly kind: 'data'; readonly unit: 1 | 2 | 4 | 8; readonly items: readonly DataItem[]; readonly times?: Times })
  | (At & { readonly kind: 'res'; readonly unit: 1 | 2 | 4 | 8; readonly count: Expr; readonly countCol: number; readonly times?: Times })
  /** `struc NAME[, offset]`: labels and reservations up to `endstruc` are offsets (NASM's absolute space). */
  | (At & { readonly kind: 'struc'; readonly name: string; readonly offset: Expr | null })
  /** `endstruc`: defines NAME_size. */
  | (At & { readonly kind: 'endstruc'; readonly name: string });

/** The size in bytes of each data/reserve unit keyword. */
export const DATA_UNITS: Readonly<Record<string, 1 | 2 | 4 | 8>> = { db: 1, dw: 2, dd: 4, dq: 8 };
export const RES_UNITS: Readonly<Record<string, 1 | 2 | 4 | 8>> = { resb: 1, resw: 2, resd: 4, resq: 8 };

/** NASM size keywords and their sizes in bytes. */
export const SIZE_KEYWORDS: Readonly<Record<string, number>> = {
  byte: 1, word: 2, dword: 4, qword: 8, tword: 10, oword: 16, yword: 32, zword: 64,
};
