// Generates the NASM corpus (issue 2, "Against NASM"): deterministic lab-asm files that
// cover every mnemonic x operand form of the instruction table x registers (r8-r15 and
// the rsp/rbp/r12/r13 special cases) x immediates at size boundaries x memory forms x
// labels near and far. gen-nasm-goldens.ts then has real NASM assemble each file, and
// src/asm/corpus.golden.test.ts checks our assembler against those bytes.
//
// Usage: npx tsx src/tools/gen-nasm-corpus.ts   (writes src/asm/testdata/corpus/*.asm)

import { mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VMX_INC_HEADER } from '../asm/vmx-inc.ts';

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../asm/testdata/corpus');
const MAX_LINES = 400;
/**
 * 16- and 32-bit files (`bits 16`, `bits 32`) live in their own folder: tools that read
 * the top-level corpus (the decoder's objdump test) take it as 64-bit code.
 */
const LEGACY = join(OUT, 'legacy');

const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
const R8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];
const R8H = ['ah', 'ch', 'dh', 'bh'];
const REGS: Record<number, string[]> = { 1: R8, 2: R16, 4: R32, 8: R64 };
const SIZE_KW: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword', 8: 'qword' };
/** A sample of register indices: the accumulator, the special ones, and REX ones. */
const PICK = [0, 1, 3, 4, 5, 7, 8, 12, 13, 15];

/** Immediates at the boundaries where encodings change, per operand size. */
const IMM: Record<number, string[]> = {
  1: ['0', '1', '0x7f', '0x80', '0xff', '-1', '-0x80'],
  2: ['0', '1', '0x7f', '0x80', '0xff', '0x7fff', '0x8000', '0xffff', '-1', '-0x80', '-0x81', '-0x8000', '0xff80'],
  4: ['0', '1', '0x7f', '0x80', '0xff', '0x7fff', '0x8000', '0xffff', '0x7fffffff', '0x80000000', '0xffffffff', '-1', '-0x80', '-0x81', '-0x80000000', '0xffffff80'],
  8: ['0', '1', '0x7f', '0x80', '0xff', '0x7fff', '0x8000', '0xffff', '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000',
    '-1', '-0x80', '-0x81', '-0x80000000', '-0x80000001', '0x7fffffffffffffff', '0x8000000000000000', '0xffffffff80000000', '0xffffffffffffff80'],
};

/** Memory operands covering ModRM/SIB/displacement choices (without size keyword). */
const MEMS: string[] = (() => {
  const out: string[] = [];
  for (const b of ['rax', 'rcx', 'rsp', 'rbp', 'r8', 'r12', 'r13', 'r15']) {
    out.push(`[${b}]`, `[${b}+1]`, `[${b}-1]`, `[${b}+0x7f]`, `[${b}+0x80]`, `[${b}-0x80]`, `[${b}-0x81]`, `[${b}+0x12345678]`);
  }
  for (const [b, i] of [['rax', 'rcx'], ['rsp', 'rax'], ['rbp', 'rax'], ['rax', 'rbp'], ['r12', 'r13'], ['r13', 'r12'], ['rax', 'rsp'], ['r8', 'r15'], ['rbx', 'r12']]) {
    for (const s of [1, 2, 4, 8]) {
      if (i === 'rsp' && s !== 1) continue;
      out.push(`[${b}+${i}*${s}]`, `[${b}+${i}*${s}+0x10]`, `[${b}+${i}*${s}-0x1000]`);
    }
  }
  for (const i of ['rax', 'rbp', 'r12', 'r13', 'rsp']) {
    for (const s of [1, 2, 4, 8]) {
      if (i === 'rsp' && s !== 1) continue;
      out.push(`[${i}*${s}]`, `[${i}*${s}+8]`);
    }
  }
  out.push('[nosplit rax*1]', '[nosplit rax*2]', '[nosplit r13*2+4]', '[byte rax+1]', '[dword rax+1]', '[dword rbp]', '[byte r13]');
  out.push('[abs 0x1000]', '[abs 0x7fffffff]', '[0x1000]', '[fs:rax]', '[gs:0x28]', '[fs:r12+8]', '[ds:rbx]', '[es:rdi]', '[ss:rsp+8]', '[cs:rax]');
  out.push('[eax]', '[ebp]', '[esp]', '[r13d]', '[eax+ecx*4+8]', '[r12d+0x80]');
  out.push('[data0]', '[data0+8]', '[data1]', '[data1-8]', '[rel data0]', '[abs data0]', '[data0+rax]', '[rax+data1]', '[rbx*8+data0]');
  return out;
})();

class Writer {
  readonly files = new Map<string, string[]>();
  add(group: string, lines: string[]): void {
    const l = this.files.get(group) ?? [];
    l.push(...lines);
    this.files.set(group, l);
  }
}

const aluOps = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

function regPairs(size: number): string[][] {
  const r = REGS[size];
  const out: string[][] = [];
  for (const a of [0, 4, 5, 8, 12, 13]) for (const b of [0, 3, 7, 15]) out.push([r[a], r[b]]);
  if (size === 1) for (const h of R8H) out.push([h, 'al'], ['bl', h]);
  return out;
}

