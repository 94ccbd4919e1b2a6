// The row type of the instruction table (table.ts) and the parsed form every tool uses.
// A row is written by hand in the SDM's notation (SDM Vol. 2A §3.1.1 "Instruction Format",
// §3.1.1.1 "Opcode Column in the Instruction Summary Table", §3.1.1.3 "Instruction Column
// in the Opcode Summary Table"); opcode-syntax.ts parses it once, at module load, into an
// `InstructionForm` that the decoder, the encoder, the disassembler and the tests share.

import type { MemSize } from './operands.ts';
import type { Reg } from './registers.ts';

/** How an instruction uses one explicit operand. `cw`: written only if a condition holds (CMOVcc). `n`: not accessed (LEA's source, INVLPG's address). */
export type Access = 'r' | 'w' | 'rw' | 'cw' | 'n';

/**
 * Processor modes a row is valid in. Letters as in the SDM's "64-Bit Mode" and
 * "Compat/Leg Mode" columns: `'64'` valid only in 64-bit mode, `'16/32'` only outside it
 * (N.E. in 64-bit mode), `'16/32/64'` everywhere.
 */
export type Modes = '64' | '16/32' | '16/32/64';

/**
 * RFLAGS effects. Each string is a set of letters: O S Z A P C (arithmetic flags),
 * D (DF), I (IF), T (TF); `'*'` means "all of RFLAGS" (POPF, IRET).
 */
export interface FlagEffects {
  /** Flags the instruction writes with a defined value (includes set and cleared). */
  readonly written?: string;
  /** Flags left undefined (SDM "Flags Affected": "... is undefined"). */
  readonly undefined?: string;
  /** Flags read (ADC reads C; Jcc reads what its condition needs: given on the family as 'cc'). */
  readonly read?: string;
}

/** One hand-written row of the instruction table. */
export interface FormRow {
  /** iced-style stable id: `ADD_rm64_r64`. Unique in the table. */
  readonly id: string;
  /** Opcode column in SDM notation: `'REX.W 01 /r'`, `'0F 20 /r'`, `'F3 0F C7 /6'`, `'70+cc cb'`. */
  readonly op: string;
  /** Instruction column in SDM notation: `'ADD r/m64, r64'`, `'Jcc rel8'`. */
  readonly ins: string;
  /** Access of each explicit operand, in `ins` order. Omitted when the row has no operands. */
  readonly access?: readonly Access[];
  readonly flags?: FlagEffects;
  /** Defaults: `'64'` when the row uses REX.W or a 64-bit operand, else `'16/32/64'`. */
  readonly modes?: Modes;
  /**
   * Operand-size override when the operands do not tell it: `'d64'` for operations whose
   * default size in 64-bit mode is 64 bits without REX.W (PUSH, POP, Jcc near, CALL, MOV
   * CRn; SDM Vol. 1 §3.6.1 "Operand Size and Address Size in 64-Bit Mode"), `'none'` when
   * the 66 prefix does not apply (RET imm16, INT imm8, LGDT).
   */
  readonly osz?: 'd64' | 'none';
  /** The immediate is sign-extended to the operand size (SDM: "imm8 sign-extended"). */
  readonly sx?: boolean;
  /** Operand size in bytes of a row without sized operands (MOVSW, CDQE, PUSHFQ, IRETQ). */
  readonly size?: 1 | 2 | 4 | 8;
  /**
   * Address size in bytes that selects the row (JCXZ 2, JECXZ 4, JRCXZ 8: one opcode, E3, told
   * apart by the address-size attribute, SDM Vol. 2A §3.2 "Jcc"). Omitted for every other row.
   */
  readonly asz?: 2 | 4 | 8;
  /**
   * A second spelling of an encoding another row already decodes to (`XCHG r64, r/m64`
   * beside `XCHG r/m64, r64`): the assembler accepts it, the decoder never yields it.
   */
  readonly asmOnly?: boolean;
  /**
   * `false`: the decoder reads this row but the assembler never emits it, because NASM
   * writes the same instruction another way (`SLDT r64` without REX.W; see the asmOnly
   * twin and docs/decisions/0001-nasm-encoding-choices.md).
   */
  readonly encode?: false;
  /** Short note for learners and the disassembler. */
  readonly note?: string;
}

/** Where an operand's bits live in the encoding. */
export type OperandLoc = 'reg' | 'rm' | 'opreg' | 'imm' | 'rel' | 'implicit' | 'moffs';

/** Register classes an operand may name. */
export type OperandClass = 'gpr' | 'seg' | 'cr' | 'dr' | 'none';

