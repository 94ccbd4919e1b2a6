// The encoder: one instruction (mnemonic, prefixes, assembler operands) to the bytes NASM
// 2.16 writes for it with `-f bin` and its default optimisation (-Ox). Forms come from
// the instruction table (STYLE rule 3); this file only chooses among them as NASM does
// and lays out prefixes, REX, opcode, ModRM/SIB, displacement and immediates (SDM Vol. 2A
// §2.1 "Instruction Format for Protected Mode, Real-Address Mode, and Virtual-8086
// Mode", §2.2.1 "REX Prefixes"). NASM's choices: docs/decisions/0001-nasm-encoding-choices.md.

import type { InstructionForm } from './form.ts';
import type { AsmOperand, EncodeRequest, EncodeResult } from './operands.ts';
import { encodeMem, leBytes, type MemEncoding } from './encode-modrm.ts';
import { isUdword, place, type Placed } from './encode-match.ts';
import { RegKind, makeReg, regIndex, regKind, type Reg } from './registers.ts';

// Local copies of the register helpers: under tsx's CommonJS transform (the CLI) every
// use of an imported binding is a getter call, and these run for every operand.
const K = { ...RegKind };
const makeReg_ = makeReg;
const regIndex_ = regIndex;
const regKind_ = regKind;
import { formById, formsForMnemonic } from './table.ts';

const SEG_PREFIX = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];
const MAP_ESCAPE: readonly (readonly number[])[] = [[], [0x0f], [0x0f, 0x38], [0x0f, 0x3a]];

const MESSAGES: Record<Failure, string> = {
  kind: 'invalid combination of opcode and operands',
  size: 'mismatch in operand sizes',
  range: 'invalid combination of opcode and operands',
  'short-range': 'short jump is out of range',
  mode: 'instruction not supported in 64-bit mode',
  rex: 'invalid operands in non-64-bit mode',
  hibyte: 'cannot use high byte register in rex instruction',
  ea: 'invalid 64-bit effective address',
  asize: 'impossible combination of address sizes',
  repne: 'repne prefix is not allowed',
  segs: 'instruction has conflicting segment overrides',
  bnd: 'bnd prefix is not allowed',
};

/**
 * Forms where F2 would mean BND (MPX: near CALL/JMP/RET and Jcc rel32): NASM refuses a
 * written REPNE on them, while `repne jmp short x` passes.
 */
const BND_FORMS = new Set(['JMP_rel32', 'JMP_rm64', 'JMP_rm32', 'CALL_rel32', 'CALL_rm64', 'CALL_rm32', 'Jcc_rel32', 'RET', 'RET_imm16']);
/** Which failure explains a refusal best when no form fits (most specific first). */
const FAILURE_ORDER = ['rex', 'hibyte', 'short-range', 'ea', 'asize', 'segs', 'repne', 'bnd', 'size', 'mode', 'range', 'kind'] as const;
type Failure = (typeof FAILURE_ORDER)[number];

interface Prefixes {
  readonly leading: number[];
  readonly o16: boolean;
  readonly o32: boolean;
  readonly a32: boolean;
  /** `a16` was written (not in 64-bit mode). */
  readonly a16: boolean;
  readonly w: boolean;
  /** 'repne' or 'repnz' as written, or null. */
  readonly repne: string | null;
  /** A segment register written as an instruction prefix (`fs mov eax, [rax]`), or null. */
  readonly seg: number | null;
  /** `bnd` was written (F2, dropped on short jumps as NASM does). */
  readonly bnd: boolean;
}

const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