function genAlu(w: Writer): void {
  for (const op of aluOps) {
    const lines: string[] = [];
    for (const size of [1, 2, 4, 8]) {
      for (const [a, b] of regPairs(size)) lines.push(`${op} ${a}, ${b}`);
      for (const i of [0, 1, 5, 12, 13]) for (const imm of IMM[size]) lines.push(`${op} ${REGS[size][i]}, ${imm}`);
      for (const m of ['[rax]', '[rsp+8]', '[rbp-0x80]', '[r13+rcx*4]', '[data0]']) {
        lines.push(`${op} ${m}, ${REGS[size][2]}`, `${op} ${REGS[size][9]}, ${m}`);
        for (const imm of ['1', '-1', '0x80', IMM[size][IMM[size].length - 1]]) lines.push(`${op} ${SIZE_KW[size]} ${m}, ${imm}`);
      }
    }
    lines.push(`${op} eax, byte 3`, `${op} eax, dword 3`, `${op} eax, strict dword 3`, `${op} rax, qword 3`, `${op} word [rax], byte 1`);
    w.add(`alu-${op}`, lines);
  }
  const t: string[] = [];
  for (const size of [1, 2, 4, 8]) {
    for (const [a, b] of regPairs(size)) t.push(`test ${a}, ${b}`);
    for (const i of [0, 3, 12]) for (const imm of IMM[size]) t.push(`test ${REGS[size][i]}, ${imm}`);
    for (const m of ['[rax]', '[r12+8]', '[data0]']) {
      t.push(`test ${m}, ${REGS[size][1]}`, `test ${REGS[size][9]}, ${m}`, `test ${SIZE_KW[size]} ${m}, 0x7f`);
    }
  }
  w.add('test', t);
}

function genUnary(w: Writer): void {
  const lines: string[] = [];
  for (const op of ['not', 'neg', 'mul', 'imul', 'div', 'idiv', 'inc', 'dec']) {
    for (const size of [1, 2, 4, 8]) {
      for (const i of PICK) lines.push(`${op} ${REGS[size][i]}`);
      for (const m of ['[rax]', '[r12]', '[rbp+8]', '[data1]']) lines.push(`${op} ${SIZE_KW[size]} ${m}`);
    }
    lines.push(`${op} ah`);
  }
  w.add('unary', lines);
  const sh: string[] = [];
  for (const op of ['rol', 'ror', 'rcl', 'rcr', 'shl', 'sal', 'shr', 'sar']) {
    for (const size of [1, 2, 4, 8]) {
      for (const i of [0, 5, 12]) {
        const r = REGS[size][i];
        sh.push(`${op} ${r}, 1`, `${op} ${r}, cl`, `${op} ${r}, 0`, `${op} ${r}, 2`, `${op} ${r}, 0x3f`, `${op} ${r}, 0xff`);
      }
      sh.push(`${op} ${SIZE_KW[size]} [rax], 1`, `${op} ${SIZE_KW[size]} [r13+4], cl`, `${op} ${SIZE_KW[size]} [data0], 5`);
    }
    sh.push(`${op} eax, byte 1`);
  }
  w.add('shift', sh);
  const bits: string[] = [];
  for (const op of ['bt', 'bts', 'btr', 'btc']) {
    for (const size of [2, 4, 8]) {
      for (const [a, b] of regPairs(size).slice(0, 8)) bits.push(`${op} ${a}, ${b}`);
      for (const imm of ['0', '1', '31', '63', '0x7f', '0xff']) bits.push(`${op} ${REGS[size][12]}, ${imm}`);
      bits.push(`${op} [rax], ${REGS[size][3]}`, `${op} ${SIZE_KW[size]} [rsp+8], 5`);
    }
  }
  for (const op of ['bsf', 'bsr']) {
    for (const size of [2, 4, 8]) for (const [a, b] of regPairs(size).slice(0, 8)) bits.push(`${op} ${a}, ${b}`);
    bits.push(`${op} rax, [rbx]`, `${op} r9d, [r12+r13*2]`, `${op} cx, [data0]`);
  }
  w.add('bits', bits);
  const im: string[] = [];
  for (const size of [2, 4, 8]) {
    for (const [a, b] of regPairs(size).slice(0, 12)) im.push(`imul ${a}, ${b}`);
    for (const imm of IMM[size]) im.push(`imul ${REGS[size][0]}, ${REGS[size][13]}, ${imm}`, `imul ${REGS[size][9]}, ${imm}`);
    im.push(`imul ${REGS[size][2]}, [rax]`, `imul ${REGS[size][12]}, [rbp+8], 7`, `imul ${REGS[size][1]}, [data1], 0x1234`);
  }
  w.add('imul', im);
}

