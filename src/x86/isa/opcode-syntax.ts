// Parser of the SDM's opcode and instruction notation (SDM Vol. 2A §3.1.1.1 "Opcode Column
// in the Instruction Summary Table" and §3.1.1.3 "Instruction Column in the Opcode Summary
// Table") into the numeric `InstructionForm` of form.ts. Runs once per row at module load;
// a row it cannot read is a build failure (it throws with the row id).

import type { MemSize } from './operands.ts';
import type { Access, FormRow, InstructionForm, OperandClass, OperandLoc, OperandSpec } from './form.ts';
import { regByName, regKind, regSize, RegKind, type Reg } from './registers.ts';

interface OpcodeParts {
  mandatory: 0 | 0x66 | 0xf2 | 0xf3;
  np: boolean;
  rexW: boolean;
  map: 0 | 1 | 2 | 3;
  opcode: number;
  plusReg: boolean;
  cc: boolean;
  modrm: 'none' | 'r' | 'digit' | 'fixed';
  digit: number;
  fixedModrm: number;
  immBytes: number;
  immTokens: string[];
}

const HEX = /^[0-9A-F]{2}$/;

/** Parses the opcode column ('REX.W 83 /0 ib', 'F3 0F C7 /6', '70+cc cb', 'B8+rd io'). */
export function parseOpcode(op: string): OpcodeParts {
  const t = op.replace(/\+\s+/g, ' ').replace(/\s+\+/g, ' ').trim().split(/\s+/);
  const out: OpcodeParts = {
    mandatory: 0, np: false, rexW: false, map: 0, opcode: -1, plusReg: false, cc: false,
    modrm: 'none', digit: -1, fixedModrm: -1, immBytes: 0, immTokens: [],
  };
  let i = 0;
  if (t[i] === 'NP') { out.np = true; i++; }
  if (t[i] === '66' || t[i] === 'F2' || t[i] === 'F3') {
    // A prefix byte written before the opcode proper is a mandatory prefix. F3 90 (PAUSE)
    // is the one case where it is followed directly by a one-byte opcode.
    out.mandatory = parseInt(t[i], 16) as 0x66 | 0xf2 | 0xf3;
    i++;
  }
  if (t[i] === 'REX.W') { out.rexW = true; i++; }
  else if (t[i] === 'REX') i++;
  if (t[i] === '0F') {
    i++;
    if (t[i] === '38' && t.length > i + 1 && /^[0-9A-F]{2}/.test(t[i + 1])) { out.map = 2; i++; }
    else if (t[i] === '3A' && t.length > i + 1 && /^[0-9A-F]{2}/.test(t[i + 1])) { out.map = 3; i++; }
    else out.map = 1;
  }
  const m = /^([0-9A-F]{2})(\+(rb|rw|rd|ro|cc))?$/.exec(t[i] ?? '');
  if (!m) throw new Error(`opcode byte expected at '${t[i] ?? ''}' in '${op}'`);
  out.opcode = parseInt(m[1], 16);
  if (m[3] === 'cc') out.cc = true;
  else if (m[3]) out.plusReg = true;
  i++;
  for (; i < t.length; i++) {
    const tok = t[i];
    if (tok === '/r') out.modrm = 'r';
    else if (/^\/[0-7]$/.test(tok)) { out.modrm = 'digit'; out.digit = Number(tok[1]); }
    else if (HEX.test(tok) && out.modrm === 'none' && out.immBytes === 0) { out.modrm = 'fixed'; out.fixedModrm = parseInt(tok, 16); }
    else if (tok === 'ib' || tok === 'cb') { out.immBytes += 1; out.immTokens.push(tok); }
    else if (tok === 'iw' || tok === 'cw') { out.immBytes += 2; out.immTokens.push(tok); }
    else if (tok === 'id' || tok === 'cd') { out.immBytes += 4; out.immTokens.push(tok); }
    else if (tok === 'cp') { out.immBytes += 6; out.immTokens.push(tok); }
    else if (tok === 'io') { out.immBytes += 8; out.immTokens.push(tok); }
    else throw new Error(`unknown opcode token '${tok}' in '${op}'`);
  }
  return out;
}

interface RawOperand {
  token: string;
  cls: OperandClass;
  regSize: 0 | 1 | 2 | 4 | 8;
  mem: boolean;
  memSize: MemSize;
  kind: 'gpr' | 'special' | 'imm' | 'rel' | 'fixed' | 'one' | 'mem' | 'moffs';
  immSize: 0 | 1 | 2 | 4 | 8;
  fixed?: Reg;
}

