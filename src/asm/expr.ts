// NASM expressions: parsed once into a tree, evaluated in every pass. A value is NASM's
// expression vector reduced to what a flat binary needs: a 64-bit constant, the
// coefficient of the section base (1 for a label, 0 for a scalar), register
// coefficients (effective addresses), and an "unknown" flag for forward references in
// early passes. Operator set, precedence and the scalar-only rules follow NASM's
// expr.c (NASM manual §3.5).

import type { Token } from './lexer.ts';
import { charConstValue } from './lexer.ts';
import type { Reg } from '../x86/isa/registers.ts';
import { regByName } from '../x86/isa/registers.ts';

export type Expr =
  | { readonly k: 'num'; readonly v: bigint; readonly col: number }
  | { readonly k: 'sym'; readonly name: string; readonly col: number }
  | { readonly k: 'reg'; readonly reg: Reg; readonly name: string; readonly col: number }
  | { readonly k: 'here'; readonly col: number }
  | { readonly k: 'base'; readonly col: number }
  | { readonly k: 'un'; readonly op: string; readonly a: Expr; readonly col: number }
  | { readonly k: 'bin'; readonly op: string; readonly a: Expr; readonly b: Expr; readonly col: number }
  | { readonly k: 'cond'; readonly c: Expr; readonly a: Expr; readonly b: Expr; readonly col: number };

/** An evaluated expression. */
export interface Value {
  /** The constant part, as a signed 64-bit integer. */
  readonly c: bigint;
  /** Coefficient of the section base: 1 for `label + k`, 0 for a scalar. */
  readonly seg: bigint;
  /** Register coefficients, by register, in an effective address. */
  readonly regs: ReadonlyMap<Reg, bigint>;
  /**
   * Coefficient of "a symbol not defined yet": NASM keeps unknowns in the vector, so
   * `fwd - fwd` is a known 0 while `fwd` alone is unknown.
   */
  readonly unk: bigint;
}

const NO_REGS: ReadonlyMap<Reg, bigint> = new Map();
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** A scalar value. */
export const scalar = (c: bigint): Value => ({ c: s64(c), seg: 0n, regs: NO_REGS, unk: 0n });
/** The value NASM uses for a forward reference it cannot resolve yet. */
export const UNKNOWN: Value = { c: 0n, seg: 0n, regs: NO_REGS, unk: 1n };

/** Whether a value is a plain number (no section base, no registers); it may still be unknown. */
export const isScalar = (v: Value): boolean => v.seg === 0n && v.regs.size === 0;
/** Whether a value is fully known in this pass. */
export const isKnown = (v: Value): boolean => v.unk === 0n;

/** The effective-address hint NASM keeps: the first register written, and whether it was scaled. */
export interface EaHint {
  base: Reg | null;
  type: 'none' | 'makebase' | 'notbase';
}

export interface EvalContext {
  /** Value of a symbol; undefined when it is not (yet) defined. */
  lookup(name: string, col: number): Value | undefined;
  /** Offset of `$` from the section start. */
  readonly here: bigint;
  /** Section-base coefficient of `$` and `$$`: 1 in the program, 0 inside `struc` (absolute space). */
  readonly hereSeg?: bigint;
  /** Called for each error; evaluation then yields null. */
  error(col: number, message: string): void;
  hint?: EaHint;
}

/** Most terms in one expression, and deepest nesting of parentheses and unary operators. */
export const MAX_EXPR_NODES = 2000;
export const MAX_EXPR_DEPTH = 200;

/** A syntax error in an expression or operand, at a 1-based column; caught by the parser. */
export class ExprSyntaxError {
  constructor(readonly col: number, readonly message: string) {}
}

const KEYWORDS_NOT_SYMBOLS = new Set(['byte', 'word', 'dword', 'qword', 'tword', 'oword', 'yword', 'zword', 'strict', 'short', 'near', 'far', 'rel', 'abs', 'nosplit', 'seg', 'wrt', 'to']);