function genMov(w: Writer): void {
  const lines: string[] = [];
  for (const size of [1, 2, 4, 8]) {
    for (const [a, b] of regPairs(size)) lines.push(`mov ${a}, ${b}`);
    for (const i of [0, 4, 5, 8, 15]) for (const imm of IMM[size]) lines.push(`mov ${REGS[size][i]}, ${imm}`);
    for (const imm of IMM[size].slice(0, 12)) lines.push(`mov ${SIZE_KW[size]} [rax], ${imm}`, `mov ${SIZE_KW[size]} [data0], ${imm}`);
  }
  lines.push('mov rax, dword 1', 'mov rax, qword 1', 'mov rax, strict qword 1', 'mov rax, strict dword 1', 'mov eax, strict dword 1');
  lines.push('mov rax, data0', 'mov rbx, data1', 'mov eax, data0 - $$', 'mov rcx, data1 - $$', 'mov r9, $ - $$', 'mov qword [rax], data1 - data0');
  w.add('mov-imm', lines);
  const m: string[] = [];
  for (const mem of MEMS) m.push(`mov rax, ${mem}`);
  for (const mem of MEMS.filter((_, i) => i % 3 === 0)) m.push(`mov ${mem}, r9d`, `lea r12, ${mem}`, `mov cl, ${mem}`);
  for (const size of [1, 2, 4, 8]) {
    for (const i of PICK) m.push(`mov ${REGS[size][i]}, [rbx]`, `mov [r8+rdx], ${REGS[size][i]}`);
  }
  m.push('mov ah, [rax]', 'mov [rbx+rcx], bh', 'mov ch, dh', 'mov al, ah');
  w.add('mov-mem', m);
  const x: string[] = [];
  for (const [op, srcs] of [['movzx', [1, 2]], ['movsx', [1, 2]]] as const) {
    for (const dst of [2, 4, 8]) {
      for (const src of srcs) {
        if (src >= dst) continue;
        for (const i of [0, 5, 12]) for (const j of [0, 4, 7, 13]) x.push(`${op} ${REGS[dst][i]}, ${REGS[src][j]}`);
        x.push(`${op} ${REGS[dst][3]}, ${SIZE_KW[src]} [rax]`, `${op} ${REGS[dst][14]}, ${SIZE_KW[src]} [data0]`);
      }
    }
  }
  x.push('movzx eax, ah', 'movsx ecx, bh');
  for (const i of [0, 5, 12]) for (const j of [0, 4, 13]) x.push(`movsxd ${R64[i]}, ${R32[j]}`, `movsx ${R64[j]}, ${R32[i]}`);
  x.push('movsxd rax, [rbx]', 'movsxd r10, dword [rsp+4]', 'movsxd rdx, [data1]');
  for (const size of [2, 4, 8]) for (const mem of ['[rax]', '[rbp]', '[rax*2]', '[rsp+rbp*4+0x80]', '[data0]', '[r13+8]']) x.push(`lea ${REGS[size][5]}, ${mem}`);
  for (const size of [1, 2, 4, 8]) {
    for (const [a, b] of regPairs(size)) x.push(`xchg ${a}, ${b}`);
    for (const i of PICK) x.push(`xchg ${REGS[size][0]}, ${REGS[size][i]}`, `xchg ${REGS[size][i]}, ${REGS[size][0]}`);
    x.push(`xchg [rax], ${REGS[size][1]}`, `xchg ${REGS[size][9]}, [rbx+8]`);
  }
  w.add('movx-lea-xchg', x);
  const s: string[] = [];
  const sregs = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
  for (const sr of sregs) {
    for (const r of ['ax', 'eax', 'rax', 'r9', 'r9d', 'r9w']) s.push(`mov ${r}, ${sr}`);
    s.push(`mov [rax], ${sr}`, `mov word [r12], ${sr}`, `mov qword [rbp], ${sr}`);
    if (sr === 'cs') continue;
    for (const r of ['ax', 'eax', 'rax', 'r9', 'r9d', 'r9w']) s.push(`mov ${sr}, ${r}`);
    s.push(`mov ${sr}, [rax]`, `mov ${sr}, word [r13]`, `mov ${sr}, qword [r9+8]`);
  }
  for (const n of [0, 2, 3, 4, 8]) for (const r of ['rax', 'rsp', 'r8', 'r15']) s.push(`mov ${r}, cr${n}`, `mov cr${n}, ${r}`);
  for (const n of [0, 1, 2, 3, 6, 7]) for (const r of ['rax', 'r12']) s.push(`mov ${r}, dr${n}`, `mov dr${n}, ${r}`);
  w.add('mov-special', s);
}

