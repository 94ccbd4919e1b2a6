// Fuzzed links: random text, mutated valid links and random JSON payloads always get an answer,
// `{ ok: true }` with a state the validator accepts or `{ ok: false, message }`, never an exception.
// The work per link is bounded by construction (fragment cap, capped inflation, depth limit).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validate } from './schema.ts';
import { fixtureLookup } from './testdata/fixture-lessons.ts';
import { stateArb } from './testdata/arbitrary.ts';
import { decodeState, encodePayloadText, encodeState } from './url.ts';
import { stateFromFile, stateToFile } from './file.ts';
import type { DecodeResult } from './url.ts';

/** 10^5 runs with VMXLAB_SLOW=1 take minutes: those runs get an hour instead of the 60 s default. */
const SLOW_TIMEOUT = process.env.VMXLAB_SLOW === '1' ? 3_600_000 : undefined;
const RUNS = process.env.VMXLAB_SLOW === '1' ? 100_000 : 1_000;

function answers(r: DecodeResult): boolean {
  if (r.ok) return validate(r.state).ok;
  // "could not be read (TypeError)" would mean an unexpected exception inside the decoder.
  return typeof r.message === 'string' && r.message.length > 0 && !/could not be read/.test(r.message);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.constantFrom(...B64, '.', '=', '%', ' ', '#') }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: fc.constantFrom(...B64), maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(f: string, ms: readonly Mutation[]): string {
  let s = f;
  for (const m of ms) {
    const at = 5 + (m.at % Math.max(1, s.length - 5));
    if (m.kind === 'flip') s = s.slice(0, at) + m.ch + s.slice(at + 1);
    else if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.n);
    else if (m.kind === 'insert') s = s.slice(0, at) + m.text + s.slice(at);
    else if (m.kind === 'truncate') s = s.slice(0, at);
    else s = s.slice(0, at) + s.slice(at, at + m.n).repeat(3) + s.slice(at);
  }
  return s;
}

describe('fuzzed links never throw', () => {
  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (t) => {
      expect(answers(decodeState(t, fixtureLookup))).toBe(true);
      expect(answers(decodeState(`#s=1.${t}`, fixtureLookup))).toBe(true);
    }), { numRuns: RUNS });
  }, SLOW_TIMEOUT);

  it('random base64url after a valid prefix', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...B64), maxLength: 400 }), (t) => {
      expect(answers(decodeState(`#s=1.${t}`, fixtureLookup))).toBe(true);
    }), { numRuns: RUNS });
  }, SLOW_TIMEOUT);

  it('mutated valid links', () => {
    fc.assert(fc.property(stateArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (s, ms) => {
      expect(answers(decodeState(mutate(encodeState(s), ms), fixtureLookup))).toBe(true);
    }), { numRuns: RUNS });
  }, SLOW_TIMEOUT);

  it('random JSON payloads, compressed properly', () => {
    const key = fc.constantFrom('l', 'bh', 's', 'p', 'd', 'f', 'm', 'r', 'b', 'e', '__proto__', 'constructor', 'x');
    const payload = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
      fc.record({ f: fc.constantFrom('core2-conroe', 'ivy-bridge', 'nope'), l: fc.constantFrom('fixture-vmxon', 'fixture-empty'), bh: fc.string({ maxLength: 8 }), d: fc.jsonValue({ maxDepth: 3 }), m: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
    );
    fc.assert(fc.property(payload, fc.integer({ min: 0, max: 3 }), (p, v) => {
      expect(answers(decodeState(`#s=${encodePayloadText(p, v)}`, fixtureLookup))).toBe(true);
    }), { numRuns: RUNS });
  }, SLOW_TIMEOUT);

  it('random and mutated state files', () => {
    fc.assert(fc.property(stateArb, fc.nat(), fc.string({ maxLength: 4 }), (s, at, ins) => {
      const text = stateToFile(s);
      expect(stateFromFile(text, fixtureLookup)).toEqual({ ok: true, state: s });
      const i = at % text.length;
      expect(answers(stateFromFile(text.slice(0, i) + ins + text.slice(i + 1), fixtureLookup))).toBe(true);
      expect(answers(stateFromFile(text.slice(0, i), fixtureLookup))).toBe(true);
    }), { numRuns: RUNS });
  }, SLOW_TIMEOUT);
});
