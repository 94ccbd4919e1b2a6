// Decoded instruction -> Intel-syntax text for the UI, the event log and the CLI.
// The spelling is NASM's (the lab's dialect): `mov qword [fs:rax+0x10], 0x1`, lower case,
// hex numbers with 0x, a size keyword only where the other operands do not give the size
// and NASM accepts one, `rep`/`repe`/`repne` only on string instructions. Mnemonics and
// operands agree with `objdump -M intel` (checked by objdump.test.ts; its header and
// src/testing/objdump.ts list the differences of notation that the comparison ignores).
// Reassembled by NASM, the text gives back the same instruction, except:
//  - RIP-relative operands are written `[rip+0x10]` as objdump does: NASM can express
//    RIP-relative addressing only through a label (`[rel label]`; with a number it
//    refuses, "absolute address can not be RIP-relative"). The absolute target is
//    available as a comment (`ripTarget`), for the UI to turn into a symbol;
//  - SYSRETQ, which NASM spells `o64 sysret`.

import type { DecodedInstruction } from './isa/decoded.ts';
import { CC_NAMES, type InstructionForm } from './isa/form.ts';
import type { MemRef, Operand } from './isa/operands.ts';
import { RegKind, regKind, regName, regSize } from './isa/registers.ts';
import { formById } from './isa/table.ts';

const SIZE_KEYWORD: Readonly<Record<number, string>> = { 1: 'byte', 2: 'word', 4: 'dword', 8: 'qword' };
const STRING_OP = /^(?:movs|cmps|stos|lods|scas|ins|outs)[bwdq]$/;
/** String instructions whose source is DS:[rSI], the one a segment prefix can override. */
const DS_SOURCE = /^(?:movs|cmps|lods|outs)/;

/** Options of `disassemble`. */
export interface DisasmOptions {
  /** Append `; 0x...` with the absolute address of a RIP-relative operand. */
  readonly ripTarget?: boolean;
  /** Processor mode the instruction was decoded in (default 64): decides when an operand size needs spelling out. */
  readonly mode?: 16 | 32 | 64;
}

/**
 * Intel-syntax text of one instruction, e.g. `vmxon [rax]`, `add rsi, rcx`,
 * `jne 0xffff888000100010`. `address` is where the instruction starts; it gives the
 * absolute address of RIP-relative operands when `opts.ripTarget` is set.
 */
export function disassemble(insn: DecodedInstruction, address: bigint, opts: DisasmOptions = {}): string {
  const form = formById(insn.id);
  const mode = opts.mode ?? 64;
  if (form && isFarPointer(form)) return farPointerText(insn, mode);
  let text = mnemonicText(insn, mode);
  if (form && needsSizePrefix(insn, form, mode)) text = `o${insn.opSize * 8} ${text}`;
  const ops = insn.operands;
  if (ops.length > 0) {
    const parts: string[] = [];
    for (let i = 0; i < ops.length; i++) parts.push(operandText(insn, ops[i]!, form, i, mode));
    text += ` ${parts.join(', ')}`;
  }
  if (opts.ripTarget) {
    const rip = ops.find((o): o is MemRef => o.kind === 'mem' && o.base !== null && regKind(o.base) === RegKind.RIP);
    if (rip) {
      const next = address + BigInt(insn.length);
      text += ` ; 0x${BigInt.asUintN(rip.addrSize * 8, next + rip.disp).toString(16)}`;
    }
  }
  return text;
}

/** Whether a form is a direct far JMP/CALL (`ptr16:16`, `ptr16:32`: offset and selector immediates). */
function isFarPointer(form: InstructionForm): boolean {
  return form.operands.length === 2 && form.operands[1]!.token === 'ptr16:sel';
}

/** The operand size without 66 or REX.W outside the d64 rule: 2 in 16-bit code, else 4. */
const plainSize = (mode: 16 | 32 | 64): number => (mode === 16 ? 2 : 4);

/**
 * `jmp 0x8:0x1000` (NASM's and objdump's `selector:offset`), with NASM's size keyword when the
 * offset is not the mode's size (`jmp dword 0x8:0x1000` in 16-bit code).
 */
function farPointerText(insn: DecodedInstruction, mode: 16 | 32 | 64): string {
  const [off, sel] = insn.operands;
  const value = (o: Operand | undefined): bigint => (o?.kind === 'imm' ? o.value : 0n);
  const kw = insn.opSize === plainSize(mode) ? '' : `${SIZE_KEYWORD[insn.opSize]} `;
  return `${insn.mnemonic} ${kw}${hex(value(sel))}:${hex(value(off))}`;
}

