// Instruction table, control flow and condition codes: JMP, CALL, RET (near and far), Jcc,
// SETcc, CMOVcc, LOOP, JCXZ/JECXZ/JRCXZ. Rows follow SDM Vol. 2A/2B "Instruction Set Reference".
// The cc families are one row each (`70+cc`): see the notation header of table.ts.

import { row, type FormRow } from './form.ts';

const CC = { read: 'cc' } as const;

export const BRANCH_ROWS: readonly FormRow[] = [
  // JMP: SDM Vol. 2A §3.2 "JMP". Near branches have a 64-bit operand size in 64-bit mode.
  row('EB cb', 'JMP rel8', { access: ['r'], osz: 'd64' }),
  row('E9 cd', 'JMP rel32', { access: ['r'], osz: 'd64' }),
  // rel16 forms (16-bit operand size outside 64-bit mode: IP wraps at 64 KiB). Decode-only: the
  // lab's assembler writes 64-bit code.
  row('E9 cw', 'JMP rel16', { access: ['r'], modes: '16/32', size: 2, encode: false }),
  row('FF /4', 'JMP r/m64', { access: ['r'], osz: 'd64' }),
  row('FF /4', 'JMP r/m32', { access: ['r'], modes: '16/32' }),
  // CALL: SDM Vol. 2A §3.2 "CALL".
  row('E8 cd', 'CALL rel32', { access: ['r'], osz: 'd64' }),
  row('E8 cw', 'CALL rel16', { access: ['r'], modes: '16/32', size: 2, encode: false }),
  row('FF /2', 'CALL r/m64', { access: ['r'], osz: 'd64' }),
  row('FF /2', 'CALL r/m32', { access: ['r'], modes: '16/32' }),
  // RET (near): SDM Vol. 2B §4.3 "RET". imm16 is a byte count, not an operand size.
  row('C3', 'RET', { osz: 'd64', size: 8 }),
  row('C2 iw', 'RET imm16', { access: ['r'], osz: 'd64', size: 8 }),
  // 66 C3 / 66 C2 iw in 64-bit mode: a 16-bit return address (NASM `o16 ret`; objdump `retw`).
  row('C3', 'RET', { id: 'RET_o16', osz: 'd64', size: 2, modes: '64', encode: false }),
  row('C2 iw', 'RET imm16', { id: 'RET_imm16_o16', access: ['r'], osz: 'd64', size: 2, modes: '64', encode: false }),

  // Far JMP / CALL / RET: SDM Vol. 2A §3.2 "JMP", "CALL", Vol. 2B §4.3 "RET". The direct forms
  // (EA, 9A: `ptr16:16`, `ptr16:32`, offset then selector) are invalid in 64-bit mode; the
  // indirect ones read a far pointer from memory (FF /5, FF /3: `m16:16`, `m16:32`, with REX.W
  // `m16:64`). A far RET has no 64-bit default: its operand size follows 66 / REX.W in every
  // mode (osz 'none' leaves it to the prefixes), so `retfq` is REX.W CB (NASM's `o64 retf`).
  row('EA cd', 'JMP ptr16:16', { modes: '16/32', size: 2 }),
  row('EA cp', 'JMP ptr16:32', { modes: '16/32', size: 4 }),
  row('FF /5', 'JMP m16:16', { access: ['r'], size: 2 }),
  row('FF /5', 'JMP m16:32', { access: ['r'], size: 4 }),
  row('REX.W FF /5', 'JMP m16:64', { access: ['r'], size: 8 }),
  row('9A cd', 'CALL ptr16:16', { modes: '16/32', size: 2 }),
  row('9A cp', 'CALL ptr16:32', { modes: '16/32', size: 4 }),
  row('FF /3', 'CALL m16:16', { access: ['r'], size: 2 }),
  row('FF /3', 'CALL m16:32', { access: ['r'], size: 4 }),
  row('REX.W FF /3', 'CALL m16:64', { access: ['r'], size: 8 }),
  row('CB', 'RETF', { osz: 'none' }),
  row('CA iw', 'RETF imm16', { access: ['r'], osz: 'none' }),
  // NASM's size-explicit spellings (`retfw`, `retfd`, `retfq` = `o64 retf`), for the assembler.
  row('CB', 'RETFW', { size: 2, asmOnly: true }),
  row('CB', 'RETFD', { size: 4, asmOnly: true }),
  row('REX.W CB', 'RETFQ', { size: 8, asmOnly: true }),
  row('CA iw', 'RETFW imm16', { access: ['r'], size: 2, asmOnly: true }),
  row('CA iw', 'RETFD imm16', { access: ['r'], size: 4, asmOnly: true }),
  row('REX.W CA iw', 'RETFQ imm16', { access: ['r'], size: 8, asmOnly: true }),

  // Jcc: SDM Vol. 2A §3.2 "Jcc". One row per encoding family; cc is the opcode's low nibble.
  row('70+cc cb', 'Jcc rel8', { access: ['r'], osz: 'd64', flags: CC }),
  row('0F 80+cc cd', 'Jcc rel32', { access: ['r'], osz: 'd64', flags: CC }),
  row('0F 80+cc cw', 'Jcc rel16', { access: ['r'], modes: '16/32', size: 2, flags: CC, encode: false }),
  // JCXZ / JECXZ / JRCXZ: SDM Vol. 2A §3.2 "Jcc" ("E3 cb"): one opcode, the count register
  // chosen by the address size (`asz`): 67 E3 is JECXZ in 64-bit and 16-bit code, JCXZ in 32-bit code.
  row('E3 cb', 'JCXZ rel8', { access: ['r'], osz: 'd64', modes: '16/32', asz: 2 }),
  row('E3 cb', 'JECXZ rel8', { access: ['r'], osz: 'd64', asz: 4 }),
  row('E3 cb', 'JRCXZ rel8', { access: ['r'], osz: 'd64', modes: '64', asz: 8 }),
  // LOOP: SDM Vol. 2A §3.2 "LOOP/LOOPcc".
  row('E2 cb', 'LOOP rel8', { access: ['r'], osz: 'd64' }),
  row('E1 cb', 'LOOPE rel8', { access: ['r'], osz: 'd64', flags: { read: 'Z' } }),
  row('E0 cb', 'LOOPNE rel8', { access: ['r'], osz: 'd64', flags: { read: 'Z' } }),

  // SETcc: SDM Vol. 2B §4.3 "SETcc". The SDM leaves ModRM.reg unspecified; NASM and
  // every assembler write 0, and processors ignore it.
  row('0F 90+cc /0', 'SETcc r/m8', { access: ['w'], flags: CC }),
  // CMOVcc: SDM Vol. 2A §3.2 "CMOVcc". The destination is written only when cc holds
  // (a 32-bit destination is zero-extended even when it does not).
  row('0F 40+cc /r', 'CMOVcc r16, r/m16', { access: ['cw', 'r'], flags: CC }),
  row('0F 40+cc /r', 'CMOVcc r32, r/m32', { access: ['cw', 'r'], flags: CC }),
  row('REX.W 0F 40+cc /r', 'CMOVcc r64, r/m64', { access: ['cw', 'r'], flags: CC }),
];