function genStackBranch(w: Writer): void {
  const p: string[] = [];
  for (const i of PICK) p.push(`push ${R64[i]}`, `pop ${R64[i]}`, `push ${R16[i]}`, `pop ${R16[i]}`);
  for (const m of ['[rax]', '[rsp]', '[rbp+8]', '[r12+r13*8]', '[data0]']) p.push(`push qword ${m}`, `pop qword ${m}`, `push word ${m}`, `pop word ${m}`);
  for (const imm of ['0', '1', '-1', '0x7f', '0x80', '-0x80', '-0x81', '0xff', '0x7fff', '0x8000', '0xffff', '0x7fffffff', '0x80000000', '0xffffffff', '-0x80000000']) p.push(`push ${imm}`);
  p.push('push byte 1', 'push word 1', 'push word -1', 'push word 0x1234', 'push dword 1', 'push qword 0x80', 'push strict dword 1', 'push strict byte 1', 'push data0', 'push data1 - data0');
  p.push('push fs', 'push gs', 'pop fs', 'pop gs', 'pushf', 'pushfq', 'pushfw', 'popf', 'popfq', 'popfw', 'leave', 'ret', 'ret 8', 'ret 0x1234', 'retn', 'retq');
  p.push('cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo');
  w.add('stack', p);
  // Branches: backward and forward, within rel8 reach and beyond it.
  const b: string[] = ['back_far:', 'times 200 nop', 'back_near:'];
  const cc = ['o', 'no', 'b', 'c', 'nae', 'ae', 'nb', 'nc', 'e', 'z', 'ne', 'nz', 'be', 'na', 'a', 'nbe', 's', 'ns', 'p', 'pe', 'np', 'po', 'l', 'nge', 'ge', 'nl', 'le', 'ng', 'g', 'nle'];
  for (const c of cc) {
    b.push(`j${c}_back:`, `j${c} j${c}_back`, `j${c} j${c}_fwd`, `j${c} short j${c}_fwd`, `j${c} near j${c}_back`, `j${c} back_far`, `j${c} fwd_far`, `j${c}_fwd:`);
  }
  for (const op of ['jmp', 'call']) b.push(`${op} back_near`, `${op} fwd_near`, `${op} back_far`, `${op} fwd_far`, `${op} near fwd_near`);
  b.push('loops:', 'jmp short loops', 'jmp $', 'jmp $+2', 'jmp short $', 'call $+5', 'jrcxz loops_end', 'loop loops', 'loope loops_end',
    'loopne loops', 'loopz loops', 'loopnz loops_end', 'loops_end:');
  for (const r of ['rax', 'r11', 'rsp', 'rbp']) b.push(`jmp ${r}`, `call ${r}`);
  for (const m of ['[rax]', '[r12+8]', '[data0]', 'qword [rbp]']) b.push(`jmp ${m}`, `call ${m}`);
  b.push('fwd_near:', 'nop', 'times 200 nop', 'fwd_far:', 'nop');
  w.add('branch', b);
  const s: string[] = [];
  for (const c of cc) {
    for (const r of ['al', 'bl', 'spl', 'r9b', 'ah']) s.push(`set${c} ${r}`);
    s.push(`set${c} [rax]`, `set${c} byte [r13+1]`);
    for (const [a, bb] of [['ax', 'bx'], ['eax', 'r10d'], ['rax', 'r15'], ['r12', 'rsp']]) s.push(`cmov${c} ${a}, ${bb}`);
    s.push(`cmov${c} rax, [rbx]`, `cmov${c} r9d, [data1]`, `cmov${c} cx, [rbp+2]`);
  }
  w.add('setcc-cmovcc', s);
}

function genSystem(w: Writer): void {
  const s: string[] = [
    'nop', 'pause', 'int3', 'int 3', 'int 0x80', 'int1', 'icebp', 'ud2', 'hlt', 'iret', 'iretd', 'iretq', 'iretw',
    'clc', 'stc', 'cmc', 'cld', 'std', 'cli', 'sti', 'lahf', 'sahf', 'clts',
    'rdmsr', 'wrmsr', 'cpuid', 'rdtsc', 'rdtscp', 'rdpmc', 'xgetbv', 'xsetbv', 'invd', 'wbinvd',
    'lfence', 'mfence', 'sfence', 'monitor', 'mwait', 'syscall', 'sysret', 'o64 sysret', 'swapgs', 'rsm', 'getsec',
    'vmlaunch', 'vmresume', 'vmxoff', 'vmcall', 'vmfunc',
    'nop ax', 'nop eax', 'nop r9d', 'nop dword [rax]', 'nop word [rbp+4]',
  ];
  for (const m of ['[rax]', '[rsp]', '[rbp]', '[r12+8]', '[r13]', '[rbx+rcx*8+0x100]', '[data0]', '[data1+8]']) {
    for (const op of ['sgdt', 'sidt', 'lgdt', 'lidt', 'invlpg', 'vmxon', 'vmclear', 'vmptrld', 'vmptrst', 'sldt', 'str', 'lldt', 'ltr']) s.push(`${op} ${m}`);
    s.push(`invept rax, ${m}`, `invvpid r12, ${m}`, `invpcid rcx, ${m}`, `invept r9, oword ${m}`);
    s.push(`vmread ${m}, rbx`, `vmwrite r13, ${m}`, `lar eax, ${m}`, `lsl rax, word ${m}`);
  }
  for (const [a, b] of [['rax', 'rbx'], ['rbx', 'rax'], ['r8', 'r15'], ['rsp', 'rbp'], ['r12', 'r13']]) s.push(`vmread ${a}, ${b}`, `vmwrite ${a}, ${b}`);
  for (const r of ['ax', 'eax', 'rax', 'r9', 'r9d', 'r9w']) s.push(`sldt ${r}`, `str ${r}`);
  for (const r of ['ax', 'r9w', 'sp']) s.push(`lldt ${r}`, `ltr ${r}`);
  for (const [a, b] of [['ax', 'bx'], ['ax', 'ebx'], ['eax', 'ebx'], ['eax', 'bx'], ['eax', 'rbx'], ['rax', 'bx'], ['rax', 'ebx'], ['rax', 'rbx'], ['r12', 'r13w'], ['r9d', 'r10'], ['ax', 'rbx']]) {
    s.push(`lar ${a}, ${b}`, `lsl ${a}, ${b}`);
  }
  for (const p of ['0', '0x60', '0x80', '0xff']) s.push(`in al, ${p}`, `in ax, ${p}`, `in eax, ${p}`, `out ${p}, al`, `out ${p}, ax`, `out ${p}, eax`);
  s.push('in al, dx', 'in ax, dx', 'in eax, dx', 'out dx, al', 'out dx, ax', 'out dx, eax');
  for (const op of ['movs', 'cmps', 'stos', 'lods', 'scas']) {
    for (const sz of ['b', 'w', 'd', 'q']) s.push(`${op}${sz}`, `rep ${op}${sz}`, `repe ${op}${sz}`, `repne ${op}${sz}`);
  }
  s.push('lock add [rax], eax', 'lock xchg [rax], rbx', 'lock inc qword [r12]', 'lock bts dword [rax], 5', 'lock add word [fs:eax], 1', 'a32 movsb', 'o16 movsb');
  w.add('system', s);
}

