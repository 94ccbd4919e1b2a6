// Instruction operands: parsing what is written (size keywords, `strict`, segment
// overrides, `[...]` with `rel`/`abs`/`nosplit`/displacement size), and turning an
// evaluated effective address into base/index/scale exactly as NASM does
// (parser.c parse_mref, assemble.c process_ea): the first register written is the base
// unless it was scaled, `[rax*2]` becomes `[rax+rax]`, `[rax*3]` `[rax+rax*2]`, RSP is
// swapped out of the index, and the vector's remaining order is NASM's register order
// (alphabetical).

import type { Token } from './lexer.ts';
import type { EaHint, Expr, Value } from './expr.ts';
import { ExprParser, ExprSyntaxError, isKnown } from './expr.ts';
import type { OperandAst } from './statements.ts';
import { SIZE_KEYWORDS } from './statements.ts';
import type { AsmOperand, MemSize, OpSize } from '../x86/isa/operands.ts';
import type { Reg } from '../x86/isa/registers.ts';
import { RegKind, RSP, regByName, regKind, regName } from '../x86/isa/registers.ts';

const MEM_SIZES = new Set([1, 2, 4, 6, 8, 10, 16]);
function regLeaves(e: Expr): string[] {
  switch (e.k) {
    case 'reg': return [e.name];
    case 'un': return regLeaves(e.a);
    case 'bin': return [...regLeaves(e.a), ...regLeaves(e.b)];
    case 'cond': return [...regLeaves(e.c), ...regLeaves(e.a), ...regLeaves(e.b)];
    default: return [];
  }
}
const isOpTok = (t: Token | undefined, text: string): boolean => !!t && t.kind === 'op' && t.text === text;

/** Parses one operand from its tokens. Throws ExprSyntaxError. */
export function parseOperand(toks: readonly Token[], resolve: (n: string) => string, warn: (col: number, message: string) => void): OperandAst {
  let i = 0;
  let size: number | undefined;
  let strict = false;
  const first = toks[0];
  if (!first) throw new ExprSyntaxError(1, 'operand expected');
  const col = first.col;
  for (;;) {
    const t = toks[i];
    if (!t || t.kind !== 'id') break;
    const w = t.text.toLowerCase();
    if (w in SIZE_KEYWORDS) { size = SIZE_KEYWORDS[w]; i++; continue; }
    if (w === 'strict') { strict = true; i++; continue; }
    break;
  }
  let seg: Reg | undefined;
  const s0 = toks[i], s1 = toks[i + 1];
  if (s0?.kind === 'id' && s1?.kind === 'op' && s1.text === ':') {
    const r = regByName(s0.text);
    if (r !== undefined && regKind(r) === RegKind.SEG) { seg = r; i += 2; }
  }
  const open = toks[i];
  if (open?.kind === 'op' && open.text === '[') return parseMemory(toks, i + 1, col, size, seg, resolve, warn);
  // NASM also reads `disp[base+index]` (`8[rbx]`, `table[rax*8]`): the displacement
  // written before the brackets is added to the address inside them.
  const bracket = toks.findIndex((t, k) => k > i && t.kind === 'op' && t.text === '[');
  if (bracket > i && isOpTok(toks[toks.length - 1], ']')) {
    const pre = new ExprParser(toks.slice(0, bracket), i, resolve, warn);
    const disp = pre.parse();
    if (pre.pos === bracket) {
      const mem = parseMemory(toks, bracket + 1, col, size, seg, resolve, warn);
      if (mem.kind === 'mem') {
        // NASM takes the bracket first (its first register is the base: `rax[rbx]` is
        // [rbx+rax]) and does not merge registers across the two parts.
        const preRegs = regLeaves(disp).length;
        if (preRegs > 0 && preRegs + new Set(mem.expr ? regLeaves(mem.expr) : []).size > 2) {
          throw new ExprSyntaxError(col, 'invalid effective address: too many registers');
        }
        const expr: Expr = mem.expr ? { k: 'bin', op: '+', a: mem.expr, b: disp, col: toks[bracket]!.col } : disp;
        return { ...mem, expr };
      }
    }
  }
  if (seg !== undefined) throw new ExprSyntaxError(toks[i]?.col ?? col, 'segment override must be followed by a memory operand `[...]\'');
  if (i >= toks.length) throw new ExprSyntaxError(col, 'operand expected after size keyword');
  const p = new ExprParser(toks, i, resolve, warn);
  const expr = p.parse();
  if (p.pos < toks.length) throw new ExprSyntaxError(toks[p.pos]!.col, 'comma, colon, decorator or end of line expected after operand');
  if (expr.k === 'reg') return { kind: 'reg', reg: expr.reg, col, ...(size ? { size: size as MemSize } : {}) };
  if (size !== undefined && ![1, 2, 4, 8].includes(size)) throw new ExprSyntaxError(col, 'invalid size for an immediate operand');
  return { kind: 'imm', expr, col, strict, ...(size !== undefined ? { size: size as OpSize } : {}) };
}

