// The part of NASM's preprocessor lab-asm supports (NASM manual chapter 4): single-line
// macros (%define, %xdefine, %idefine, %undef, with and without parameters), %assign,
// conditional assembly (%if, %ifdef, %ifndef, %elif, %else, %endif), and %include of
// vmx.inc only (it is already included). A macro is never expanded inside its own
// expansion, as in NASM, so `%define a a` leaves `a`; an expansion budget stops
// exponential growth.

import type { Token } from './lexer.ts';
import { stripComment, tokenize } from './lexer.ts';
import type { DiagnosticSink } from './diagnostics.ts';
import { ExprParser, ExprSyntaxError, evaluate } from './expr.ts';

/** A source line after preprocessing: its 1-based number and expanded tokens. */
export interface SourceLine {
  readonly line: number;
  readonly tokens: readonly Token[];
}

interface Macro {
  readonly params: readonly string[] | null;
  readonly body: readonly Token[];
  readonly caseless: boolean;
}

/** Most tokens one line may expand to. */
export const MAX_EXPANSION_TOKENS = 20_000;
const MAX_DEPTH = 64;

class ExpansionTooLarge extends Error {}

/** Single-line macro table; lookups are case-sensitive except for %idefine macros. */
export class MacroTable {
  private readonly exact = new Map<string, Macro[]>();
  private readonly caseless = new Map<string, Macro[]>();

  /** Defines (or redefines) a macro with the given parameter list (null: none). */
  define(name: string, params: readonly string[] | null, body: readonly Token[], caseless = false): void {
    const map = caseless ? this.caseless : this.exact;
    const key = caseless ? name.toLowerCase() : name;
    const n = params ? params.length : -1;
    const list = (map.get(key) ?? []).filter((m) => (m.params ? m.params.length : -1) !== n);
    list.push({ params, body, caseless });
    map.set(key, list);
  }

  /** Removes every definition of `name`. */
  undef(name: string): void {
    this.exact.delete(name);
    this.caseless.delete(name.toLowerCase());
  }

  /** Whether `name` is defined (any parameter count). */
  has(name: string): boolean {
    return this.exact.has(name) || this.caseless.has(name.toLowerCase());
  }

  /** The definitions of `name`. */
  get(name: string): readonly Macro[] {
    return [...(this.exact.get(name) ?? []), ...(this.caseless.get(name.toLowerCase()) ?? [])];
  }
}

/** Splits the source into lines, joining NASM's backslash continuations. */
export function splitLines(source: string): { line: number; text: string }[] {
  const raw = source.split(/\r\n|\n|\r/);
  const out: { line: number; text: string }[] = [];
  for (let i = 0; i < raw.length; i++) {
    const line = i + 1;
    let text = raw[i]!;
    while (i + 1 < raw.length && text.trimEnd().endsWith('\\')) text = text.trimEnd().slice(0, -1) + raw[++i];
    out.push({ line, text });
  }
  return out;
}

interface Cond { active: boolean; taken: boolean; sawElse: boolean; line: number }

/** Runs the preprocessor over a whole program. Never throws. */
export function preprocess(source: string, macros: MacroTable, diags: DiagnosticSink): SourceLine[] {
  const out: SourceLine[] = [];
  const conds: Cond[] = [];
  const live = (): boolean => conds.every((c) => c.active);
  for (const { line, text } of splitLines(source)) {
    const code = stripComment(text);
    const m = /^\s*(%[A-Za-z_][A-Za-z0-9_]*)/.exec(code);
    if (m) {
      const directive = m[1]!.toLowerCase();
      const rest = code.slice(m[0].length);
      const col = code.indexOf('%') + 1;
      if (handleConditional(directive, rest, line, col, m[0].length, conds, macros, diags)) continue;
      if (!live()) continue;
      handleDirective(directive, rest, line, col, m[0].length, macros, diags);
      continue;
    }
    if (!live()) continue;
    const toks = tokenize(code);
    for (const t of toks) {
      if (t.kind === 'str' && t.unterminated) diags.warning(line, t.col, `unterminated string (missing \`${t.text[0]}')`);
    }
    const expanded = expandLine(toks, macros, line, diags);
    for (const t of expanded) {
      if (t.kind === 'num' && t.overflow) diags.warning(line, t.col, `numeric constant ${t.text} does not fit in 64 bits`);
    }
    out.push({ line, tokens: expanded });
  }
  for (const c of conds) diags.error(c.line, 1, 'unterminated %if: expected `%endif\'');
  return out;
}

