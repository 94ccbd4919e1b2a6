import { describe, expect, it } from 'vitest';
import { bitfield } from './bitfield.ts';

describe('bitfield', () => {
  const R = bitfield({
    name: 'R',
    size: 32,
    fields: { A: { bit: 0, doc: 'a' }, B: { bit: 4, width: 3, doc: 'b' }, C: { bit: 31, doc: 'c' } },
    reserved: 0x8n,
  });

  it('derives masks and bit numbers', () => {
    expect(R.mask.A).toBe(1n);
    expect(R.mask.B).toBe(0x70n);
    expect(R.bit.C).toBe(31);
    expect(R.definedMask).toBe(0x80000071n);
    expect(R.reservedMask).toBe(8n);
  });

  it('gets, sets and names', () => {
    const v = R.set(R.of('A', 'C'), 'B', 5n);
    expect(v).toBe(0x80000051n);
    expect(R.get(v, 'B')).toBe(5n);
    expect(R.has(v, 'A')).toBe(true);
    expect(R.names(v)).toEqual(['A', 'C']);
    expect(R.set(v, 'A', false)).toBe(0x80000050n);
  });

  it('refuses overlapping or out-of-range declarations', () => {
    expect(() => bitfield({ name: 'X', size: 32, fields: { A: { bit: 0, width: 2, doc: '' }, B: { bit: 1, doc: '' } } })).toThrow(/overlaps/);
    expect(() => bitfield({ name: 'X', size: 32, fields: { A: { bit: 31, width: 2, doc: '' } } })).toThrow(/outside/);
  });
});
