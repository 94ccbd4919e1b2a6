import { describe, it, expect } from 'vitest';
import { DiagnosticSink } from './diagnostics.ts';
import { MacroTable, MAX_EXPANSION_TOKENS, preprocess, splitLines } from './preprocess.ts';

function pp(source: string): { lines: string[]; diags: string[] } {
  const d = new DiagnosticSink();
  const out = preprocess(source, new MacroTable(), d);
  return {
    lines: out.map((l) => `${l.line}: ${l.tokens.map((t) => t.text).join(' ')}`),
    diags: d.sorted().map((x) => `${x.line}:${x.col} ${x.severity} ${x.message}`),
  };
}

describe('single-line macros', () => {
  it('expands with and without parameters, at the invocation column', () => {
    const d = new DiagnosticSink();
    const out = preprocess('%define X 1+2\n%define PA(x) ((x) - PHYS_OFFSET)\n  dq X*3, PA(lbl)', new MacroTable(), d);
    expect(out[0]!.tokens.map((t) => t.text).join(' ')).toBe('dq 1 + 2 * 3 , ( ( lbl ) - PHYS_OFFSET )');
    expect(out[0]!.tokens[1]!.col).toBe(6);
  });

  it('needs the parenthesis right after the name to take parameters', () => {
    expect(pp('%define F (x)\nF').lines).toEqual(['2: ( x )']);
  });

  it('leaves a parameterised macro alone when called without arguments', () => {
    expect(pp('%define F(x) x\nF').lines).toEqual(['2: F']);
  });

  it('overloads by parameter count and expands arguments', () => {
    expect(pp('%define F(x) [x]\n%define F(x,y) x+y\nF(1) F(1,(2,3)) F(F(4))').lines).toEqual(['3: [ 1 ] 1 + ( 2 , 3 ) [ [ 4 ] ]']);
  });

  it('never expands a macro inside its own expansion (NASM), so recursion stops', () => {
    expect(pp('%define a b\n%define b a\na').lines).toEqual(['3: a']);
    expect(pp('%define r r+1\nr').lines).toEqual(['2: r + 1']);
  });

  it('stops exponential expansion with a diagnostic', () => {
    const defs = Array.from({ length: 20 }, (_, i) => `%define m${i} m${i + 1} m${i + 1}`).join('\n');
    const r = pp(`${defs}\nm0`);
    expect(r.diags.join()).toContain(`exceeds ${MAX_EXPANSION_TOKENS} tokens`);
  });

  it('%xdefine snapshots, %undef removes, %idefine ignores case', () => {
    expect(pp('%define A 1\n%xdefine B A\n%define A 2\n%idefine Cc 3\n%undef A\nA B cc CC').lines).toEqual(['6: A 1 3 3']);
  });

  it('%assign evaluates now', () => {
    expect(pp('%assign N 2*3\n%assign N N+1\n%assign M -5\nN M').lines).toEqual(['4: 7 ( - 5 )']);
  });
});

describe('conditional assembly', () => {
  it('takes the right branch of %if/%elif/%else and nests', () => {
    const src = '%define X 2\n%if X > 3\na\n%elif X == 2\n%ifdef X\nb\n%else\nc\n%endif\n%else\nd\n%endif';
    expect(pp(src).lines).toEqual(['6: b']);
  });

  it('reports unmatched and unterminated conditionals', () => {
    expect(pp('%endif').diags).toEqual(["1:1 error `%endif': no matching `%if'"]);
    expect(pp('%if 1\nx').diags).toEqual(["1:1 error unterminated %if: expected `%endif'"]);
    expect(pp('%if foo\n%endif').diags[0]).toContain("symbol `foo' not defined in %if");
  });
});

describe('other directives', () => {
  it('accepts %include "vmx.inc" (already included) and refuses other files', () => {
    expect(pp('%include "vmx.inc"').diags[0]).toContain('warning');
    expect(pp("%include 'other.asm'").diags[0]).toContain('%include is not supported');
  });

  it('refuses multi-line macros and unknown directives', () => {
    expect(pp('%macro m 0').diags[0]).toContain('not supported in lab-asm');
    expect(pp('%foo').diags).toEqual(["1:1 error unknown preprocessor directive `%foo'"]);
  });

  it('joins backslash continuations and keeps the first line number', () => {
    expect(splitLines('a \\\nb\nc')).toEqual([{ line: 1, text: 'a b' }, { line: 3, text: 'c' }]);
  });

  it('warns about unterminated strings like NASM', () => {
    expect(pp("db 'abc").diags).toEqual(["1:4 warning unterminated string (missing `'')"]);
  });
});