/** Expands the macros in one line's tokens; reports and keeps the line as written if it explodes. */
export function expandLine(toks: readonly Token[], macros: MacroTable, line: number, diags: DiagnosticSink): Token[] {
  try {
    return expand(toks, macros, new Set(), { n: 0 }, 0);
  } catch (e) {
    if (!(e instanceof ExpansionTooLarge)) throw e;
    diags.error(line, toks[0]?.col ?? 1, e.message);
    return [];
  }
}

function expand(toks: readonly Token[], macros: MacroTable, active: ReadonlySet<string>, budget: { n: number }, depth: number): Token[] {
  if (depth > MAX_DEPTH) throw new ExpansionTooLarge(`macro expansion nested more than ${MAX_DEPTH} deep`);
  const out: Token[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind !== 'id' || active.has(t.text) || !macros.has(t.text)) { out.push(t); continue; }
    const defs = macros.get(t.text);
    const next = toks[i + 1];
    let body: Token[] | null = null;
    let end = i;
    if (next && next.kind === 'op' && next.text === '(' && defs.some((d) => d.params)) {
      const args = collectArgs(toks, i + 2);
      const def = args && defs.find((d) => d.params && d.params.length === args.list.length);
      if (args && def) {
        const expanded = args.list.map((a) => expand(a, macros, active, budget, depth + 1));
        body = substitute(def, expanded);
        end = args.end;
      }
    }
    if (!body) {
      const plain = defs.find((d) => !d.params);
      if (plain) body = [...plain.body];
    }
    if (!body) { out.push(t); continue; }
    budget.n += body.length;
    if (budget.n > MAX_EXPANSION_TOKENS) throw new ExpansionTooLarge(`macro expansion of \`${t.text}' exceeds ${MAX_EXPANSION_TOKENS} tokens`);
    const inner = new Set(active);
    inner.add(t.text);
    for (const x of expand(body, macros, inner, budget, depth + 1)) out.push({ ...x, col: t.col } as Token);
    i = end;
  }
  return out;
}

function collectArgs(toks: readonly Token[], start: number): { list: Token[][]; end: number } | null {
  const list: Token[][] = [[]];
  let depth = 0;
  for (let j = start; j < toks.length; j++) {
    const t = toks[j]!;
    if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
    if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) {
      if (depth === 0 && t.text === ')') {
        if (list.length === 1 && list[0]!.length === 0) return { list: [], end: j };
        return { list, end: j };
      }
      depth--;
    }
    if (t.kind === 'op' && t.text === ',' && depth === 0) { list.push([]); continue; }
    list[list.length - 1]!.push(t);
  }
  return null;
}

function substitute(def: Macro, args: readonly Token[][]): Token[] {
  const out: Token[] = [];
  for (const t of def.body) {
    const k = t.kind === 'id' && def.params ? def.params.indexOf(t.text) : -1;
    if (k >= 0) out.push(...args[k]!);
    else out.push(t);
  }
  return out;
}

