// GNU objdump as a reference disassembler for tests (binutils 2.40, `-M intel`).
// Runs it on a flat binary and reads its listing back; and puts both its text and ours
// into one canonical form so the comparison ignores spelling, not meaning.
//
// Normalisations (each is a difference of notation, never of operands):
//  - case, and whitespace after commas and between mnemonic and operands;
//  - objdump's `BYTE/WORD/DWORD/QWORD/TBYTE/OWORD/XMMWORD/FWORD PTR` and NASM's size
//    keywords (`byte qword ...`) are dropped: the operand size is implied by the
//    instruction, and the decoder tests check sizes separately;
//  - segment overrides: objdump's `fs:[rax]` and `fs:0x10` become `[fs:rax]` and `[fs:0x10]`
//    (NASM's placement); `ds:`/`es:`/`cs:`/`ss:` are dropped (ignored in 64-bit mode, and
//    objdump prints the defaults of string instructions);
//  - objdump's `# 0x...` comment after a RIP-relative operand, and our `; ...` comments;
//  - mnemonic spellings: `movabs` is `mov`; F3 is `rep` whether spelt `rep`, `repe` or
//    `repz`, and F2 `repne` (`repnz`), once; a repeated `lock` counts once; objdump's
//    `pushf`/`popf` carry the mode's default size suffix; `iret`/`sysretd` are `iretd`/
//    `sysret`; `pusha`/`popa` carry the default suffix too (NASM's `pushaw`, `pushad`);
//    `sgdtd` and the like are `sgdt`; NASM's `far` before a memory far pointer and its size
//    keyword before a direct `selector:offset` are dropped; a size suffix on push/pop/ret/jmp/call is
//    NASM's `push dword 0x1` or `o32 ret` (also `enterd`, `leavew`); objdump's string forms `movs QWORD PTR es:[rdi],QWORD PTR
//    ds:[rsi]` and `lods al,BYTE PTR ds:[rsi]` are `movsq` and `lodsb`, and a FS/GS
//    source is NASM's prefix form `fs lodsb`;
//  - prefixes objdump names because they had no effect (`data16`, `addr32`, `rex.W`, `ds`,
//    `gs`, and `rep`/`repz`/`repnz` on a non-string instruction) are dropped, and its
//    `xchg ax,ax` (66 90) is `nop` (both do nothing; the table has one NOP row);
//  - objdump's explicit zero displacement `[rax+0x0]` is `[rax]`; its pseudo index
//    `riz`/`eiz` (a SIB byte without index) is dropped; a RIP-relative displacement it
//    prints as `rip+0xffffffff...` is compared as the negative number it is, and an
//    absolute address as an unsigned value of the address size;
//  - the `bnd`, `notrack`, `xacquire` and `xrelease` names of F2/F3/3E prefixes are dropped
//    (MPX, CET and TSX hints: no effect on the processor the lab models);
//  - XCHG operands are compared as a set; LAR/LSL's 32-bit source register of the REX.W
//    form (SDM: `LAR r64, r32/m16`) is the 64-bit name objdump prints;
//  - a shift count written `1` and `0x1` are the same; objdump's `xlat BYTE PTR ds:[rbx]` is `xlatb`.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstructionForm, OperandSpec } from '../x86/isa/form.ts';

/** One instruction of objdump's listing. */
export interface ObjdumpLine {
  readonly address: bigint;
  readonly bytes: readonly number[];
  /** Mnemonic and operands as objdump printed them (comment included). */
  readonly text: string;
}

