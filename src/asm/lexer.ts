// Splits one source line into NASM tokens: identifiers, numbers (every radix NASM
// reads), strings in its three quote styles, `$`/`$$`, and operators. Comments end
// the line. Number syntax and overflow behaviour follow NASM's `readnum` (stdscan.c,
// nasmlib/readnum.c): radix prefix or suffix, `_` separators, values wrap at 64 bits.

export type Token =
  | { readonly kind: 'id'; readonly text: string; readonly col: number }
  | {
      readonly kind: 'num';
      readonly text: string;
      readonly col: number;
      /** The value, wrapped to 64 bits (unsigned). */
      readonly value: bigint;
      /** NASM's "numeric constant does not fit in 64 bits" warning applies. */
      readonly overflow?: boolean;
      /** Not a valid number (bad digit), or a floating-point constant. */
      readonly error?: 'invalid' | 'float';
    }
  | {
      readonly kind: 'str';
      readonly text: string;
      readonly col: number;
      readonly bytes: Uint8Array;
      readonly unterminated?: boolean;
    }
  | { readonly kind: 'op'; readonly text: string; readonly col: number }
  /** `$` (current position) or `$$` (section start). */
  | { readonly kind: 'here'; readonly text: '$' | '$$'; readonly col: number };

/** Operators NASM's scanner knows, longest first so a greedy match is right. */
const OPERATORS = [
  '<<<', '>>>', '<=>',
  '<<', '>>', '//', '%%', '==', '!=', '<>', '<=', '>=', '&&', '||', '^^',
  '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '(', ')', '[', ']', ',', ':', '<', '>', '=', '?', '{', '}',
];

const isIdStart = (c: string): boolean => /[A-Za-z_.?@]/.test(c);
const isIdChar = (c: string): boolean => /[A-Za-z0-9_$#@~.?]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isNumChar = (c: string): boolean => /[A-Za-z0-9_]/.test(c);

function radixLetter(c: string): number {
  switch (c.toLowerCase()) {
    case 'b': case 'y': return 2;
    case 'o': case 'q': return 8;
    case 'd': case 't': return 10;
    case 'h': case 'x': return 16;
    default: return 0;
  }
}

/**
 * Reads a NASM integer constant the way `readnum` does: `0x`/`0h`/`0d`/`0t`/`0o`/`0q`/
 * `0b`/`0y` prefixes, `h x d t o q b y` suffixes (the higher radix wins when both
 * appear), `$` hex prefix, `_` ignored, wrapping at 2^64 with an overflow flag.
 */
export function readNumber(text: string): { value: bigint; overflow: boolean; ok: boolean } {
  let r = 0;
  let q = text.length;
  const len = text.length;
  let pradix = 0, sradix = 0, plen = 0;
  if (len > 2 && text[0] === '0' && (pradix = radixLetter(text[1]!)) !== 0) plen = 2;
  else if (len > 1 && text[0] === '$') { pradix = 16; plen = 1; }
  if (len > 1) sradix = radixLetter(text[len - 1]!);
  let radix = 10;
  if (pradix > sradix) { radix = pradix; r += plen; }
  else if (sradix > pradix) { radix = sradix; q -= 1; }
  const big = BigInt(radix);
  const limit = 1n << 64n;
  let result = 0n;
  let overflow = false;
  for (let i = r; i < q; i++) {
    const c = text[i]!;
    if (c === '_') continue;
    const digit = /[0-9]/.test(c) ? c.charCodeAt(0) - 48 : /[a-zA-Z]/.test(c) ? c.toLowerCase().charCodeAt(0) - 87 : 99;
    if (digit >= radix) return { value: 0n, overflow: false, ok: false };
    result = result * big + BigInt(digit);
    if (result >= limit) { overflow = true; result &= limit - 1n; }
  }
  return { value: result, overflow, ok: true };
}

const ESCAPES: Record<string, number> = {
  "'": 0x27, '"': 0x22, '`': 0x60, '\\': 0x5c, '?': 0x3f,
  a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, e: 27,
};

/** Appends the UTF-8 bytes of a code point (the core has no TextEncoder: lib ES2022 only). */
function utf8(cp: number, out: number[]): void {
  const c = Math.min(Math.max(cp, 0), 0x10ffff);
  if (c < 0x80) out.push(c);
  else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
  else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
}

/** Decodes a backquoted string body with NASM's C-style escapes (NASM manual §3.4.2). */
function unescape(body: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) { utf8(c.codePointAt(0)!, out); continue; }
    const n = body[++i]!;
    if (n in ESCAPES) out.push(ESCAPES[n]!);
    else if (/[0-7]/.test(n)) {
      let s = n;
      while (s.length < 3 && /[0-7]/.test(body[i + 1] ?? '')) s += body[++i];
      out.push(parseInt(s, 8) & 0xff);
    } else if (n === 'x' || n === 'X') {
      let s = '';
      while (s.length < 2 && /[0-9a-fA-F]/.test(body[i + 1] ?? '')) s += body[++i];
      out.push(s ? parseInt(s, 16) : 0);
    } else if (n === 'u' || n === 'U') {
      const want = n === 'u' ? 4 : 8;
      let s = '';
      while (s.length < want && /[0-9a-fA-F]/.test(body[i + 1] ?? '')) s += body[++i];
      utf8(s ? parseInt(s, 16) : 0, out);
    } else utf8(n.codePointAt(0)!, out);
  }
  return out;
}

