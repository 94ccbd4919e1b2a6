// Turns preprocessed lines into statements, the way NASM's parse_line reads a line:
// `[label[:]] [times N] [prefixes] mnemonic operands`, `name equ expr`, data and
// reserve directives, `align`, and the primitive directives lab-asm accepts with their
// implied values (`bits 64`, `default rel|abs`, `org LAB_BASE`, `section .text`).

import type { Token } from './lexer.ts';
import type { DiagnosticSink } from './diagnostics.ts';
import type { Expr } from './expr.ts';
import { ExprParser, ExprSyntaxError } from './expr.ts';
import { isMnemonic, isSupportedMnemonic, PREFIXES } from './mnemonics.ts';
import { parseOperand } from './operands.ts';
import type { SourceLine } from './preprocess.ts';
import type { DataItem, OperandAst, Stmt, Times } from './statements.ts';
import { DATA_UNITS, RES_UNITS } from './statements.ts';
import { regByName } from '../x86/isa/registers.ts';

const DIRECTIVES = new Set(['bits', 'use16', 'use32', 'use64', 'default', 'org', 'section', 'segment', 'global', 'extern', 'common', 'static', 'cpu', 'absolute', 'incbin', 'struc', 'endstruc', 'istruc', 'iend', 'at', 'float', 'sectalign', 'required', 'warning', 'list']);
const DATA_ITEM_SIZES: Readonly<Record<string, 1 | 2 | 4 | 8>> = { byte: 1, word: 2, dword: 4, qword: 8 };
/** Words NASM's preprocessor never takes for a label in front of a macro call. */
const NOT_LABELS_FOR_PP = new Set(['times']);
const OPERAND_KEYWORDS = new Set(['byte', 'word', 'dword', 'qword', 'tword', 'oword', 'yword', 'zword', 'strict', 'short', 'near', 'far']);
/** NASM's standard multi-line macros that lab-asm implements. */
const STANDARD_MACROS = new Set(['align', 'alignb', 'struc', 'endstruc', 'istruc', 'at', 'iend']);
/** Words NASM reserves: never a label. */
const RESERVED = new Set(['byte', 'word', 'dword', 'qword', 'tword', 'oword', 'yword', 'zword', 'strict', 'short', 'near', 'far', 'rel', 'abs', 'nosplit', 'seg', 'wrt', 'to']);
const SEGMENT_WORDS = new Set(['es', 'cs', 'ss', 'ds', 'fs', 'gs']);
const UNSUPPORTED_DATA = new Set(['dt', 'do', 'dy', 'dz', 'rest', 'reso', 'resy', 'resz', 'incbin']);

const isOp = (t: Token | undefined, text: string): boolean => !!t && t.kind === 'op' && t.text === text;
const word = (t: Token | undefined): string => (t && t.kind === 'id' ? t.text.toLowerCase() : '');

/** Whether an identifier starts a statement rather than naming a label. */
function isKeyword(w: string): boolean {
  return w === 'times' || w === 'equ' || w === 'align' || w === 'alignb' || w in DATA_UNITS || w in RES_UNITS ||
    UNSUPPORTED_DATA.has(w) || DIRECTIVES.has(w) || PREFIXES.has(w) || isMnemonic(w);
}

/** Splits tokens at top-level commas (outside brackets and parentheses). */
export function splitCommas(toks: readonly Token[]): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.kind === 'op' && (t.text === '(' || t.text === '[')) depth++;
    if (t.kind === 'op' && (t.text === ')' || t.text === ']')) depth = Math.max(0, depth - 1);
    if (t.kind === 'op' && t.text === ',' && depth === 0) { out.push([]); continue; }
    out[out.length - 1]!.push(t);
  }
  return out;
}

/** Index of the `)` matching the `(` at index 0 (or the last index). */
function closingParen(toks: readonly Token[]): number {
  let depth = 0;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind === 'op' && t.text === '(') depth++;
    if (t.kind === 'op' && t.text === ')' && --depth === 0) return k;
  }
  return toks.length - 1;
}

/** The NASM `align` macro's repeat count: `(((n) - (($-$$) % (n))) % (n))`. */
export function alignCount(n: Expr, col: number): Expr {
  const pos: Expr = { k: 'bin', op: '-', a: { k: 'here', col }, b: { k: 'base', col }, col };
  const rem: Expr = { k: 'bin', op: '%', a: pos, b: n, col };
  return { k: 'bin', op: '%', a: { k: 'bin', op: '-', a: n, b: rem, col }, b: n, col };
}

