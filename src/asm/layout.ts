// Multi-pass layout, as NASM assembles: every pass walks all statements, labels defined
// earlier in the pass have their new values and forward references the previous pass's,
// instructions are sized by the encoder (which starts jumps short while their target is
// unknown, as NASM's optimiser does), and passes repeat until no symbol moves. A final
// pass with the stable values emits the bytes and reports final-pass diagnostics.

import type { DiagnosticSink } from './diagnostics.ts';
import type { EaHint, EvalContext, Expr, Value } from './expr.ts';
import { evaluate, isKnown, isScalar, scalar } from './expr.ts';
import { stringItemBytes, stringItemSize, writeValue } from './directives.ts';
import type { LineSpan } from './listing.ts';
import { immediateWarnings } from './imm-warnings.ts';
import { absoluteValue, buildMemOperand } from './operands.ts';
import type { DataItem, OperandAst, Stmt, Times } from './statements.ts';
import type { AsmOperand, EncodeRequest, EncodeResult } from '../x86/isa/operands.ts';
import { regSize } from '../x86/isa/registers.ts';

export type Encoder = (req: EncodeRequest) => EncodeResult;

export interface LayoutOptions {
  readonly origin: bigint;
  /** Symbols defined before the program (vmx.inc). */
  readonly predefined: ReadonlyMap<string, bigint>;
  readonly encode: Encoder;
  /** Largest image in bytes. */
  readonly maxImage: number;
  readonly maxPasses: number;
}

export interface LayoutResult {
  readonly bytes: Uint8Array;
  readonly spans: LineSpan[];
  /** User-defined symbols (labels and equ), by full name, with their final values. */
  readonly symbols: Map<string, bigint>;
}

type AnyStmt = Stmt & { readonly defaultRel?: boolean; readonly bits?: 16 | 32 };
interface Def { readonly value: Value; readonly line: number; readonly kind: 'label' | 'equ' }

class PassAbort extends Error {}

/**
 * The last encoding of each instruction statement, keyed by its operands (and address,
 * for branches and RIP-relative operands): most statements do not change between
 * passes, and the encoder is a pure function of its request.
 */
type EncodeCache = Map<object, { key: string; result: EncodeResult }>;

function operandKey(o: AsmOperand): string {
  switch (o.kind) {
    case 'reg': return `r${o.reg}`;
    case 'imm': return `i${o.value}|${+o.known}${+o.reloc}|${o.size ?? ''}|${+!!o.strict}`;
    case 'mem': return `m${o.size ?? ''}|${o.seg ?? ''}|${o.base ?? ''}|${o.index ?? ''}|${o.scale}|${o.disp}|` +
      `${+o.dispKnown}${+o.dispReloc}${+o.hasDisp}${+o.ripRelative}${+!!o.nosplit}|${o.dispSize ?? ''}`;
  }
}

/**
 * Statements visited plus instructions encoded, over all passes, before the assembler
 * gives up: keeps `times 8000000 jmp $` or a program that never settles from hanging
 * the lab (NASM itself would take minutes).
 */
export const WORK_BUDGET = 500_000;

/** Lays out and emits a program. Never throws; problems go to `diags`. */
export function layout(stmts: readonly AnyStmt[], opts: LayoutOptions, diags: DiagnosticSink): LayoutResult {
  let prev = new Map<string, Def>();
  const empty: LayoutResult = { bytes: new Uint8Array(0), spans: [], symbols: new Map() };
  const budget = { left: WORK_BUDGET };
  const cache: EncodeCache = new Map();
  for (let pass = 1; pass <= opts.maxPasses; pass++) {
    const p = new Pass(stmts, opts, diags, prev, false, budget, cache);
    const ok = p.run();
    if (!ok || p.fatal) return empty;
    const stable = pass > 1 && sameValues(prev, p.defs);
    prev = p.defs;
    if (stable) {
      budget.left = Math.max(budget.left, WORK_BUDGET / 4);
      const final = new Pass(stmts, opts, diags, prev, true, budget, cache);
      if (!final.run()) return empty;
      if (!sameValues(prev, final.defs)) diags.error(1, 1, 'phase error: symbol values changed in the final pass');
      return { bytes: final.image(), spans: final.spans, symbols: final.userSymbols() };
    }
  }
  const moving = [...prev.entries()].find(([, d]) => d.kind === 'label');
  diags.error(moving?.[1].line ?? 1, 1, `unable to find valid values for all labels after ${opts.maxPasses} passes; giving up`);
  return empty;
}

