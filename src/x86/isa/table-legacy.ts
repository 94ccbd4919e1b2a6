// Instruction table, one-byte opcodes that exist only outside 64-bit mode (SDM Vol. 2D
// Appendix A, Table A-2: the "i64" entries) and are not in another group's file: the BCD
// adjustments, PUSHA/POPA, BOUND, ARPL, SALC and LES/LDS. In 64-bit mode 27 2F 37 3F 60 61
// D4 D5 D6 are #UD, 62 is the EVEX escape, 63 is MOVSXD and C4/C5 are VEX escapes: no row
// here is valid there, so the decoder refuses those bytes in 64-bit code. Notation: see table.ts.

import { row, type FormRow } from './form.ts';

const LEGACY = { modes: '16/32' } as const;

export const LEGACY_ROWS: readonly FormRow[] = [
  // BCD: SDM Vol. 2A §3.2 "DAA", "DAS", "AAA", "AAS", "AAM", "AAD". AAM/AAD take the base as
  // an immediate (D4 0A is `aam`); AAM with base 0 raises #DE.
  row('27', 'DAA', { ...LEGACY, flags: { read: 'AC', written: 'SZAPC', undefined: 'O' } }),
  row('2F', 'DAS', { ...LEGACY, flags: { read: 'AC', written: 'SZAPC', undefined: 'O' } }),
  row('37', 'AAA', { ...LEGACY, flags: { read: 'A', written: 'AC', undefined: 'OSZP' } }),
  row('3F', 'AAS', { ...LEGACY, flags: { read: 'A', written: 'AC', undefined: 'OSZP' } }),
  row('D4 ib', 'AAM imm8', { ...LEGACY, access: ['r'], osz: 'none', flags: { written: 'SZP', undefined: 'OAC' } }),
  row('D5 ib', 'AAD imm8', { ...LEGACY, access: ['r'], osz: 'none', flags: { written: 'SZP', undefined: 'OAC' } }),
  // SALC (D6): AL := CF ? FF : 00. Undocumented by Intel (SDM Vol. 2D Table A-2 leaves D6
  // blank); NASM, objdump and AMD's manual (APM Vol. 3, one-byte opcode map) name it.
  row('D6', 'SALC', { ...LEGACY, flags: { read: 'C' }, note: 'undocumented: AL = CF ? 0xFF : 0' }),
  // PUSHA/PUSHAD, POPA/POPAD: SDM Vol. 2B §4.3 "PUSHA/PUSHAD", "POPA/POPAD".
  // The 16-bit forms are the SDM's PUSHA/POPA, spelt as NASM's size-explicit `pushaw`/`popaw`
  // (plain `pusha` is the mode's size, as `iret`/`pushf`).
  row('60', 'PUSHAW', { ...LEGACY, size: 2 }),
  row('60', 'PUSHAD', { ...LEGACY, size: 4 }),
  row('61', 'POPAW', { ...LEGACY, size: 2 }),
  row('61', 'POPAD', { ...LEGACY, size: 4 }),
  // BOUND: SDM Vol. 2A §3.2 "BOUND": #BR when the index lies outside [lower, upper].
  row('62 /r', 'BOUND r16, m16&16', { ...LEGACY, access: ['r', 'r'] }),
  row('62 /r', 'BOUND r32, m32&32', { ...LEGACY, access: ['r', 'r'] }),
  // ARPL: SDM Vol. 2A §3.2 "ARPL". Works on 16 bits whatever the operand size (osz 'none').
  row('63 /r', 'ARPL r/m16, r16', { ...LEGACY, access: ['rw', 'r'], osz: 'none', flags: { written: 'Z' } }),
  // LES/LDS: SDM Vol. 2A §3.2 "LDS/LES/LFS/LGS/LSS" (LSS, LFS, LGS are in table-move.ts).
  row('C4 /r', 'LES r16, m16:16', { ...LEGACY, access: ['w', 'r'] }),
  row('C4 /r', 'LES r32, m16:32', { ...LEGACY, access: ['w', 'r'] }),
  row('C5 /r', 'LDS r16, m16:16', { ...LEGACY, access: ['w', 'r'] }),
  row('C5 /r', 'LDS r32, m16:32', { ...LEGACY, access: ['w', 'r'] }),
];