/** Parses a NASM expression from `toks` at `pos`; `resolve` maps a written name to its symbol name. */
export class ExprParser {
  pos: number;
  private nodes = 0;
  private depth = 0;
  constructor(
    private readonly toks: readonly Token[],
    pos: number,
    private readonly resolve: (name: string) => string,
    private readonly warn: (col: number, message: string) => void = () => {},
  ) {
    this.pos = pos;
  }

  private peek(): Token | undefined { return this.toks[this.pos]; }
  private isOp(...ops: string[]): string | undefined {
    const t = this.toks[this.pos];
    return t && t.kind === 'op' && ops.includes(t.text) ? t.text : undefined;
  }
  private endCol(): number {
    const t = this.toks[this.toks.length - 1];
    return t ? t.col + t.text.length : 1;
  }

  /** Parses a whole expression (conditional level). Throws ExprSyntaxError. */
  parse(): Expr {
    const c = this.binary(0);
    const q = this.peek();
    if (this.isOp('?')) {
      this.pos++;
      this.depth++;
      this.count(q!.col);
      const a = this.parse();
      this.depth--;
      if (!this.isOp(':')) throw new ExprSyntaxError(this.peek()?.col ?? this.endCol(), 'expecting `:\'');
      this.pos++;
      const b = this.parse();
      return { k: 'cond', c, a, b, col: q!.col };
    }
    return c;
  }

  private static readonly LEVELS: readonly (readonly string[])[] = [
    ['||'], ['^^'], ['&&'], ['=', '==', '<', '>', '<=', '>=', '<>', '!='],
    ['|'], ['^'], ['&'], ['<<', '>>', '<<<', '>>>'], ['+', '-'], ['*', '/', '%', '//', '%%'],
  ];

  private binary(level: number): Expr {
    if (level >= ExprParser.LEVELS.length) return this.unary();
    let a = this.binary(level + 1);
    for (;;) {
      const op = this.isOp(...ExprParser.LEVELS[level]!);
      if (!op) return a;
      const col = this.peek()!.col;
      this.pos++;
      const b = this.binary(level + 1);
      a = { k: 'bin', op, a, b, col };
    }
  }

