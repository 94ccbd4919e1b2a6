// The map between image bytes and source lines that the editor, the event log and the
// CLI listing use: every emitted byte belongs to exactly one statement's span.

/** The bytes one source line produced: `size` bytes from `address`. */
export interface LineSpan {
  readonly line: number;
  readonly address: bigint;
  readonly size: number;
}

/** One line of a listing: the line, its first address, and its bytes (maybe none). */
export interface ListingEntry {
  readonly line: number;
  readonly address: bigint;
  readonly bytes: Uint8Array;
  readonly source: string;
}

/** The source line whose bytes contain `address`, or undefined (spans sorted by address). */
export function lineAtAddress(spans: readonly LineSpan[], address: bigint): number | undefined {
  let lo = 0, hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid]!;
    if (address < s.address) hi = mid - 1;
    else if (address >= s.address + BigInt(s.size)) lo = mid + 1;
    else return s.line;
  }
  return undefined;
}

/** The spans a source line produced (several when a line holds a label and an instruction, never in practice more). */
export function spansOfLine(spans: readonly LineSpan[], line: number): LineSpan[] {
  return spans.filter((s) => s.line === line);
}

/** Builds the listing entries: every source line, with the bytes it produced. */
export function buildListing(source: string, spans: readonly LineSpan[], bytes: Uint8Array, origin: bigint): ListingEntry[] {
  const lines = source.split(/\r\n|\n|\r/);
  const byLine = new Map<number, LineSpan[]>();
  for (const s of spans) (byLine.get(s.line) ?? byLine.set(s.line, []).get(s.line)!).push(s);
  let next = origin;
  return lines.map((text, i) => {
    const own = byLine.get(i + 1) ?? [];
    const first = own[0];
    const parts = own.map((s) => bytes.subarray(Number(s.address - origin), Number(s.address - origin) + s.size));
    const total = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    const address = first ? first.address : next;
    if (first) next = own[own.length - 1]!.address + BigInt(own[own.length - 1]!.size);
    return { line: i + 1, address, bytes: out, source: text };
  });
}

const hex = (b: Uint8Array, max: number): string =>
  [...b.subarray(0, max)].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join('') + (b.length > max ? '-' : '');

/** Formats a listing as text, in the spirit of NASM's `-l`: line, address, bytes, source. */
export function formatListing(entries: readonly ListingEntry[]): string {
  return entries
    .map((e) => `${String(e.line).padStart(6)} ${e.address.toString(16).toUpperCase().padStart(16, '0')} ${hex(e.bytes, 10).padEnd(21)} ${e.source}`)
    .join('\n') + '\n';
}