/** Parses preprocessed lines into statements; `stmts` holds the result, errors go to the sink. */
export class Parser {
  private lastGlobal = '';
  /** The `struc` being declared, if any. */
  private struc: string | null = null;
  /** Open `istruc` blocks: structure name and the hidden label at the instance's start. */
  private readonly istrucs: { name: string; start: string }[] = [];
  private defaultRel = true;
  /** The encoding mode from `bits`/`use16`/`use32`/`use64` on. */
  private bits: 16 | 32 | 64 = 64;
  readonly stmts: (Stmt & { defaultRel?: boolean; bits?: 16 | 32 })[] = [];

  constructor(private readonly diags: DiagnosticSink, private readonly origin: bigint) {}

  private line = 0;
  private readonly warn = (col: number, message: string): void => this.diags.warning(this.line, col, message);

  /** Full symbol name of a written label: `.x` is local to the last non-local label. */
  resolve = (name: string): string => (name.startsWith('.') && !name.startsWith('..') ? this.lastGlobal + name : name);

  /** Parses every line; errors go to the sink and the line is skipped. */
  parseAll(lines: readonly SourceLine[]): void {
    for (const l of lines) {
      try {
        this.line = l.line;
        this.parseLine(l.line, l.tokens);
      } catch (e) {
        if (!(e instanceof ExprSyntaxError)) throw e;
        this.diags.error(l.line, e.col, e.message);
      }
    }
  }

  private parseLine(line: number, toks: readonly Token[]): void {
    if (toks.length === 0) return;
    if (isOp(toks[0], '[') && DIRECTIVES.has(word(toks[1]))) {
      const close = toks.findIndex((t) => isOp(t, ']'));
      if (close < 0) throw new ExprSyntaxError(toks[0]!.col, 'invalid directive line: missing `]\'');
      this.directive(line, toks.slice(1, close));
      return;
    }
    let i = 0;
    const t0 = toks[0]!;
    if (t0.kind === 'id') {
      const colon = isOp(toks[1], ':');
      const w0 = t0.text.toLowerCase();
      const equ = word(toks[colon ? 2 : 1]) === 'equ' && (colon || !isKeyword(w0));
      // NASM's standard macros (align, struc, ...) may follow a label; its preprocessor
      // takes any identifier before them for one, even `nop` in `nop align 16`.
      const beforeMacro = !colon && STANDARD_MACROS.has(word(toks[1])) && !NOT_LABELS_FOR_PP.has(w0);
      if (RESERVED.has(t0.text.toLowerCase())) throw new ExprSyntaxError(t0.col, 'label or instruction expected at start of line');
      if (colon || equ || beforeMacro || !isKeyword(w0)) {
        if (!colon && !equ && toks.length === 1) this.diags.warning(line, t0.col, 'label alone on a line without a colon might be in error');
        if (t0.text.startsWith('$') ? false : regByName(t0.text) !== undefined && t0.text.toLowerCase() !== 'rip') {
          throw new ExprSyntaxError(t0.col, `\`${t0.text}' is a register and cannot be a label`);
        }
        const raw = t0.text.startsWith('$') ? t0.text.slice(1) : t0.text;
        i = colon ? 2 : 1;
        if (equ) {
          const name = this.resolve(raw);
          const p = new ExprParser(toks, i + 1, this.resolve, this.warn);
          const exprCol = toks[i + 1]?.col ?? toks[i]!.col;
          if (i + 1 >= toks.length) throw new ExprSyntaxError(toks[i]!.col, 'bad syntax for EQU: a value is needed');
          const expr = p.parse();
          if (p.pos < toks.length) throw new ExprSyntaxError(toks[p.pos]!.col, 'expression syntax error');
          this.stmts.push({ kind: 'equ', name, expr, exprCol, line, col: t0.col });
          return;
        }
        if (!raw.startsWith('.') || raw.startsWith('..')) {
          if (!raw.startsWith('..@')) this.lastGlobal = raw;
        }
        this.stmts.push({ kind: 'label', name: this.resolve(raw), line, col: t0.col });
      }
    }
    if (i < toks.length) this.statement(line, toks.slice(i), undefined, i > 0);
  }