/** Mnemonic with its condition suffix and the prefixes that change its meaning (LOCK, REP*). */
function mnemonicText(insn: DecodedInstruction, mode: 16 | 32 | 64): string {
  let m = insn.mnemonic;
  if (insn.cond !== undefined && m.endsWith('cc')) m = m.slice(0, -2) + CC_NAMES[insn.cond]!;
  // A far RET at a size other than the mode's is NASM's (and objdump's) `retfw`/`retfd`/`retfq`.
  if (m === 'retf' && insn.opSize !== plainSize(mode)) m += insn.opSize === 2 ? 'w' : insn.opSize === 4 ? 'd' : 'q';
  const p = insn.prefixes;
  if (STRING_OP.test(m)) {
    // A segment override applies to the source ([rsi]) of a string instruction; NASM
    // writes it as a prefix: `fs lodsb` (SDM Vol. 2B §4.3 "MOVS": "DS segment may be overridden").
    if (p.seg !== null && DS_SOURCE.test(m)) m = `${regName(p.seg)} ${m}`;
    if (p.rep !== null) {
      const compares = insn.mnemonic.startsWith('cmps') || insn.mnemonic.startsWith('scas');
      m = `${p.rep === 'repne' ? 'repne' : compares ? 'repe' : 'rep'} ${m}`;
    }
  }
  if (p.lock) m = `lock ${m}`;
  return m;
}

function operandText(insn: DecodedInstruction, op: Operand, form: InstructionForm | undefined, i: number, mode: 16 | 32 | 64): string {
  switch (op.kind) {
    case 'reg':
      return regName(op.reg);
    case 'imm':
      if (form?.operands[i]?.one) return '1';
      // `push word 0x5` (66 68 iw) in 64-bit mode: NASM reads a bare `push 0x5` at the mode's stack width.
      if (insn.mnemonic === 'push' && insn.opSize !== defaultSize(mode, 'd64')) return `${SIZE_KEYWORD[insn.opSize]} ${hex(op.value)}`;
      return hex(op.value);
    case 'rel':
      return hex(op.target);
    case 'mem':
      return memText(insn, op, form, i);
  }
}

function memText(insn: DecodedInstruction, m: MemRef, form: InstructionForm | undefined, i: number): string {
  let s = '';
  if (m.base !== null) s = baseName(m);
  // 16-bit addressing has base+index pairs without a scale (SDM Vol. 2A Table 2-1).
  if (m.index !== null) s += `${s === '' ? '' : '+'}${regName(m.index)}${m.addrSize === 2 ? '' : `*${m.scale}`}`;
  if (s === '') {
    s = hex(BigInt.asUintN(m.addrSize * 8, m.disp));
  } else if (m.disp !== 0n) {
    s += m.disp < 0n ? `-${hex(-m.disp)}` : `+${hex(m.disp)}`;
  }
  if (m.seg !== null) s = `${regName(m.seg)}:${s}`;
  // A far pointer in memory (`m16:32`): NASM writes `jmp dword far [eax]` for JMP/CALL, where the
  // size keyword is the offset's; LES/LSS... and BOUND take none (the register gives it).
  const token = form?.operands[i]?.token ?? '';
  if (token.startsWith('m16:') || token === 'm16&16' || token === 'm32&32') {
    return insn.mnemonic === 'jmp' || insn.mnemonic === 'call' ? `${SIZE_KEYWORD[insn.opSize]} far [${s}]` : `[${s}]`;
  }
  const kw = needsSizeKeyword(insn, m, form, i) ? `${SIZE_KEYWORD[m.size]} ` : '';
  return `${kw}[${s}]`;
}

/** `rip`, or `eip` for RIP-relative addressing under an address-size prefix (SDM Vol. 2A §2.2.1.6). */
function baseName(m: MemRef): string {
  if (regKind(m.base!) === RegKind.RIP) return m.addrSize === 4 ? 'eip' : 'rip';
  return regName(m.base!);
}

/**
 * NASM needs a size keyword on a memory operand of an r/m form when no general register
 * operand encoded in ModRM or the opcode has the same size (`mov qword [rax], 1`, `movzx eax, byte [rbx]`), and
 * refuses one on plain memory forms (`vmxon [rax]`, `lgdt [rax]`, `invlpg [rax]`).
 */
