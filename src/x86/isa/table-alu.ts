// Instruction table, arithmetic and logic: the eight ALU operations, TEST, NOT/NEG,
// MUL/IMUL/DIV/IDIV, INC/DEC, shifts and rotates, bit tests and scans.
// Rows follow SDM Vol. 2A/2B Chapter 3-4 "Instruction Set Reference" (each instruction's
// Opcode/Instruction table). Notation: see the header of table.ts.

import { row, type FlagEffects, type FormRow } from './form.ts';

const ARITH: FlagEffects = { written: 'OSZAPC' };
const ARITH_C: FlagEffects = { written: 'OSZAPC', read: 'C' };
const LOGIC: FlagEffects = { written: 'OSZPC', undefined: 'A' };

/**
 * The eight classic ALU operations share one opcode layout (SDM Vol. 2A §3.2 "ADD",
 * "ADC", "AND", "CMP", "OR", "SBB", "SUB", "XOR"): base+0..5 and the 80/81/83 group
 * with ModRM.reg = the operation's number.
 */
function aluRows(name: string, n: number, flags: FlagEffects): FormRow[] {
  const b = (k: number) => (n * 8 + k).toString(16).toUpperCase().padStart(2, '0');
  const d = `/${n}`;
  const dst = name === 'CMP' ? 'r' : 'rw';
  const a2 = { access: [dst, 'r'] as const, flags };
  const sx = { ...a2, sx: true };
  // Row order is NASM's preference at equal length: the sign-extended imm8 forms first
  // (`add ax, 1` is 66 83 C0 01, not 66 05 01 00), then the accumulator forms.
  return [
    row(`83 ${d} ib`, `${name} r/m16, imm8`, sx),
    row(`83 ${d} ib`, `${name} r/m32, imm8`, sx),
    row(`REX.W 83 ${d} ib`, `${name} r/m64, imm8`, sx),
    row(`${b(4)} ib`, `${name} AL, imm8`, a2),
    row(`${b(5)} iw`, `${name} AX, imm16`, a2),
    row(`${b(5)} id`, `${name} EAX, imm32`, a2),
    row(`REX.W ${b(5)} id`, `${name} RAX, imm32`, sx),
    row(`80 ${d} ib`, `${name} r/m8, imm8`, a2),
    // 82 is an alias of 80 outside 64-bit mode (SDM Vol. 2D Table A-2, "i64"); NASM never writes it.
    row(`82 ${d} ib`, `${name} r/m8, imm8`, { ...a2, id: `${name}_rm8_imm8_82`, modes: '16/32', encode: false }),
    row(`81 ${d} iw`, `${name} r/m16, imm16`, a2),
    row(`81 ${d} id`, `${name} r/m32, imm32`, a2),
    row(`REX.W 81 ${d} id`, `${name} r/m64, imm32`, sx),
    row(`${b(0)} /r`, `${name} r/m8, r8`, a2),
    row(`${b(1)} /r`, `${name} r/m16, r16`, a2),
    row(`${b(1)} /r`, `${name} r/m32, r32`, a2),
    row(`REX.W ${b(1)} /r`, `${name} r/m64, r64`, a2),
    row(`${b(2)} /r`, `${name} r8, r/m8`, a2),
    row(`${b(3)} /r`, `${name} r16, r/m16`, a2),
    row(`${b(3)} /r`, `${name} r32, r/m32`, a2),
    row(`REX.W ${b(3)} /r`, `${name} r64, r/m64`, a2),
  ];
}

/** One-operand F6/F7 group rows (NOT, NEG, MUL, IMUL, DIV, IDIV) at every size. */
function unaryRows(name: string, n: number, access: 'rw' | 'r', flags: FlagEffects | undefined): FormRow[] {
  const o = { access: [access] as const, flags };
  return [
    row(`F6 /${n}`, `${name} r/m8`, o),
    row(`F7 /${n}`, `${name} r/m16`, o),
    row(`F7 /${n}`, `${name} r/m32`, o),
    row(`REX.W F7 /${n}`, `${name} r/m64`, o),
  ];
}

/** Shifts and rotates: C0/C1 by imm8, D0/D1 by 1, D2/D3 by CL (SDM Vol. 2B §4.3 "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR"). */
function shiftRows(name: string, n: number, flags: FlagEffects): FormRow[] {
  const o1 = { access: ['rw', 'r'] as const, flags };
  const out: FormRow[] = [];
  for (const [w, pre, sz] of [['8', '', 1], ['16', '', 2], ['32', '', 4], ['64', 'REX.W ', 8]] as const) {
    const odd = sz === 1 ? 0 : 1;
    out.push(
      row(`${pre}D${odd ? '1' : '0'} /${n}`, `${name} r/m${w}, 1`, o1),
      row(`${pre}D${odd ? '3' : '2'} /${n}`, `${name} r/m${w}, CL`, o1),
      row(`${pre}C${odd ? '1' : '0'} /${n} ib`, `${name} r/m${w}, imm8`, o1),
    );
  }
  return out;
}