  private statement(line: number, toks: readonly Token[], times: Times | undefined, afterLabel = true): void {
    const t0 = toks[0]!;
    const w = word(t0);
    if (w === 'times') {
      // `times 2 times 3 nop`: NASM keeps the last count (3 nops).
      const p = new ExprParser(toks, 1, this.resolve, this.warn);
      const expr = p.parse();
      if (p.pos >= toks.length) throw new ExprSyntaxError(t0.col, '`times\' needs an instruction or data after its count');
      this.statement(line, toks.slice(p.pos), { expr, col: toks[1]!.col });
      return;
    }
    if (w === 'equ') throw new ExprSyntaxError(t0.col, 'EQU not preceded by label');
    if (w === 'align' || w === 'alignb') { this.align(line, toks, times); return; }
    if (this.struc && (w in DATA_UNITS || (!(w in RES_UNITS) && !DIRECTIVES.has(w) && w !== 'alignb' && w !== 'times'))) {
      throw new ExprSyntaxError(t0.col, 'attempt to assemble code in [ABSOLUTE] space');
    }
    if (w in DATA_UNITS) { this.data(line, toks, DATA_UNITS[w]!, times); return; }
    if (w in RES_UNITS) {
      const p = new ExprParser(toks, 1, this.resolve, this.warn);
      if (toks.length < 2) throw new ExprSyntaxError(t0.col, `\`${w}' needs a count`);
      const count = p.parse();
      if (p.pos < toks.length) throw new ExprSyntaxError(toks[p.pos]!.col, 'expression syntax error');
      this.stmts.push({ kind: 'res', unit: RES_UNITS[w]!, count, countCol: toks[1]!.col, line, col: t0.col, ...(times ? { times } : {}) });
      return;
    }
    if (UNSUPPORTED_DATA.has(w)) throw new ExprSyntaxError(t0.col, `\`${w}' is not supported in lab-asm`);
    if (DIRECTIVES.has(w)) {
      if (times) throw new ExprSyntaxError(t0.col, `\`times' cannot repeat the directive \`${w}'`);
      this.directive(line, toks);
      return;
    }
    this.instruction(line, toks, times, afterLabel);
  }

  private instruction(line: number, toks: readonly Token[], times: Times | undefined, afterLabel: boolean): void {
    const prefixes: string[] = [];
    let i = 0;
    while (i < toks.length - 1 && PREFIXES.has(word(toks[i])) && toks[i + 1]!.kind === 'id') prefixes.push(word(toks[i++]));
    const m = toks[i]!;
    if (m.kind !== 'id' || !isMnemonic(m.text)) {
      throw new ExprSyntaxError(m.col, prefixes.length || afterLabel ? 'parser: instruction expected' : 'label or instruction expected at start of line');
    }
    const mnemonic = m.text.toLowerCase();
    if (!isSupportedMnemonic(mnemonic)) throw new ExprSyntaxError(m.col, `instruction \`${mnemonic}' is not supported by lab-asm`);
    const rest = toks.slice(i + 1);
    let branch: 'short' | 'near' | 'far' | undefined;
    const operands: OperandAst[] = [];
    if (rest.length > 0) {
      const parts = splitCommas(rest);
      // NASM ignores a trailing comma (`lea rax, [rbx],`).
      if (parts.length > 1 && parts[parts.length - 1]!.length === 0) parts.pop();
      const commas = rest.filter((t) => t.kind === 'op' && t.text === ',').map((t) => t.col);
      for (const [k, part] of parts.entries()) {
        if (part.length === 0) throw new ExprSyntaxError(commas[k] ?? commas[k - 1] ?? m.col, 'expression syntax error: operand expected');
        // `short`/`near` may sit anywhere among the leading keywords (`jmp qword near x`).
        for (let k = 0; k < part.length && OPERAND_KEYWORDS.has(word(part[k])); k++) {
          const kw = word(part[k]);
          if (kw === 'short' || kw === 'near' || kw === 'far') { branch = kw; part.splice(k, 1); k--; }
        }
        if (part.length === 0) throw new ExprSyntaxError(m.col, 'expression syntax error: operand expected');
        // A direct far pointer `jmp selector:offset` (NASM): the operands are the offset, which
        // keeps any size keyword, and the selector, as the bytes hold them (EA/9A ptr16:16/32).
        const colon = farPointerColon(part);
        if (colon > 0 && parts.length === 1) {
          let kw = 0;
          while (kw < colon && OPERAND_KEYWORDS.has(word(part[kw]))) kw++;
          if (colon === kw || colon === part.length - 1) throw new ExprSyntaxError(part[colon]!.col, 'expression syntax error: selector:offset expected');
          operands.push(parseOperand([...part.slice(0, kw), ...part.slice(colon + 1)], this.resolve, this.warn));
          operands.push(parseOperand(part.slice(kw, colon), this.resolve, this.warn));
          branch = 'far';
          continue;
        }
        operands.push(parseOperand(part, this.resolve, this.warn));
      }
    }
    // A segment register written as a prefix (`fs mov eax, [rax]`) overrides the memory operand.
    const segPrefix = prefixes.find((p) => SEGMENT_WORDS.has(p));
    if (segPrefix) {
      const k = operands.findIndex((o) => o.kind === 'mem' && o.seg === undefined);
      if (k >= 0) {
        prefixes.splice(prefixes.indexOf(segPrefix), 1);
        operands[k] = { ...(operands[k] as Extract<OperandAst, { kind: 'mem' }>), seg: regByName(segPrefix)! };
      }
    }
    this.stmts.push({
      kind: 'insn', mnemonic, prefixes, operands, line, col: m.col, defaultRel: this.defaultRel,
      ...(branch ? { branch } : {}), ...(times ? { times } : {}), ...(this.bits !== 64 ? { bits: this.bits } : {}),
    });
  }

