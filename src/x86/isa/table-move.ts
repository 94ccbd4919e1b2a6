// Instruction table, data movement: MOV (GPR, immediate, Sreg, CRn, DRn), MOVZX/MOVSX/
// MOVSXD, LEA, XCHG, PUSH/POP, sign extension of the accumulator, string instructions.
// Rows follow SDM Vol. 2A/2B "Instruction Set Reference". Notation: see table.ts.

import { row, type FormRow } from './form.ts';

const W_R = { access: ['w', 'r'] as const };

/** String instructions at each element size (SDM Vol. 2B §4.3 "MOVS", "STOS", "LODS", "CMPS", "SCAS"). */
function stringRows(name: string, byteOp: string, wordOp: string, flags?: { written: string }): FormRow[] {
  return [
    row(byteOp, `${name}B`, { size: 1, flags }),
    row(wordOp, `${name}W`, { size: 2, flags }),
    row(wordOp, `${name}D`, { size: 4, flags }),
    row(`REX.W ${wordOp}`, `${name}Q`, { size: 8, flags }),
  ];
}

/** LSS/LFS/LGS r16/r32/r64 from m16:16/m16:32/m16:64. */
function farPointerLoads(name: string, op: string): FormRow[] {
  return [
    row(`0F ${op} /r`, `${name} r16, m16:16`, W_R),
    row(`0F ${op} /r`, `${name} r32, m16:32`, W_R),
    row(`REX.W 0F ${op} /r`, `${name} r64, m16:64`, W_R),
  ];
}