/** Values known only in a later pass: forward `equ` constants and labels. */
function genForward(w: Writer): void {
  const f: string[] = [
    'add rax, FWD_1', 'add rbx, FWD_80', 'sub ecx, FWD_M1', 'mov rcx, FWD_80000000', 'mov rdx, FWD_M1', 'mov r8, FWD_BIG', 'mov al, FWD_1',
    'push FWD_1', 'push FWD_M1', 'push FWD_80', 'imul eax, ebx, FWD_1', 'shl rax, FWD_1', 'test rax, FWD_1', 'cmp byte [rax], FWD_80',
    'mov al, [rbx+FWD_1]', 'mov al, [rbp+FWD_80]', 'mov al, [rax+FWD_M1]', 'mov al, [rsp+rcx*4+FWD_0]', 'mov eax, [FWD_1000]',
    'lea rax, [fwd_data]', 'mov rax, [fwd_data+8]', 'mov rax, fwd_data', 'mov eax, fwd_data - $$', 'push fwd_data - $$',
    'jmp fwd_short', 'jne fwd_short', 'call fwd_short', 'jmp fwd_long', 'je fwd_long', 'fwd_short:', 'times 150 nop', 'fwd_long:',
    'jmp fwd_short', 'jmp back_mid', 'back_mid:', 'nop',
    'FWD_0 equ 0', 'FWD_1 equ 1', 'FWD_80 equ 0x80', 'FWD_M1 equ -1', 'FWD_80000000 equ 0x80000000', 'FWD_BIG equ 0x123456789', 'FWD_1000 equ 0x1000',
    'fwd_data: dq 0, 0',
  ];
  w.add('forward', f);
  // Numeric branch targets (always rel32 unless `short`), segment overrides on labels
  // (absolute, not RIP-relative), `$` and direct-map arithmetic as PA(x) writes it.
  w.add('misc', [
    'jmp 0xFFFF888000100000', 'call 0xFFFF888000100010', 'je 0xFFFF888000100002', 'jmp 0x1000', 'call 0x1000',
    'jmp short $+2', 'jmp $+0x100', 'lea rax, [$]', 'lea rbx, [$+5]', 'mov rax, [gs:data0]', 'mov rax, [fs:data0+rax]',
    'mov rax, data0-0xFFFF888000000000', 'push data0-0xFFFF888000000000', 'mov rax, [data0-0xFFFF888000000000]',
    'mov ecx, data1-0xFFFF888000000000', 'cmp qword [data0], 0', 'mov rax, [rbx+data1-data0]', 'mov rax, [abs data0+rax]',
    'mov rcx, 0x480', 'rdmsr', 'shl rdx, 20h', 'or rax, rdx', 'mov rbx, cr0', 'and rbx, rax', 'vmwrite rbx, rax', 'vmwrite rcx, [rsp+28h+8h]',
    'mov eax, 0x681e', 'vmread rax, rbx', 'mov ecx, 0x3a', 'bts eax, 2', 'btr rax, 0', 'test eax, 1 << 5', 'or eax, (1 << 13) | 1',
    'mov rax, ~0', 'mov eax, -2', 'and rax, ~0xfff', 'mov qword [rsp-8], data1', 'lea rdi, [rel data1]', 'movzx eax, word [rdi]',
  ]);
}


/** Far branches and far-pointer loads in 64-bit code (SDM Vol. 2A "JMP", "CALL", "LDS/LES/LFS/LGS/LSS"; Vol. 2B "RET"). */
function genFar(w: Writer): void {
  const f: string[] = [];
  const mems = ['[rax]', '[rbx+0x10]', '[rsp]', '[r12+r13*4+0x12345678]', '[rbp-8]'];
  for (const op of ['lss', 'lfs', 'lgs']) {
    for (const [k, m] of mems.entries()) f.push(`${op} ${R64[k * 3 % 16]}, ${m}`, `${op} ${R32[(k * 5 + 1) % 16]}, ${m}`, `${op} ${R16[(k * 7 + 2) % 16]}, ${m}`);
  }
  for (const op of ['jmp', 'call']) {
    for (const m of mems) f.push(`${op} far ${m}`, `${op} qword far ${m}`, `${op} dword far ${m}`, `${op} word far ${m}`);
  }
  f.push('retf', 'retf 8', 'retf 0xfffe', 'retfq', 'retfq 16', 'retfd', 'retfd 8', 'retfw', 'retfw 4', 'o16 retf', 'o64 retf');
  f.push('insb', 'insw', 'insd', 'outsb', 'outsw', 'outsd', 'rep insb', 'rep insd', 'rep outsw', 'fs outsb', 'a32 insw', 'a32 rep outsd');
  f.push('enter 0, 0', 'enter 16, 0', 'enter 0xffff, 1', 'enter 8, 31', 'o16 enter 4, 2', 'leave', 'o16 leave', 'xlatb', 'xlat', 'fs xlatb', 'a32 xlatb');
  f.push('far_loop:', 'jrcxz far_loop', 'jecxz far_loop', 'jrcxz far_end', 'jecxz far_end', 'far_end:');
  w.add('far', f);
}