/** True when `objdump` runs on this machine. */
export function hasObjdump(): boolean {
  try {
    execFileSync('objdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Disassembles a flat x86-64 image placed at `vma` with `objdump -D -b binary -m i386:x86-64 -M intel`. */
export function objdump(bytes: Uint8Array, vma: bigint, arch: 'i386:x86-64' | 'i386' | 'i8086' = 'i386:x86-64'): ObjdumpLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'vmxlab-objdump-'));
  try {
    const file = join(dir, 'code.bin');
    writeFileSync(file, bytes);
    const out = execFileSync(
      'objdump',
      ['-D', '-b', 'binary', '-m', arch, '-M', 'intel', '-w', `--adjust-vma=0x${vma.toString(16)}`, file],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    return parseListing(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Parses `-w` (wide) listing lines `addr:\tbytes \ttext`. A REX byte followed by
 * another REX is ignored by the processor (SDM Vol. 2A §2.2.1) and printed by objdump on a
 * line of its own (`rex.W`); it is merged into the instruction that follows. (A REX
 * followed by a legacy prefix also ends an objdump line, but objdump then decodes the rest
 * without the prefixes before the REX, unlike the processor: no comparison is possible.)
 */
export function parseListing(out: string): ObjdumpLine[] {
  const lines: ObjdumpLine[] = [];
  let pending: ObjdumpLine | null = null;
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*(?:\t(.*))?$/.exec(line);
    if (!m) continue;
    let entry: ObjdumpLine = {
      address: BigInt(`0x${m[1]}`),
      bytes: m[2]!.split(' ').filter(Boolean).map((h) => parseInt(h, 16)),
      text: (m[3] ?? '').trim(),
    };
    if (pending) entry = { address: pending.address, bytes: [...pending.bytes, ...entry.bytes], text: entry.text };
    pending = null;
    if (/^rex(?:\.[wrxb]+)?$/i.test(entry.text)) { pending = entry; continue; }
    lines.push(entry);
  }
  if (pending) lines.push(pending);
  return lines;
}

const SIZE_SUFFIX: Record<string, string> = { byte: 'b', word: 'w', dword: 'd', qword: 'q' };
const SIZE_WORD: Record<number, string> = { 16: 'word', 32: 'dword', 64: 'qword' };
const REG_SUFFIX: Record<string, string> = { al: 'b', ax: 'w', eax: 'd', rax: 'q' };
/** objdump's 64-bit-mode spellings of operand-size variants, and the name we compare with. */
const MNEMONIC_ALIAS: Record<string, string> = {
  movabs: 'mov', repz: 'rep', repe: 'rep', repnz: 'repne', sysretd: 'sysret',
  sgdtd: 'sgdt', sidtd: 'sidt', lgdtd: 'lgdt', lidtd: 'lidt', sgdtw: 'sgdt', sidtw: 'sidt', lgdtw: 'lgdt', lidtw: 'lidt',
};
/** objdump's PUSHF/POPF without suffix mean the mode's default size; IRET its default without REX.W. */
const DEFAULT_SUFFIX = { 16: 'w', 32: 'd', 64: 'q' } as const;
const IRET_SUFFIX = { 16: 'w', 32: 'd', 64: 'd' } as const;
/** Mnemonics objdump writes without a suffix at the mode's default size (NASM: `pushaw`/`pushad`). */
const DEFAULT_SIZED = new Set(['pushf', 'popf', 'pusha', 'popa']);

const PREFIX_WORD = /^(?:lock|rep|repz|repnz|repe|repne|data16|data32|addr16|addr32|rex(?:\.[wrxb]+)?|[cdefgs]s|bnd|notrack|xacquire|xrelease)$/;
const STRING_MNEMONIC = /^(?:movs|cmps|stos|lods|scas|ins|outs)[bwdq]?$/;

/** Drops the prefix words objdump prints for prefixes without effect; keeps lock. */
function stripNoEffectPrefixes(t: string): string {
  const words = t.split(' ');
  let i = 0;
  while (i < words.length - 1 && PREFIX_WORD.test(words[i]!)) i++;
  if (i === 0) return t;
  return [...words.slice(0, i).filter((w) => w === 'lock'), ...words.slice(i)].join(' ');
}

const F3_WORDS = new Set(['rep', 'repe', 'repz']);
const F2_WORDS = new Set(['repne', 'repnz']);
const DS_SOURCE = /^(?:movs|cmps|lods|outs)/;

/**
 * String instructions, ours (`rep fs movsb`) or objdump's (`rep movs BYTE PTR es:[rdi],BYTE
 * PTR fs:[rsi]`), as `[lock] [rep|repne] [fs|gs] movsb`: the element size from the
 * operands, the source segment from the operands when written (else from a prefix word,
 * and only for the instructions that read DS:[rSI]).
 */
function foldString(t: string): string | null {
  const words = t.split(' ');
  const i = words.findIndex((w) => STRING_MNEMONIC.test(w));
  if (i < 0 || words.slice(0, i).some((w) => !PREFIX_WORD.test(w))) return null;
  const pre = words.slice(0, i);
  const ops = words.slice(i + 1).join(' ');
  let mn = words[i]!;
  if (ops !== '') {
    const size = /\b(byte|word|dword|qword)\s+ptr\b/.exec(ops) ?? /^(al|ax|eax|rax)\b/.exec(ops) ?? /,(al|ax|eax|rax)$/.exec(ops);
    if (!size) return null;
    mn += SIZE_SUFFIX[size[1]!] ?? REG_SUFFIX[size[1]!];
  }
  const opSeg = /\b([fg]s):\[/.exec(ops)?.[1];
  const wordSeg = pre.filter((w) => w === 'fs' || w === 'gs').pop();
  const seg = ops !== '' ? opSeg : DS_SOURCE.test(mn) ? wordSeg : undefined;
  const repWord = pre.filter((w) => F3_WORDS.has(w) || F2_WORDS.has(w)).pop();
  const rep = repWord === undefined ? undefined : F3_WORDS.has(repWord) ? 'rep' : 'repne';
  return [pre.includes('lock') ? 'lock' : undefined, rep, seg, mn].filter(Boolean).join(' ');
}

/** Canonical form of an Intel-syntax instruction text, ours or objdump's (see the file header), in a processor mode. */
export function canonical(text: string, mode: 16 | 32 | 64 = 64): string {
  let t = text.toLowerCase();
  t = t.replace(/\s+[#;].*$/, '').trim().replace(/\s+/g, ' ');
  const folded = foldString(t);
  if (folded !== null) return folded;
  // 3E on an indirect CALL/JMP is CET's `notrack` to objdump, which then takes it as the last
  // segment prefix and shows an earlier FS/GS as unused; in 64-bit mode DS is ignored and the
  // FS/GS override stays in force (the decoder's choice, src/x86/decode.ts header).
  t = t.replace(/\b([fg]s) ((?:[a-z0-9.]+ )*?)notrack ((?:call|jmp) [^[]*)\[(?![a-z]s:)/, '$2$3[$1:');
  t = stripNoEffectPrefixes(t);
  t = t.replace(/^((?:lock |rep[a-z]* )*)([a-z0-9]+)\b/, (_m, pre: string, m: string) => {
    const words = pre.split(' ').filter(Boolean).map((w) => MNEMONIC_ALIAS[w] ?? w);
    const lock = words.includes('lock') ? ['lock'] : [];
    const rep = words.filter((w) => w.startsWith('rep')).slice(-1);
    const mn = MNEMONIC_ALIAS[m] ?? (DEFAULT_SIZED.has(m) ? m + DEFAULT_SUFFIX[mode] : m === 'iret' ? m + IRET_SUFFIX[mode] : m);
    return [...lock, ...rep, mn].join(' ');
  });
  // NASM's `far` on a memory far pointer (`jmp dword far [eax]`); its size keyword on a direct
  // one (`jmp dword 0x8:0x1000`), which objdump leaves out.
  t = t.replace(/\bfar\s+(?=\[)/g, '').replace(/^((?:jmp|call) )(?:word|dword) (?=0x[0-9a-f]+:0x)/, '$1');
  t = t.replace(/\b(?:byte|word|dword|qword|tbyte|tword|oword|xmmword|fword)(?:\s+ptr)?\s+(?=[\[a-z]+:|\[)/g, '');
  t = t.replace(/\b(?:byte|word|dword|qword|tbyte|tword|oword|xmmword|fword)\s+ptr\s+/g, '');
  // objdump's size suffixes on push/pop/ret/jmp/call are NASM's `push dword 0x1` (an
  // immediate) or `o32 ret` (anything else).
  t = t.replace(/^(lock |rep[a-z]* )*(push|pop|ret|jmp|call|enter|leave)([wdq])(?= |$)(\s*)(.*)$/, (_m, pre: string | undefined, mn: string, sz: string, _sp: string, rest: string) => {
    const bits = sz === 'w' ? 16 : sz === 'd' ? 32 : 64;
    const imm = mn === 'push' && /^-?0x[0-9a-f]+$/.test(rest);
    return `${pre ?? ''}${imm ? `${mn} ${SIZE_WORD[bits]} ${rest}` : `o${bits} ${mn}${rest ? ` ${rest}` : ''}`}`;
  });
  // seg:[x] -> [seg:x]; seg:0x10 -> [seg:0x10]
  t = t.replace(/\b([cdefgs]s):\[/g, '[$1:');
  t = t.replace(/(^|[\s,])([cdefgs]s):(-?0x[0-9a-f]+)/g, '$1[$2:$3]');
  t = t.replace(/\[(?:cs|ds|es|ss):/g, '[');
  t = t.replace(/\+0x0\]/g, ']');
  // objdump's pseudo index `riz`/`eiz` (SIB with no index) says nothing about the address.
  const wide = /\beiz\b/.test(t) ? 32 : 64;
  t = t.replace(/\+?\b[re]iz\*\d/g, '').replace(/\[\+/g, '[').replace(/:\+/g, ':');
  // Displacements: objdump prints a negative RIP-relative disp32 as a 64-bit unsigned
  // number, and an address without base or index as a signed one; compare both as values.
  t = t.replace(/\+0x([0-9a-f]{16})\]/g, (m, h: string) => {
    const v = BigInt(`0x${h}`);
    return v >= 1n << 63n ? `-0x${((1n << 64n) - v).toString(16)}]` : m;
  });
  t = t.replace(/\[([a-z]s:)?-0x([0-9a-f]+)\]/g, (_m, seg: string | undefined, h: string) =>
    `[${seg ?? ''}0x${BigInt.asUintN(wide, -BigInt(`0x${h}`)).toString(16)}]`);
  t = t.replace(/\s*,\s*/g, ',').replace(/\s+/g, ' ');
  t = t.replace(/,1$/, ',0x1');
  // objdump writes XLATB with its implicit operand (`xlat BYTE PTR ds:[ebx]`): the address
  // size and segment prefixes are compared through the instruction's length, not the text.
  if (/^xlat \[(?:[fg]s:)?[er]?bx\]$/.test(t)) t = 'xlatb';
  // XCHG is symmetric: objdump writes the accumulator of 90+r last, the SDM (and we) first.
  const xm = /^xchg ([^,]+),([^,]+)$/.exec(t);
  if (xm) t = xm[1] === xm[2] && /^[er]?ax$/.test(xm[1]!) ? 'nop' : `xchg ${[xm[1]!, xm[2]!].sort().join(',')}`;
  // LAR/LSL r64, r32: objdump names the source register at 64 bits.
  const lm = /^(lar|lsl) (r\w+),(e[a-z]{2}|r\d+d)$/.exec(t);
  if (lm) t = `${lm[1]} ${lm[2]},${lm[3]!.startsWith('e') ? `r${lm[3]!.slice(1)}` : lm[3]!.slice(0, -1)}`;
  return t;
}

// ---------------------------------------------------------------------------
// Sample encodings of a table form, for the reference-disassembler tier.
// Built from the parsed form (operand locations, sizes, prefixes), never from a list of
// opcodes: each form gets register, memory, immediate and branch variants that exercise
// REX.R/X/B, SIB, disp8/disp32, RIP-relative addressing and immediate boundaries.

interface MemPattern { mod: number; rm: number; sib?: number; disp: number[]; x?: boolean; b?: boolean }

/** Memory addressing patterns (SDM Vol. 2A §2.1.5 Tables 2-2/2-3, §2.2.1.6). */
const MEM_PATTERNS: readonly MemPattern[] = [
  { mod: 0, rm: 0, disp: [] },                                             // [rax]
  { mod: 1, rm: 3, disp: [0x10] },                                         // [rbx+0x10]
  { mod: 0, rm: 4, sib: 0x24, disp: [] },                                  // [rsp]
  { mod: 2, rm: 4, sib: (2 << 6) | (5 << 3) | 4, disp: [0x78, 0x56, 0x34, 0x12], x: true, b: true }, // [r12+r13*4+0x12345678]
  { mod: 0, rm: 5, disp: [0x00, 0x01, 0x00, 0x00] },                       // [rip+0x100]
  { mod: 1, rm: 5, disp: [0xf0] },                                         // [rbp-0x10]
  { mod: 0, rm: 4, sib: (3 << 6) | (1 << 3) | 5, disp: [0x00, 0x20, 0x00, 0x00] }, // [rcx*8+0x2000]
  { mod: 1, rm: 5, disp: [0x00], b: true },                                // [r13+0x0]
  { mod: 0, rm: 4, sib: 0x25, disp: [0x00, 0x10, 0x00, 0x00] },            // [0x1000]
  { mod: 2, rm: 1, disp: [0x00, 0x00, 0x00, 0x80], b: true },             // [r9-0x80000000]
  { mod: 0, rm: 4, sib: (0 << 6) | (4 << 3) | 7, disp: [], x: true },      // [rdi+r12*1]
];

const IMM_VALUES: Readonly<Record<number, readonly bigint[]>> = {
  1: [0x00n, 0x01n, 0x7fn, 0x80n, 0xffn, 0x3cn],
  2: [0x0n, 0x7fffn, 0x8000n, 0xffffn, 0x1234n],
  4: [0x0n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x12345678n],
  8: [0x0n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0x1122334455667788n],
};
const REL_VALUES: Readonly<Record<number, readonly bigint[]>> = {
  1: [0x00n, 0x7fn, 0x80n, 0xfen],
  4: [0x0n, 0x100n, 0xfffffff0n, 0x7fffffffn],
};
const CRS = [0, 2, 3, 4, 8];

function littleEndian(v: bigint, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
}

/**
 * Up to `count` byte sequences that decode to `form`, with varied registers, memory
 * forms and immediates. Variant k of a form whose ModRM r/m may be a register or memory
 * alternates between the two. In 64-bit mode each sequence decodes to exactly `form`
 * (except a `+r` form at register 0, which is NOP); outside it (no REX, and 66 and the
 * ModRM tables mean other things in 16-bit mode) the bytes are only plausible input.
 */
export function sampleEncodings(form: InstructionForm, count: number, mode: 16 | 32 | 64 = 64): number[][] {
  const out: number[][] = [];
  if (!(mode === 64 ? form.modes.m64 : mode === 32 ? form.modes.m32 : form.modes.m16)) return out;
  if (mode !== 64 && form.rexW) return out;
  for (let k = 0; k < count; k++) out.push(sampleEncoding(form, k, mode));
  return out;
}

function regNumber(spec: OperandSpec, k: number, salt: number): number {
  switch (spec.regClass) {
    // MOV cannot load CS (#UD, SDM Vol. 2B "MOV"): a written segment register is never 1.
    case 'seg': { const n = (k + salt) % 6; return spec.access === 'w' && n === 1 ? 3 : n; }
    case 'cr': return CRS[(k + salt) % CRS.length]!;
    case 'dr': return (k + salt) % 8;
    default: return (k * 5 + salt * 3 + 1) % 16;
  }
}

function sampleEncoding(f: InstructionForm, k: number, mode: 16 | 32 | 64): number[] {
  let rex = f.rexW ? 0x48 : 0;
  const useMem = f.modKind === 'mem' || (f.modKind === 'any' && k % 2 === 1);
  let modrm = -1;
  let sib = -1;
  let disp: number[] = [];
  let opcode = f.opcode;
  const tail: number[] = [];
  let wantRex = false;
  let salt = 0;
  for (const spec of f.operands) {
    salt++;
    switch (spec.loc) {
      case 'reg': case 'rm': case 'opreg': {
        if (spec.loc === 'rm' && useMem) break;
        const n = regNumber(spec, k, salt);
        if (spec.regClass === 'gpr' && spec.regSize === 1 && n >= 4 && n < 8 && k % 3 === 0) wantRex = true;
        if (spec.loc === 'opreg') { opcode = f.opcode + (n & 7); if (n & 8) rex |= 0x41; }
        else if (spec.loc === 'reg') { modrm = (modrm < 0 ? 0xc0 : modrm) | ((n & 7) << 3); if (n & 8) rex |= 0x44; }
        else { modrm = (modrm < 0 ? 0xc0 : modrm & 0x38) | 0xc0 | (n & 7); if (n & 8) rex |= 0x41; }
        break;
      }
      case 'imm': {
        const vals = IMM_VALUES[spec.immSize]!;
        tail.push(...littleEndian(vals[k % vals.length]!, spec.immSize));
        break;
      }
      case 'rel': {
        const vals = REL_VALUES[spec.immSize] ?? [0n];
        tail.push(...littleEndian(vals[k % vals.length]!, spec.immSize));
        break;
      }
      case 'moffs':
        tail.push(...littleEndian(0x1000n + BigInt(k), 8));
        break;
      case 'implicit':
        break;
    }
  }
  if (f.modrm === 'digit') modrm = (modrm < 0 ? 0xc0 : modrm) & ~0x38 | (f.digit << 3);
  if (f.modrm === 'fixed') modrm = f.fixedModrm;
  if (useMem && f.modrm !== 'fixed' && f.modrm !== 'none') {
    const p = MEM_PATTERNS[k % MEM_PATTERNS.length]!;
    modrm = (modrm < 0 ? 0 : modrm & 0x38) | (p.mod << 6) | p.rm;
    if (p.sib !== undefined) sib = p.sib;
    disp = p.disp;
    if (p.x) rex |= 0x42;
    if (p.b) rex |= 0x41;
  } else if ((f.modrm === 'r' || f.modrm === 'digit') && modrm < 0xc0) {
    modrm |= 0xc0;
  }
  if (f.cc) opcode = f.opcode + (k % 16);
  if (wantRex) rex |= 0x40;
  if (mode !== 64) rex = 0;
  const bytes: number[] = [];
  if (f.mandatory !== 0) bytes.push(f.mandatory);
  if (f.osz !== 'none' && f.opSize === 2 && f.mandatory !== 0x66) bytes.push(0x66);
  // JCXZ/JECXZ/JRCXZ are told apart by the address size: 67 when the row's is not the mode's.
  if (f.asz !== 0 && f.asz !== (mode === 64 ? 8 : mode === 32 ? 4 : 2)) bytes.push(0x67);
  if (rex !== 0) bytes.push(rex);
  if (f.map >= 1) bytes.push(0x0f);
  if (f.map === 2) bytes.push(0x38);
  if (f.map === 3) bytes.push(0x3a);
  bytes.push(opcode);
  if (modrm >= 0) bytes.push(modrm);
  if (sib >= 0) bytes.push(sib);
  bytes.push(...disp, ...tail);
  return bytes;
}