function parsePrefixes(list: readonly string[], bits: 16 | 32 | 64): Prefixes | string {
  const leading: number[] = [];
  let o16 = false, o32 = false, a32 = false, a16 = false, w = false;
  let repne: string | null = null;
  let seg: number | null = null;
  let bnd = false;
  for (const p of list) {
    const name = p.toLowerCase();
    if (SEG_NAMES.includes(name)) {
      if (seg !== null) return 'instruction has conflicting segment overrides';
      seg = SEG_NAMES.indexOf(name);
      continue;
    }
    switch (name) {
      case 'lock': leading.push(0xf0); break;
      case 'rep': case 'repe': case 'repz': leading.push(0xf3); break;
      case 'repne': case 'repnz': leading.push(0xf2); repne = p.toLowerCase(); break;
      case 'o16': o16 = true; break;
      case 'o64':
        if (bits !== 64) return 'invalid operands in non-64-bit mode';
        w = true; break;
      case 'a32': a32 = true; break;
      case 'o32': o32 = true; break;
      case 'xacquire': leading.push(0xf2); break;
      case 'xrelease': leading.push(0xf3); break;
      case 'bnd': bnd = true; break;
      case 'a64':
        if (bits !== 64) return 'impossible combination of address sizes';
        break;
      case 'nobnd': break;
      case 'a16':
        if (bits === 64) return 'impossible combination of address sizes';
        a16 = true; break;
      default: return `unknown prefix '${p}'`;
    }
  }
  if (o16 && (w || o32)) return 'instruction has conflicting prefixes';
  if (a16 && a32) return 'impossible combination of address sizes';
  return { leading, o16, o32, a32, a16, w, repne, seg, bnd };
}

/**
 * VMX instructions ignore the operand size (SDM Vol. 3C §31.3 "VMX Instructions": VMREAD,
 * VMWRITE use 32 bits outside 64-bit mode; INVEPT, INVVPID a 32-bit register): NASM
 * writes them without 66 in 16-bit code; SYSRET too (it returns to 32-bit code unless REX.W).
 */
const NO_OSZ = new Set(['vmread', 'vmwrite', 'invept', 'invvpid', 'sysret']);

/** The operand size a mode uses without 66 (SDM Vol. 1 §3.6 "Operand-Size and Address-Size Attributes"). */
const defaultOpSize = (bits: 16 | 32 | 64): number => (bits === 16 ? 2 : 4);
const defaultAddrSize = (bits: 16 | 32 | 64): number => bits / 8;

/** Legacy prefixes (lock/rep, bnd, segment, 66, 67, mandatory), or the refusal. */
function legacyPrefixes(p: Placed, pre: Prefixes, mem: MemEncoding | null, bits: 16 | 32 | 64): number[] | Failure {
  const f = p.form;
  const out: number[] = [...pre.leading];
  if (pre.bnd) {
    // BND applies to near branches and RET; on a short JMP/Jcc NASM drops it with a warning.
    if (f.id === 'JMP_rel8' || f.id === 'Jcc_rel8') { /* dropped */ }
    else if (BND_FORMS.has(f.id)) out.push(0xf2);
    else return 'bnd';
  }
  if (pre.repne && BND_FORMS.has(f.id)) return 'repne';
  const hasRegs = p.rmMem?.base !== undefined || p.rmMem?.index !== undefined;
  const askedA = pre.a32 ? 4 : pre.a16 ? 2 : 0;
  if (askedA && mem && !mem.rip && hasRegs && mem.addrSize !== askedA) return 'asize';
  const memSeg = p.rmMem?.seg !== undefined ? regIndex_(p.rmMem.seg) : null;
  if (pre.seg !== null && memSeg !== null && pre.seg !== memSeg) return 'segs';
  const seg = memSeg ?? pre.seg;
  if (seg !== null) out.push(SEG_PREFIX[seg]);
  // An explicit o16/o32/o64 replaces the size a form would need (`o32 push ax` = 50 in
  // 64-bit code); 66 goes out when the size differs from the mode's default.
  const sized = f.osz !== 'none' && (f.opSize === 2 || f.opSize === 4) && !(bits === 16 && NO_OSZ.has(f.mnemonic)) && f.id !== 'MOV_Sreg_r32';
  const opSize = pre.o16 ? 2 : pre.o32 ? 4 : pre.w ? 0 : sized ? f.opSize : 0;
  if (opSize !== 0 && opSize !== defaultOpSize(bits)) out.push(0x66);
  // JCXZ/JECXZ/JRCXZ: the row's address size is the instruction (67 when it is not the mode's).
  const aSize = f.asz !== 0 ? f.asz : askedA && !(mem && hasRegs) ? askedA : mem ? mem.addrSize : 0;
  if (aSize !== 0 && aSize !== defaultAddrSize(bits)) out.push(0x67);
  if (f.mandatory) out.push(f.mandatory);
  return out;
}