/** Memory operands of 16- and 32-bit code: every 16-bit ModRM form and 32-bit SIB forms. */
function legacyMems(bits: 16 | 32): string[] {
  const m16 = ['[bx+si]', '[bx+di]', '[bp+si]', '[bp+di]', '[si]', '[di]', '[bp]', '[bx]', '[si+bx]', '[di+bp+2]',
    '[bx+1]', '[bp-1]', '[si+0x7f]', '[di+0x80]', '[bx+si-0x80]', '[bp+di-0x81]', '[bx+0x1234]', '[bp+si+0x7fff]', '[0x10]', '[0x1234]',
    '[byte bx+1]', '[si*1]', '[es:di]', '[ss:bp+4]', '[cs:bx]', '[fs:si+2]'];
  const m32 = ['[eax]', '[ecx+1]', '[esp]', '[esp+8]', '[ebp]', '[ebp-0x80]', '[ebx+0x12345]', '[eax+ecx]', '[eax+ecx*2+4]',
    '[esp+ebp*4+0x80]', '[ebp+eax*8]', '[eax*4]', '[eax*2]', '[ecx*1]', '[edi+esi]', '[0x1000]', '[dword eax+1]', '[nosplit eax*2]', '[gs:esi]'];
  return bits === 16 ? [...m16, ...m32.slice(0, 8)] : [...m32, ...m16.slice(0, 8)];
}