  private data(line: number, toks: readonly Token[], unit: 1 | 2 | 4 | 8, times: Times | undefined): void {
    const items: DataItem[] = [];
    const parts = toks.length > 1 ? splitCommas(toks.slice(1)) : [];
    if (parts.length > 1 && parts[parts.length - 1]!.length === 0) parts.pop();
    if (parts.length === 0) this.diags.warning(line, toks[0]!.col, 'no operand for data declaration');
    for (const whole of parts) {
      // A size keyword on an item overrides the directive's unit (NASM: `db 1, dword 2`).
      const kw = DATA_ITEM_SIZES[word(whole[0])];
      const part = kw ? whole.slice(1) : whole;
      if (kw && part.length === 0 && whole === parts[parts.length - 1]) break;
      const t = part[0];
      if (!t) throw new ExprSyntaxError(whole[0]?.col ?? toks[0]!.col, 'expression syntax error');
      if (part.length === 1 && t.kind === 'op' && t.text === '?') {
        items.push({ kind: 'zero', col: t.col, ...(kw ? { size: kw } : {}) });
        continue;
      }
      // NASM 2.16 skips one stray token after a data operand
      // (`dq 1 2, 3` is `dq 1, 3`); lab-asm does the same, with a warning.
      const stray = (k: number): boolean => {
        const x = part[k];
        if (!x || k !== part.length - 1) return false;
        this.diags.warning(line, x.col, `\`${x.text}' after the operand is ignored (as NASM does): a comma may be missing`);
        return true;
      };
      // A string alone is a string; followed by anything it is a character constant.
      if (t.kind === 'str' && part.length === 1) {
        if (t.unterminated) throw new ExprSyntaxError(t.col, 'expression syntax error');
        items.push({ kind: 'str', bytes: t.bytes, col: t.col, ...(kw ? { size: kw } : {}) });
        continue;
      }
      // After a size keyword NASM reads `(...)` as the whole item (`dd byte (x) >> 2` is an error).
      const sub = kw && t.kind === 'op' && t.text === '(' ? part.slice(0, closingParen(part) + 1) : part;
      const p = new ExprParser(sub, 0, this.resolve, this.warn);
      const expr = p.parse();
      if (p.pos < part.length && (sub !== part || !stray(p.pos))) throw new ExprSyntaxError(part[p.pos]!.col, 'comma expected after operand');
      items.push({ kind: 'expr', expr, col: t.col, ...(kw ? { size: kw } : {}) });
    }
    this.stmts.push({ kind: 'data', unit, items, line, col: toks[0]!.col, ...(times ? { times } : {}) });
  }