/** The REX byte's low nibble plus 0x40 when one is needed, 0 when not, or the refusal. */
function rexByte(p: Placed, pre: Prefixes, mem: MemEncoding | null, bits: 16 | 32 | 64): number | Failure {
  const f = p.form;
  // o64 adds REX.W, except where NASM's form is already 64-bit without it: a 64-bit
  // register or r/m64 operand without REX.W (`o64 push rax` = 50, `o64 mov rax, ds` =
  // 8C D8), or a 64-bit-default immediate form (`o64 push 1` = 6A 01).
  // JCXZ/JECXZ/JRCXZ's size is the address size, not the operand size: o64 leaves it alone too.
  const o64Dropped = !f.rexW && (f.operands.some((o) => o.regSize === 8) || f.asz !== 0 ||
    (f.osz === 'd64' && f.operands.some((o) => o.loc === 'imm')));
  let rex = f.rexW || (pre.w && !o64Dropped) ? 8 : 0;
  if (p.reg >= 8) rex |= 4;
  if (mem?.rexX) rex |= 2;
  if (mem?.rexB || p.rmReg >= 8 || p.opreg >= 8) rex |= 1;
  const needRex = rex !== 0 || p.regs.some((r) => regKind_(r) === K.GPR8 && regIndex_(r) >= 4);
  if (!needRex) return 0;
  // No REX outside 64-bit mode (SDM Vol. 2A §2.2.1 "REX Prefixes"): r8-r15, SPL-DIL.
  if (bits !== 64) return 'rex';
  if (p.regs.some((r) => regKind_(r) === K.GPR8H)) return 'hibyte';
  return 0x40 | rex;
}

/** Lays out one placed form; returns the bytes or the failure. */
function emit(p: Placed, req: EncodeRequest, pre: Prefixes, cond: number): Uint8Array | Failure {
  const f = p.form;
  const mem = p.rmMem ? encodeMem(p.rmMem, req.bits, pre.a32 ? 4 : pre.a16 ? 2 : undefined) : null;
  if (typeof mem === 'string') return mem === 'impossible combination of address sizes' ? 'asize' : 'ea';
  const out = legacyPrefixes(p, pre, mem, req.bits);
  if (typeof out === 'string') return out;
  const rex = rexByte(p, pre, mem, req.bits);
  if (typeof rex === 'string') return rex;
  if (rex) out.push(rex);
  out.push(...MAP_ESCAPE[f.map]);
  out.push(f.opcode + (f.plusReg ? p.opreg & 7 : 0) + (f.cc ? cond : 0));
  let ripAt = -1;
  if (f.modrm === 'fixed') out.push(f.fixedModrm);
  else if (f.modrm !== 'none') {
    const regBits = ((p.reg < 0 ? 0 : p.reg) & 7) << 3;
    if (mem) {
      if (mem.rip) ripAt = out.length + mem.rip.offset;
      out.push(mem.bytes[0] | regBits, ...mem.bytes.slice(1));
    } else out.push(0xc0 | regBits | (p.rmReg & 7));
  }
  for (const imm of p.imms) out.push(...leBytes(imm.value, imm.size));
  const relAt = out.length;
  if (p.rel) out.push(...new Array<number>(p.rel.size).fill(0));
  const end = req.address + BigInt(out.length);
  if (p.rel) {
    const d = p.rel.known ? p.rel.target - end : 0n;
    // NASM's message whenever a rel8 to a label cannot reach and no rel32 form took over
    // (LOOP, JRCXZ, `short`); to a plain number it truncates silently (`loop 0x80`).
    if (p.rel.size === 1 && !p.rel.plain && (d < -128n || d > 127n)) return 'short-range';
    out.splice(relAt, p.rel.size, ...leBytes(d, p.rel.size));
  }
  if (ripAt >= 0 && mem?.rip) {
    const d = mem.rip.known ? mem.rip.target - end : 0n;
    out.splice(ripAt, 4, ...leBytes(d, 4));
  }
  if (out.length > 15) return 'kind';
  return Uint8Array.from(out);
}