/** BT/BTS/BTR/BTC: register bit offset (0F xx /r) and immediate (0F BA /n ib); SDM Vol. 2A §3.2 "BT". */
function bitTestRows(name: string, opReg: string, n: number): FormRow[] {
  const acc = name === 'BT' ? 'r' : 'rw';
  const o = { access: [acc, 'r'] as const, flags: { written: 'C', undefined: 'OSAP' } };
  return [
    row(`0F ${opReg} /r`, `${name} r/m16, r16`, o),
    row(`0F ${opReg} /r`, `${name} r/m32, r32`, o),
    row(`REX.W 0F ${opReg} /r`, `${name} r/m64, r64`, o),
    row(`0F BA /${n} ib`, `${name} r/m16, imm8`, o),
    row(`0F BA /${n} ib`, `${name} r/m32, imm8`, o),
    row(`REX.W 0F BA /${n} ib`, `${name} r/m64, imm8`, o),
  ];
}

const SHIFT: FlagEffects = { written: 'OSZPC', undefined: 'A' };
const ROTATE: FlagEffects = { written: 'OC' };
const ROTATE_C: FlagEffects = { written: 'OC', read: 'C' };
const MULF: FlagEffects = { written: 'OC', undefined: 'SZAP' };
const DIVF: FlagEffects = { undefined: 'OSZAPC' };
const INCF: FlagEffects = { written: 'OSZAP' };