  private align(line: number, toks: readonly Token[], times: Times | undefined): void {
    const t0 = toks[0]!;
    if (times) throw new ExprSyntaxError(t0.col, 'parser: instruction expected');
    const parts = splitCommas(toks.slice(1));
    const first = parts[0];
    if (toks.length > 1 && (!first || first.length === 0)) throw new ExprSyntaxError(toks[1]!.col, 'expression syntax error');
    if (!first || first.length === 0) {
      // NASM: the macro does not match, the line is left alone with a warning.
      this.diags.warning(line, t0.col, `multi-line macro \`${word(t0)}' exists, but not taking 0 parameters`);
      return;
    }
    const p = new ExprParser(first, 0, this.resolve, this.warn);
    const n = p.parse();
    if (p.pos < first.length) throw new ExprSyntaxError(first[p.pos]!.col, 'expression syntax error');
    const col = first[0]!.col;
    // NASM's `sectalign` inside its align macro insists on a power of two: `align' carries n for that check.
    const count: Times = { expr: alignCount(n, col), col, align: n };
    const fill = toks.slice(1 + first.length + 1);
    if (fill.length > 0) this.statement(line, fill, count);
    else if (word(t0) === 'alignb') this.stmts.push({ kind: 'res', unit: 1, count: { k: 'num', v: 1n, col }, countCol: col, line, col: t0.col, times: count });
    else this.stmts.push({ kind: 'insn', mnemonic: 'nop', prefixes: [], operands: [], line, col: t0.col, times: count, defaultRel: this.defaultRel, ...(this.bits !== 64 ? { bits: this.bits } : {}) });
  }

  private directive(line: number, toks: readonly Token[]): void {
    const t0 = toks[0]!;
    const w = word(t0);
    const args = toks.slice(1);
    const argText = args.map((t) => t.text).join(' ');
    switch (w) {
      case 'bits': {
        // NASM (directiv.c): the segment size from this line on (SDM Vol. 3A §3.4.5
        // "Segment Descriptors": the D/B and L flags a real guest's CS would carry).
        const n = args.length === 1 && args[0]!.kind === 'num' ? Number(args[0]!.value) : NaN;
        if (n === 16 || n === 32 || n === 64) this.bits = n;
        else this.diags.error(line, args[0]?.col ?? t0.col, `\`${argText}' is not a valid segment size; must be 16, 32 or 64`);
        return;
      }
      case 'use16': this.bits = 16; return;
      case 'use32': this.bits = 32; return;
      case 'use64': this.bits = 64; return;
      case 'default':
        for (const a of args) {
          const v = word(a);
          if (v === 'rel') this.defaultRel = true;
          else if (v === 'abs') this.defaultRel = false;
          else if (v !== 'bnd' && v !== 'nobnd') this.diags.error(line, a.col, `unknown \`default' parameter: \`${a.text}'`);
        }
        return;
      case 'org': this.org(line, t0.col, args); return;
      case 'section': case 'segment':
        if (argText.split(' ')[0] !== '.text') {
          this.diags.error(line, t0.col, `\`${w} ${argText}' is not supported: a lab-asm program is one flat .text section`);
        }
        return;
      case 'global': case 'static': case 'cpu': case 'float': case 'warning': case 'list': case 'sectalign': case 'required':
        return;
      case 'struc': case 'endstruc': case 'istruc': case 'at': case 'iend':
        this.structure(line, t0.col, w, args);
        return;
      default:
        this.diags.error(line, t0.col, `\`${w}' is not supported in lab-asm (a flat binary at LAB_BASE)`);
    }
  }