function parseMemory(toks: readonly Token[], start: number, col: number, size: number | undefined, seg0: Reg | undefined, resolve: (n: string) => string, warn: (col: number, message: string) => void): OperandAst {
  let i = start;
  let seg = seg0;
  let relKw: 'rel' | 'abs' | undefined;
  let nosplit = false;
  let dispSize: 1 | 4 | 8 | undefined;
  for (;;) {
    const t = toks[i];
    if (!t || t.kind !== 'id') break;
    const w = t.text.toLowerCase();
    if (w === 'rel' || w === 'abs') { relKw = w; i++; continue; }
    if (w === 'nosplit') { nosplit = true; i++; continue; }
    if (w === 'byte' || w === 'dword' || w === 'qword') { dispSize = SIZE_KEYWORDS[w] as 1 | 4 | 8; i++; continue; }
    const n = toks[i + 1];
    const r = regByName(t.text);
    if (r !== undefined && regKind(r) === RegKind.SEG && n?.kind === 'op' && n.text === ':') { seg = r; i += 2; continue; }
    break;
  }
  const close = toks.findIndex((t, k) => k >= i && t.kind === 'op' && t.text === ']');
  if (close < 0) throw new ExprSyntaxError(toks[toks.length - 1]!.col, 'expecting ] at end of memory operand');
  if (close !== toks.length - 1) throw new ExprSyntaxError(toks[close + 1]!.col, 'comma, colon, decorator or end of line expected after operand');
  if (size !== undefined && !MEM_SIZES.has(size)) throw new ExprSyntaxError(col, `\`${Object.keys(SIZE_KEYWORDS).find((k) => SIZE_KEYWORDS[k] === size)}' memory operands are not supported`);
  let expr = null;
  if (close === i) throw new ExprSyntaxError(toks[close]!.col, 'expression syntax error');
  if (close > i) {
    const sub = toks.slice(0, close);
    const p = new ExprParser(sub, i, resolve, warn);
    expr = p.parse();
    if (p.pos < close) throw new ExprSyntaxError(sub[p.pos]!.col, 'expecting ] at end of memory operand');
  }
  return {
    kind: 'mem', expr, col, nosplit,
    ...(size !== undefined ? { size: size as MemSize } : {}),
    ...(seg !== undefined ? { seg } : {}),
    ...(relKw ? { relKw } : {}),
    ...(dispSize ? { dispSize } : {}),
  };
}

/** What the layout needs to know to finish a memory operand. */
export interface EaContext {
  readonly origin: bigint;
  readonly defaultRel: boolean;
  /** The encoding mode of the line (`bits`). */
  readonly bits?: 16 | 32 | 64;
  /** Only the final pass reports warnings. */
  warn(col: number, message: string): void;
}

