// Does an instruction form accept these assembler operands, the way NASM 2.16 matches
// its templates? Immediates follow NASM's optimiser (-Ox): a plain number (known, not
// relocatable, no `strict`) may take a sign-extended imm8 form or MOV's shorter forms;
// a value that depends on a label never shrinks. Choices: docs/decisions/0001-nasm-encoding-choices.md.

import type { InstructionForm, OperandSpec } from './form.ts';
import type { AsmOperand } from './operands.ts';
import type { AsmMem } from './encode-modrm.ts';
import { RegKind, regIndex, regKind, regSize, type Reg } from './registers.ts';
import { FORMS } from './table.ts';

// Local copies of the register helpers: under tsx's CommonJS transform (the CLI) every
// use of an imported binding is a getter call, and these run for every operand.
const K = { ...RegKind };
const regIndex_ = regIndex;
const regKind_ = regKind;
const regSize_ = regSize;

type AsmImm = Extract<AsmOperand, { kind: 'imm' }>;

/** Why a form did not take the operands (the most specific reason wins the message). */
export type MatchFailure = 'kind' | 'size' | 'range' | 'short-range' | 'mode';

/** Operands placed into a form's fields. */
export interface Placed {
  readonly form: InstructionForm;
  /** ModRM.reg value (0-15; /digit for digit forms), or -1. */
  readonly reg: number;
  /** r/m as a register index, or a memory operand, or null. */
  readonly rmReg: number;
  readonly rmMem: AsmMem | null;
  /** Register in the opcode's low bits, or -1. */
  readonly opreg: number;
  /** Immediate fields in order: value and byte size. */
  readonly imms: { readonly value: bigint; readonly size: number }[];
  /** Relative branch target, or null. */
  readonly rel: {
    readonly target: bigint;
    readonly size: number;
    readonly known: boolean;
    /** A plain-number target: NASM truncates the displacement without a range check. */
    readonly plain: boolean;
  } | null;
  /** Every register operand (for REX requirements). */
  readonly regs: Reg[];
  /** The size this form gives a memory operand written without one, or -1. */
  readonly inferredMemSize: number;
}

const low = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);
/** NASM's SBYTEWORD / SBYTEDWORD: the value's low 16 / 32 bits, signed, fit in a byte. */
const sbyte = (v: bigint, opSize: number): boolean => {
  const x = low(v, opSize === 2 ? 16 : 32);
  return x >= -128n && x <= 127n;
};
/** Mnemonics whose only branch form is rel8 (LOOP, JRCXZ): NASM refuses `short`/`near` on them. */
const REL8_ONLY: ReadonlySet<string> = (() => {
  const rel8 = new Set<string>();
  const rel32 = new Set<string>();
  for (const f of FORMS) for (const o of f.operands) if (o.loc === 'rel') (o.immSize === 1 ? rel8 : rel32).add(f.mnemonic);
  return new Set([...rel8].filter((m) => !rel32.has(m)));
})();

/** Register number in encodings: AH-BH are 4-7 (without REX), the rest their index. */
const regNum = (r: Reg): number => (regKind_(r) === K.GPR8H ? regIndex_(r) + 4 : regIndex_(r));
const simple = (imm: AsmImm): boolean => imm.known && !imm.reloc;

/** NASM's UDWORD: a plain number in 0..0xFFFFFFFF (MOV r64, imm becomes MOV r32, imm). */
export function isUdword(imm: AsmImm): boolean {
  const v = BigInt.asUintN(64, imm.value);
  return simple(imm) && !imm.strict && v <= 0xffffffffn;
}
/** NASM's SDWORD: a plain number that fits a sign-extended imm32. */
function isSdword(imm: AsmImm): boolean {
  const v = BigInt.asIntN(64, imm.value);
  return simple(imm) && !imm.strict && v >= -0x80000000n && v <= 0x7fffffffn;
}

// NASM's templates for these take memory of no particular size: a size keyword is an
// error ("mismatch in operand sizes"), except for LEA, which takes any.
const UNSIZED_MEM_TOKENS = new Set(['m', 'm16&64', 'm16&32']);
const UNSIZED_MEM_MNEMONICS = new Set(['vmxon', 'vmclear', 'vmptrld', 'vmptrst']);

// NASM takes these only with an explicit `qword`; unsized, `mov ds, [m]` is the m16 form.
const EXPLICIT_SIZE_ONLY = new Set(['MOV_Sreg_m64', 'MOV_m64_Sreg']);

function memFits(f: InstructionForm, spec: OperandSpec, mem: AsmMem): MatchFailure | null {
  if (mem.size === undefined) return EXPLICIT_SIZE_ONLY.has(f.id) ? 'size' : null;
  if (f.mnemonic === 'lea') return null;
  if (UNSIZED_MEM_TOKENS.has(spec.token) || UNSIZED_MEM_MNEMONICS.has(f.mnemonic)) return 'size';
  return mem.size === spec.memSize ? null : 'size';
}