interface Candidate { readonly form: InstructionForm; readonly ops: readonly AsmOperand[] }

/** Candidate forms with the operands each is tried with, in NASM's preference order. */
function candidates(mnemonic: string, forms: readonly InstructionForm[], ops: readonly AsmOperand[]): Candidate[] {
  let operands = ops;
  // `imul r, imm` is NASM's shorthand for `imul r, r, imm` (SDM Vol. 2A §3.2 "IMUL").
  if (mnemonic === 'imul' && ops.length === 2 && ops[1].kind === 'imm') operands = [ops[0], ops[0], ops[1]];
  // `lea r, x` without brackets is `lea r, [x]` to NASM (a label RIP-relative, as under
  // the dialect's `default rel`; a number absolute).
  if (mnemonic === 'lea' && ops.length === 2 && ops[1].kind === 'imm') {
    const x = ops[1];
    operands = [ops[0], { kind: 'mem', scale: 1, disp: x.value, dispKnown: x.known, dispReloc: x.reloc, hasDisp: true, ripRelative: x.reloc }];
  }
  const out: Candidate[] = forms.map((form) => ({ form, ops: operands }));
  // MOVSX r64, r/m32 is MOVSXD to NASM.
  if (mnemonic === 'movsx') for (const form of formsForMnemonic('movsxd')?.forms ?? []) out.push({ form, ops });
  // MOV r64, imm with a plain number in 0..0xFFFFFFFF: NASM writes MOV r32, imm32, which
  // zero-extends (SDM Vol. 1 §3.4.1.1 "General-Purpose Registers in 64-Bit Mode").
  const [dst, src] = ops;
  if (mnemonic === 'mov' && ops.length === 2 && dst.kind === 'reg' && regKind_(dst.reg) === K.GPR64 &&
      src.kind === 'imm' && isUdword(src) && (src.size === undefined || src.size === 8)) {
    const r32: Reg = makeReg_(K.GPR32, regIndex_(dst.reg));
    out.unshift({ form: formById('MOV_r32_imm32')!, ops: [{ kind: 'reg', reg: r32 }, { ...src, size: undefined }] });
  }
  return out;
}

/** XCHG EAX, EAX may not use 90 in 64-bit mode: 90 is NOP and would not clear RAX[63:32]. */
function isXchgEaxEax(f: InstructionForm, ops: readonly AsmOperand[]): boolean {
  return f.mnemonic === 'xchg' && f.plusReg && f.opSize === 4 &&
    ops.every((o) => o.kind === 'reg' && regKind_(o.reg) === K.GPR32 && regIndex_(o.reg) === 0);
}

/**
 * Encodes one instruction exactly as NASM 2.16 (`-f bin`, -Ox) does in 64-bit mode:
 * the shortest form that accepts the operands, ties to the table's order (which keeps
 * NASM's: `r/m, r` before `r, r/m`). Never throws: a refusal carries NASM's message.
 */
