import { describe, it, expect } from 'vitest';
import { charConstValue, readNumber, stripComment, tokenize } from './lexer.ts';

describe('readNumber (NASM readnum)', () => {
  it.each([
    ['0x1F', 0x1fn], ['1Fh', 0x1fn], ['0h1F', 0x1fn], ['$1f', 0x1fn], ['0b1010', 10n], ['1010b', 10n],
    ['0y11', 3n], ['11y', 3n], ['0o17', 15n], ['17q', 15n], ['17o', 15n], ['0q17', 15n], ['0d10', 10n],
    ['0t9', 9n], ['1_000', 1000n], ['0x', 0n], ['08', 8n], ['0bh', 0xbn], ['0x1b', 0x1bn], ['0ah', 10n],
  ])('%s = %s', (text, value) => {
    expect(readNumber(text)).toEqual({ value, overflow: false, ok: true });
  });

  it('wraps at 64 bits with an overflow flag', () => {
    expect(readNumber('0x1_0000_0000_0000_0000_0')).toEqual({ value: 0n, overflow: true, ok: true });
    expect(readNumber('0xFFFFFFFFFFFFFFFF')).toEqual({ value: (1n << 64n) - 1n, overflow: false, ok: true });
    expect(readNumber('18446744073709551616').overflow).toBe(true);
  });

  it('refuses digits outside the radix', () => {
    expect(readNumber('0b2').ok).toBe(false);
    expect(readNumber('1h2').ok).toBe(false);
    expect(readNumber('12zz').ok).toBe(false);
  });
});

describe('tokenize', () => {
  it('reads identifiers, numbers, strings and operators with 1-based columns', () => {
    const t = tokenize("mov rax, [rbx+4] ; comment 'x");
    expect(t.map((x) => [x.kind, x.text, x.col])).toEqual([
      ['id', 'mov', 1], ['id', 'rax', 5], ['op', ',', 8], ['op', '[', 10], ['id', 'rbx', 11],
      ['op', '+', 14], ['num', '4', 15], ['op', ']', 16],
    ]);
  });

  it('takes the longest operator', () => {
    expect(tokenize('a<<<b >>> c // d %% e <= f').filter((t) => t.kind === 'op').map((t) => t.text)).toEqual(['<<<', '>>>', '//', '%%', '<=']);
  });

  it('reads $, $$, $name and local labels', () => {
    expect(tokenize('$ $$ $eax .loc ..@x').map((t) => [t.kind, t.text])).toEqual([
      ['here', '$'], ['here', '$$'], ['id', '$eax'], ['id', '.loc'], ['id', '..@x'],
    ]);
  });

  it('decodes backquoted escapes and keeps other quotes verbatim', () => {
    const [a, b] = tokenize('`a\\x41\\101\\e\\u00e9\\0` "it\'s"');
    expect(a?.kind === 'str' && [...a.bytes]).toEqual([0x61, 0x41, 0x41, 0x1b, 0xc3, 0xa9, 0]);
    expect(b?.kind === 'str' && [...b.bytes]).toEqual([...'it\'s'].map((c) => c.charCodeAt(0)));
  });

  it('marks unterminated strings and floats', () => {
    expect(tokenize("db 'abc")[1]).toMatchObject({ kind: 'str', unterminated: true });
    expect(tokenize('dq 1.5')[1]).toMatchObject({ kind: 'num', error: 'float' });
    expect(tokenize('dq 1e5')[1]).toMatchObject({ kind: 'num', error: 'float' });
    expect(tokenize('dq 1eh')[1]).toMatchObject({ kind: 'num', value: 0x1en });
  });

  it('strips comments outside quotes only', () => {
    expect(stripComment("db ';', 1 ; two")).toBe("db ';', 1 ");
    expect(stripComment('db `\\`;`;x')).toBe('db `\\`;`');
  });

  it('character constants are little-endian', () => {
    expect(charConstValue(Uint8Array.from([0x61, 0x62]))).toBe(0x6261n);
  });
});