/** 16- or 32-bit code (`bits 16`, `bits 32`): every form valid there, with 66/67 by mode. */
function genLegacy(w: Writer, bits: 16 | 32): void {
  const r = (size: number): string[] => (size === 1 ? [...R8.slice(0, 4), ...R8H] : REGS[size]!.slice(0, 8));
  const mems = legacyMems(bits);
  const sizes = [1, 2, 4];
  const pairs = (size: number): string[][] => {
    const out: string[][] = [];
    for (const a of [0, 3, 4, 5, 7]) for (const b of [0, 1, 6]) out.push([r(size)[a]!, r(size)[b]!]);
    if (size === 1) out.length = 0;
    if (size === 1) for (const a of ['al', 'cl', 'ah', 'bh']) for (const b of ['dl', 'ch', 'bl']) out.push([a, b]);
    return out;
  };
  const alu: string[] = [];
  for (const op of aluOps) {
    for (const size of sizes) {
      for (const [a, b] of pairs(size).slice(0, 6)) alu.push(`${op} ${a}, ${b}`);
      for (const i of [0, 3]) for (const imm of IMM[size]!) alu.push(`${op} ${r(size)[i]}, ${imm}`);
      for (const m of mems.filter((_, k) => k % 7 === 0)) {
        alu.push(`${op} ${m}, ${r(size)[2]}`, `${op} ${r(size)[6]}, ${m}`, `${op} ${SIZE_KW[size]} ${m}, 1`, `${op} ${SIZE_KW[size]} ${m}, 0x80`);
      }
    }
  }
  for (const size of sizes) for (const [a, b] of pairs(size).slice(0, 5)) alu.push(`test ${a}, ${b}`, `test ${a}, 0x7f`);
  w.add(`m${bits}-alu`, alu);
  const un: string[] = [];
  for (const op of ['not', 'neg', 'mul', 'imul', 'div', 'idiv', 'inc', 'dec']) {
    for (const size of sizes) {
      for (const i of [0, 3, 5, 7]) un.push(`${op} ${r(size)[i]}`);
      for (const m of mems.slice(0, 4)) un.push(`${op} ${SIZE_KW[size]} ${m}`);
    }
  }
  for (const op of ['rol', 'shl', 'sar', 'rcr']) {
    for (const size of sizes) un.push(`${op} ${r(size)[1]}, 1`, `${op} ${r(size)[3]}, cl`, `${op} ${r(size)[6]}, 5`, `${op} ${SIZE_KW[size]} ${mems[2]}, 3`);
  }
  for (const op of ['bt', 'bts', 'btr']) for (const size of [2, 4]) un.push(`${op} ${r(size)[0]}, ${r(size)[3]}`, `${op} ${mems[5]}, ${r(size)[6]}`);
  for (const size of [2, 4]) un.push(`bsf ${r(size)[0]}, ${r(size)[3]}`, `bsr ${r(size)[6]}, ${mems[5]}`);
  for (const size of [2, 4]) {
    un.push(`imul ${r(size)[0]}, ${r(size)[3]}`, `imul ${r(size)[1]}, ${r(size)[2]}, 5`, `imul ${r(size)[1]}, ${r(size)[2]}, 0x1234`, `imul ${r(size)[7]}, ${mems[1]}`);
  }
  w.add(`m${bits}-unary`, un);
  const mv: string[] = [];
  for (const size of sizes) {
    for (const [a, b] of pairs(size)) mv.push(`mov ${a}, ${b}`);
    for (const i of [0, 4, 7]) for (const imm of IMM[size]!) mv.push(`mov ${r(size)[i]}, ${imm}`);
    for (const m of mems) mv.push(`mov ${r(size)[3]}, ${m}`, `mov ${m}, ${r(size)[0]}`);
    mv.push(`mov ${SIZE_KW[size]} ${mems[0]}, 5`, `mov ${SIZE_KW[size]} ${mems[6]}, -1`);
  }
  for (const m of ['[0x10]', '[0x1234]', '[es:0x20]', '[data0 - $$]']) mv.push(`mov al, ${m}`, `mov ax, ${m}`, `mov eax, ${m}`, `mov ${m}, al`, `mov ${m}, ax`, `mov ${m}, eax`);
  for (const size of [2, 4]) {
    for (const m of mems.filter((_, k) => k % 3 === 0)) mv.push(`lea ${r(size)[6]}, ${m}`);
    mv.push(`movzx ${r(size)[0]}, bl`, `movsx ${r(size)[3]}, ah`, `movzx ${r(size)[2]}, byte ${mems[3]}`, `movsx ${r(size)[5]}, byte ${mems[9]}`);
    for (const i of [0, 3, 6]) mv.push(`xchg ${r(size)[0]}, ${r(size)[i]}`, `xchg ${r(size)[i]}, ${mems[i]}`);
  }
  mv.push('movzx eax, bx', 'movsx ecx, word [bx]', 'xchg al, bl', 'xchg [bx], cl');
  for (const sr of ['es', 'cs', 'ss', 'ds', 'fs', 'gs']) {
    mv.push(`mov ax, ${sr}`, `mov eax, ${sr}`, `mov [bx], ${sr}`, `mov word [ebx], ${sr}`);
    if (sr !== 'cs') mv.push(`mov ${sr}, ax`, `mov ${sr}, eax`, `mov ${sr}, [si]`, `mov ${sr}, word [eax]`);
  }
  for (const n of [0, 2, 3, 4]) mv.push(`mov eax, cr${n}`, `mov cr${n}, ebx`);
  for (const n of [0, 6, 7]) mv.push(`mov esi, dr${n}`, `mov dr${n}, ecx`);
  w.add(`m${bits}-mov`, mv);
  const st: string[] = [];
  for (const size of [2, 4]) for (const i of [0, 3, 4, 5, 7]) st.push(`push ${r(size)[i]}`, `pop ${r(size)[i]}`);
  for (const m of mems.slice(0, 6)) st.push(`push word ${m}`, `pop word ${m}`, `push dword ${m}`, `pop dword ${m}`);
  for (const imm of ['0', '1', '-1', '0x7f', '0x80', '-0x80', '-0x81', '0xff', '0x7fff', '0x8000', '0xffff']) st.push(`push ${imm}`);
  st.push('push 0x12345678', 'push 0x80000000', 'push -0x80000000', 'push dword 1', 'push dword -1', 'push dword 0x1234', 'push strict dword 1', 'push word -1', 'o32 push 1', 'o16 push 1');
  st.push('push byte 1', 'push word 1', 'push word 0x1234', 'push strict word 1', 'push fs', 'push gs', 'pop fs', 'pop gs');
  st.push('pushf', 'popf', 'pushfw', 'popfw', 'pushfd', 'popfd', 'ret', 'ret 4', 'retn', 'cbw', 'cwde', 'cwd', 'cdq');
  st.push('int 0x21', 'int 3', 'int3', 'into', 'iret', 'iretw', 'iretd', 'hlt', 'cli', 'sti', 'clc', 'cld', 'nop', 'pause', 'ud2', 'cpuid', 'rdmsr', 'wrmsr', 'rdtsc');
  st.push('in al, 0x60', 'in ax, dx', 'in eax, dx', 'out 0x80, al', 'out dx, ax', 'out dx, eax');
  for (const op of ['movs', 'stos', 'lods', 'cmps', 'scas']) for (const sz of ['b', 'w', 'd']) st.push(`${op}${sz}`, `rep ${op}${sz}`);
  st.push('o16 nop', 'o32 nop', 'a16 nop', 'a32 nop', 'o16 movsb', 'o32 movsw', 'a32 stosb', 'a16 lodsw', 'a32 mov ax, [0x10]', 'o32 push 1');
  st.push('vmlaunch', 'vmresume', 'vmxoff', 'vmcall', 'vmread eax, ebx', 'vmwrite ecx, edx', `vmread ${mems[0]}, esi`, `vmwrite edi, ${mems[1]}`);
  st.push(`vmxon ${mems[2]}`, `vmptrld ${mems[3]}`, `vmclear ${mems[4]}`, `vmptrst ${mems[5]}`, `invept eax, ${mems[6]}`, `invvpid ecx, ${mems[7]}`);
  st.push(`lgdt ${mems[1]}`, `lidt ${mems[2]}`, `sgdt ${mems[3]}`, `sidt ${mems[4]}`, `invlpg ${mems[5]}`, 'lldt ax', 'ltr bx', 'str ax', 'sldt cx', 'clts');
  // Legacy-only one-byte opcodes (SDM Vol. 2D Table A-2, "i64") and far-pointer loads.
  st.push('pusha', 'popa', 'pushaw', 'popaw', 'pushad', 'popad', 'o16 pusha', 'o32 popa');
  st.push('daa', 'das', 'aaa', 'aas', 'aam', 'aad', 'aam 5', 'aad 0x10', 'aam 0', 'salc');
  for (const m of mems.slice(0, 8)) {
    st.push(`bound ${r(2)[1]}, ${m}`, `bound ${r(4)[6]}, ${m}`, `arpl ${m}, ${r(2)[3]}`);
    st.push(`les ${r(2)[7]}, ${m}`, `lds ${r(4)[2]}, ${m}`, `lss ${r(2)[4]}, ${m}`, `lfs ${r(4)[0]}, ${m}`, `lgs ${r(2)[5]}, ${m}`);
  }
  st.push('arpl ax, cx', 'arpl bx, sp', 'arpl di, si');
  st.push('insb', 'insw', 'insd', 'outsb', 'outsw', 'outsd', 'rep insb', 'rep insw', 'rep outsd', 'es outsb', 'a16 insw', 'a32 rep outsb');
  st.push('enter 16, 0', 'enter 8, 3', 'o16 enter 4, 1', 'o32 enter 4, 1', 'leave', 'o16 leave', 'o32 leave', 'xlatb', 'xlat', 'a16 xlatb', 'a32 xlatb', 'es xlatb');
  st.push('push es', 'push cs', 'push ss', 'push ds', 'pop es', 'pop ss', 'pop ds', 'o16 push es', 'o32 push ds', 'o16 pop es', 'o32 pop ds');
  st.push('retf', 'retf 4', 'retfw', 'retfd', 'retfw 2', 'retfd 6', 'o16 retf', 'o32 retf');
  w.add(`m${bits}-stack-system`, st);
  const b: string[] = ['back_far:', 'times 200 nop', 'back_near:'];
  for (const c of ['o', 'b', 'e', 'ne', 'be', 'a', 's', 'p', 'l', 'ge', 'le', 'g']) {
    b.push(`j${c}_back:`, `j${c} j${c}_back`, `j${c} j${c}_fwd`, `j${c} short j${c}_fwd`, `j${c} near j${c}_back`, `j${c} back_far`, `j${c} fwd_far`, `j${c}_fwd:`);
  }
  for (const op of ['jmp', 'call']) b.push(`${op} back_near`, `${op} fwd_near`, `${op} back_far`, `${op} fwd_far`, `${op} near fwd_near`);
  b.push('loops:', 'jmp short loops', 'jmp $', 'jmp $+2', 'jmp short $', 'call $+5', 'loop loops', 'loope loops_end', 'loopne loops', 'loops_end:');
  for (const reg of ['ax', 'sp', 'eax', 'esp']) b.push(`jmp ${reg}`, `call ${reg}`);
  for (const m of mems.slice(0, 3)) b.push(`jmp ${m}`, `call ${m}`, `jmp word ${m}`, `call word ${m}`, `jmp dword ${m}`, `call dword ${m}`);
  const wide = bits === 16 ? 'dword' : 'word';
  b.push(`jmp ${wide} fwd_far`, `call ${wide} back_far`, `jmp ${wide} back_near`, `jmp ${bits === 16 ? 'word' : 'dword'} back_near`);
  // JCXZ / JECXZ (address size picks the count register), far JMP/CALL direct and through memory.
  b.push('jcxz loops', 'jecxz loops', 'jcxz loops_end', 'jecxz loops_end', 'a16 jcxz loops', 'a32 jecxz loops');
  for (const op of ['jmp', 'call']) {
    b.push(`${op} 0x8:0x1000`, `${op} 0x10:0xfffe`, `${op} word 0x18:0x1234`, `${op} dword 0x18:0x12345678`, `${op} 0xffff:0`);
    for (const m of mems.slice(0, 6)) b.push(`${op} far ${m}`, `${op} word far ${m}`, `${op} dword far ${m}`);
  }
  b.push('fwd_near:', 'nop', 'times 200 nop', 'fwd_far:', 'nop');
  w.add(`m${bits}-branch`, b);
}