function sameValues(a: ReadonlyMap<string, Def>, b: ReadonlyMap<string, Def>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, d] of a) {
    const e = b.get(k);
    if (!e || e.value.c !== d.value.c || e.value.seg !== d.value.seg || e.value.unk !== d.value.unk) return false;
  }
  return true;
}

function hasNonRegisterLeaf(e: Expr): boolean {
  switch (e.k) {
    case 'reg': return false;
    case 'un': return hasNonRegisterLeaf(e.a);
    case 'bin': return hasNonRegisterLeaf(e.a) || hasNonRegisterLeaf(e.b);
    default: return true;
  }
}

class Pass {
  readonly defs = new Map<string, Def>();
  readonly spans: LineSpan[] = [];
  private readonly chunks: { at: number; bytes: Uint8Array }[] = [];
  private offset = 0;
  /** Inside `struc`: NASM's absolute space, where labels are plain offsets and nothing is emitted. */
  private abs: { offset: bigint; start: bigint } | null = null;
  fatal = false;

  constructor(
    private readonly stmts: readonly AnyStmt[],
    private readonly opts: LayoutOptions,
    private readonly diags: DiagnosticSink,
    private readonly prev: ReadonlyMap<string, Def>,
    private readonly final: boolean,
    private readonly budget: { left: number },
    private readonly cache: EncodeCache,
  ) {}

  run(): boolean {
    try {
      for (const s of this.stmts) this.statement(s);
      return true;
    } catch (e) {
      if (e instanceof PassAbort) return false;
      throw e;
    }
  }

  image(): Uint8Array {
    const out = new Uint8Array(this.offset);
    for (const c of this.chunks) out.set(c.bytes, c.at);
    return out;
  }