/** One operand of a parsed form. */
export interface OperandSpec {
  /** The token as written in `ins`: `'r/m64'`, `'imm8'`, `'CR0-CR7'`, `'AL'`, `'1'`. */
  readonly token: string;
  readonly loc: OperandLoc;
  /** Register class when the operand may be a register. */
  readonly regClass: OperandClass;
  /** Register size in bytes when a general register is allowed (0 otherwise). */
  readonly regSize: 0 | 1 | 2 | 4 | 8;
  /** Whether a memory operand is allowed, and its access size (0 for `m`: no access size). */
  readonly mem: boolean;
  readonly memSize: MemSize;
  /** Immediate / relative / moffs size in bytes (0 otherwise). */
  readonly immSize: 0 | 1 | 2 | 4 | 8;
  /** A fixed register (AL, CL, DX, RAX, FS, CR8) or undefined. */
  readonly fixed?: Reg;
  /** The constant 1 of `SHL r/m8, 1`. */
  readonly one?: boolean;
  readonly access: Access;
}

/** A parsed row: everything the decoder and encoder need, in numbers. */
export interface InstructionForm {
  readonly row: FormRow;
  readonly id: string;
  /** Lower-case mnemonic: 'add', 'jcc', 'setcc', 'cmovcc', 'vmxon'. */
  readonly mnemonic: string;
  /** True for the families whose opcode carries a condition code (`+cc`). */
  readonly cc: boolean;
  /** Mandatory prefix (66, F2, F3), or 0. */
  readonly mandatory: 0 | 0x66 | 0xf2 | 0xf3;
  /** `NP`: no 66/F2/F3 prefix may be present. */
  readonly np: boolean;
  /** Opcode map: 0 legacy, 1 = 0F, 2 = 0F 38, 3 = 0F 3A. */
  readonly map: 0 | 1 | 2 | 3;
  /** The opcode byte within its map (for `+r`/`+cc` forms: the base value). */
  readonly opcode: number;
  /** `+rb/+rw/+rd/+ro`: register in the opcode's low three bits. */
  readonly plusReg: boolean;
  /** REX.W required. */
  readonly rexW: boolean;
  /** ModRM present: '/r', '/0'..'/7', or a fixed ModRM byte ('0F 01 C2'). */
  readonly modrm: 'none' | 'r' | 'digit' | 'fixed';
  /** The /digit (ModRM.reg), or -1. */
  readonly digit: number;
  /** The fixed ModRM byte, or -1. */
  readonly fixedModrm: number;
  /** What ModRM.mod may be: a register-only operand needs 11b, a memory-only one not 11b. */
  readonly modKind: 'any' | 'reg' | 'mem' | 'none';
  /** Operand size in bytes the form works at (0: no operand size, e.g. INT3, LGDT). */
  readonly opSize: 0 | 1 | 2 | 4 | 8;
  /** Address size that selects the row (`FormRow.asz`), or 0 when any address size does. */
  readonly asz: 0 | 2 | 4 | 8;
  /** Operand-size behaviour in 64-bit mode: 'd64' default 64, 'w' by REX.W, 'none'. */
  readonly osz: 'd64' | 'normal' | 'none';
  /** Immediate bytes following ModRM/SIB/disp (sum of ib/iw/id/io/cb/cw/cd). */
  readonly immBytes: number;
  /** Immediate sign-extended to the operand size. */
  readonly sx: boolean;
  readonly operands: readonly OperandSpec[];
  readonly modes: { readonly m16: boolean; readonly m32: boolean; readonly m64: boolean };
  readonly flags: FlagEffects;
}

/** Condition-code mnemonics in encoding order (SDM Vol. 1 Appendix B "EFLAGS Condition Codes"). */
export const CC_NAMES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'] as const;

/** Every condition suffix NASM accepts, with its code (SDM Vol. 2A §3.2 "Jcc": alternate mnemonics). */
export const CC_ALIASES: ReadonlyMap<string, number> = new Map<string, number>([
  ...CC_NAMES.map((n, i) => [n, i] as [string, number]),
  ['c', 2], ['nae', 2], ['nb', 3], ['nc', 3], ['z', 4], ['nz', 5], ['na', 6], ['nbe', 7],
  ['pe', 10], ['po', 11], ['nge', 12], ['nl', 13], ['ng', 14], ['nle', 15],
]);

/** iced-style id from the instruction column: 'ADD r/m64, imm8' -> 'ADD_rm64_imm8'. */
export function formId(ins: string): string {
  const sp = ins.indexOf(' ');
  const mn = (sp < 0 ? ins : ins.slice(0, sp)).toUpperCase().replace(/CC$/, 'cc');
  if (sp < 0) return mn;
  const ops = ins.slice(sp + 1).split(',').map((s) => s.trim().replace(/[/&:-]/g, '').replace(/^CRn$/, 'cr').replace(/^DRn$/, 'dr'));
  return [mn, ...ops].join('_');
}

/** Options of a row besides its opcode and instruction columns. */
export type RowOptions = Omit<FormRow, 'id' | 'op' | 'ins'> & { readonly id?: string };

/** Builds a row; the id defaults to `formId(ins)`. */
export function row(op: string, ins: string, opts: RowOptions = {}): FormRow {
  return { ...opts, id: opts.id ?? formId(ins), op, ins };
}
