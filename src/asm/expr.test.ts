import { describe, it, expect } from 'vitest';
import { tokenize } from './lexer.ts';
import type { EvalContext, Value } from './expr.ts';
import { ExprParser, ExprSyntaxError, evaluate, isKnown, scalar } from './expr.ts';

function ev(text: string, syms: Record<string, Value> = {}): Value | string {
  const errors: string[] = [];
  const toks = tokenize(text);
  const p = new ExprParser(toks, 0, (n) => n);
  let e;
  try {
    e = p.parse();
    if (p.pos < toks.length) return 'trailing';
  } catch (x) {
    if (x instanceof ExprSyntaxError) return `syntax: ${x.message}`;
    throw x;
  }
  const ctx: EvalContext = { here: 0x10n, lookup: (n) => syms[n], error: (_c, m) => { errors.push(m); } };
  const v = evaluate(e, ctx);
  return v ?? errors.join('; ');
}
const num = (text: string): bigint | string => {
  const v = ev(text);
  return typeof v === 'string' ? v : v.c;
};
const label = (off: bigint): Value => ({ c: off, seg: 1n, regs: new Map(), unk: 0n });

describe('NASM operators and precedence', () => {
  it.each([
    ['1 + 2 * 3', 7n], ['(1 + 2) * 3', 9n], ['10 - 4 - 3', 3n], ['100 / 7 / 2', 7n],
    ['-7 // 2', -3n], ['-7 %% 3', -1n], ['-7 / 2', 0x7ffffffffffffffcn], ['-7 % 3', 0n],
    ['1 << 4 | 1', 17n], ['1 << 64', 1n], ['1 << 65', 2n], ['-8 >> 1', 0x7ffffffffffffffcn], ['-8 >>> 1', -4n],
    ['0xF0 & 0x3C ^ 0xFF', 0xcfn], ['~0', -1n], ['-~5', 6n], ['+-+3', -3n], ['1 | 2 ^ 3 & 4', 3n],
    ["'ab'", 0x6261n], ['3 == 3', 1n], ['2 < 1', 0n], ['-1 < 0', 1n], ['1 <> 1', 0n], ['5 = 5', 1n],
    ['1 && 0', 0n], ['1 || 0', 1n], ['1 ^^ 1', 0n], ['!7', 0n], ['2 > 1 ? 5 : 6', 5n], ['0 ? 1 : 0 ? 2 : 3', 3n],
    ['0xFFFFFFFFFFFFFFFF + 1', 0n], ['0x7FFFFFFFFFFFFFFF + 1', -0x8000000000000000n],
  ])('%s = %s', (text, want) => expect(num(text)).toBe(want));

  it('reports division by zero', () => {
    expect(ev('1 / 0')).toBe('division by zero');
    expect(ev('1 %% 0')).toBe('division by zero');
  });

  it('keeps labels relocatable and cancels them in differences', () => {
    expect(ev('a + 4', { a: label(8n) })).toMatchObject({ c: 12n, seg: 1n });
    expect(ev('a - b', { a: label(8n), b: label(2n) })).toMatchObject({ c: 6n, seg: 0n });
    expect(ev('$ - $$')).toMatchObject({ c: 0x10n, seg: 0n });
    expect(ev('a * 2', { a: label(8n) })).toMatchObject({ c: 16n, seg: 2n });
  });

  it('applies bit operators to scalars only, as NASM does', () => {
    expect(ev('a & 0xfff', { a: label(8n) })).toBe("`&' operator may only be applied to scalar values");
    expect(ev('a >> 12', { a: label(8n) })).toBe('shift operator may only be applied to scalar values');
    expect(ev('a * a', { a: label(8n) })).toBe('unable to multiply two non-scalar objects');
    expect(ev('(a - $$) & 0xfff', { a: label(0x1008n) })).toMatchObject({ c: 8n, seg: 0n });
  });

  it('treats undefined symbols as unknown, and fwd - fwd as a known 0 (NASM vectors)', () => {
    const u = ev('fwd + 1');
    expect(typeof u !== 'string' && isKnown(u)).toBe(false);
    const z = ev('fwd - fwd + 2');
    expect(typeof z !== 'string' && isKnown(z) && z.c).toBe(2n);
    expect(ev('fwd & 1')).toMatchObject({ unk: 1n });
  });

  it('collects register coefficients for effective addresses', () => {
    const v = ev('rax + rbx*4 + 8 - rax');
    expect(typeof v !== 'string' && [...v.regs.values()]).toEqual([4n]);
  });

  it('gives syntax errors, never exceptions of another kind', () => {
    for (const bad of ['', '1 +', '(1', '1 +* 2', '0b2', '1.5', "'abc", 'byte', '1 ? 2']) {
      expect(ev(bad)).toMatch(/^syntax|^trailing/);
    }
  });

  it('scalar() wraps to signed 64 bits', () => {
    expect(scalar(1n << 64n).c).toBe(0n);
    expect(scalar((1n << 64n) - 1n).c).toBe(-1n);
  });
});