  userSymbols(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const [k, d] of this.defs) if (!k.startsWith('..@istruc')) out.set(k, BigInt.asUintN(64, absoluteValue(d.value, this.opts.origin)));
    return out;
  }

  private ctx(line: number, hint?: EaHint): EvalContext {
    return {
      here: this.abs ? this.abs.offset : BigInt(this.offset),
      hereSeg: this.abs ? 0n : 1n,
      hint,
      lookup: (name, col) => {
        const d = this.defs.get(name);
        if (d) return d.value;
        const pre = this.opts.predefined.get(name);
        if (pre !== undefined) return scalar(pre);
        const p = this.prev.get(name);
        if (p) return p.value;
        if (this.final) {
          this.diags.error(line, col, `symbol \`${name}' not defined`);
          return scalar(0n);
        }
        return undefined;
      },
      error: (col, message) => { if (this.final) this.diags.error(line, col, message); },
    };
  }

  private eval(e: Expr, line: number, hint?: EaHint): Value | null {
    return evaluate(e, this.ctx(line, hint));
  }

  private define(s: AnyStmt & { name: string }, value: Value, kind: 'label' | 'equ'): void {
    if (!s.name) return;
    const old = this.defs.get(s.name);
    const pre = this.opts.predefined.get(s.name);
    // NASM accepts a second definition with the same value (`.a:` twice at one address).
    const clash = old ? old.value.c !== value.c || old.value.seg !== value.seg
      : pre !== undefined ? value.seg !== 0n || value.c !== BigInt.asIntN(64, pre) : false;
    if (clash) {
      if (this.final) {
        this.diags.error(s.line, s.col, `label \`${s.name}' inconsistently redefined`);
        if (old) this.diags.info(old.line, 1, `label \`${s.name}' originally defined here`);
        else this.diags.info(s.line, s.col, `\`${s.name}' is predefined by vmx.inc`);
      }
      return;
    }
    this.defs.set(s.name, { value, line: s.line, kind });
  }

  private statement(s: AnyStmt): void {
    switch (s.kind) {
      case 'label':
        this.define(s, this.abs ? scalar(this.abs.offset) : { c: BigInt(this.offset), seg: 1n, regs: new Map(), unk: 0n }, 'label');
        return;
      case 'struc': {
        const v = s.offset ? this.eval(s.offset, s.line) : scalar(0n);
        const off = v && isKnown(v) && isScalar(v) ? v.c : 0n;
        if (v && (!isKnown(v) || !isScalar(v)) && this.final) this.diags.error(s.line, s.col, '`struc\' offset must be a constant');
        this.abs = { offset: off, start: off };
        this.define(s, scalar(off), 'label');
        return;
      }
      case 'endstruc': {
        const size = this.abs ? this.abs.offset - this.abs.start : 0n;
        this.abs = null;
        this.define({ ...s, name: `${s.name}_size` }, scalar(size), 'equ');
        return;
      }
      case 'equ': {
        const v = this.eval(s.expr, s.line);
        if (!v) return;
        if (v.regs.size > 0) { if (this.final) this.diags.error(s.line, s.exprCol, 'invalid operand type'); return; }
        // NASM defines an equ whose value is not known yet with a placeholder, so later
        // lines of the same pass see a known value (the previous pass's, or 0). A value
        // that is not `label + k` keeps only its constant (`x equ l*2` is offset*2).
        const known = v.seg === 1n || v.seg === 0n ? v : scalar(v.c);
        this.define(s, isKnown(v) ? known : this.prev.get(s.name)?.value ?? scalar(0n), 'equ');
        return;
      }
      default: {
        // NASM evaluates a line's operands once, with `$` at the line's start, and then
        // emits them `times` times (only branch displacements differ per repetition).
        const count = this.times(s.times, s.line);
        if (this.abs) {
          if (s.kind === 'res') this.abs.offset += BigInt(this.res(s, false).length * count);
          else if (count > 0 && this.final) this.diags.error(s.line, s.col, 'attempt to assemble code in [ABSOLUTE] space');
          return;
        }
        const start = this.offset;
        // Even `times 0` evaluates its operands (NASM reports their errors).
        if (s.kind === 'insn') this.instruction(s, count);
        else this.repeat(s.kind === 'data' ? this.data(s) : this.res(s), count, s);
        if (this.final && this.offset > start) this.spans.push({ line: s.line, address: this.opts.origin + BigInt(start), size: this.offset - start });
      }
    }
  }

  private repeat(bytes: Uint8Array, count: number, s: AnyStmt): void {
    const start = this.offset;
    this.advance(bytes.length * count, s);
    if (!this.final || bytes.length === 0) return;
    if (count === 1) { this.chunks.push({ at: start, bytes }); return; }
    const all = new Uint8Array(bytes.length * count);
    for (let k = 0; k < count; k++) all.set(bytes, k * bytes.length);
    this.chunks.push({ at: start, bytes: all });
  }

  private instruction(s: Extract<AnyStmt, { kind: 'insn' }>, count: number): void {
    const operands: AsmOperand[] = [];
    for (const o of s.operands) {
      const op = this.operand(o, s);
      if (typeof op === 'string' && this.final) this.diags.error(s.line, o.col, op);
      if (op === null || typeof op === 'string') return;
      operands.push(op);
    }
    if (count === 0) return;
    const branch = /^(j|loop|call)/.test(s.mnemonic) || operands.some((o) => o.kind === 'mem' && o.ripRelative);
    if (!branch || count === 1) { this.repeat(this.encodeAt(s, operands, branch), count, s); return; }
    if (count > this.budget.left) this.advance(0, s, count);
    for (let k = 0; k < count; k++) this.repeat(this.encodeAt(s, operands, true), 1, s);
  }

  private advance(n: number, s: AnyStmt, cost = 1): void {
    this.offset += n;
    this.budget.left -= cost;
    if (this.budget.left < 0) {
      this.diags.error(s.line, s.col, `program too costly to assemble (more than ${WORK_BUDGET} statement repetitions and passes)`);
      this.fatal = true;
      throw new PassAbort();
    }
    if (this.offset > this.opts.maxImage) {
      this.diags.error(s.line, s.col, `program image exceeds ${this.opts.maxImage / (1024 * 1024)} MiB`);
      this.fatal = true;
      throw new PassAbort();
    }
  }

  private times(t: Times | undefined, line: number): number {
    if (!t) return 1;
    if (t.align) {
      const a = this.eval(t.align, line);
      if (a && isKnown(a) && isScalar(a) && (a.c <= 0n || (a.c & (a.c - 1n)) !== 0n)) {
        this.diags.error(line, t.col, `segment alignment \`${a.c}' is not power of two`);
        this.fatal = true;
      }
    }
    const v = this.eval(t.expr, line);
    if (!v) return 0;
    if (!isKnown(v) || !isScalar(v)) {
      this.diags.error(line, t.col, 'non-constant argument supplied to TIMES');
      this.fatal = true;
      throw new PassAbort();
    }
    if (v.c < 0n) {
      if (this.final) this.diags.error(line, t.col, `TIMES value ${v.c} is negative`);
      return 0;
    }
    if (v.c > BigInt(this.opts.maxImage)) {
      this.diags.error(line, t.col, `TIMES value ${v.c} would make the image exceed ${this.opts.maxImage / (1024 * 1024)} MiB`);
      this.fatal = true;
      throw new PassAbort();
    }
    return Number(v.c);
  }

  private data(s: Extract<AnyStmt, { kind: 'data' }>): Uint8Array {
    let size = 0;
    const unitOf = (it: DataItem): 1 | 2 | 4 | 8 => it.size ?? s.unit;
    for (const it of s.items) size += it.kind === 'str' ? stringItemSize(it.bytes, unitOf(it)) : unitOf(it);
    if (this.final && s.items.some((it) => it.kind === 'zero')) this.diags.warning(s.line, s.col, 'uninitialized space declared in .text section: zeroing');
    const out = new Uint8Array(size);
    let at = 0;
    for (const it of s.items) {
      if (it.kind === 'str') {
        out.set(stringItemBytes(it.bytes, unitOf(it)), at);
        at += stringItemSize(it.bytes, unitOf(it));
        continue;
      }
      if (it.kind === 'zero') { at += unitOf(it); continue; }
      const unit = unitOf(it);
      const v = this.eval(it.expr, s.line);
      if (v && this.final) {
        if (v.regs.size > 0) this.diags.error(s.line, it.col, 'invalid operand in data declaration: registers are not allowed');
        else if (v.seg !== 0n && v.seg !== 1n && v.seg !== -1n) this.diags.error(s.line, it.col, 'expression is not simple or relocatable');
        else {
          const w = writeValue(out, at, v, unit, this.opts.origin);
          if (w) this.diags.warning(s.line, it.col, w);
        }
      }
      at += unit;
    }
    return out;
  }

  private res(s: Extract<AnyStmt, { kind: 'res' }>, zeroing = true): Uint8Array {
    const v = this.eval(s.count, s.line);
    if (!v || !isKnown(v) || !isScalar(v)) {
      if (this.final && v) this.diags.error(s.line, s.countCol, 'attempt to reserve non-constant quantity of space');
      return new Uint8Array(0);
    }
    if (v.c < 0n) {
      if (this.final) this.diags.error(s.line, s.countCol, `attempt to reserve negative quantity of space: ${v.c}`);
      return new Uint8Array(0);
    }
    const n = v.c * BigInt(s.unit);
    if (n > BigInt(this.opts.maxImage)) {
      this.diags.error(s.line, s.countCol, `reserving ${n} bytes would make the image exceed ${this.opts.maxImage / (1024 * 1024)} MiB`);
      this.fatal = true;
      throw new PassAbort();
    }
    if (this.final && zeroing && n > 0n) this.diags.warning(s.line, s.col, 'uninitialized space declared in .text section: zeroing');
    return new Uint8Array(Number(n));
  }

  private encodeAt(s: Extract<AnyStmt, { kind: 'insn' }>, operands: readonly AsmOperand[], addressDependent: boolean): Uint8Array {
    const req: EncodeRequest = {
      mnemonic: s.mnemonic, prefixes: s.prefixes, operands,
      address: BigInt.asUintN(64, this.opts.origin + BigInt(this.offset)), bits: s.bits ?? 64,
      ...(s.branch ? { branch: s.branch } : {}),
    };
    const key = operands.map(operandKey).join(',') + (addressDependent ? `@${req.address}` : '');
    const hit = this.cache.get(s);
    let r: EncodeResult;
    if (hit && hit.key === key) r = hit.result;
    else {
      try {
        r = this.opts.encode(req);
      } catch (e) {
        r = { ok: false, message: `internal encoder error: ${e instanceof Error ? e.message : String(e)}` };
      }
      this.cache.set(s, { key, result: r });
    }
    if (!r.ok) {
      if (this.final) this.diags.error(s.line, s.col, r.message);
      // A rel8 out of reach keeps its length (as NASM sizes it) so the layout settles.
      return new Uint8Array(r.size ?? 0);
    }
    if (this.final) for (const w of immediateWarnings(req, r.form)) this.diags.warning(s.line, s.col, w);
    return r.bytes;
  }

  private operand(o: OperandAst, s: AnyStmt & { defaultRel?: boolean }): AsmOperand | string | null {
    if (o.kind === 'reg') {
      const rs = regSize(o.reg);
      if (o.size !== undefined && rs !== 0 && o.size !== rs && this.final) this.diags.warning(s.line, o.col, 'invalid register size specification ignored');
      return { kind: 'reg', reg: o.reg };
    }
    if (o.kind === 'imm') {
      const v = this.eval(o.expr, s.line);
      if (!v) return null;
      if (v.regs.size === 1 && v.c === 0n && v.seg === 0n && v.unk === 0n) {
        // NASM reads the value vector: `+rax` or `rbx+0` is just the register.
        const [reg, k] = [...v.regs][0]!;
        if (k === 1n) return { kind: 'reg', reg };
      }
      if (v.regs.size > 0) return 'invalid operand type';
      if (v.seg === -1n && /^(j|loop|call)/.test(s.kind === 'insn' ? s.mnemonic : '')) return 'invalid use of self-relative expression';
      if (!isKnown(v) && !o.strict && !/^(j|loop|call)/.test(s.kind === 'insn' ? s.mnemonic : '')) {
        // NASM (parser.c) is optimistic about an immediate it cannot evaluate yet: it
        // may take the 1 (UNITY), sign-extended byte and dword forms. A known plain 1
        // fits all of those, so the encoder sizes this pass exactly as NASM does. Branch
        // targets stay unknown: the encoder starts them short, as NASM's jmp_match.
        return { kind: 'imm', value: 1n, known: true, reloc: false, ...(o.size !== undefined ? { size: o.size } : {}) };
      }
      return {
        // Unsigned, in the same domain as `address`: the encoder subtracts them for branches.
        kind: 'imm', value: BigInt.asUintN(64, absoluteValue(v, this.opts.origin)), known: isKnown(v), reloc: v.seg !== 0n,
        ...(o.size !== undefined ? { size: o.size } : {}), ...(o.strict ? { strict: true } : {}),
      };
    }
    const hint: EaHint = { base: null, type: 'none' };
    const v = o.expr ? this.eval(o.expr, s.line, hint) : scalar(0n);
    if (!v) return null;
    const hasDisp = o.expr ? hasNonRegisterLeaf(o.expr) : false;
    return buildMemOperand(o, v, hint, hasDisp, {
      origin: this.opts.origin,
      defaultRel: s.defaultRel ?? true,
      bits: s.bits ?? 64,
      warn: (col, message) => { if (this.final) this.diags.warning(s.line, col, message); },
    });
  }
}
