// The two operand languages around the instruction table: what the decoder hands the
// executor and disassembler (`Operand`), and what the assembler hands the encoder
// (`AsmOperand`, where a value may still be unknown in an early pass).

import type { Reg } from './registers.ts';

/** Operand sizes in bytes. 10 and 16 are the m16&64 / m128 pseudo-descriptor and INVEPT operands. */
export type OpSize = 1 | 2 | 4 | 8;
export type MemSize = 0 | 1 | 2 | 4 | 6 | 8 | 10 | 16;

/** A memory reference. `base` may be the RIP register for RIP-relative addressing. */
export interface MemRef {
  readonly kind: 'mem';
  /** Size of the access in bytes; 0 when the instruction does not access memory (LEA, INVLPG). */
  readonly size: MemSize;
  /** Segment-override register, or null for the default segment. */
  readonly seg: Reg | null;
  readonly base: Reg | null;
  readonly index: Reg | null;
  readonly scale: 1 | 2 | 4 | 8;
  /** Displacement, sign-extended to 64 bits (for RIP-relative: relative to the next instruction). */
  readonly disp: bigint;
  /** Address size in bytes (8 in 64-bit mode unless 0x67). */
  readonly addrSize: 2 | 4 | 8;
}

/** A decoded operand. */
export type Operand =
  | { readonly kind: 'reg'; readonly reg: Reg }
  /** Immediate, already sign- or zero-extended as the instruction form defines, masked to `size` bytes. */
  | { readonly kind: 'imm'; readonly value: bigint; readonly size: OpSize }
  | MemRef
  /** Branch target: the absolute address (next RIP + displacement), masked to the operand size. */
  | { readonly kind: 'rel'; readonly target: bigint; readonly size: 1 | 2 | 4 };

/**
 * An operand as the assembler sees it. Values may be unknown in an early pass
 * (`known: false`), and NASM treats values that depend on a label's address as
 * relocatable (`reloc: true`): it never shrinks those to a shorter encoding.
 */
export type AsmOperand =
  | { readonly kind: 'reg'; readonly reg: Reg }
  | {
      readonly kind: 'imm';
      readonly value: bigint;
      readonly known: boolean;
      readonly reloc: boolean;
      /** Explicit size keyword on the immediate (`push dword 5`, `add eax, byte 3`). */
      readonly size?: OpSize;
      /** `strict` keyword: keep the written size, no optimisation. */
      readonly strict?: boolean;
    }
  | {
      readonly kind: 'mem';
      /** Size keyword (`byte`, `word`, `dword`, `qword`, `tword`, `oword`), if written. */
      readonly size?: MemSize;
      readonly seg?: Reg;
      readonly base?: Reg;
      readonly index?: Reg;
      readonly scale: 1 | 2 | 4 | 8;
      /** Displacement value (for RIP-relative: the absolute target address). */
      readonly disp: bigint;
      readonly dispKnown: boolean;
      readonly dispReloc: boolean;
      /** Whether a displacement was written at all (`[rbp]` vs `[rbp+0]` matters to NASM only via its value). */
      readonly hasDisp: boolean;
      /** `default rel` and no base/index, or an explicit `rel`: encode RIP-relative. */
      readonly ripRelative: boolean;
      /** `nosplit` keyword: keep `[rax*2]` as index-only (NASM otherwise splits it into `[rax+rax]`). */
      readonly nosplit?: boolean;
      /** Explicit displacement size keyword inside the brackets (`[byte rax+1]`, `[dword rax+1]`). */
      readonly dispSize?: 1 | 4;
    };

/** What the encoder is asked to encode: one instruction at one address. */
export interface EncodeRequest {
  /** Lower-case mnemonic as written ('mov', 'jne', 'vmxon'). */
  readonly mnemonic: string;
  /** Instruction prefixes written before the mnemonic ('rep', 'repe', 'repne', 'lock', 'o16', 'a32', ...). */
  readonly prefixes: readonly string[];
  readonly operands: readonly AsmOperand[];
  /** Address of the instruction's first byte (for relative branches and RIP-relative operands). */
  readonly address: bigint;
  readonly bits: 16 | 32 | 64;
  /**
   * Branch-size keyword on the target (`jmp short x`, `jmp near x`); `far` for a far pointer
   * in memory (`jmp far [bx]`, `call dword far [eax]`).
   */
  readonly branch?: 'short' | 'near' | 'far';
}

/** The encoder's answer: bytes, or a message for a diagnostic. Never thrown. */
export type EncodeResult =
  | {
      readonly ok: true;
      readonly bytes: Uint8Array;
      /** Id of the instruction-table row the encoder chose (for listings and coverage). */
      readonly form?: string;
    }
  | {
      readonly ok: false;
      readonly message: string;
      /**
       * For a branch that fails only because its rel8 cannot reach: the length it would have.
       * NASM keeps that size through its passes and reports the range at the end; a layout that
       * dropped the bytes could oscillate around the 128-byte boundary.
       */
      readonly size?: number;
    };