const SIZE_OF: Record<string, 1 | 2 | 4 | 8> = { '8': 1, '16': 2, '32': 4, '64': 8 };
// `m16:16`, `m16:32`, `m16:64`: far pointers (offset, then selector), SDM Vol. 2A §3.1.1.3;
// `m16&16`, `m32&32`: BOUND's pair of bounds.
const MEM_SIZE: Record<string, MemSize> = {
  m: 0, m8: 1, m16: 2, m32: 4, m64: 8, m128: 16, 'm16&32': 6, 'm16&64': 10,
  'm16:16': 4, 'm16:32': 6, 'm16:64': 10, 'm16&16': 4, 'm32&32': 8,
};

/** Parses one operand token of the instruction column. */
export function parseOperandToken(token: string): RawOperand {
  const base = { token, cls: 'none' as OperandClass, regSize: 0 as const, mem: false, memSize: 0 as MemSize, immSize: 0 as const };
  let m: RegExpExecArray | null;
  if ((m = /^r(8|16|32|64)$/.exec(token))) return { ...base, cls: 'gpr', regSize: SIZE_OF[m[1]], kind: 'gpr' };
  if ((m = /^r\/m(8|16|32|64)$/.exec(token))) {
    return { ...base, cls: 'gpr', regSize: SIZE_OF[m[1]], mem: true, memSize: SIZE_OF[m[1]], kind: 'gpr' };
  }
  if ((m = /^r(16|32|64)\/m(8|16|32|64)$/.exec(token))) {
    return { ...base, cls: 'gpr', regSize: SIZE_OF[m[1]], mem: true, memSize: SIZE_OF[m[2]], kind: 'gpr' };
  }
  if ((m = /^moffs(8|16|32|64)$/.exec(token))) return { ...base, mem: true, memSize: SIZE_OF[m[1]], kind: 'moffs' };
  if (token in MEM_SIZE) return { ...base, mem: true, memSize: MEM_SIZE[token], kind: 'mem' };
  if ((m = /^imm(8|16|32|64)$/.exec(token))) return { ...base, immSize: SIZE_OF[m[1]], kind: 'imm' };
  if ((m = /^rel(8|16|32)$/.exec(token))) return { ...base, immSize: SIZE_OF[m[1]], kind: 'rel' };
  // The selector half of a `ptr16:16` / `ptr16:32` operand (see `expandFarPointer`).
  if (token === 'ptr16:sel') return { ...base, immSize: 2, kind: 'imm' };
  if ((m = /^ptr16:(16|32)$/.exec(token))) return { ...base, immSize: SIZE_OF[m[1]], kind: 'imm' };
  if (token === 'Sreg') return { ...base, cls: 'seg', kind: 'special' };
  if (token === 'CRn') return { ...base, cls: 'cr', kind: 'special' };
  if (token === 'DRn') return { ...base, cls: 'dr', kind: 'special' };
  if (token === '1') return { ...base, kind: 'one' };
  const r = regByName(token);
  if (r !== undefined) {
    const k = regKind(r);
    const cls: OperandClass = k === RegKind.SEG ? 'seg' : k === RegKind.CR ? 'cr' : k === RegKind.DR ? 'dr' : 'gpr';
    return { ...base, cls, regSize: cls === 'gpr' ? (regSize(r) as 1 | 2 | 4 | 8) : 0, kind: 'fixed', fixed: r };
  }
  throw new Error(`unknown operand '${token}'`);
}

/** Splits 'ADD r/m64, imm8' into mnemonic and operand tokens. */
export function splitInstruction(ins: string): { mnemonic: string; tokens: string[] } {
  const sp = ins.indexOf(' ');
  const mnemonic = (sp < 0 ? ins : ins.slice(0, sp)).toLowerCase();
  const rest = sp < 0 ? '' : ins.slice(sp + 1).trim();
  return { mnemonic, tokens: rest === '' ? [] : rest.split(',').map((s) => s.trim()) };
}

function assignLocations(raw: RawOperand[], p: OpcodeParts): OperandLoc[] {
  const loc: OperandLoc[] = raw.map((o) =>
    o.kind === 'imm' ? 'imm' : o.kind === 'rel' ? 'rel' : o.kind === 'moffs' ? 'moffs' : o.kind === 'fixed' || o.kind === 'one' ? 'implicit' : 'reg');
  const regLike = raw.map((o, i) => (loc[i] === 'reg' ? i : -1)).filter((i) => i >= 0);
  if (p.plusReg) {
    const i = regLike.find((j) => raw[j].kind === 'gpr' && !raw[j].mem);
    if (i === undefined) throw new Error('+r form without a register operand');
    loc[i] = 'opreg';
    return loc;
  }
  if (p.modrm === 'digit') {
    if (regLike.length !== 1) throw new Error(`/digit form needs exactly one r/m operand, has ${regLike.length}`);
    loc[regLike[0]] = 'rm';
  } else if (p.modrm === 'r') {
    if (regLike.length !== 2) throw new Error(`/r form needs two ModRM operands, has ${regLike.length}`);
    // The memory-capable operand goes to r/m; with none, a general register goes to r/m
    // and the Sreg/CRn/DRn to ModRM.reg (MOV r64, CRn); of two general registers the
    // second is r/m (`LAR r32, r16`, as `LAR r32, r32/m16`).
    const withMem = regLike.filter((i) => raw[i].mem);
    const gprs = regLike.filter((i) => raw[i].cls === 'gpr');
    const rmIdx = withMem.length === 1 ? withMem[0]
      : withMem.length === 0 ? (gprs.length === 1 ? gprs[0] : regLike[1]) : -1;
    if (rmIdx < 0) throw new Error('two memory-capable operands');
    loc[rmIdx] = 'rm';
  } else if (regLike.length > 0) {
    throw new Error('register operand without ModRM or +r');
  }
  return loc;
}