export const ALU_ROWS: readonly FormRow[] = [
  ...aluRows('ADD', 0, ARITH),
  ...aluRows('OR', 1, LOGIC),
  ...aluRows('ADC', 2, ARITH_C),
  ...aluRows('SBB', 3, ARITH_C),
  ...aluRows('AND', 4, LOGIC),
  ...aluRows('SUB', 5, ARITH),
  ...aluRows('XOR', 6, LOGIC),
  ...aluRows('CMP', 7, ARITH),

  // TEST: SDM Vol. 2B §4.3 "TEST".
  row('A8 ib', 'TEST AL, imm8', { access: ['r', 'r'], flags: LOGIC }),
  row('A9 iw', 'TEST AX, imm16', { access: ['r', 'r'], flags: LOGIC }),
  row('A9 id', 'TEST EAX, imm32', { access: ['r', 'r'], flags: LOGIC }),
  row('REX.W A9 id', 'TEST RAX, imm32', { access: ['r', 'r'], flags: LOGIC, sx: true }),
  row('F6 /0 ib', 'TEST r/m8, imm8', { access: ['r', 'r'], flags: LOGIC }),
  row('F7 /0 iw', 'TEST r/m16, imm16', { access: ['r', 'r'], flags: LOGIC }),
  row('F7 /0 id', 'TEST r/m32, imm32', { access: ['r', 'r'], flags: LOGIC }),
  row('REX.W F7 /0 id', 'TEST r/m64, imm32', { access: ['r', 'r'], flags: LOGIC, sx: true }),
  row('84 /r', 'TEST r/m8, r8', { access: ['r', 'r'], flags: LOGIC }),
  row('85 /r', 'TEST r/m16, r16', { access: ['r', 'r'], flags: LOGIC }),
  row('85 /r', 'TEST r/m32, r32', { access: ['r', 'r'], flags: LOGIC }),
  row('REX.W 85 /r', 'TEST r/m64, r64', { access: ['r', 'r'], flags: LOGIC }),
  row('84 /r', 'TEST r8, r/m8', { access: ['r', 'r'], flags: LOGIC, asmOnly: true }),
  row('85 /r', 'TEST r16, r/m16', { access: ['r', 'r'], flags: LOGIC, asmOnly: true }),
  row('85 /r', 'TEST r32, r/m32', { access: ['r', 'r'], flags: LOGIC, asmOnly: true }),
  row('REX.W 85 /r', 'TEST r64, r/m64', { access: ['r', 'r'], flags: LOGIC, asmOnly: true }),

  ...unaryRows('NOT', 2, 'rw', undefined),
  ...unaryRows('NEG', 3, 'rw', ARITH),
  ...unaryRows('MUL', 4, 'r', MULF),
  ...unaryRows('IMUL', 5, 'r', MULF),
  ...unaryRows('DIV', 6, 'r', DIVF),
  ...unaryRows('IDIV', 7, 'r', DIVF),
  // IMUL two- and three-operand forms: SDM Vol. 2A §3.2 "IMUL".
  row('0F AF /r', 'IMUL r16, r/m16', { access: ['rw', 'r'], flags: MULF }),
  row('0F AF /r', 'IMUL r32, r/m32', { access: ['rw', 'r'], flags: MULF }),
  row('REX.W 0F AF /r', 'IMUL r64, r/m64', { access: ['rw', 'r'], flags: MULF }),
  row('6B /r ib', 'IMUL r16, r/m16, imm8', { access: ['w', 'r', 'r'], flags: MULF, sx: true }),
  row('6B /r ib', 'IMUL r32, r/m32, imm8', { access: ['w', 'r', 'r'], flags: MULF, sx: true }),
  row('REX.W 6B /r ib', 'IMUL r64, r/m64, imm8', { access: ['w', 'r', 'r'], flags: MULF, sx: true }),
  row('69 /r iw', 'IMUL r16, r/m16, imm16', { access: ['w', 'r', 'r'], flags: MULF }),
  row('69 /r id', 'IMUL r32, r/m32, imm32', { access: ['w', 'r', 'r'], flags: MULF }),
  row('REX.W 69 /r id', 'IMUL r64, r/m64, imm32', { access: ['w', 'r', 'r'], flags: MULF, sx: true }),

  // INC/DEC: SDM Vol. 2A §3.2 "INC", "DEC". 40+r/48+r are REX prefixes in 64-bit mode.
  row('FE /0', 'INC r/m8', { access: ['rw'], flags: INCF }),
  row('FF /0', 'INC r/m16', { access: ['rw'], flags: INCF }),
  row('FF /0', 'INC r/m32', { access: ['rw'], flags: INCF }),
  row('REX.W FF /0', 'INC r/m64', { access: ['rw'], flags: INCF }),
  row('40+rw', 'INC r16', { access: ['rw'], flags: INCF, modes: '16/32' }),
  row('40+rd', 'INC r32', { access: ['rw'], flags: INCF, modes: '16/32' }),
  row('FE /1', 'DEC r/m8', { access: ['rw'], flags: INCF }),
  row('FF /1', 'DEC r/m16', { access: ['rw'], flags: INCF }),
  row('FF /1', 'DEC r/m32', { access: ['rw'], flags: INCF }),
  row('REX.W FF /1', 'DEC r/m64', { access: ['rw'], flags: INCF }),
  row('48+rw', 'DEC r16', { access: ['rw'], flags: INCF, modes: '16/32' }),
  row('48+rd', 'DEC r32', { access: ['rw'], flags: INCF, modes: '16/32' }),

  // Shifts and rotates. OF is defined only for 1-bit counts; a count of 0 changes no flag.
  ...shiftRows('ROL', 0, ROTATE),
  ...shiftRows('ROR', 1, ROTATE),
  ...shiftRows('RCL', 2, ROTATE_C),
  ...shiftRows('RCR', 3, ROTATE_C),
  ...shiftRows('SHL', 4, SHIFT),
  ...shiftRows('SHR', 5, SHIFT),
  ...shiftRows('SAR', 7, SHIFT),

  ...bitTestRows('BT', 'A3', 4),
  ...bitTestRows('BTS', 'AB', 5),
  ...bitTestRows('BTR', 'B3', 6),
  ...bitTestRows('BTC', 'BB', 7),
  // BSF/BSR: SDM Vol. 2A §3.2 "BSF", "BSR".
  row('0F BC /r', 'BSF r16, r/m16', { access: ['cw', 'r'], flags: { written: 'Z', undefined: 'OSAPC' } }),
  row('0F BC /r', 'BSF r32, r/m32', { access: ['cw', 'r'], flags: { written: 'Z', undefined: 'OSAPC' } }),
  row('REX.W 0F BC /r', 'BSF r64, r/m64', { access: ['cw', 'r'], flags: { written: 'Z', undefined: 'OSAPC' } }),
  row('0F BD /r', 'BSR r16, r/m16', { access: ['cw', 'r'], flags: { written: 'Z', undefined: 'OSAPC' } }),
  row('0F BD /r', 'BSR r32, r/m32', { access: ['cw', 'r'], flags: { written: 'Z', undefined: 'OSAPC' } }),
  row('REX.W 0F BD /r', 'BSR r64, r/m64', { access: ['cw', 'r'], flags: { written: 'Z', undefined: 'OSAPC' } }),
];