function regFits(spec: OperandSpec, r: Reg): boolean {
  const k = regKind_(r);
  switch (spec.regClass) {
    case 'gpr': return (k <= K.GPR8H) && regSize_(r) === spec.regSize;
    case 'seg': return k === K.SEG;
    case 'cr': return k === K.CR;
    case 'dr': return k === K.DR;
    default: return false;
  }
}

function immFits(f: InstructionForm, spec: OperandSpec, imm: AsmImm, dstIsReg: boolean, bits: 16 | 32 | 64): MatchFailure | null {
  // NASM takes no size keyword on ENTER's immediates ("mismatch in operand sizes").
  if (f.mnemonic === 'enter' && imm.size !== undefined) return 'size';
  const sizedByReg = f.operands.some((o) => o.regClass === 'gpr' && o.token !== 'DX');
  // PUSH word forms: NASM takes them only with an explicit `word`.
  if (f.osz === 'd64' && f.opSize === 2 && !sizedByReg && imm.size !== 2) return 'size';
  if (f.sx && spec.immSize === 1) {
    if (imm.size === 1) return null;
    // `push dword 1` is 6A 01; `add rax, dword 1` is refused; `imul rax, dword 1` takes imm32.
    if (imm.size !== undefined && imm.size !== f.opSize && !(f.mnemonic === 'push' && imm.size === 4 && bits !== 16)) return 'size';
    return simple(imm) && !imm.strict && sbyte(imm.value, f.opSize) ? null : 'range';
  }
  const wide = spec.immSize >= 2 && (spec.immSize === f.opSize || (f.sx && f.opSize === 8));
  if (wide) {
    const dwordOk = f.sx && f.opSize === 8 && (f.mnemonic === 'mov' || f.mnemonic === 'push' || f.mnemonic === 'imul');
    if (imm.size !== undefined && imm.size !== f.opSize && !(dwordOk && imm.size === 4)) return 'size';
    // MOV r64, imm: NASM uses C7 /0 (sign-extended imm32) only for a plain number that
    // fits, or an explicit `dword`; otherwise B8+r with imm64.
    if (f.mnemonic === 'mov' && f.sx && dstIsReg && !isSdword(imm) && imm.size !== 4) return 'range';
    return null;
  }
  return imm.size === undefined || imm.size === spec.immSize ? null : 'size';
}

/** AL/CL/DX/RAX/FS... written as themselves, or the constant 1 of `shl r/m, 1` (NASM's UNITY). */
function implicitFits(spec: OperandSpec, op: AsmOperand): boolean {
  if (spec.one) return op.kind === 'imm' && simple(op) && op.value === 1n && op.size === undefined;
  return op.kind === 'reg' && op.reg === spec.fixed;
}

/** A branch target in a rel8/rel32 field, or why this field cannot take it. */
function placeRel(f: InstructionForm, spec: OperandSpec, op: AsmImm, branch: 'short' | 'near' | 'far' | undefined, bits: 16 | 32 | 64): Placed['rel'] | MatchFailure {
  if (branch !== undefined && REL8_ONLY.has(f.mnemonic)) return 'size';
  if (spec.immSize === 1 && branch === 'near') return 'range';
  // A size keyword on a target: `jmp qword x` / `call qword x` mean near; NASM refuses
  // the others (`jmp dword x`: not in 64-bit mode; `je qword x`: mismatch in operand sizes).
  // Outside 64-bit mode a size keyword on a target picks the operand size (`jmp dword x`
  // in 16-bit code: 66 E9 rel32); the mode-adjusted form carries that size.
  // Jcc takes no size keyword at all; a variant at the other size needs the keyword.
  if (bits !== 64 && op.size === undefined && f.opSize !== (bits === 16 ? 2 : 4)) return 'size';
  if (op.size !== undefined && bits !== 64) {
    // NASM: a sized target needs a near branch (`jne near dword x`; JMP/CALL are near
    // unless `short`): `jne dword x` and `jmp short word x` are size mismatches.
    if (op.size !== f.opSize || branch === 'short' || (f.mnemonic !== 'jmp' && f.mnemonic !== 'call' && branch !== 'near')) return 'size';
    if (spec.immSize === 1) return 'range';
  } else if (op.size !== undefined) {
    const jmpCall = f.mnemonic === 'jmp' || f.mnemonic === 'call';
    if (op.size !== 8 || !jmpCall) return jmpCall && op.size !== 1 ? 'mode' : 'size';
    if (spec.immSize === 1) return 'range';
  }
  // NASM shortens a jump only to a label (same section): a plain-number target takes rel32
  // unless `short` is written (`jmp 0x1000` = E9, `jmp $` = EB FE).
  const plain = op.known && !op.reloc;
  if (spec.immSize === 1 && branch === undefined && plain && !REL8_ONLY.has(f.mnemonic)) return 'range';
  if (spec.immSize !== 1 && branch === 'short') return 'short-range';
  return { target: op.value, size: spec.immSize, known: op.known, plain };
}