export const MOVE_ROWS: readonly FormRow[] = [
  // MOV: SDM Vol. 2B §4.3 "MOV".
  row('88 /r', 'MOV r/m8, r8', W_R),
  row('89 /r', 'MOV r/m16, r16', W_R),
  row('89 /r', 'MOV r/m32, r32', W_R),
  row('REX.W 89 /r', 'MOV r/m64, r64', W_R),
  row('8A /r', 'MOV r8, r/m8', W_R),
  row('8B /r', 'MOV r16, r/m16', W_R),
  row('8B /r', 'MOV r32, r/m32', W_R),
  row('REX.W 8B /r', 'MOV r64, r/m64', W_R),
  // A0-A3 with an address-size offset (moffs), outside 64-bit mode only: NASM writes them for
  // `mov al/ax/eax, [disp]` and the reverse in 16- and 32-bit code. Decode-only rows (the
  // lab's assembler has no `bits 16/32` yet).
  row('A0', 'MOV AL, moffs8', { ...W_R, modes: '16/32', encode: false }),
  row('A1', 'MOV AX, moffs16', { ...W_R, modes: '16/32', encode: false }),
  row('A1', 'MOV EAX, moffs32', { ...W_R, modes: '16/32', encode: false }),
  row('A2', 'MOV moffs8, AL', { ...W_R, modes: '16/32', encode: false }),
  row('A3', 'MOV moffs16, AX', { ...W_R, modes: '16/32', encode: false }),
  row('A3', 'MOV moffs32, EAX', { ...W_R, modes: '16/32', encode: false }),
  row('B0+rb ib', 'MOV r8, imm8', W_R),
  row('B8+rw iw', 'MOV r16, imm16', W_R),
  row('B8+rd id', 'MOV r32, imm32', W_R),
  row('REX.W B8+rd io', 'MOV r64, imm64', W_R),
  row('C6 /0 ib', 'MOV r/m8, imm8', W_R),
  row('C7 /0 iw', 'MOV r/m16, imm16', W_R),
  row('C7 /0 id', 'MOV r/m32, imm32', W_R),
  row('REX.W C7 /0 id', 'MOV r/m64, imm32', { ...W_R, sx: true }),
  // MOV to/from segment registers. The SDM's 'r16/r32/m16' and 'r64/m16' operands are
  // split into one row per register size and one memory row (no operand size).
  // NASM writes MOV r64, Sreg and MOV Sreg, r16/r64 without REX.W or 66 (which the
  // processor ignores here): those spellings are asmOnly twins of the SDM rows.
  row('8C /r', 'MOV m16, Sreg', { ...W_R, osz: 'none' }),
  row('8C /r', 'MOV r16, Sreg', W_R),
  row('8C /r', 'MOV r32, Sreg', W_R),
  row('REX.W 8C /r', 'MOV r64, Sreg', { ...W_R, encode: false }),
  row('8C /r', 'MOV r64, Sreg', { ...W_R, id: 'MOV_r64_Sreg_norexw', asmOnly: true, osz: 'none' }),
  row('8E /r', 'MOV Sreg, m16', { ...W_R, osz: 'none' }),
  row('REX.W 8E /r', 'MOV Sreg, m64', { ...W_R, osz: 'none', asmOnly: true, note: 'NASM: `mov ds, qword [m]`' }),
  row('REX.W 8C /r', 'MOV m64, Sreg', { ...W_R, osz: 'none', asmOnly: true, note: 'NASM: `mov qword [m], ds`' }),
  row('8E /r', 'MOV Sreg, r16', { ...W_R, encode: false }),
  row('8E /r', 'MOV Sreg, r16', { ...W_R, id: 'MOV_Sreg_r16_no66', osz: 'none', asmOnly: true }),
  row('8E /r', 'MOV Sreg, r32', W_R),
  row('REX.W 8E /r', 'MOV Sreg, r64', { ...W_R, encode: false }),
  row('8E /r', 'MOV Sreg, r64', { ...W_R, id: 'MOV_Sreg_r64_norexw', asmOnly: true, osz: 'none' }),
  // MOV to/from control and debug registers: SDM Vol. 2B §4.3 "MOV—Move to/from Control
  // Registers", "MOV—Move to/from Debug Registers". ModRM.mod is ignored (always a register).
  row('0F 20 /r', 'MOV r64, CRn', { ...W_R, osz: 'd64' }),
  row('0F 22 /r', 'MOV CRn, r64', { ...W_R, osz: 'd64' }),
  row('0F 21 /r', 'MOV r64, DRn', { ...W_R, osz: 'd64' }),
  row('0F 23 /r', 'MOV DRn, r64', { ...W_R, osz: 'd64' }),
  row('0F 20 /r', 'MOV r32, CRn', { ...W_R, modes: '16/32', osz: 'none' }),
  row('0F 22 /r', 'MOV CRn, r32', { ...W_R, modes: '16/32', osz: 'none' }),
  row('0F 21 /r', 'MOV r32, DRn', { ...W_R, modes: '16/32', osz: 'none' }),
  row('0F 23 /r', 'MOV DRn, r32', { ...W_R, modes: '16/32', osz: 'none' }),

  // MOVZX / MOVSX / MOVSXD: SDM Vol. 2B §4.3 "MOVZX", "MOVSX/MOVSXD".
  row('0F B6 /r', 'MOVZX r16, r/m8', W_R),
  row('0F B6 /r', 'MOVZX r32, r/m8', W_R),
  row('REX.W 0F B6 /r', 'MOVZX r64, r/m8', W_R),
  row('0F B7 /r', 'MOVZX r32, r/m16', W_R),
  row('REX.W 0F B7 /r', 'MOVZX r64, r/m16', W_R),
  row('0F BE /r', 'MOVSX r16, r/m8', W_R),
  row('0F BE /r', 'MOVSX r32, r/m8', W_R),
  row('REX.W 0F BE /r', 'MOVSX r64, r/m8', W_R),
  row('0F BF /r', 'MOVSX r32, r/m16', W_R),
  row('REX.W 0F BF /r', 'MOVSX r64, r/m16', W_R),
  row('REX.W 63 /r', 'MOVSXD r64, r/m32', W_R),

  // LEA: SDM Vol. 2A §3.2 "LEA". The source is an address, never accessed.
  row('8D /r', 'LEA r16, m', { access: ['w', 'n'] }),
  row('8D /r', 'LEA r32, m', { access: ['w', 'n'] }),
  row('REX.W 8D /r', 'LEA r64, m', { access: ['w', 'n'] }),

  // XCHG: SDM Vol. 2B §5.1 "XCHG". 90 alone is NOP (see NOP_ROWS); 90+r with REX.B is XCHG.
  // Between two registers NASM puts the first operand in ModRM.reg: the `r, r/m` spelling
  // comes first (asmOnly; the decoder names the SDM's `r/m, r` row).
  row('90+rw', 'XCHG AX, r16', { access: ['rw', 'rw'] }),
  row('90+rw', 'XCHG r16, AX', { access: ['rw', 'rw'], asmOnly: true }),
  row('90+rd', 'XCHG EAX, r32', { access: ['rw', 'rw'] }),
  row('90+rd', 'XCHG r32, EAX', { access: ['rw', 'rw'], asmOnly: true }),
  row('REX.W 90+rd', 'XCHG RAX, r64', { access: ['rw', 'rw'] }),
  row('REX.W 90+rd', 'XCHG r64, RAX', { access: ['rw', 'rw'], asmOnly: true }),
  row('86 /r', 'XCHG r8, r/m8', { access: ['rw', 'rw'], asmOnly: true }),
  row('86 /r', 'XCHG r/m8, r8', { access: ['rw', 'rw'] }),
  row('87 /r', 'XCHG r16, r/m16', { access: ['rw', 'rw'], asmOnly: true }),
  row('87 /r', 'XCHG r/m16, r16', { access: ['rw', 'rw'] }),
  row('87 /r', 'XCHG r32, r/m32', { access: ['rw', 'rw'], asmOnly: true }),
  row('87 /r', 'XCHG r/m32, r32', { access: ['rw', 'rw'] }),
  row('REX.W 87 /r', 'XCHG r64, r/m64', { access: ['rw', 'rw'], asmOnly: true }),
  row('REX.W 87 /r', 'XCHG r/m64, r64', { access: ['rw', 'rw'] }),

  // PUSH / POP: SDM Vol. 2B §4.3 "PUSH", "POP". Default operand size 64 in 64-bit mode.
  row('50+rw', 'PUSH r16', { access: ['r'], osz: 'd64' }),
  row('50+rd', 'PUSH r64', { access: ['r'], osz: 'd64' }),
  row('50+rd', 'PUSH r32', { access: ['r'], modes: '16/32' }),
  row('FF /6', 'PUSH r/m16', { access: ['r'], osz: 'd64' }),
  row('FF /6', 'PUSH r/m64', { access: ['r'], osz: 'd64' }),
  row('FF /6', 'PUSH r/m32', { access: ['r'], modes: '16/32' }),
  // PUSH/POP of a segment register outside 64-bit mode (SDM Vol. 2B "PUSH", "POP"; 06/07/0E/16/
  // 17/1E/1F are invalid in 64-bit mode; FS and GS are below): 16/32-bit guest code.
  row('06', 'PUSH ES', { access: ['r'], modes: '16/32' }),
  row('0E', 'PUSH CS', { access: ['r'], modes: '16/32' }),
  row('16', 'PUSH SS', { access: ['r'], modes: '16/32' }),
  row('1E', 'PUSH DS', { access: ['r'], modes: '16/32' }),
  row('07', 'POP ES', { access: ['w'], modes: '16/32' }),
  row('17', 'POP SS', { access: ['w'], modes: '16/32' }),
  row('1F', 'POP DS', { access: ['w'], modes: '16/32' }),
  row('6A ib', 'PUSH imm8', { access: ['r'], osz: 'd64', sx: true }),
  row('6A ib', 'PUSH imm8', { id: 'PUSH_imm8_o16', access: ['r'], osz: 'd64', sx: true, size: 2 }),
  row('68 iw', 'PUSH imm16', { access: ['r'], osz: 'd64' }),
  row('68 id', 'PUSH imm32', { access: ['r'], osz: 'd64', sx: true }),
  row('0F A0', 'PUSH FS', { access: ['r'], osz: 'd64', size: 8 }),
  row('0F A8', 'PUSH GS', { access: ['r'], osz: 'd64', size: 8 }),
  row('58+rw', 'POP r16', { access: ['w'], osz: 'd64' }),
  row('58+rd', 'POP r64', { access: ['w'], osz: 'd64' }),
  row('58+rd', 'POP r32', { access: ['w'], modes: '16/32' }),
  row('8F /0', 'POP r/m16', { access: ['w'], osz: 'd64' }),
  row('8F /0', 'POP r/m64', { access: ['w'], osz: 'd64' }),
  row('8F /0', 'POP r/m32', { access: ['w'], modes: '16/32' }),
  row('0F A1', 'POP FS', { access: ['w'], osz: 'd64', size: 8 }),
  row('0F A9', 'POP GS', { access: ['w'], osz: 'd64', size: 8 }),
  // LSS/LFS/LGS: SDM Vol. 2A §3.2 "LDS/LES/LFS/LGS/LSS": a far pointer (offset, then selector)
  // loads the segment register and the general register. Valid in every mode (REX.W: m16:64).
  ...farPointerLoads('LSS', 'B2'),
  ...farPointerLoads('LFS', 'B4'),
  ...farPointerLoads('LGS', 'B5'),
  // PUSHF/POPF: SDM Vol. 2B §4.3 "PUSHF/PUSHFD/PUSHFQ", "POPF/POPFD/POPFQ".
  row('9C', 'PUSHFW', { size: 2, osz: 'd64', flags: { read: '*' } }),
  row('9C', 'PUSHFQ', { size: 8, osz: 'd64', modes: '64', flags: { read: '*' } }),
  row('9C', 'PUSHFD', { size: 4, modes: '16/32', flags: { read: '*' } }),
  row('9D', 'POPFW', { size: 2, osz: 'd64', flags: { written: '*' } }),
  row('9D', 'POPFQ', { size: 8, osz: 'd64', modes: '64', flags: { written: '*' } }),
  row('9D', 'POPFD', { size: 4, modes: '16/32', flags: { written: '*' } }),
  // ENTER, LEAVE: SDM Vol. 2A §3.2 "ENTER", "LEAVE". Valid in every mode; the 64-bit default
  // operand size is the row's, the mode's size elsewhere (66 toggles it).
  row('C8 iw ib', 'ENTER imm16, imm8', { access: ['r', 'r'], size: 8, osz: 'd64' }),
  row('C9', 'LEAVE', { size: 8, osz: 'd64' }),
  // 66 C8 / 66 C9 in 64-bit mode: the 16-bit operand size (NASM `o16 enter`, `o16 leave`, written
  // through the rows above with the prefix).
  row('C8 iw ib', 'ENTER imm16, imm8', { id: 'ENTER_imm16_imm8_o16', access: ['r', 'r'], size: 2, osz: 'd64', modes: '64', encode: false }),
  row('C9', 'LEAVE', { id: 'LEAVE_o16', size: 2, osz: 'd64', modes: '64', encode: false }),
  // XLAT: SDM Vol. 2B §6.1 "XLAT/XLATB": AL = [DS:rBX + AL] at the address size (REX.W ignored).
  row('D7', 'XLATB', { size: 1 }),

  // Accumulator sign extension: SDM Vol. 2A §3.2 "CBW/CWDE/CDQE", "CWD/CDQ/CQO".
  row('98', 'CBW', { size: 2 }),
  row('98', 'CWDE', { size: 4 }),
  row('REX.W 98', 'CDQE', { size: 8 }),
  row('99', 'CWD', { size: 2 }),
  row('99', 'CDQ', { size: 4 }),
  row('REX.W 99', 'CQO', { size: 8 }),

  // String instructions (REP/REPE/REPNE are prefixes, not rows).
  ...stringRows('MOVS', 'A4', 'A5'),
  ...stringRows('CMPS', 'A6', 'A7', { written: 'OSZAPC' }),
  ...stringRows('STOS', 'AA', 'AB'),
  ...stringRows('LODS', 'AC', 'AD'),
  ...stringRows('SCAS', 'AE', 'AF', { written: 'OSZAPC' }),
];
