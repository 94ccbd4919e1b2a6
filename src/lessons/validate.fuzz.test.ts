// validateLesson on mutated real lessons (lesson files a course author or a hostile page could
// hand in): every built-in lesson as JSON, then values deleted, replaced by random JSON or by
// values JSON cannot hold (NaN, Infinity, functions, symbols, bigints, cycles, prototype keys),
// arrays repeated and strings blown up. It never throws; it answers ok with a lesson that
// validates again, or a non-empty list of errors in words.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetMs, fuzzParams, runs } from '../testing/fuzz/config.ts';
import { LESSONS } from './index.ts';
import { validateLesson } from './validate.ts';

const NUM_RUNS = runs(2_000);

const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x)));

const strange = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>(undefined, null, NaN, Infinity, -Infinity, -0, 2 ** 53 + 2, -1, 1e308, '', ' ', '0x', '-0x1', '1e3', '__proto__', '<script>', 'javascript:alert(1)'),
  fc.constantFrom<unknown>(() => 1, Symbol('s'), 1n, -(1n << 70n), new Date(0), /x/, new Map(), Object.create(null)),
  fc.integer({ min: 1, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 2_000 }).map((n) => {
    let v: unknown = 0;
    for (let i = 0; i < n; i++) v = [v];
    return v;
  }),
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), path: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }) }),
  fc.record({ kind: fc.constant('replace' as const), path: fc.array(fc.nat(), { maxLength: 5 }), value: strange }),
  fc.record({ kind: fc.constant('repeat' as const), path: fc.array(fc.nat(), { maxLength: 5 }), n: fc.integer({ min: 2, max: 500 }) }),
  fc.record({ kind: fc.constant('proto' as const), path: fc.array(fc.nat(), { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('cycle' as const), path: fc.array(fc.nat(), { maxLength: 4 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

type Box = Record<string | number, unknown>;

const isBox = (v: unknown): v is Box => typeof v === 'object' && v !== null;

/** Walks `path` (indices into keys) as far as containers go; returns the container and the key at the end. */
function locate(root: Box, path: readonly number[]): { parent: Box; key: string | number } | undefined {
  let parent: Box = root;
  let key: string | number | undefined;
  for (const p of path) {
    const keys = Array.isArray(parent) ? parent.map((_x, i) => i) : Object.keys(parent);
    if (keys.length === 0) break;
    key = keys[p % keys.length]!;
    const child = parent[key];
    if (!isBox(child) || p === path.at(-1)) break;
    parent = child;
  }
  return key === undefined ? undefined : { parent, key };
}

/** Sets an own property (a key named `__proto__` stays a plain key, never the prototype setter). */
function put(o: Box, key: string | number, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

function mutate(root: Box, ms: readonly Mutation[]): Box {
  for (const m of ms) {
    const at = locate(root, m.path);
    if (!at) continue;
    const { parent, key } = at;
    if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (m.kind === 'replace') put(parent, key, m.value);
    else if (m.kind === 'repeat') {
      const v = parent[key];
      // Capped so the input stays bounded however the mutations stack (strings 1 M chars, arrays 10 K items).
      if (Array.isArray(v)) put(parent, key, Array.from({ length: Math.min(m.n, Math.floor(10_000 / Math.max(1, v.length))) }, () => v).flat());
      else if (typeof v === 'string') put(parent, key, v.repeat(Math.min(m.n, Math.floor(1_000_000 / Math.max(1, v.length)))));
    } else if (m.kind === 'proto') {
      put(parent, key, JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'));
    } else put(parent, key, parent); // a cycle
  }
  return root;
}

describe('validateLesson on mutated lessons (fuzz)', () => {
  it('every built-in lesson validates after a JSON round trip', () => {
    for (const l of LESSONS) expect(validateLesson(asJson(l)).ok, l.id).toBe(true);
  });

  it(`never throws; answers a lesson or errors in words (${NUM_RUNS} inputs)`, () => {
    fc.assert(
      fc.property(fc.nat(LESSONS.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, ms) => {
        const value = mutate(asJson(LESSONS[i]!) as Box, ms);
        const r = validateLesson(value);
        if (r.ok) {
          expect(validateLesson(r.lesson).ok).toBe(true);
        } else {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(e).toMatch(/\S/);
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      fuzzParams(NUM_RUNS),
    );
  }, budgetMs(NUM_RUNS, 5));
});
