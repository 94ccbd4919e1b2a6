// Structural sharing keeps unchanged parts of a snapshot identical.
import { describe, expect, it } from 'vitest';
import { shareEqual } from './share-equal.ts';

describe('shareEqual', () => {
  it('keeps unchanged subtrees and replaces changed ones', () => {
    const prev = { a: { x: 1 }, b: [{ y: 2 }, { y: 3 }], c: 'k' };
    const next = { a: { x: 1 }, b: [{ y: 2 }, { y: 4 }], c: 'k' };
    const r = shareEqual(prev, next);
    expect(r).toEqual(next);
    expect(r.a).toBe(prev.a);
    expect(r.b[0]).toBe(prev.b[0]);
    expect(r.b[1]).toEqual({ y: 4 });
    expect(r.b).not.toBe(prev.b);
    expect(r).not.toBe(prev);
  });

  it('returns the previous object when everything is equal', () => {
    const prev = { a: [1, 2], b: { c: null } };
    expect(shareEqual(prev, { a: [1, 2], b: { c: null } })).toBe(prev);
  });

  it('handles shape changes and missing keys', () => {
    expect(shareEqual({ a: 1, b: 2 }, { a: 1 })).toEqual({ a: 1 });
    expect(shareEqual([1], { 0: 1 })).toEqual({ 0: 1 });
    expect(shareEqual(null, { a: 1 })).toEqual({ a: 1 });
  });

  it('returns next itself when it already shares every unchanged subtree with prev', () => {
    const shared = { big: [1, 2, 3] };
    const prev = { a: shared, b: { x: 1 } };
    const next = { a: shared, b: { x: 2 } };
    expect(shareEqual(prev, next)).toBe(next);
  });
});
