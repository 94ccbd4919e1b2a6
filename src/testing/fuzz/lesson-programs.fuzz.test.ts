// Mutated lesson programs (the golden-program mutations of assemble.property.test.ts do not cover
// the curriculum's start and solution programs, the texts learners actually edit): lines dropped,
// duplicated, swapped, lines of other lessons spliced in, tokens inserted, characters deleted.
// `assemble` never throws and reports no internal error; when the text assembles, the lesson's
// machine runs it for a bounded number of steps and ends in a documented result (DESIGN section 5).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../lessons/index.ts';
import { prepareLessonMachine } from '../../lessons/run.ts';
import { budgetMs, fuzzParams, runs } from './config.ts';
import { assemble } from '../../asm/index.ts';

const NUM_RUNS = runs(400);
const STEPS = 500;
const PROGRAMS = LESSONS.flatMap((l) => [l.start, l.solution].map((text) => ({ lesson: l, lines: text.split('\n') })));
const ALL_LINES = [...new Set(PROGRAMS.flatMap((p) => p.lines))];

const token = fc.oneof(
  fc.constantFrom(...ALL_LINES),
  fc.constantFrom('vmlaunch', 'vmresume', 'vmxoff', 'vmcall', 'hlt', 'jmp $', 'call $', 'ret', 'push rax', 'pop rsp', '0x', ',', '[', ']', '%define', 'times 100000 db 0', 'align 4096', '$$'),
  fc.string({ maxLength: 6 }),
);
const edit = fc.oneof(
  fc.record({ kind: fc.constant('drop-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('dup-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), line: fc.nat(), at: fc.nat(), text: token }),
  fc.record({ kind: fc.constant('drop-char' as const), line: fc.nat(), at: fc.nat() }),
);
type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function apply(lines: readonly string[], es: readonly Edit[]): string {
  const out = [...lines];
  for (const e of es) {
    const i = e.line % Math.max(1, out.length);
    const l = out[i] ?? '';
    if (e.kind === 'drop-line') out.splice(i, 1);
    else if (e.kind === 'dup-line') out.splice(i, 0, l);
    else if (e.kind === 'swap-lines') {
      const j = e.other % Math.max(1, out.length);
      [out[i], out[j]] = [out[j] ?? '', l];
    } else if (e.kind === 'insert') {
      const at = e.at % (l.length + 1);
      out[i] = `${l.slice(0, at)} ${e.text} ${l.slice(at)}`;
    } else {
      const at = e.at % (l.length + 1);
      out[i] = l.slice(0, at) + l.slice(at + 1);
    }
  }
  return out.join('\n');
}

describe('mutated lesson programs (fuzz)', () => {
  it(`assemble never throws; what assembles runs bounded on the lesson's machine (${NUM_RUNS} inputs)`, () => {
    let ran = 0;
    fc.assert(
      fc.property(fc.nat(PROGRAMS.length - 1), fc.array(edit, { minLength: 1, maxLength: 5 }), (k, es) => {
        const { lesson, lines } = PROGRAMS[k]!;
        const r = assemble(apply(lines, es));
        expect(r.diagnostics.filter((d) => d.message.startsWith('internal')).map((d) => d.message)).toEqual([]);
        expect(r.ok).toBe(r.diagnostics.every((d) => d.severity !== 'error'));
        if (!r.ok) return;
        ran++;
        const m = prepareLessonMachine(lesson, r);
        const res = m.run({ maxSteps: STEPS });
        expect(m.steps).toBeLessThanOrEqual(STEPS);
        if (res.kind === 'stopped') expect(['halted', 'fault', 'shutdown']).toContain(res.reason);
        else expect(res.kind).toBe('max-steps');
      }),
      fuzzParams(NUM_RUNS),
    );
    expect(ran).toBeGreaterThan(NUM_RUNS / 10); // enough mutants get to the machine
  }, budgetMs(NUM_RUNS, 20));
});