export function encode(req: EncodeRequest): EncodeResult {
  const mnemonic = req.bits === 64 ? req.mnemonic : (MODE_ALIASES[req.mnemonic.toLowerCase()]?.[req.bits === 16 ? 0 : 1] ?? req.mnemonic);
  const found = formsForMnemonic(mnemonic);
  if (!found) return { ok: false, message: `unknown instruction '${req.mnemonic}'` };
  const pre = parsePrefixes(req.prefixes, req.bits);
  if (typeof pre === 'string') return { ok: false, message: pre };
  if (req.bits !== 64) {
    const m = moffs(mnemonic, req, pre);
    if (m) return m;
  }
  let ops = sizeMemFromImm(found.forms[0]?.mnemonic ?? '', req.operands);
  // NASM: `aam` and `aad` alone are base 10 (D4 0A, D5 0A; SDM Vol. 2A §3.2 "AAM", "AAD").
  if ((mnemonic === 'aam' || mnemonic === 'aad') && ops.length === 0) ops = [{ kind: 'imm', value: 10n, known: true, reloc: false }];
  // NASM: an unsized JMP/CALL target in memory has the mode's operand size (`jmp [bx]` in
  // 16-bit code is FF 27, a word).
  if (req.bits !== 64 && (mnemonic === 'jmp' || mnemonic === 'call') && ops.length === 1 && ops[0].kind === 'mem' && ops[0].size === undefined) {
    ops = [{ ...ops[0], size: req.bits === 16 ? 2 : 4 }];
  }
  const r = tryForms(req, found.forms, found.cond ?? 0, pre, ops);
  // NASM refuses a memory operand without size when the forms that fit disagree on it;
  // a size keyword on an immediate does not settle it (`add [rax], qword 1` is refused).
  let sizes = r.sizes;
  if (ops.some((o) => o.kind === 'mem' && o.size === undefined) && ops.some((o) => o.kind === 'imm' && o.size !== undefined)) {
    const unsized = ops.map((o) => (o.kind === 'imm' ? { ...o, size: undefined, strict: undefined } : o));
    sizes = new Set([...sizes, ...tryForms(req, found.forms, found.cond ?? 0, pre, unsized).sizes]);
  }
  if (sizes.size > 1) return { ok: false, message: 'operation size not specified' };
  if (r.best) return { ok: true, bytes: r.best, form: r.form };
  const why = FAILURE_ORDER.find((k) => r.failures.has(k)) ?? 'kind';
  if (why === 'short-range' && r.shortRangeSize > 0) return { ok: false, message: MESSAGES[why], size: r.shortRangeSize };
  if (why === 'ea' && req.bits !== 64) return { ok: false, message: `invalid ${eaBits(req)}-bit effective address` };
  if (why === 'mode') return { ok: false, message: `instruction not supported in ${req.bits}-bit mode` };
  return { ok: false, message: why === 'repne' ? `${pre.repne} prefix is not allowed` : MESSAGES[why] };
}

/**
 * NASM's "size match" templates (the ALU operations, MOV and TEST with a memory operand and
 * an immediate) let an immediate's byte/word/dword keyword size an unsized memory operand:
 * `add [rax], word 1` = `66 83 00 01`, `or [rbp], byte 1` = `80 4D 00 01`. There is no
 * imm64 template, so `qword` does not (`add [rax], qword 1`: operation size not specified).
 */
const SIZE_MATCH_IMM = new Set(['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp', 'mov', 'test']);

function sizeMemFromImm(mnemonic: string, ops: readonly AsmOperand[]): readonly AsmOperand[] {
  if (!SIZE_MATCH_IMM.has(mnemonic) || ops.length !== 2) return ops;
  const [dst, src] = ops;
  if (dst.kind !== 'mem' || dst.size !== undefined || src.kind !== 'imm') return ops;
  if (src.size !== 1 && src.size !== 2 && src.size !== 4) return ops;
  return [{ ...dst, size: src.size }, src];
}

interface Tried {
  readonly best: Uint8Array | null;
  readonly form: string;
  readonly failures: Set<Failure>;
  /** Sizes the fitting forms gave an unsized memory operand. */
  readonly sizes: Set<number>;
  /** Length of the shortest form that failed only on a rel8 out of range (0 if none). */
  readonly shortRangeSize: number;
}

