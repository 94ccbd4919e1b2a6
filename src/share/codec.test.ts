import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { deflate, fromBase64Url, INFLATE_CHUNK, inflateCapped, toBase64Url } from './codec.ts';
import type { InflateWork } from './codec.ts';
import { applyLineDiff, lineDiff } from './text-diff.ts';

describe('base64url', () => {
  it('matches Node for every byte string and decodes back', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      const t = toBase64Url(b);
      expect(t).toBe(Buffer.from(b).toString('base64url'));
      expect(fromBase64Url(t)).toEqual(b);
    }), { numRuns: 500 });
  });
  it('refuses lengths no encoding has and foreign characters', () => {
    expect(fromBase64Url('A')).toMatch(/cut short/);
    expect(fromBase64Url('AB+/')).toMatch(/character 3/);
  });
});

describe('inflateCapped', () => {
  it('round trips and stops at the cap', () => {
    const data = new TextEncoder().encode('vmxon [rbx]\n'.repeat(1000));
    expect(inflateCapped(deflate(data), data.length)).toEqual(data);
    expect(inflateCapped(deflate(data), data.length - 1)).toMatch(/more than 11999 bytes/);
  });
  it('a bomb is stopped while inflating: at most the cap plus one chunk of output is ever made', () => {
    const bomb = deflateSync(new Uint8Array(8 << 20), { level: 9 });
    const work: InflateWork = { consumed: 0, produced: 0 };
    expect(inflateCapped(bomb, 1 << 20, work)).toMatch(/more than 1048576 bytes/);
    // DEFLATE's largest expansion is 258 bytes per 2 bits of input: 1032 times a chunk.
    expect(work.produced).toBeLessThanOrEqual((1 << 20) + INFLATE_CHUNK * 1032);
    expect(work.consumed).toBeLessThan(bomb.length / 4);
  });
  it('refuses empty, damaged and truncated streams', () => {
    expect(inflateCapped(new Uint8Array(0), 100)).toMatch(/no compressed data/);
    const d = deflateSync(new TextEncoder().encode('hello world, hello vmx'));
    for (let n = 1; n < d.length; n++) expect(typeof inflateCapped(d.subarray(0, n), 1000)).toBe('string');
    expect(inflateCapped(new Uint8Array([0xff, 0xff, 0xff]), 100)).toMatch(/damaged|cut short/);
  });
});

describe('lineDiff', () => {
  it('applyLineDiff(base, lineDiff(base, text)) is text', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', ''), { maxLength: 12 }).map((l) => l.join('\n'));
    fc.assert(fc.property(text, text, (a, b) => {
      expect(applyLineDiff(a, lineDiff(a, b))).toBe(b);
    }), { numRuns: 1000 });
  });
  it('refuses a difference longer than the base', () => {
    expect(applyLineDiff('a\nb', [2, 1, []])).toBeUndefined();
  });
});