  /**
   * NASM's struc/istruc macros (NASM manual "STRUC and ENDSTRUC", "ISTRUC, AT and IEND"):
   * `at F, data` pads with zeros up to field F of the instance, `iend` up to NAME_size.
   */
  private structure(line: number, col: number, w: string, args: readonly Token[]): void {
    if ((w === 'iend' || w === 'endstruc') && args.length > 0) {
      // NASM: the macro takes no parameter, so the line is read as `label instruction`.
      this.diags.warning(line, col, `multi-line macro \`${w}' exists, but not taking ${splitCommas(args).length} parameter${splitCommas(args).length > 1 ? 's' : ''}`);
      this.stmts.push({ kind: 'label', name: this.resolve(w), line, col });
      this.statement(line, args, undefined);
      return;
    }
    const parts = splitCommas(args);
    const nameTok = parts[0]?.[0];
    const num = (v: bigint): Expr => ({ k: 'num', v, col });
    const sym = (name: string): Expr => ({ k: 'sym', name, col });
    const bin = (op: string, a: Expr, b: Expr): Expr => ({ k: 'bin', op, a, b, col });
    const padTo = (target: Expr, start: string): void => {
      const count = bin('-', target, bin('-', { k: 'here', col }, sym(start)));
      this.stmts.push({ kind: 'data', unit: 1, items: [{ kind: 'expr', expr: num(0n), col }], line, col, times: { expr: count, col } });
    };
    switch (w) {
      case 'struc': {
        if (!nameTok || nameTok.kind !== 'id' || parts[0]!.length !== 1) throw new ExprSyntaxError(col, '`struc\' expects a structure name');
        // A `struc` inside another restarts absolute space (NASM's macro nests contexts,
        // but the first `endstruc` already returns to the program).
        let offset: Expr | null = null;
        if (parts[1]) {
          const p = new ExprParser(parts[1], 0, this.resolve, this.warn);
          offset = p.parse();
        }
        this.struc = nameTok.text;
        this.lastGlobal = nameTok.text;
        this.stmts.push({ kind: 'struc', name: nameTok.text, offset, line, col });
        return;
      }
      case 'endstruc':
        if (!this.struc) throw new ExprSyntaxError(col, '`endstruc\' without `struc\'');
        this.stmts.push({ kind: 'endstruc', name: this.struc, line, col });
        this.struc = null;
        return;
      case 'istruc': {
        if (!nameTok || nameTok.kind !== 'id' || args.length !== 1) throw new ExprSyntaxError(col, '`istruc\' expects one structure name');
        const start = `..@istruc.${line}.${this.istrucs.length}`;
        this.istrucs.push({ name: nameTok.text, start });
        this.stmts.push({ kind: 'label', name: start, line, col });
        return;
      }
      case 'at': {
        const top = this.istrucs[this.istrucs.length - 1];
        if (!top) throw new ExprSyntaxError(col, '`at\' outside `istruc\'');
        if (!parts[0] || parts[0].length === 0) throw new ExprSyntaxError(col, '`at\' expects a field');
        const p = new ExprParser(parts[0], 0, this.resolve, this.warn);
        const field = p.parse();
        if (p.pos < parts[0].length) throw new ExprSyntaxError(parts[0][p.pos]!.col, 'expression syntax error');
        padTo(bin('-', field, sym(top.name)), top.start);
        const rest = args.slice(parts[0].length + 1);
        if (rest.length > 0) this.statement(line, rest, undefined);
        return;
      }
      case 'iend': {
        const top = this.istrucs.pop();
        if (!top) throw new ExprSyntaxError(col, '`iend\' without `istruc\'');
        padTo(sym(`${top.name}_size`), top.start);
        return;
      }
    }
  }

  private org(line: number, col: number, args: readonly Token[]): void {
    try {
      const p = new ExprParser(args, 0, this.resolve, this.warn);
      const e = p.parse();
      if (e.k === 'num' && BigInt.asUintN(64, e.v) === this.origin) return;
      if (e.k === 'sym' && e.name === 'LAB_BASE') return;
    } catch (e) {
      if (!(e instanceof ExprSyntaxError)) throw e;
    }
    this.diags.error(line, col, `lab-asm programs are loaded at LAB_BASE (0x${this.origin.toString(16).toUpperCase()}): \`org' can only restate it`);
  }
}

/**
 * Index of the `:` of a direct far pointer (`0x8:0x1000`, `sel:label`) at the top level of an
 * operand, or -1: none inside brackets, and none after a segment register (`es:[di]`, `fs:x`).
 */
function farPointerColon(part: readonly Token[]): number {
  if (part.some((t) => t.kind === 'op' && t.text === '[')) return -1;
  const i = part.findIndex((t) => t.kind === 'op' && t.text === ':');
  if (i <= 0) return -1;
  const before = part[i - 1]!;
  if (before.kind === 'id' && SEGMENT_WORDS.has(before.text.toLowerCase())) return -1;
  return i;
}