/** Every candidate form with these operands: the shortest encoding and why the others failed. */
function tryForms(req: EncodeRequest, forms: readonly InstructionForm[], cond: number, pre: Prefixes, operands: readonly AsmOperand[]): Tried {
  const mnemonic = forms[0]?.mnemonic ?? req.mnemonic.toLowerCase();
  const failures = new Set<Failure>();
  const sizes = new Set<number>();
  let best: Uint8Array | null = null;
  let bestForm = '';
  let shortRangeSize = 0;
  for (const { form, ops } of candidates(mnemonic, forms, operands)) {
    if (form.row.encode === false || (req.bits === 64 && isXchgEaxEax(form, ops))) continue;
    for (const variant of forMode(form, req.bits)) {
      const placed = place(variant, ops, req.branch, req.bits);
      if (typeof placed === 'string') { failures.add(placed); continue; }
      if (!(req.bits === 64 ? variant.modes.m64 : req.bits === 32 ? variant.modes.m32 : variant.modes.m16) && !ANY_MODE.has(form.id)) { failures.add('mode'); continue; }
      const bytes = emit(placed, req, pre, cond);
      if (bytes === 'short-range' && placed.rel) {
        // Its length, for the layout: the same form with the target taken as unknown (in range).
        const probe = emit({ ...placed, rel: { ...placed.rel, known: false } }, req, pre, cond);
        if (typeof probe !== 'string' && (shortRangeSize === 0 || probe.length < shortRangeSize)) shortRangeSize = probe.length;
      }
      if (typeof bytes === 'string') { failures.add(bytes); continue; }
      if (placed.inferredMemSize > 0) sizes.add(placed.inferredMemSize);
      if (best === null || bytes.length < best.length) { best = bytes; bestForm = form.id; }
    }
  }
  return { best, form: bestForm, failures, sizes, shortRangeSize };
}

/** NASM's mnemonics whose size is the mode's: [16-bit, 32-bit] spelling in the table. */
const MODE_ALIASES: Record<string, readonly [string, string]> = {
  iret: ['iretw', 'iretd'],
  pushf: ['pushfw', 'pushfd'],
  popf: ['popfw', 'popfd'],
  pusha: ['pushaw', 'pushad'],
  popa: ['popaw', 'popad'],
};

/** The address size NASM names in "invalid N-bit effective address": the registers', else the mode's. */
function eaBits(req: EncodeRequest): number {
  for (const o of req.operands) {
    if (o.kind !== 'mem') continue;
    const r = o.base ?? o.index;
    if (r !== undefined) return regKind_(r) === K.GPR32 ? 32 : regKind_(r) === K.GPR16 ? (req.bits === 32 ? 32 : 16) : 64;
  }
  return req.bits;
}

/**
 * Rows the table marks 64-bit only that NASM still writes in 16/32-bit code: SYSCALL
 * (AMD processors take it in 32-bit code; on Intel it is #UD outside 64-bit mode, SDM
 * Vol. 2B §4.3 "SYSCALL"). The bytes are NASM's; what they do is the CPU's business.
 * LEAVE is valid in every mode (SDM Vol. 2A §3.2 "LEAVE"); its row carries the 64-bit
 * default size, which forMode turns into the mode's (C9, `o32 leave` = 66 C9 in 16-bit code).
 */
const ANY_MODE = new Set(['SYSCALL', 'LEAVE']);

const NEAR_RM16 = new Set(['JMP_rm64', 'CALL_rm64']);

const MODE_FORMS = new Map<string, readonly InstructionForm[]>();

/**
 * A form as it works in 16- or 32-bit code: a 64-bit-default form (PUSH imm, Jcc, CALL,
 * RET: SDM Vol. 1 §3.6.1 "Operand Size and Address Size in 64-Bit Mode") takes the mode's
 * operand size there, and in 16-bit code its imm32/rel32 becomes imm16/rel16. In 16-bit
 * code such a form with an immediate or rel32 also has its 32-bit variant (66 prefix:
 * `push dword 5` = 66 6A 05, `jmp dword x` = 66 E9 rel32); in 32-bit code a rel32 form
 * has its 16-bit one (`jmp word x` = 66 E9 rel16).
 */