/**
 * The value an immediate or datum takes in the image. NASM's bin output adds the origin
 * for a section base with coefficient 1 and subtracts it for -1 (`-label`); any other
 * coefficient (`label*2`) is dropped silently where NASM accepts it (immediates).
 */
export function absoluteValue(v: Value, origin: bigint): bigint {
  return BigInt.asIntN(64, v.seg === 1n ? v.c + origin : v.seg === -1n ? v.c - origin : v.c);
}

const isAddrGpr = (r: Reg): boolean => regKind(r) === RegKind.GPR64 || regKind(r) === RegKind.GPR32;

/**
 * Builds the encoder's memory operand from an evaluated address, or returns an error
 * message. Mirrors NASM's parse_mref and process_ea (64-bit branch).
 */
export function buildMemOperand(op: Extract<OperandAst, { kind: 'mem' }>, v: Value, hint: EaHint, hasDisp: boolean, ctx: EaContext): AsmOperand | string {
  if (v.seg !== 0n && v.seg !== 1n && v.seg !== -1n) return 'invalid effective address: impossible segment base multiplier';
  const regs = [...v.regs].sort((a, b) => (regName(a[0]) < regName(b[0]) ? -1 : 1));
  if (regs.length > 2) return 'invalid effective address: too many registers';
  const bits = ctx.bits ?? 64;
  if (bits !== 64 && regs.some(([r]) => regKind(r) === RegKind.GPR16)) return mem16(op, v, regs, hasDisp, ctx, bits);
  if (bits !== 64 && regs.some(([r]) => regKind(r) === RegKind.GPR64)) return 'impossible combination of address sizes';
  let b: Reg | null = null, i: Reg | null = null, s = 0n;
  const [r0, r1] = regs;
  if (r0) {
    if (r0[1] === 1n && isAddrGpr(r0[0])) b = r0[0];
    else { i = r0[0]; s = r0[1]; }
  }
  if (r1) {
    if (b !== null) { i = r1[0]; s = r1[1]; }
    else if (r1[1] !== 1n || !isAddrGpr(r1[0])) return 'invalid effective address: two index registers';
    else b = r1[0];
  }
  for (const [r] of regs) {
    if (!isAddrGpr(r)) return regKind(r) === RegKind.GPR16 ? 'impossible combination of address sizes' : 'invalid effective address';
  }
  if (b !== null && i !== null && regKind(b) !== regKind(i)) return 'impossible combination of address sizes';
  if (s === 0n) i = null;
  const hb = hint.base, ht = hint.type;
  if (s === 1n && b !== null && i !== null && b !== i && ((hb === b && ht === 'notbase') || (hb === i && ht === 'makebase'))) {
    [b, i] = [i, b];
  }
  if (b === null && s === 1n && !(hb === i && ht === 'notbase')) { b = i; i = null; }
  const honourNosplit = op.nosplit && hb === i && ht === 'notbase';
  if (b === null && i !== null && ((s === 2n && i !== RSP && !honourNosplit) || s === 3n || s === 5n || s === 9n)) {
    b = i;
    s -= 1n;
  }
  if (i === null && b !== null && regIndex3(b) !== 4 && op.nosplit && hb === b && ht === 'notbase') {
    i = b; b = null; s = 1n;
  }
  if (s === 1n && i === RSP) [b, i] = [i, b];
  if (i !== null && (i === RSP || (s !== 1n && s !== 2n && s !== 4n && s !== 8n))) {
    return `invalid ${regKind(i) === RegKind.GPR32 ? '32' : '64'}-bit effective address`;
  }
  const seg = op.seg;
  const fsgs = seg !== undefined && (regName(seg) === 'fs' || regName(seg) === 'gs');
  const noRegs = b === null && i === null;
  const wantRel = bits === 64 && (op.relKw === 'rel' || (ctx.defaultRel && op.relKw !== 'abs' && !fsgs));
  let ripRelative = false;
  if (noRegs && wantRel) {
    // NASM (assemble.c process_ea): an address with no section base cannot be
    // RIP-relative. A forward reference has none yet in its first pass, so NASM sizes it
    // as an absolute [disp32] (one byte longer) there; the pass sizes must match NASM's
    // for jumps to settle on the same lengths.
    if (v.seg === 1n && isKnown(v)) ripRelative = true;
    else if (isKnown(v)) ctx.warn(op.col, 'absolute address can not be RIP-relative');
  } else if (bits === 64 && !noRegs && op.relKw === 'rel') {
    ctx.warn(op.col, 'indirect address displacements cannot be RIP-relative');
  }
  if (seg !== undefined && !fsgs && bits === 64) ctx.warn(op.col, `${regName(seg)} segment base generated, but will be ignored in 64-bit mode`);
  if (noRegs && op.dispSize !== undefined) ctx.warn(op.col, 'displacement size ignored on absolute address');
  if (!noRegs && op.dispSize === 8) return 'invalid 64-bit effective address';
  return {
    kind: 'mem',
    scale: (i === null ? 1 : Number(s)) as 1 | 2 | 4 | 8,
    // A RIP-relative target is an address (unsigned, like the request's address); any
    // other displacement is signed, as the encoder sizes it (disp8 vs disp32).
    // With registers, NASM keeps only the constant of a `-label` term (`[rbx-l]`: disp -1).
    disp: ripRelative ? BigInt.asUintN(64, absoluteValue(v, ctx.origin)) : noRegs ? absoluteValue(v, ctx.origin) : BigInt.asIntN(64, v.seg === 1n ? v.c + ctx.origin : v.c),
    dispKnown: isKnown(v),
    dispReloc: v.seg === 1n,
    hasDisp,
    ripRelative,
    ...(op.size !== undefined ? { size: op.size } : {}),
    ...(seg !== undefined ? { seg } : {}),
    ...(b !== null ? { base: b } : {}),
    ...(i !== null ? { index: i } : {}),
    ...(op.nosplit ? { nosplit: true } : {}),
    ...(op.dispSize === 1 || op.dispSize === 4 ? { dispSize: op.dispSize } : {}),
  };
}

