// Malformed programs give diagnostics with line and column, in NASM's words where NASM
// has some; when nasm is installed, each case also checks that NASM rejects (or warns
// about) the same line, so lab-asm is never stricter or laxer than the reference.

import { describe, it, expect } from 'vitest';
import { assemble } from './index.ts';
import { HAVE_NASM, nasm, nasmErrorLines } from './testdata/nasm.ts';

type Case = [name: string, source: string, line: number, col: number, message: string];

const ERRORS: Case[] = [
  ['undefined symbol', 'nop\nmov eax, undefined_sym', 2, 10, "symbol `undefined_sym' not defined"],
  ['duplicate label', 'foo: nop\nfoo: nop', 2, 1, "label `foo' inconsistently redefined"],
  ['label redefining a predefined symbol', 'LAB_BASE: nop', 1, 1, "label `LAB_BASE' inconsistently redefined"],
  ['unknown mnemonic after a label', 'blarg eax, 1', 1, 7, 'parser: instruction expected'],
  ['missing operand', 'mov eax,', 1, 1, 'invalid combination of opcode and operands'],
  ['empty operand between commas', 'mov eax,, 1', 1, 9, 'expression syntax error'],
  ['unterminated memory operand', 'mov eax, [rax', 1, 11, 'expecting ] at end of memory operand'],
  ['unbalanced parenthesis', 'mov eax, (1+', 1, 13, 'expression syntax error'],
  ['operator soup', 'mov eax, 1 +* 2', 1, 13, 'expression syntax error'],
  ['bad digit', 'mov eax, 12zz', 1, 10, 'invalid number'],
  ['binary digit 2', 'mov eax, 0b2', 1, 10, 'invalid number'],
  ['division by zero', 'mov eax, 1 / 0', 1, 12, 'division by zero'],
  ['& on a label', 'l: mov eax, l & 0xfff', 1, 15, "`&' operator may only be applied to scalar values"],
  ['recursive define', '%define a b\n%define b a\nmov eax, a', 3, 10, "symbol `a' not defined"],
  ['self-referencing define', '%define r r+1\nmov eax, r', 2, 10, "symbol `r' not defined"],
  ['negative times', 'times -1 nop', 1, 7, 'TIMES value -1 is negative'],
  ['times on a forward label', 'times fwd-$$ db 0\nfwd:', 1, 7, 'non-constant argument supplied to TIMES'],
  ['align not a power of two', 'align 3', 1, 7, "segment alignment `3' is not power of two"],
  ['short jump out of range', 'jmp short far_away\ntimes 200 nop\nfar_away:', 1, 1, 'short jump is out of range'],
  ['too many registers', 'mov eax, [rax+rbx+rcx]', 1, 10, 'invalid effective address: too many registers'],
  ['two index registers', 'mov eax, [rax*2+rbx*2]', 1, 10, 'invalid effective address: two index registers'],
  ['mixed address sizes', 'mov eax, [rax+ebx]', 1, 10, 'impossible combination of address sizes'],
  ['rsp as a scaled index', 'mov eax, [rsp*2]', 1, 10, 'invalid 64-bit effective address'],
  ['register in an immediate', 'mov eax, ebx+1', 1, 10, 'invalid operand type'],
  ['bits 17', 'bits 17', 1, 6, "`17' is not a valid segment size; must be 16, 32 or 64"],
  ['movsxd in 32-bit code', 'bits 32\nmovsxd rax, eax', 2, 1, 'instruction not supported in 32-bit mode'],
  ['swapgs in 16-bit code', 'bits 16\nswapgs', 2, 1, 'instruction not supported in 16-bit mode'],
  ['REX register in 32-bit code', 'bits 32\nmov r8d, eax', 2, 1, 'invalid operands in non-64-bit mode'],
  ['SPL in 16-bit code', 'bits 16\nmov al, spl', 2, 1, 'invalid operands in non-64-bit mode'],
  ['64-bit address in 32-bit code', 'bits 32\nmov eax, [rax]', 2, 10, 'impossible combination of address sizes'],
  ['bad 16-bit address', 'bits 16\nmov ax, [bx+bp]', 2, 1, 'invalid 16-bit effective address'],
  ['sized Jcc target without near', 'bits 16\njne dword x\nx:', 2, 1, 'mismatch in operand sizes'],
  ['o64 in 32-bit code', 'bits 32\no64 nop', 2, 5, 'invalid operands in non-64-bit mode'],
  ['another section', 'section .data', 1, 1, 'is not supported: a lab-asm program is one flat .text section'],
  ['include', '%include "foo.inc"', 1, 1, '%include is not supported'],
  ['float', 'dq 1.5', 1, 4, 'floating-point constant'],
  ['image too large', 'times 0x1000001 db 0', 1, 7, 'TIMES value 16777217 would make the image exceed 16 MiB'],
  ['resb too large', 'resb 0x7fffffffffffffff', 1, 6, 'would make the image exceed 16 MiB'],
  ['empty memory operand', 'mov eax, []', 1, 11, 'expression syntax error'],
  ['equ without a label', 'equ 5', 1, 1, 'EQU not preceded by label'],
  ['equ without a value', 'x equ', 1, 3, 'bad syntax for EQU'],
  ['unclosed directive bracket', '[bits 64', 1, 1, 'invalid directive line'],
  ['rip is not a register in NASM', 'mov eax, [rip]', 1, 11, "symbol `rip' not defined"],
  ['memory operand without a size', 'mov [rax], 1', 1, 1, 'operation size not specified'],
  ['size keyword on vmxon', 'vmxon qword [rax]', 1, 1, 'mismatch in operand sizes'],
  ['macro with and without parameters', '%define F(x) x\n%define F 7', 2, 9, 'defined both with and without parameters'],
  ['labels never settle', 'nop\nresb fwd-$$\nfwd:', 3, 1, 'unable to find valid values for all labels'],
];