/** UTF-8 bytes of a string, as NASM copies a quoted string from a UTF-8 source. */
export function stringBytes(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) utf8(ch.codePointAt(0)!, out);
  return Uint8Array.from(out);
}

/** Returns the text of `line` before its comment (`;` outside quotes). */
export function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (quote === '`' && c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === ';') return line.slice(0, i);
  }
  return line;
}

/**
 * Tokenizes one line (its comment already removed or not: `;` ends the scan).
 * `colBase` is the 1-based column of `text[0]` in the source line.
 */
export function tokenize(text: string, colBase = 1): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const col = colBase + i;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    if (c === ';') break;
    if (isDigit(c) || (c === '$' && isDigit(text[i + 1] ?? ''))) {
      i = scanNumber(text, i, col, out);
      continue;
    }
    if (c === '$') {
      if (text[i + 1] === '$') { out.push({ kind: 'here', text: '$$', col }); i += 2; continue; }
      if (isIdStart(text[i + 1] ?? '')) {
        // `$name`: an identifier even if `name` is a register or keyword.
        let j = i + 1;
        while (j < text.length && isIdChar(text[j]!)) j++;
        out.push({ kind: 'id', text: text.slice(i, j), col });
        i = j;
        continue;
      }
      out.push({ kind: 'here', text: '$', col });
      i++;
      continue;
    }
    // A lone `?` is the conditional operator; `?name` is an identifier.
    if (isIdStart(c) && !(c === '?' && !isIdChar(text[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < text.length && isIdChar(text[j]!)) j++;
      out.push({ kind: 'id', text: text.slice(i, j), col });
      i = j;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      i = scanString(text, i, col, out);
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) { out.push({ kind: 'op', text: op, col }); i += op.length; continue; }
    out.push({ kind: 'op', text: c, col });
    i++;
  }
  return out;
}

function scanNumber(text: string, start: number, col: number, out: Token[]): number {
  let i = start;
  let isHex = false, isFloat = false, hasE = false;
  if (text[i] === '$') { i++; isHex = true; }
  for (;;) {
    const c = text[i] ?? '';
    if (c === '') break;
    if (!isHex && (c === 'e' || c === 'E')) {
      hasE = true;
      i++;
      if (text[i] === '+' || text[i] === '-') { isFloat = true; i++; }
    } else if (/[hHxX]/.test(c)) { isHex = true; i++; }
    else if (c === 'p' || c === 'P') {
      isFloat = true;
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
    } else if (isNumChar(c)) i++;
    else if (c === '.') { isFloat = true; i++; }
    else break;
  }
  if (hasE && !isHex) isFloat = true;
  const s = text.slice(start, i);
  if (isFloat) { out.push({ kind: 'num', text: s, col, value: 0n, error: 'float' }); return i; }
  const r = readNumber(s);
  out.push(r.ok
    ? { kind: 'num', text: s, col, value: r.value, ...(r.overflow ? { overflow: true } : {}) }
    : { kind: 'num', text: s, col, value: 0n, error: 'invalid' });
  return i;
}

function scanString(text: string, start: number, col: number, out: Token[]): number {
  const q = text[start]!;
  let i = start + 1;
  while (i < text.length && text[i] !== q) {
    if (q === '`' && text[i] === '\\') i++;
    i++;
  }
  const terminated = i < text.length;
  const body = text.slice(start + 1, Math.min(i, text.length));
  const bytes = q === '`' ? Uint8Array.from(unescape(body)) : stringBytes(body);
  const end = terminated ? i + 1 : text.length;
  out.push({ kind: 'str', text: text.slice(start, end), col, bytes, ...(terminated ? {} : { unterminated: true }) });
  return end;
}

/** Little-endian value of a character constant ('ab' = 0x6261), at most 8 bytes. */
export function charConstValue(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(bytes.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}