/** The far-pointer kind of a JMP/CALL form: a direct `ptr16:N`, a memory `m16:N`, or neither. */
function farKind(f: InstructionForm): 'ptr' | 'mem' | null {
  if (f.mnemonic !== 'jmp' && f.mnemonic !== 'call') return null;
  const t = f.operands[0]?.token ?? '';
  return t.startsWith('ptr16:') ? 'ptr' : t.startsWith('m16:') ? 'mem' : null;
}

/**
 * Far JMP/CALL (NASM): `far` (or `selector:offset`) picks the far forms and only they take it.
 * The size keyword names the offset (`jmp dword far [bx]` = 66 FF 2F in 16-bit code); without
 * one the offset has the mode's size, and in 64-bit code a far pointer in memory is m16:64
 * (`jmp far [rax]` = 48 FF 28), as NASM 2.16 writes it.
 */
function farFits(f: InstructionForm, ops: readonly AsmOperand[], branch: 'short' | 'near' | 'far' | undefined, bits: 16 | 32 | 64): MatchFailure | null {
  const kind = farKind(f);
  if ((kind !== null) !== (branch === 'far')) return 'kind';
  if (kind === null) return null;
  const op = ops[0];
  const size = op && (op.kind === 'mem' || op.kind === 'imm') ? op.size : undefined;
  const natural = bits === 64 ? 8 : bits === 16 ? 2 : 4;
  return (size ?? natural) === f.opSize ? null : 'size';
}

/** Places operands into the form's fields, or says why they do not fit. */
export function place(f: InstructionForm, ops: readonly AsmOperand[], branch: 'short' | 'near' | 'far' | undefined, bits: 16 | 32 | 64 = 64): Placed | MatchFailure {
  if (ops.length !== f.operands.length) return 'kind';
  const far = farFits(f, ops, branch, bits);
  if (far !== null) return far;
  const farForm = branch === 'far';
  let reg = f.modrm === 'digit' ? f.digit : -1;
  let rmReg = -1;
  let rmMem: AsmMem | null = null;
  let opreg = -1;
  let inferredMemSize = -1;
  const imms: { value: bigint; size: number }[] = [];
  let rel: Placed['rel'] = null;
  const regs: Reg[] = [];
  let failure: MatchFailure | null = null;
  const dstIsReg = ops[0]?.kind === 'reg';
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const spec = f.operands[i];
    switch (spec.loc) {
      case 'implicit':
        if (!implicitFits(spec, op)) return 'kind';
        if (op.kind === 'reg') regs.push(op.reg);
        break;
      case 'reg':
      case 'opreg':
        if (op.kind !== 'reg' || !regFits(spec, op.reg)) return 'kind';
        regs.push(op.reg);
        if (spec.loc === 'reg') reg = regNum(op.reg);
        else opreg = regNum(op.reg);
        break;
      case 'rm':
        if (op.kind === 'reg') {
          if (f.modKind === 'mem' || spec.regClass === 'none' || !regFits(spec, op.reg)) return 'kind';
          regs.push(op.reg);
          rmReg = regNum(op.reg);
        } else if (op.kind === 'mem') {
          if (!spec.mem) return 'kind';
          const why = farForm ? null : memFits(f, spec, op);
          if (why) failure = why;
          if (op.size === undefined) inferredMemSize = spec.memSize;
          rmMem = op;
        } else return 'kind';
        break;
      case 'imm': {
        if (op.kind !== 'imm') return 'kind';
        // `short`/`near` belong to branch targets (`ret near x`, `rcl r9w, short x` are refused).
        if (branch !== undefined && !farForm) return spec.immSize === 2 ? 'size' : 'kind';
        const why = farForm ? (op.size === undefined || i === 0 ? null : 'size') : immFits(f, spec, op, dstIsReg, bits);
        if (why) failure = failure ?? why;
        imms.push({ value: op.value, size: spec.immSize });
        break;
      }
      case 'rel': {
        if (op.kind !== 'imm') return 'kind';
        const placed = placeRel(f, spec, op, branch, bits);
        if (typeof placed === 'string') return placed;
        rel = placed;
        break;
      }
      default:
        return 'kind';
    }
  }
  if (failure) return failure;
  return { form: f, reg, rmReg, rmMem, opreg, imms, rel, regs, inferredMemSize };
}