function needsSizeKeyword(insn: DecodedInstruction, m: MemRef, form: InstructionForm | undefined, i: number): boolean {
  if (SIZE_KEYWORD[m.size] === undefined) return false;
  const spec = form?.operands[i];
  if (spec && spec.regClass === 'none') return false;
  // Fixed registers (the CL count of a shift) say nothing about the memory operand's size.
  return !insn.operands.some((o, j) => o.kind === 'reg' && form?.operands[j]?.loc !== 'implicit'
    && regSize(o.reg) === m.size && regKind(o.reg) !== RegKind.SEG);
}

/** The operand size an instruction has without 66 or REX.W (SDM Vol. 1 §3.6 Table 3-3, §3.6.1). */
function defaultSize(mode: 16 | 32 | 64, osz: InstructionForm['osz']): number {
  return mode === 64 ? (osz === 'd64' ? 8 : 4) : mode === 32 ? 4 : 2;
}

/**
 * NASM's `o16`/`o32` prefix, for an instruction whose operand size is not the usual one
 * and shows in no operand and not in the mnemonic (`o32 ret` in 16-bit code, `o16 pop fs`).
 */
function needsSizePrefix(insn: DecodedInstruction, form: InstructionForm, mode: 16 | 32 | 64): boolean {
  // PUSH/POP of ES, CS, SS, DS outside 64-bit mode: the operand size is not in the row (objdump `popd es`).
  const seg = insn.operands[0];
  if (mode !== 64 && form.opSize === 0 && seg?.kind === 'reg' && regKind(seg.reg) === RegKind.SEG && (insn.mnemonic === 'push' || insn.mnemonic === 'pop')) {
    return insn.opSize !== defaultSize(mode, form.osz);
  }
  if (form.osz === 'none' || (insn.mnemonic === 'push' && insn.operands[0]?.kind === 'imm')) return false;
  // ENTER, LEAVE and RET at 16 bits in 64-bit code (66 C8, 66 C9, 66 C3): nothing else shows the size.
  if (mode === 64 && (insn.mnemonic === 'enter' || insn.mnemonic === 'leave' || insn.mnemonic === 'ret')) return insn.opSize !== 8;
  // A branch target is already truncated to the operand size, but a JMP/CALL rel16 in 32-bit code
  // (rel32 in 16-bit code) still needs the prefix to be reassembled as it was (NASM `o16 jmp`).
  // Written for JMP and CALL rel16/rel32 only, as objdump does (`jmpw`, `calld`); rel8, Jcc and
  // LOOP take none.
  if (insn.operands.some((o) => o.kind === 'rel')) {
    const wide = insn.operands.some((o) => o.kind === 'rel' && o.size !== 1);
    return mode !== 64 && wide && (insn.mnemonic === 'jmp' || insn.mnemonic === 'call') && insn.opSize !== defaultSize(mode, form.osz);
  }
  // A register or sized memory operand shows the size.
  if (insn.operands.some((o) => (o.kind === 'reg' && regKind(o.reg) <= RegKind.GPR8H) || (o.kind === 'mem' && o.size !== 0))) return false;
  // A row whose size is only the 64-bit default of a d64 form works at the mode's size elsewhere.
  const usual = form.opSize !== 0 && !(mode !== 64 && form.osz === 'd64' && form.opSize === 8) ? form.opSize : defaultSize(mode, form.osz);
  return insn.opSize !== usual;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

// The text of decoded instructions that are shown again and again (a guest's VMCALL at each VM
// exit, a host's VMRESUME): the executor's decode cache hands back the same object each time an
// instruction runs, and its text depends only on it and its address.
const texts = new WeakMap<DecodedInstruction, { readonly rip: bigint; readonly text: string }>();
/** The last text asked for: one instruction shown again and again skips the WeakMap. */
let lastText: { readonly insn: DecodedInstruction; readonly rip: bigint; readonly text: string } | undefined;

/** `disassemble(insn, rip)` with default options, remembered per decoded instruction. */
export function disassembleCached(insn: DecodedInstruction, rip: bigint): string {
  const last = lastText;
  if (last !== undefined && last.insn === insn && last.rip === rip) return last.text;
  const t = texts.get(insn);
  let text: string;
  if (t !== undefined && t.rip === rip) text = t.text;
  else {
    text = disassemble(insn, rip);
    texts.set(insn, { rip, text });
  }
  lastText = { insn, rip, text };
  return text;
}
