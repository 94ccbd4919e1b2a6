// Links of the real curriculum (src/share/fuzz.test.ts covers fixture lessons only): the start
// state of every built-in lesson, edited the way a learner would (program lines changed, registers,
// breakpoints, profile), shared as a delta against the lesson's start, then the link mutated. The
// unmutated link restores the same state; a mutated one is answered with a valid state or a refusal
// in words, never an exception from inside the decoder (docs/url-state.md).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../lessons/index.ts';
import { budgetMs, fuzzParams, runs } from '../testing/fuzz/config.ts';
import { curriculumLookup } from './curriculum.ts';
import { sameState, validate, type LabState } from './schema.ts';
import { decodeState, encodeState, type DecodeResult } from './url.ts';

const NUM_RUNS = runs(1_000);
const IDS = LESSONS.map((l) => l.id);

function startOf(id: string): LabState {
  const s = curriculumLookup(id);
  if (s === undefined) throw new Error(`no start state for ${id}`);
  return Array.isArray(s) ? (s as readonly LabState[])[0]! : (s as LabState);
}

function answers(r: DecodeResult): boolean {
  if (r.ok) return validate(r.state).ok;
  return typeof r.message === 'string' && r.message.length > 0 && !/could not be read/.test(r.message);
}

const lineEdit = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('dup' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), line: fc.nat(), text: fc.constantFrom('    nop', '    vmxoff', '    mov eax, 0x1234', '; é λ 😀', '') }),
);
const learnerEdit = fc.record({
  lines: fc.array(lineEdit, { maxLength: 4 }),
  rax: fc.option(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { nil: undefined }),
  breakpoints: fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 4 }).map((a) => [...a].sort((x, y) => x - y)),
});

function edit(base: LabState, e: { lines: readonly { kind: string; line: number; text?: string }[]; rax: bigint | undefined; breakpoints: number[] }): LabState {
  const lines = base.program.split('\n');
  for (const m of e.lines) {
    const i = m.line % Math.max(1, lines.length);
    if (m.kind === 'drop') lines.splice(i, 1);
    else if (m.kind === 'dup') lines.splice(i, 0, lines[i] ?? '');
    else lines.splice(i, 0, m.text ?? '');
  }
  const regs = e.rax === undefined ? base.regs : { ...base.regs, rax: `0x${e.rax.toString(16)}` };
  return { ...base, program: lines.join('\n'), regs, breakpoints: e.breakpoints };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const linkMutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.constantFrom(...B64, '.', '%', '#') }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lesson' as const), id: fc.constantFrom(...IDS) }),
);

describe('real lesson links (fuzz)', () => {
  it(`edited lesson states round-trip, and mutated links are answered (${NUM_RUNS} inputs)`, () => {
    let linked = 0;
    fc.assert(
      fc.property(fc.constantFrom(...IDS), learnerEdit, fc.array(linkMutation, { minLength: 1, maxLength: 3 }), (id, e, ms) => {
        const base = startOf(id);
        const state = edit(base, e);
        const v = validate(state);
        if (!v.ok) return; // an edit the page would not share (e.g. a limit): nothing to link
        linked++;
        const link = encodeState(v.state, base);
        const back = decodeState(link, curriculumLookup);
        expect(back.ok && sameState(back.state, v.state)).toBe(true);
        let s = link;
        for (const m of ms) {
          const at = 5 + (('at' in m ? m.at : 0) % Math.max(1, s.length - 5));
          if (m.kind === 'flip') s = s.slice(0, at) + m.ch + s.slice(at + 1);
          else if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.n);
          else if (m.kind === 'truncate') s = s.slice(0, at);
          // The same delta decoded against another lesson's start (a base-hash mismatch).
          else s = encodeState(v.state, startOf(m.id));
        }
        expect(answers(decodeState(s, curriculumLookup))).toBe(true);
      }),
      fuzzParams(NUM_RUNS),
    );
    expect(linked).toBeGreaterThan(NUM_RUNS / 2); // the property did not skip its way through
  }, budgetMs(NUM_RUNS, 5));
});