const regIndex3 = (r: Reg): number => r & 7;

/**
 * A 16-bit address ([bx+si+disp], [bp+di], [si]) outside 64-bit mode: two registers at
 * most, each with scale 1 (SDM Vol. 2A §2.1.5, Table 2-1 "16-Bit Addressing Forms with
 * the ModR/M Byte"); the encoder checks the pair. NASM's message names the mode.
 */
function mem16(op: Extract<OperandAst, { kind: 'mem' }>, v: Value, regs: readonly (readonly [Reg, bigint])[], hasDisp: boolean, ctx: EaContext, bits: 16 | 32): AsmOperand | string {
  if (regs.some(([r, k]) => regKind(r) !== RegKind.GPR16 || k !== 1n)) {
    return regs.some(([r]) => regKind(r) === RegKind.GPR32 || regKind(r) === RegKind.GPR64) ? 'impossible combination of address sizes' : `invalid ${bits}-bit effective address`;
  }
  if (op.dispSize === 8) return `invalid ${bits}-bit effective address`;
  const [b, i] = regs.map(([r]) => r);
  return {
    kind: 'mem', scale: 1,
    disp: BigInt.asIntN(64, v.seg === 1n ? v.c + ctx.origin : v.c),
    dispKnown: isKnown(v), dispReloc: v.seg === 1n, hasDisp, ripRelative: false,
    ...(op.size !== undefined ? { size: op.size } : {}),
    ...(op.seg !== undefined ? { seg: op.seg } : {}),
    ...(b !== undefined ? { base: b } : {}),
    ...(i !== undefined ? { index: i } : {}),
    ...(op.dispSize === 1 || op.dispSize === 4 ? { dispSize: op.dispSize } : {}),
  };
}