const MODES = { '64': { m16: false, m32: false, m64: true }, '16/32': { m16: true, m32: true, m64: false }, '16/32/64': { m16: true, m32: true, m64: true } } as const;

/** Parses one table row into its `InstructionForm`; throws with the row id when it cannot. */
export function parseRow(row: FormRow): InstructionForm {
  try {
    return parseRowInner(row);
  } catch (e) {
    throw new Error(`instruction table row ${row.id}: ${(e as Error).message}`);
  }
}

/**
 * A direct far pointer `ptr16:16` / `ptr16:32` (JMP/CALL EA/9A) is two immediates in the bytes:
 * the offset, then the 16-bit selector (SDM Vol. 2A §3.1.1.3 "Instruction Column in the Opcode
 * Summary Table"). The form lists them as two operands, offset first; the disassembler and the
 * assembler write them `selector:offset`.
 */
function expandFarPointer(tokens: string[]): string[] {
  return tokens.flatMap((t) => (/^ptr16:(16|32)$/.test(t) ? [t, 'ptr16:sel'] : [t]));
}

function parseRowInner(row: FormRow): InstructionForm {
  const p = parseOpcode(row.op);
  const split = splitInstruction(row.ins);
  const mnemonic = split.mnemonic;
  const tokens = expandFarPointer(split.tokens);
  const raw = tokens.map(parseOperandToken);
  const loc = assignLocations(raw, p);
  if (row.access && row.access.length !== raw.length) throw new Error(`access has ${row.access.length} entries for ${raw.length} operands`);
  const immOps = raw.filter((o) => o.kind === 'imm' || o.kind === 'rel');
  const immSum = immOps.reduce((s, o) => s + o.immSize, 0);
  if (immSum !== p.immBytes) throw new Error(`immediate operands take ${immSum} bytes, opcode column says ${p.immBytes}`);
  if ((p.cc) !== mnemonic.endsWith('cc')) throw new Error('+cc goes with a ...cc mnemonic');
  const operands: OperandSpec[] = raw.map((o, i) => ({
    token: o.token,
    loc: loc[i],
    regClass: o.cls,
    regSize: o.regSize,
    mem: o.mem,
    memSize: o.memSize,
    immSize: o.immSize,
    fixed: o.fixed,
    one: o.kind === 'one' ? true : undefined,
    access: (row.access?.[i] ?? 'r') as Access,
  }));
  const rm = operands.find((o) => o.loc === 'rm');
  const modKind = p.modrm === 'none' || p.modrm === 'fixed' ? 'none'
    : !rm ? 'any' : rm.mem && rm.regClass !== 'none' ? 'any' : rm.mem ? 'mem' : 'reg';
  let opSize: 0 | 1 | 2 | 4 | 8 = 0;
  if (row.osz !== 'none') {
    // DX appears in the table only as the port number of IN/OUT: never an operand size.
    const sized = operands.find((o) => o.regClass === 'gpr' && o.regSize > 0 && o.token !== 'DX');
    if (p.rexW) opSize = 8;
    else if (row.size) opSize = row.size;
    else if (sized) opSize = sized.regSize;
    else if (row.osz === 'd64') opSize = immOps.some((o) => o.immSize === 2 && o.token.startsWith('imm')) ? 2 : 8;
  }
  const has64 = p.rexW || operands.some((o) => o.regSize === 8);
  const modes = MODES[row.modes ?? (has64 ? '64' : '16/32/64')];
  return {
    row,
    id: row.id,
    mnemonic,
    cc: p.cc,
    mandatory: p.mandatory,
    np: p.np,
    map: p.map,
    opcode: p.opcode,
    plusReg: p.plusReg,
    rexW: p.rexW,
    modrm: p.modrm,
    digit: p.digit,
    fixedModrm: p.fixedModrm,
    modKind,
    opSize,
    osz: row.osz === 'd64' ? 'd64' : row.osz === 'none' || opSize <= 1 ? 'none' : 'normal',
    immBytes: p.immBytes,
    sx: row.sx === true,
    asz: row.asz ?? 0,
    operands,
    modes,
    flags: row.flags ?? {},
  };
}
