// `assemble` never throws and always terminates, whatever the text (brief: property test
// with fast-check; a few thousand inputs normally, 10^5 with VMXLAB_SLOW=1).

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { assemble } from './index.ts';
import { mutatedProgram } from './testdata/mutate.ts';

const SLOW = process.env.VMXLAB_SLOW === '1';

const WORDS = [
  'mov', 'lea', 'add', 'jmp', 'jz', 'call', 'ret', 'push', 'pop', 'vmxon', 'vmwrite', 'vmread', 'times', 'align',
  'db', 'dw', 'dd', 'dq', 'resb', 'resq', 'equ', 'rax', 'eax', 'rsp', 'rbp', 'r12', 'cr4', 'fs', 'byte', 'qword',
  'strict', 'short', 'near', 'rel', 'abs', 'nosplit', 'start', '.loc', 'lbl', 'LAB_BASE', 'PA', 'X86_CR4_VMXE',
  '%define', '%assign', '%if', '%endif', '%undef', 'bits', 'default', 'org', 'section', '$', '$$', 'seg', 'wrt',
];
const PUNCT = ['[', ']', '(', ')', ',', ':', '+', '-', '*', '/', '//', '%', '%%', '<<', '>>', '&', '|', '^', '~', '!', '?', "'", '"', '`', ';', '\\', '==', '<', '>'];
const NUMBERS = ['0', '1', '-1', '0x7f', '0x80', '0xFFFFFFFF', '0x1_0000_0000', '0xFFFF888000100000', '1h', '0b101', '99999999999999999999999', '1.5', '12zz', '4096', '100000000'];

const token = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.constantFrom(...PUNCT),
  fc.constantFrom(...NUMBERS),
  fc.string({ maxLength: 4 }),
);
const line = fc.array(token, { maxLength: 8 }).map((ts) => ts.join(' '));
const program = fc.oneof(
  fc.array(line, { maxLength: 12 }).map((ls) => ls.join('\n')),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
);

describe('assemble is total', () => {
  it('never throws on mutated real programs', () => {
    fc.assert(
      fc.property(mutatedProgram(token), (src) => {
        const r = assemble(src);
        expect(r.diagnostics.filter((d) => d.message.startsWith('internal')).map((d) => d.message)).toEqual([]);
        expect(r.ok === r.diagnostics.every((d) => d.severity !== 'error')).toBe(true);
      }),
      { numRuns: SLOW ? 20_000 : 300, seed: SLOW ? undefined : 1121 },
    );
  });

  it('never throws, always returns a well-formed result', () => {
    fc.assert(
      fc.property(program, (src) => {
        const r = assemble(src);
        expect(r.ok === (r.diagnostics.every((d) => d.severity !== 'error'))).toBe(true);
        // assembleWith turns an exception into this diagnostic; it must never be needed.
        expect(r.diagnostics.filter((d) => d.message.startsWith('internal')).map((d) => d.message)).toEqual([]);
        for (const d of r.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.col).toBeGreaterThanOrEqual(1);
          expect(d.message.length).toBeGreaterThan(0);
        }
        if (!r.ok) expect(r.bytes.length).toBe(0);
        expect(r.bytes.length).toBeLessThanOrEqual(16 * 1024 * 1024);
      }),
      { numRuns: SLOW ? 100_000 : 3_000, seed: SLOW ? undefined : 20261121 },
    );
  });

  it.each([
    ['huge times of a branch', 'times 8000000 jmp $'],
    ['times of a huge image', 'times 0x7fffffff dq 0'],
    ['deep macro chains', Array.from({ length: 300 }, (_, i) => `%define m${i} m${i + 1}+1`).join('\n') + '\ndq m0'],
    ['exponential macros', Array.from({ length: 40 }, (_, i) => `%define e${i} e${i + 1} e${i + 1}`).join('\n') + '\ndq e0'],
    ['labels that never settle', 'nop\nresb fwd-$$\nfwd:'],
    ['a long program', Array.from({ length: 5000 }, (_, i) => `l${i}: jmp l${(i * 7919) % 5000}`).join('\n')],
    ['deep parentheses', 'dq ' + '('.repeat(50_000) + '1' + ')'.repeat(50_000)],
    ['long operator chains', 'dq ' + Array(50_000).fill('1').join('+')],
    ['nested conditionals', 'dq ' + Array(5_000).fill('1 ?').join(' ') + ' 1' + ' : 0'.repeat(5_000)],
    ['deep unary', 'dq ' + '-~'.repeat(50_000) + '1'],
    ['absurd numbers', 'dq 0x1_0000_0000_0000_0000_0, 999999999999999999999999999999, -0x8000000000000000 // -1'],
  ])('%s: terminates with a result', (_name, src) => {
    const r = assemble(src);
    expect(typeof r.ok).toBe('boolean');
    expect(r.diagnostics.some((d) => d.message.startsWith('internal assembler error'))).toBe(false);
  });
});