  /** Guards the recursion of parsing and evaluation: absurd expressions get a diagnostic. */
  private count(col: number): void {
    if (++this.nodes > MAX_EXPR_NODES || this.depth > MAX_EXPR_DEPTH) {
      throw new ExprSyntaxError(col, `expression too complex (more than ${MAX_EXPR_NODES} terms or ${MAX_EXPR_DEPTH} levels of nesting)`);
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t) this.count(t.col);
    if (!t) throw new ExprSyntaxError(this.endCol(), 'expression syntax error');
    if (t.kind === 'op' && ['-', '+', '~', '!'].includes(t.text)) {
      this.pos++;
      // NASM reads a quoted string right after a unary + or - as a symbol name
      // (`-'a'` is the symbol a, not the character constant).
      const q = this.peek();
      if (q && q.kind === 'str' && !q.unterminated && (t.text === '-' || t.text === '+')) {
        this.pos++;
        return { k: 'un', op: t.text, a: { k: 'sym', name: this.resolve(String.fromCharCode(...q.bytes)), col: q.col }, col: t.col };
      }
      this.depth++;
      const a = this.unary();
      this.depth--;
      return { k: 'un', op: t.text, a, col: t.col };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    if (!t) throw new ExprSyntaxError(this.endCol(), 'expression syntax error');
    this.pos++;
    switch (t.kind) {
      case 'num':
        if (t.error === 'float') throw new ExprSyntaxError(t.col, `floating-point constant \`${t.text}' is not supported in lab-asm`);
        if (t.error) throw new ExprSyntaxError(t.col, `expression syntax error: invalid number \`${t.text}'`);
        return { k: 'num', v: s64(t.value), col: t.col };
      case 'str':
        if (t.unterminated) throw new ExprSyntaxError(t.col, 'expression syntax error: unterminated string');
        if (t.bytes.length > 8) this.warn(t.col, 'character constant too long');
        return { k: 'num', v: s64(charConstValue(t.bytes)), col: t.col };
      case 'here':
        return t.text === '$' ? { k: 'here', col: t.col } : { k: 'base', col: t.col };
      case 'id': {
        if (t.text.startsWith('$')) return { k: 'sym', name: this.resolve(t.text.slice(1)), col: t.col };
        // NASM has no `rip` register name (it writes `rel`), so `rip` is an ordinary symbol there.
        const reg = t.text.toLowerCase() === 'rip' ? undefined : regByName(t.text);
        if (reg !== undefined) return { k: 'reg', reg, name: t.text.toLowerCase(), col: t.col };
        if (KEYWORDS_NOT_SYMBOLS.has(t.text.toLowerCase())) {
          throw new ExprSyntaxError(t.col, `\`${t.text}' is not allowed here`);
        }
        return { k: 'sym', name: this.resolve(t.text), col: t.col };
      }
      case 'op':
        if (t.text === '(') {
          this.depth++;
          this.count(t.col);
          const e = this.parse();
          this.depth--;
          if (!this.isOp(')')) throw new ExprSyntaxError(this.peek()?.col ?? this.endCol(), 'expecting `)\'');
          this.pos++;
          return e;
        }
        throw new ExprSyntaxError(t.col, 'expression syntax error');
    }
  }
}

function addValues(a: Value, b: Value, sign: bigint): Value {
  let regs: ReadonlyMap<Reg, bigint> = a.regs;
  if (b.regs.size > 0) {
    const m = new Map(a.regs);
    for (const [r, k] of b.regs) {
      const v = s64((m.get(r) ?? 0n) + sign * k);
      if (v === 0n) m.delete(r); else m.set(r, v);
    }
    regs = m;
  }
  return { c: s64(a.c + sign * b.c), seg: s64(a.seg + sign * b.seg), regs, unk: s64(a.unk + sign * b.unk) };
}

function scale(v: Value, k: bigint, ctx: EvalContext, affectHints: boolean): Value {
  const regs = new Map<Reg, bigint>();
  for (const [r, x] of v.regs) {
    const y = s64(x * k);
    if (y !== 0n) regs.set(r, y);
    if (affectHints && ctx.hint && ctx.hint.type === 'makebase' && ctx.hint.base === r) ctx.hint.type = 'notbase';
  }
  return { c: s64(v.c * k), seg: s64(v.seg * k), regs, unk: s64(v.unk * k) };
}

const SCALAR_ONLY: Record<string, string> = {
  '/': 'division operator may only be applied to scalar values',
  '//': 'division operator may only be applied to scalar values',
  '%': 'division operator may only be applied to scalar values',
  '%%': 'division operator may only be applied to scalar values',
  '<<': 'shift operator may only be applied to scalar values',
  '>>': 'shift operator may only be applied to scalar values',
  '<<<': 'shift operator may only be applied to scalar values',
  '>>>': 'shift operator may only be applied to scalar values',
  '&': "`&' operator may only be applied to scalar values",
  '|': "`|' operator may only be applied to scalar values",
  '^': "`^' operator may only be applied to scalar values",
};

function scalarOp(op: string, a: bigint, b: bigint): bigint | 'div0' {
  switch (op) {
    case '/': return b === 0n ? 'div0' : u64(a) / u64(b);
    case '%': return b === 0n ? 'div0' : u64(a) % u64(b);
    case '//': return b === 0n ? 'div0' : a / b;
    case '%%': return b === 0n ? 'div0' : a % b;
    case '<<': case '<<<': return u64(a) << (u64(b) & 63n);
    case '>>': return u64(a) >> (u64(b) & 63n);
    case '>>>': return a >> (u64(b) & 63n);
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '^^': return (a !== 0n) !== (b !== 0n) ? 1n : 0n;
    case '=': case '==': return a === b ? 1n : 0n;
    case '!=': case '<>': return a !== b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
    default: return 0n;
  }
}

/** Evaluates an expression; returns null after reporting an error through `ctx`. */
export function evaluate(e: Expr, ctx: EvalContext): Value | null {
  switch (e.k) {
    case 'num': return scalar(e.v);
    case 'here': return { c: s64(ctx.here), seg: ctx.hereSeg ?? 1n, regs: NO_REGS, unk: 0n };
    case 'base': return { c: 0n, seg: ctx.hereSeg ?? 1n, regs: NO_REGS, unk: 0n };
    case 'sym': return ctx.lookup(e.name, e.col) ?? UNKNOWN;
    case 'reg':
      if (ctx.hint && ctx.hint.type === 'none') { ctx.hint.base = e.reg; ctx.hint.type = 'makebase'; }
      return { c: 0n, seg: 0n, regs: new Map([[e.reg, 1n]]), unk: 0n };
    case 'un': {
      const a = evaluate(e.a, ctx);
      if (!a) return null;
      if (e.op === '+') return a;
      if (e.op === '-') return scale(a, -1n, ctx, false);
      if (!isKnown(a)) return UNKNOWN;
      if (!isScalar(a)) {
        ctx.error(e.col, `\`${e.op}' operator may only be applied to scalar values`);
        return null;
      }
      return scalar(e.op === '~' ? ~a.c : a.c === 0n ? 1n : 0n);
    }
    case 'cond': {
      const c = evaluate(e.c, ctx);
      if (!c) return null;
      if (!isKnown(c)) return UNKNOWN;
      if (!isScalar(c)) { ctx.error(e.col, 'the condition of `?\' must be a scalar value'); return null; }
      return evaluate(c.c !== 0n ? e.a : e.b, ctx);
    }
    case 'bin': return evalBinary(e, ctx);
  }
}

const COMPARISONS = new Set(['=', '==', '!=', '<>', '<', '>', '<=', '>=']);

/** NASM compares through the difference: relocatable operands may be (un)equal, not ordered. */
function compare(e: Extract<Expr, { k: 'bin' }>, d: Value, ctx: EvalContext): Value | null {
  const simple = isScalar(d);
  if (e.op === '=' || e.op === '==') return scalar(simple && d.c === 0n ? 1n : 0n);
  if (e.op === '!=' || e.op === '<>') return scalar(simple && d.c === 0n ? 0n : 1n);
  if (!simple) { ctx.error(e.col, `\`${e.op}': operands differ by a non-scalar`); return null; }
  return scalar(scalarOp(e.op, d.c, 0n) as bigint);
}

function evalBinary(e: Extract<Expr, { k: 'bin' }>, ctx: EvalContext): Value | null {
  const a = evaluate(e.a, ctx);
  if (!a) return null;
  const b = evaluate(e.b, ctx);
  if (!b) return null;
  switch (e.op) {
    case '+': return addValues(a, b, 1n);
    case '-': return addValues(a, b, -1n);
    case '*':
      if (isScalar(a) && isKnown(a)) return scale(b, a.c, ctx, true);
      if (isScalar(b) && isKnown(b)) return scale(a, b.c, ctx, true);
      if (!isKnown(a) || !isKnown(b)) return UNKNOWN;
      ctx.error(e.col, 'unable to multiply two non-scalar objects');
      return null;
  }
  if (!isKnown(a) || !isKnown(b)) return UNKNOWN;
  if (COMPARISONS.has(e.op)) return compare(e, addValues(a, b, -1n), ctx);
  if (!isScalar(a) || !isScalar(b)) {
    ctx.error(e.col, SCALAR_ONLY[e.op] ?? `\`${e.op}' operator may only be applied to scalar values`);
    return null;
  }
  const r = scalarOp(e.op, a.c, b.c);
  if (r === 'div0') { ctx.error(e.col, 'division by zero'); return null; }
  return scalar(r);
}
