import { describe, it, expect } from 'vitest';
import { LAB_BASE } from '../arch/lab.ts';
import { formatListing, lineAtAddress, spansOfLine } from './listing.ts';
import { asmFake, hexOf } from './testing/harness.ts';

describe('line map and listing', () => {
  const src = 'start:\n  nop\n  ; comment\n  times 3 hlt\n  db 1, 2\nafter: jmp start\n';
  const r = asmFake(src);

  it('maps every byte to its source line and back', () => {
    expect(r.ok).toBe(true);
    expect(hexOf(r)).toBe('90f4f4f40102ebf8');
    expect(r.lineMap).toEqual([
      { line: 2, address: LAB_BASE, size: 1 },
      { line: 4, address: LAB_BASE + 1n, size: 3 },
      { line: 5, address: LAB_BASE + 4n, size: 2 },
      { line: 6, address: LAB_BASE + 6n, size: 2 },
    ]);
    expect(lineAtAddress(r.lineMap, LAB_BASE + 3n)).toBe(4);
    expect(lineAtAddress(r.lineMap, LAB_BASE + 7n)).toBe(6);
    expect(lineAtAddress(r.lineMap, LAB_BASE + 8n)).toBeUndefined();
    expect(lineAtAddress(r.lineMap, LAB_BASE - 1n)).toBeUndefined();
    expect(spansOfLine(r.lineMap, 5)).toEqual([{ line: 5, address: LAB_BASE + 4n, size: 2 }]);
    expect(r.symbols.get('after')).toBe(LAB_BASE + 6n);
  });

  it('lists every source line with its address and bytes', () => {
    expect(r.listing.map((e) => [e.line, e.address - LAB_BASE, [...e.bytes].length])).toEqual([
      [1, 0n, 0], [2, 0n, 1], [3, 1n, 0], [4, 1n, 3], [5, 4n, 2], [6, 6n, 2], [7, 8n, 0],
    ]);
    const text = formatListing(r.listing);
    expect(text.split('\n')[3]).toBe('     4 FFFF888000100001 F4F4F4                  times 3 hlt');
  });
});
