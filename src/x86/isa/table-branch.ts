// Instruction table, control flow and condition codes: JMP, CALL, RET, Jcc, SETcc,
// CMOVcc, LOOP/JRCXZ. Rows follow SDM Vol. 2A/2B "Instruction Set Reference".
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
  row('C2 iw', 'RET imm16', { access: ['r'], osz: 'none' }),

  // Jcc: SDM Vol. 2A §3.2 "Jcc". One row per encoding family; cc is the opcode's low nibble.
  row('70+cc cb', 'Jcc rel8', { access: ['r'], osz: 'd64', flags: CC }),
  row('0F 80+cc cd', 'Jcc rel32', { access: ['r'], osz: 'd64', flags: CC }),
  row('0F 80+cc cw', 'Jcc rel16', { access: ['r'], modes: '16/32', size: 2, flags: CC, encode: false }),
  // JRCXZ / LOOP: SDM Vol. 2A §3.2 "Jcc" (JRCXZ), Vol. 2A §3.2 "LOOP/LOOPcc".
  row('E3 cb', 'JRCXZ rel8', { access: ['r'], osz: 'd64', modes: '64' }),
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