function header(name: string): string[] {
  return [...VMX_INC_HEADER, `; ${name}: generated by src/tools/gen-nasm-corpus.ts; do not edit.`, 'data0: dq 0x1122334455667788'];
}

function main(): void {
  const w = new Writer();
  genAlu(w);
  genUnary(w);
  genMov(w);
  genStackBranch(w);
  genSystem(w);
  genForward(w);
  genFar(w);
  genLegacy(w, 16);
  genLegacy(w, 32);
  mkdirSync(LEGACY, { recursive: true });
  for (const d of [OUT, LEGACY]) for (const f of readdirSync(d)) if (f.endsWith('.asm')) unlinkSync(join(d, f));
  let total = 0;
  for (const [group, lines] of w.files) {
    // Branch files keep their labels together; others split into files of MAX_LINES.
    const chunks = group.endsWith('branch') || group === 'forward' ? [lines] : Array.from({ length: Math.ceil(lines.length / MAX_LINES) }, (_, i) => lines.slice(i * MAX_LINES, (i + 1) * MAX_LINES));
    chunks.forEach((chunk, i) => {
      const name = chunks.length === 1 ? `${group}.asm` : `${group}-${i + 1}.asm`;
      const mode = /^m(16|32)-/.exec(group)?.[1];
      writeFileSync(join(mode ? LEGACY : OUT, name), [...header(name), ...(mode ? [`bits ${mode}`] : []), ...chunk, 'data1: dq 0', ''].join('\n'));
      total += chunk.length;
    });
  }
  console.log(`wrote ${total} instruction lines into ${OUT}`);
}

main();