const WARNINGS: Case[] = [
  ['number too large', 'dq 0x1_0000_0000_0000_0000_0', 1, 4, 'numeric constant 0x1_0000_0000_0000_0000_0 does not fit in 64 bits'],
  ['byte data out of range', 'db 256', 1, 4, 'byte data exceeds bounds'],
  ['label alone without colon', 'lonely', 1, 1, 'label alone on a line without a colon might be in error'],
  ['absolute address under default rel', 'mov rax, [0x1000]', 1, 10, 'absolute address can not be RIP-relative'],
  ['reserved space is zeroed', 'resb 4', 1, 1, 'uninitialized space declared in .text section: zeroing'],
  ['character constant too long', "dq 'abcdefghij'+0", 1, 4, 'character constant too long'],
  ['no data', 'dd', 1, 1, 'no operand for data declaration'],
];

describe('errors: line, column and NASM-like message', () => {
  it.each(ERRORS)('%s', (_name, source, line, col, message) => {
    const r = assemble(source);
    expect(r.ok).toBe(false);
    const e = r.diagnostics.filter((d) => d.severity === 'error');
    expect(e.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n')).toContain(`${line}:${col} `);
    expect(e.some((d) => d.line === line && d.col === col && d.message.includes(message)), JSON.stringify(e)).toBe(true);
    if (HAVE_NASM && !/^(bits 17|section|%include|dq 1\.5|times 0x1000001|resb 0x7)/.test(source)) {
      const ref = nasm(source);
      expect(ref.ok, `nasm accepted: ${source}`).toBe(false);
      const lines = nasmErrorLines(ref);
      if (lines.length > 0) expect(lines).toContain(line);
    }
  });
});

describe('warnings: the program still assembles', () => {
  it.each(WARNINGS)('%s', (_name, source, line, col, message) => {
    const r = assemble(source);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.diagnostics.some((d) => d.severity === 'warning' && d.line === line && d.col === col && d.message.includes(message)), JSON.stringify(r.diagnostics)).toBe(true);
    if (HAVE_NASM) {
      const ref = nasm(source);
      expect(ref.ok).toBe(true);
      expect(ref.messages.some((m) => m.includes(`prog.asm:${line}: warning`))).toBe(true);
      expect(Buffer.from(r.bytes).equals(Buffer.from(ref.bytes))).toBe(true);
    }
  });
});

describe('immediates that do not fit warn on the same lines as NASM', () => {
  const src = [
    'mov al, 1000', 'push byte 1000', "mov eax, 'abcde'", 'add eax, 0x100000000', 'mov ax, -70000',
    'add rax, 0x80000000', 'mov ecx, LAB_BASE', 'cmp byte [rax], 300', 'add ax, 0xffff', 'mov eax, -1',
    'add rax, -1', 'mov ecx, start', 'mov al, -128', 'mov al, 255', 'push 0x7fffffff', 'start:',
  ].join('\n');
  const warned = (lines: number[]) => [...new Set(lines)].sort((a, b) => a - b);

  it('warns about exactly the truncated ones', () => {
    const r = assemble(src);
    expect(r.ok).toBe(true);
    expect(warned(r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.line))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it.runIf(HAVE_NASM)('as NASM does', () => {
    const ref = nasm(src);
    const lines = ref.messages.map((m) => /prog\.asm:(\d+): warning/.exec(m)).filter((m) => m !== null).map((m) => Number(m[1]));
    expect(warned(lines)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
