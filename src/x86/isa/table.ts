// The x86-64 instruction table (STYLE rule 3): one list of forms in the SDM's notation
// that the decoder, the encoder, the disassembler and the tests all read. Rows live in
// table-*.ts by instruction group; this file joins them, parses each row once at module
// load (opcode-syntax.ts) and indexes the result by opcode and by mnemonic.
//
// Notation: SDM Vol. 2A §3.1.1.1 "Opcode Column in the Instruction Summary Table" and
// §3.1.1.3 "Instruction Column in the Opcode Summary Table". Where we deviate:
//  - `REX.W 01 /r` is written without the SDM's `+` (`REX.W + 01 /r`); both parse.
//  - The SDM's `REX + 88 /r ... r/m8***` rows (SPL/BPL/SIL/DIL and R8B-R15B) are not
//    separate rows: every r8/r/m8 operand accepts them, and the encoder adds the REX.
//  - 16- and 32-bit forms that share an opcode (`01 /r` ADD r/m16 and ADD r/m32) are
//    separate rows told apart by their operands; the 66 prefix they need outside 16-bit
//    mode is implied by the operand size, not written (the SDM does the same). A `66`
//    written in the opcode column is always a mandatory prefix.
//  - Condition-code families are one row each with `+cc` on the opcode (`70+cc cb`,
//    `Jcc rel8`), as the SDM does in its opcode maps (Vol. 2D Appendix A) rather than in
//    the per-instruction tables.
//  - `SETcc r/m8` is written `0F 90+cc /0`: the SDM gives no /digit; assemblers use 0.
//  - `CRn` and `DRn` stand for the SDM's `CR0–CR7`/`CR8` and `DR0–DR7` (REX.R selects
//    CR8); which numbers exist is the executor's business (#UD otherwise).
//  - Operands the SDM writes `r16/r32/m16` or `r64/m16` (MOV from Sreg, SLDT, STR) are
//    split into register rows and a memory row without operand size (`MOV m16, Sreg`).
//  - Extra row fields the SDM keeps in prose: `osz: 'd64'` (default 64-bit operand size
//    in 64-bit mode, Vol. 1 §3.6.1), `sx` (immediate sign-extended to the operand size),
//    `size` (operand size of operand-less forms such as MOVSW), `asmOnly` (a second
//    operand order for the same encoding, e.g. `XCHG r64, r/m64`).
//  - `moffs8`..`moffs64` operands (MOV A0-A3) parse, but those rows are not in the table
//    yet: NASM writes them only for `[qword abs addr]`. ENTER, x87, SSE and AVX are absent.
//  - `ptr16:16`/`ptr16:32` (far JMP/CALL EA/9A) become two immediate operands, offset then
//    selector, as they lie in the bytes; `EA cp` is the SDM's 6-byte "cp" code offset.
//  - JCXZ/JECXZ/JRCXZ share E3 and differ by address size: the `asz` row field.

import { CC_ALIASES, type InstructionForm, type FormRow } from './form.ts';
import { parseRow } from './opcode-syntax.ts';
import { ALU_ROWS } from './table-alu.ts';
import { BRANCH_ROWS } from './table-branch.ts';
import { LEGACY_ROWS } from './table-legacy.ts';
import { MOVE_ROWS } from './table-move.ts';
import { SYSTEM_ROWS } from './table-system.ts';

/** Every row of the table, in group order. */
export const ROWS: readonly FormRow[] = [...ALU_ROWS, ...MOVE_ROWS, ...BRANCH_ROWS, ...SYSTEM_ROWS, ...LEGACY_ROWS];

/** Every parsed form, in row order. */
export const FORMS: readonly InstructionForm[] = ROWS.map(parseRow);

const byId = new Map<string, InstructionForm>();
const byMnemonic = new Map<string, InstructionForm[]>();
/** Key: map * 256 + opcode byte (with +r / +cc expanded). */
const byOpcode = new Map<number, InstructionForm[]>();

function push<K>(m: Map<K, InstructionForm[]>, k: K, f: InstructionForm): void {
  const list = m.get(k);
  if (list) list.push(f);
  else m.set(k, [f]);
}

for (const f of FORMS) {
  if (byId.has(f.id)) throw new Error(`instruction table: duplicate id ${f.id}`);
  byId.set(f.id, f);
  push(byMnemonic, f.mnemonic, f);
  if (f.row.asmOnly) continue;
  const span = f.plusReg ? 8 : f.cc ? 16 : 1;
  for (let k = 0; k < span; k++) push(byOpcode, f.map * 256 + f.opcode + k, f);
}

/** The form with this id (`'ADD_rm64_r64'`), or undefined. */
export function formById(id: string): InstructionForm | undefined {
  return byId.get(id);
}

const NONE: readonly InstructionForm[] = [];

/**
 * Forms a decoder must consider for an opcode byte in a map (0 legacy, 1 = 0F,
 * 2 = 0F 38, 3 = 0F 3A), in table order; the decoder then filters by mode, mandatory
 * prefix, operand size, ModRM.mod/reg and fixed ModRM byte. `asmOnly` rows are absent.
 */
export function formsByOpcode(map: number, opcode: number): readonly InstructionForm[] {
  return byOpcode.get(map * 256 + opcode) ?? NONE;
}

/** Lookup result for an assembler mnemonic: the forms, and the condition code of a cc family. */
export interface MnemonicForms {
  readonly forms: readonly InstructionForm[];
  /** Condition code 0-15 for jne/setz/cmovae..., else undefined. */
  readonly cond?: number;
}

/** NASM spellings of table mnemonics in 64-bit mode (NASM 2.16 `insns.dat`). */
const NASM_ALIASES: ReadonlyMap<string, string> = new Map([
  ['sal', 'shl'], ['pushf', 'pushfq'], ['popf', 'popfq'], ['iret', 'iretd'], ['retn', 'ret'],
  ['retq', 'ret'], ['icebp', 'int1'], ['loopz', 'loope'], ['loopnz', 'loopne'],
  // 16/32-bit code maps `pusha`/`popa` to the mode's size first (encode.ts); in 64-bit code they
  // name the 32-bit row, which the encoder refuses there as NASM does.
  ['pusha', 'pushad'], ['popa', 'popad'], ['xlat', 'xlatb'],
]);

const CC_FAMILIES: readonly [string, string][] = [['j', 'jcc'], ['set', 'setcc'], ['cmov', 'cmovcc']];

/**
 * Forms for a mnemonic as written in source (lower case): 'add', 'jne', 'setnz',
 * 'cmovge', and NASM's other names ('sal' = 'shl', 'pushf' = 'pushfq' in 64-bit mode,
 * 'iret' = 'iretd'). Condition aliases follow SDM Vol. 2A §3.2 "Jcc" (JZ = JE, JNAE = JB, ...).
 */
export function formsForMnemonic(mnemonic: string): MnemonicForms | undefined {
  const m = NASM_ALIASES.get(mnemonic.toLowerCase()) ?? mnemonic.toLowerCase();
  const direct = byMnemonic.get(m);
  if (direct) return { forms: direct };
  for (const [prefix, family] of CC_FAMILIES) {
    if (!m.startsWith(prefix)) continue;
    const cond = CC_ALIASES.get(m.slice(prefix.length));
    if (cond !== undefined) return { forms: byMnemonic.get(family) ?? NONE, cond };
  }
  return undefined;
}

/** Every mnemonic of the table (families as 'jcc', 'setcc', 'cmovcc'). */
export const MNEMONICS: readonly string[] = [...byMnemonic.keys()];