function conditionValue(directive: string, rest: string, line: number, col: number, macros: MacroTable, diags: DiagnosticSink): boolean {
  const toks = tokenize(rest, col);
  if (directive.endsWith('ifdef') || directive.endsWith('ifndef')) {
    // NASM: `%ifdef a b` holds when any of the names is a defined macro.
    if (toks.length === 0 || toks.some((t) => t.kind !== 'id')) {
      diags.error(line, col, `\`${directive}' expects macro identifiers`);
      return false;
    }
    const def = toks.some((t) => macros.has(t.text));
    return directive.endsWith('ndef') ? !def : def;
  }
  const expanded = expandLine(toks, macros, line, diags);
  try {
    const p = new ExprParser(expanded, 0, (n) => n);
    const e = p.parse();
    if (p.pos < expanded.length) diags.warning(line, expanded[p.pos]!.col, 'trailing garbage after expression ignored');
    let bad = false;
    const v = evaluate(e, {
      here: 0n,
      lookup: (n, c) => { if (!bad) diags.error(line, c, `symbol \`${n}' not defined in %if (only constants and macros are allowed)`); bad = true; return undefined; },
      error: (c, msg) => { if (!bad) diags.error(line, c, msg); bad = true; },
    });
    if (!v || bad) return false;
    if (v.seg !== 0n || v.regs.size > 0) {
      diags.error(line, col, `non-constant value given to \`${directive}'`);
      return false;
    }
    return v.c !== 0n;
  } catch (e) {
    if (e instanceof ExprSyntaxError) { diags.error(line, e.col, e.message); return false; }
    throw e;
  }
}

function handleConditional(directive: string, rest: string, line: number, col: number, restCol: number, conds: Cond[], macros: MacroTable, diags: DiagnosticSink): boolean {
  const top = conds[conds.length - 1];
  const outerLive = conds.slice(0, -1).every((c) => c.active);
  switch (directive) {
    case '%if': case '%ifdef': case '%ifndef': {
      const live = conds.every((c) => c.active);
      const v = live ? conditionValue(directive, rest, line, restCol + 1, macros, diags) : false;
      conds.push({ active: live && v, taken: v, sawElse: false, line });
      return true;
    }
    case '%elif': case '%elifdef': case '%elifndef':
      if (!top) { diags.error(line, col, `\`${directive}': no matching \`%if'`); return true; }
      if (top.sawElse) {
        diags.warning(line, col, `\`${directive}' after \`%else', ignoring content`);
        top.active = false;
        return true;
      }
      if (top.taken || !outerLive) top.active = false;
      else {
        const v = conditionValue(directive.replace('%el', '%'), rest, line, restCol + 1, macros, diags);
        top.active = v;
        top.taken = v;
      }
      return true;
    case '%else':
      if (!top) { diags.error(line, col, '`%else\': no matching `%if\''); return true; }
      if (top.sawElse) {
        diags.warning(line, col, '`%else\' after `%else\', ignoring content');
        top.active = false;
        return true;
      }
      top.sawElse = true;
      top.active = !top.taken && outerLive;
      top.taken = true;
      return true;
    case '%endif':
      if (!top) { diags.error(line, col, '`%endif\': no matching `%if\''); return true; }
      conds.pop();
      return true;
    default:
      return false;
  }
}