function forMode(f: InstructionForm, bits: 16 | 32 | 64): readonly InstructionForm[] {
  if (bits === 64 || f.osz !== 'd64' || f.opSize !== 8) return [f];
  const key = `${f.id}/${bits}`;
  let m = MODE_FORMS.get(key);
  if (!m && NEAR_RM16.has(f.id)) {
    // JMP/CALL r/m16 (SDM Vol. 2A §3.2 "JMP", "CALL": FF /4, FF /2 with a 16-bit operand
    // size), valid outside 64-bit mode: the r/m64 row at 16 bits.
    const operands = f.operands.map((o) => (o.loc === 'rm' ? { ...o, token: 'r/m16', regSize: 2 as const, memSize: 2 as const } : o));
    m = [{ ...f, opSize: 2, osz: 'normal', operands, modes: { m16: true, m32: true, m64: false } }];
    MODE_FORMS.set(key, m);
  }
  if (!m) {
    const operands = bits === 16
      ? f.operands.map((o) => ((o.loc === 'imm' || o.loc === 'rel') && o.immSize === 4 ? { ...o, immSize: 2 as const } : o))
      : f.operands;
    const immBytes = operands.reduce((n, o) => n + (o.loc === 'imm' || o.loc === 'rel' ? o.immSize : 0), 0);
    const base: InstructionForm = { ...f, opSize: bits === 16 ? 2 : 4, osz: 'normal', operands, immBytes };
    const wide = bits === 16 && f.operands.some((o) => o.loc === 'imm' || (o.loc === 'rel' && o.immSize === 4));
    const rel32 = f.operands.some((o) => o.loc === 'rel' && o.immSize === 4);
    const narrow: InstructionForm = { ...f, opSize: 2, osz: 'normal', immBytes: 2, operands: f.operands.map((o) => (o.loc === 'rel' ? { ...o, immSize: 2 as const } : o)) };
    m = wide ? [base, { ...f, opSize: 4, osz: 'normal' }] : bits === 32 && rel32 ? [base, narrow] : [base];
    MODE_FORMS.set(key, m);
  }
  return m;
}

const ACC_NAME: Record<number, string> = { 1: 'AL', 2: 'AX', 4: 'EAX' };
const ACC = new Set<number>([makeReg_(K.GPR8, 0), makeReg_(K.GPR16, 0), makeReg_(K.GPR32, 0)]);

/**
 * MOV AL/AX/EAX to or from an absolute address outside 64-bit mode: NASM takes A0-A3 with
 * an address-size offset (SDM Vol. 2B §4.3 "MOV", moffs forms), shorter than 8B /r.
 */
function moffs(mnemonic: string, req: EncodeRequest, pre: Prefixes): EncodeResult | null {
  if (mnemonic !== 'mov' || req.operands.length !== 2 || pre.repne) return null;
  const [a, b] = req.operands;
  const load = a.kind === 'reg' && ACC.has(a.reg) && b.kind === 'mem';
  const store = b.kind === 'reg' && ACC.has(b.reg) && a.kind === 'mem';
  if (!load && !store) return null;
  const reg = (load ? a : b) as Extract<AsmOperand, { kind: 'reg' }>;
  const mem = (load ? b : a) as Extract<AsmOperand, { kind: 'mem' }>;
  if (mem.base !== undefined || mem.index !== undefined || mem.dispSize !== undefined) return null;
  const size = regKind_(reg.reg) === K.GPR8 ? 1 : regKind_(reg.reg) === K.GPR16 ? 2 : 4;
  if (mem.size !== undefined && mem.size !== size) return null;
  const out = [...pre.leading];
  const seg = mem.seg !== undefined ? regIndex_(mem.seg) : pre.seg;
  if (mem.seg !== undefined && pre.seg !== null && pre.seg !== regIndex_(mem.seg)) return { ok: false, message: MESSAGES.segs };
  if (seg !== null) out.push(SEG_PREFIX[seg]);
  const opSize = pre.o16 ? 2 : pre.o32 ? 4 : size;
  if (size !== 1 && opSize !== defaultOpSize(req.bits)) out.push(0x66);
  const aSize = pre.a32 ? 4 : pre.a16 ? 2 : defaultAddrSize(req.bits);
  if (aSize !== defaultAddrSize(req.bits)) out.push(0x67);
  out.push((load ? 0xa0 : 0xa2) + (size === 1 ? 0 : 1), ...leBytes(mem.disp, aSize));
  return { ok: true, bytes: Uint8Array.from(out), form: load ? `MOV_${ACC_NAME[size]}_moffs${size * 8}` : `MOV_moffs${size * 8}_${ACC_NAME[size]}` };
}
