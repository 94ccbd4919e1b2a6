// Snapshot patches: applying diff(a, b) to a gives b (property test over random plain data),
// unchanged subtrees keep their identity, and a patch survives structured clone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPatch, diff } from './patch.ts';

// Plain data as snapshots hold it: objects, arrays, strings, numbers, booleans, null, undefined.
const plain = fc.letrec((tie) => ({
  value: fc.oneof({ maxDepth: 4 }, fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null), fc.constant(undefined), tie('arr'), tie('obj')),
  arr: fc.array(tie('value'), { maxLength: 4 }),
  obj: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'steps', 'v', 'o'), tie('value'), { maxKeys: 5, noNullPrototype: true }),
})).value;

describe('snapshot patches', () => {
  it('applyPatch(a, diff(a, b)) equals b, also after a structured clone of the patch', () => {
    fc.assert(fc.property(plain, plain, (a, b) => {
      const p = diff(a, b);
      expect(applyPatch(a, p)).toStrictEqual(b);
      expect(applyPatch(a, p === undefined ? undefined : structuredClone(p))).toStrictEqual(b);
    }), { numRuns: 2000 });
  });

  it('diff is undefined exactly for deep-equal values', () => {
    fc.assert(fc.property(plain, (a) => {
      expect(diff(a, structuredClone(a))).toBeUndefined();
    }));
    expect(diff({ a: [1, 2] }, { a: [1, 3] })).toEqual({ o: { a: { a: 2, i: { 1: { v: 3 } } } } });
    expect(diff({ a: 1, b: 2 }, { a: 1 })).toEqual({ o: {}, d: ['b'] });
    expect(diff([1, 2, 3], [1, 2])).toEqual({ a: 2, i: {} });
    expect(diff({ a: 1 }, [1])).toEqual({ v: [1] });
  });

  it('keeps every unchanged subtree of the previous value', () => {
    const prev = { gprs: [{ name: 'RAX', value: '0x1' }, { name: 'RBX', value: '0x2' }], msrs: [{ index: '0x3a', lines: [{ label: 'Lock', value: 'yes' }] }], steps: 1 };
    const next = { gprs: [{ name: 'RAX', value: '0x9' }, { name: 'RBX', value: '0x2' }], msrs: [{ index: '0x3a', lines: [{ label: 'Lock', value: 'yes' }] }], steps: 2 };
    const out = applyPatch<typeof next>(prev, diff(prev, next));
    expect(out).toEqual(next);
    expect(out.msrs).toBe(prev.msrs);
    expect(out.gprs[1]).toBe(prev.gprs[1]);
    expect(out.gprs[0]).not.toBe(prev.gprs[0]);
    expect(prev.gprs[0]!.value).toBe('0x1');
  });

  it('sends typed arrays whole and compares them by identity', () => {
    const u = new Uint8Array([1, 2]);
    expect(diff({ u }, { u })).toBeUndefined();
    expect(diff({ u }, { u: new Uint8Array([1, 2]) })).toEqual({ o: { u: { v: new Uint8Array([1, 2]) } } });
  });
});