function handleDirective(directive: string, rest: string, line: number, col: number, restCol: number, macros: MacroTable, diags: DiagnosticSink): void {
  const toks = tokenize(rest, restCol + 1);
  switch (directive) {
    case '%define': case '%xdefine': case '%idefine': case '%xidefine':
      defineMacro(directive, toks, line, col, macros, diags);
      return;
    case '%undef': {
      const name = toks[0];
      if (!name || name.kind !== 'id') { diags.error(line, col, '`%undef\' expects a macro name'); return; }
      macros.undef(name.text);
      return;
    }
    case '%assign': case '%iassign': {
      const name = toks[0];
      if (!name || name.kind !== 'id') { diags.error(line, col, '`%assign\' expects a macro identifier'); return; }
      const v = conditionValueNumber(toks.slice(1), line, macros, diags);
      if (v === null) return;
      const text = v < 0n ? `-${-v}` : `${v}`;
      const body: Token[] = v < 0n
        ? [{ kind: 'op', text: '(', col: name.col }, { kind: 'op', text: '-', col: name.col }, { kind: 'num', text: `${-v}`, value: -v, col: name.col }, { kind: 'op', text: ')', col: name.col }]
        : [{ kind: 'num', text, value: v, col: name.col }];
      macros.define(name.text, null, body, directive === '%iassign');
      return;
    }
    case '%include': {
      const f = toks[0];
      const file = f && f.kind === 'str' ? String.fromCharCode(...f.bytes) : f?.text ?? '';
      if (file.toLowerCase() === 'vmx.inc') {
        diags.warning(line, col, '`%include "vmx.inc"\' ignored: vmx.inc is always included first');
        return;
      }
      diags.error(line, col, `%include is not supported in lab-asm (only vmx.inc, which is always included): \`${file}'`);
      return;
    }
    case '%macro': case '%imacro': case '%rep': case '%endmacro': case '%endrep':
      diags.error(line, col, `\`${directive}' is not supported in lab-asm: multi-line macros and %rep are outside the dialect (use single-line %define and \`times')`);
      return;
    case '%error':
      diags.error(line, col, rest.trim() || '%error');
      return;
    case '%warning':
      diags.warning(line, col, rest.trim() || '%warning');
      return;
    default:
      diags.error(line, col, `unknown preprocessor directive \`${directive}'`);
  }
}

function conditionValueNumber(toks: Token[], line: number, macros: MacroTable, diags: DiagnosticSink): bigint | null {
  const expanded = expandLine(toks, macros, line, diags);
  try {
    const p = new ExprParser(expanded, 0, (n) => n);
    const e = p.parse();
    if (p.pos < expanded.length) diags.warning(line, expanded[p.pos]!.col, 'trailing garbage after expression ignored');
    let ok = true;
    const v = evaluate(e, {
      here: 0n,
      lookup: (n, c) => { if (ok) diags.error(line, c, `\`%assign': symbol \`${n}' is not a constant`); ok = false; return undefined; },
      error: (c, msg) => { if (ok) diags.error(line, c, msg); ok = false; },
    });
    if (!v || !ok) return null;
    if (v.seg !== 0n || v.regs.size > 0) {
      diags.error(line, toks[0]?.col ?? 1, "non-constant value given to `%assign'");
      return null;
    }
    return v.c;
  } catch (e) {
    if (e instanceof ExprSyntaxError) { diags.error(line, e.col, e.message); return null; }
    throw e;
  }
}

function defineMacro(directive: string, toks: Token[], line: number, col: number, macros: MacroTable, diags: DiagnosticSink): void {
  const name = toks[0];
  if (!name || name.kind !== 'id') { diags.error(line, col, `\`${directive}' expects a macro identifier`); return; }
  let params: string[] | null = null;
  let i = 1;
  const open = toks[1];
  if (open && open.kind === 'op' && open.text === '(' && open.col === name.col + name.text.length) {
    params = [];
    i = 2;
    for (;;) {
      const t = toks[i];
      if (t && t.kind === 'op' && t.text === ')' && params.length === 0) { i++; break; }
      if (!t || t.kind !== 'id') { diags.error(line, t?.col ?? col, `\`${directive}': parameter identifier expected`); return; }
      params.push(t.text);
      const sep = toks[i + 1];
      i += 2;
      if (sep && sep.kind === 'op' && sep.text === ')') break;
      if (!sep || sep.kind !== 'op' || sep.text !== ',') { diags.error(line, sep?.col ?? col, `\`${directive}': \`,' or \`)' expected`); return; }
    }
  }
  const existing = macros.get(name.text);
  if (existing.some((m) => (m.params === null) !== (params === null))) {
    diags.error(line, name.col, `macro \`${name.text}' defined both with and without parameters`);
    return;
  }
  let body = toks.slice(i);
  if (directive.startsWith('%x')) body = expandLine(body, macros, line, diags);
  macros.define(name.text, params, body, directive.includes('idefine'));
}
