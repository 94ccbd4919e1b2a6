// Format 2's carried lesson (`L`): an instructor's lesson travels inside the state so the link
// opens in any copy of the lab. Round trips, what is carried (not the solution), and the hostile
// cases: every one refused with a message naming the field, never an exception, nothing used.
import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../lessons/index.ts';
import type { Lesson } from '../lessons/format.ts';
import { validateLesson } from '../lessons/validate.ts';
import { fuzzParams, runs } from '../testing/fuzz/config.ts';
import { toBase64Url } from './codec.ts';
import { curriculumLookup } from './curriculum.ts';
import { embeddableLesson, MAX_EMBEDDED_LESSON_CHARS } from './embedded-lesson.ts';
import { stateFromFile, stateToFile } from './file.ts';
import { lessonStartState } from './lesson-start.ts';
import { CURRENT_VERSION } from './migrations.ts';
import { validate, type LabState } from './schema.ts';
import { fixtureLookup, FIXTURE_AUTHORED } from './testdata/fixture-lessons.ts';
import { decodeState, encodePayloadText, encodeState, fitsInUrl, MAX_FRAGMENT_CHARS, readPayloadText, type DecodeResult } from './url.ts';

const start = lessonStartState(FIXTURE_AUTHORED, 'core2-conroe');
const enc = (payload: unknown, version = CURRENT_VERSION): string => `#s=${encodePayloadText(payload, version)}`;
const L = (): Record<string, unknown> => embeddableLesson(FIXTURE_AUTHORED);

function refused(fragment: string): string {
  const r = decodeState(fragment, fixtureLookup);
  if (r.ok) throw new Error('opened');
  expect(r.message).not.toMatch(/could not be read/);
  return r.message;
}

describe('a state with its lesson carried', () => {
  it('round trip: the state and the lesson come back; the lookup need not know the lesson', () => {
    const state: LabState = { ...start, lesson: { id: FIXTURE_AUTHORED.id, step: 1 }, program: `${start.program}; mine\n`, breakpoints: [2], profile: 'arrow-lake' };
    const fragment = encodeState(state, undefined, FIXTURE_AUTHORED);
    expect(fixtureLookup(FIXTURE_AUTHORED.id)).toBeUndefined();
    const r = decodeState(fragment, fixtureLookup);
    expect(r).toMatchObject({ ok: true, state });
    if (!r.ok) return;
    expect(r.migratedFrom).toBeUndefined();
    const { solution, ...carried } = r.lesson!;
    const { solution: _s, ...original } = JSON.parse(JSON.stringify(FIXTURE_AUTHORED)) as Lesson;
    expect(carried).toEqual(original);
    expect(solution).toBe(FIXTURE_AUTHORED.start);
    expect(validateLesson(r.lesson).ok).toBe(true);
  });

  it('carries every field of the lesson but the solution, and the program as a difference from the lesson start', () => {
    const { payload, version } = readPayloadText(encodeState({ ...start, program: `${start.program}nop\n` }, undefined, FIXTURE_AUTHORED).slice(3));
    expect(version).toBe(2);
    const p = payload as Record<string, unknown>;
    expect(Object.keys(p).sort()).toEqual(['L', 'd']);
    expect(Object.keys(p.L as object)).not.toContain('solution');
    expect(JSON.stringify(p)).not.toContain('solution');
  });

  it('every built-in lesson, carried as if it were an instructor\'s, opens with its start (solution left behind)', () => {
    const sizes: number[] = [];
    for (const l of LESSONS) {
      const s = lessonStartState(l, 'arrow-lake');
      const f = encodeState(s, undefined, l);
      sizes.push(f.length);
      const r = decodeState(f, () => undefined);
      expect(r.ok && r.state, l.id).toEqual(s);
      expect(r.ok && r.lesson?.goals, l.id).toEqual(JSON.parse(JSON.stringify(l.goals)));
    }
    // Even the largest lesson of the curriculum, carried whole, is far from the 65,536-character cap.
    expect(Math.max(...sizes)).toBeLessThan(MAX_FRAGMENT_CHARS / 2);
    if (process.env.VMXLAB_SHOW_SIZES === '1') console.log(LESSONS.map((l, i) => `${l.id} ${sizes[i]} ${fitsInUrl('x'.repeat(sizes[i]!))}`).join('\n'));
  });

  it('a state file carries the lesson too', () => {
    const text = stateToFile({ ...start, lesson: { id: FIXTURE_AUTHORED.id, step: 2 } }, FIXTURE_AUTHORED);
    expect(text).not.toContain('solution');
    const r = stateFromFile(text, () => undefined);
    expect(r.ok && r.lesson?.id).toBe(FIXTURE_AUTHORED.id);
    expect(r.ok && r.state.lesson).toEqual({ id: FIXTURE_AUTHORED.id, step: 2 });
  });

  it('the carried lesson wins over a lesson of the same id in the lab: the link says which lesson it is', () => {
    const vmxon = LESSONS.find((l) => l.id === 'vmxon')!;
    const mine: Lesson = { ...vmxon, title: 'My own VMXON', start: '; mine\nhlt\n' };
    const r = decodeState(encodeState(lessonStartState(mine, 'arrow-lake'), undefined, mine), curriculumLookup);
    expect(r.ok && r.lesson?.title).toBe('My own VMXON');
    expect(r.ok && r.state.program).toBe('; mine\nhlt\n');
  });

  it('the encoder refuses a lesson that is not the state\'s or is too large for a link', () => {
    expect(() => encodeState({ ...start, lesson: null }, undefined, FIXTURE_AUTHORED)).toThrow(RangeError);
    expect(() => encodeState({ ...start, lesson: { id: 'other', step: 0 } }, undefined, FIXTURE_AUTHORED)).toThrow(/not the state's lesson/);
    const huge: Lesson = { ...FIXTURE_AUTHORED, hints: Array.from({ length: 30 }, () => 'x'.repeat(9_000)) };
    expect(() => encodeState(start, undefined, huge)).toThrow(/more than 262144/);
  });
});

describe('hostile carried lessons are refused with a message naming the field', () => {
  const state = { s: 1 };
  it('HTML or script in the lesson text, title or hints', () => {
    expect(refused(enc({ ...state, L: { ...L(), text: 'hi <script>alert(1)</script>' } }))).toMatch(/link\.L \(lesson\).*\.text: no HTML/);
    expect(refused(enc({ L: { ...L(), title: '<img src=x onerror=alert(1)>' } }))).toMatch(/\.title: no HTML/);
    expect(refused(enc({ L: { ...L(), hints: ['<!-- x -->'] } }))).toMatch(/hints\[0\]: no HTML/);
  });

  it('unknown fields, a carried solution, wrong kinds of values, unknown goal kinds and profiles', () => {
    expect(refused(enc({ L: { ...L(), solution: 'hlt\n' } }))).toMatch(/link\.L \(lesson\): unknown field "solution"/);
    expect(refused(enc({ L: { ...L(), onload: 'x' } }))).toMatch(/unknown field "onload"/);
    expect(refused(enc({ L: 'a lesson' }))).toMatch(/link\.L \(lesson\): expected an object/);
    expect(refused(enc({ L: [L()] }))).toMatch(/expected an object/);
    expect(refused(enc({ L: { ...L(), start: 5 } }))).toMatch(/link\.L \(lesson\)\.start: expected the starting program/);
    expect(refused(enc({ L: { ...L(), goals: [{ kind: 'eval', label: 'x' }] } }))).toMatch(/goals\[0\]\.kind: wants one of/);
    expect(refused(enc({ L: { ...L(), goals: [] } }))).toMatch(/goals: wants at least one goal/);
    expect(refused(enc({ L: { ...L(), profiles: ['pentium-pro'] } }))).toMatch(/profiles\[0\]: unknown profile/);
    expect(refused(enc({ L: { ...L(), id: 'Bad Id' } }))).toMatch(/\.id: wants lowercase/);
    expect(refused(enc({ L: { ...L(), maxSteps: 1e12 } }))).toMatch(/maxSteps/);
    expect(refused(enc({ L: { ...L(), goals: [{ kind: 'reg', label: 'x', reg: 'rax', equals: 1e300 }] } }))).toMatch(/equals: wants a whole number/);
  });

  it('many errors: the first three are named and the rest counted', () => {
    expect(refused(enc({ L: { ...L(), kind: 'x', title: '', summary: '', text: '', hints: 'x' } }))).toMatch(/and \d+ more/);
  });

  it('control and bidirectional characters in the carried starting program', () => {
    expect(refused(enc({ L: { ...L(), start: 'mov eax, 1\u202e ; x\nhlt\n' } }))).toMatch(/link\.L \(lesson\): its starting state is not valid.*U\+202e/);
    expect(refused(enc({ L: { ...L(), start: 'hlt\u0007\n' } }))).toMatch(/U\+0007/);
  });

  it('a carried lesson beside a lesson id or a fingerprint; a format-1 payload with one', () => {
    expect(refused(enc({ l: 'fixture-vmxon', L: L() }))).toMatch(/both a lesson id \(l\) and a carried lesson \(L\)/);
    expect(refused(enc({ bh: '01234567', L: L() }))).toMatch(/link\.bh: a lesson fingerprint beside a carried lesson/);
    expect(refused(enc({ L: L(), f: 'arrow-lake' }, 1))).toMatch(/link \(format 1\): unknown field "L"/);
  });

  it('prototype keys anywhere inside the lesson, and nesting deeper than the limit', () => {
    const raw = (json: string): string => `#s=2.${toBase64Url(deflateSync(new TextEncoder().encode(json)))}`;
    const lesson = JSON.stringify(L());
    expect(refused(raw(`{"L":${lesson.replace('"machine":{', '"machine":{"__proto__":{"x":1},')}}`))).toMatch(/forbidden key "__proto__"/);
    expect(refused(raw(`{"L":${lesson.replace('"goals":[{', '"goals":[{"constructor":1,')}}`))).toMatch(/forbidden key "constructor"/);
    expect(refused(raw(`{"L":${lesson.replace('"sdm":[', `"sdm":${'['.repeat(20)}`)}}`))).toMatch(/nested more than 16/);
  });

  it('a lesson larger than the cap is refused before validation', () => {
    const big = { ...L(), text: 'a'.repeat(90_000), summary: 'b'.repeat(90_000), title: 'c'.repeat(90_000) };
    expect(JSON.stringify(big).length).toBeGreaterThan(MAX_EMBEDDED_LESSON_CHARS);
    expect(refused(enc({ L: big }))).toMatch(/more than 262144/);
  });

  it('a program difference that does not fit the carried start', () => {
    expect(refused(enc({ L: L(), d: [50, 50, []] }))).toMatch(/does not fit the lesson start/);
  });
});

describe('fuzzed carried lessons', () => {
  const answers = (r: DecodeResult): boolean => {
    if (r.ok) return validate(r.state).ok && (r.lesson === undefined || validateLesson(r.lesson).ok);
    return typeof r.message === 'string' && r.message.length > 0 && !/could not be read/.test(r.message);
  };
  const jsonValue = fc.jsonValue({ maxDepth: 4 });
  const keys = ['id', 'kind', 'title', 'summary', 'text', 'start', 'machine', 'profiles', 'hints', 'goals', 'maxSteps', 'sdm'] as const;

  it('one field of the lesson replaced by random JSON: a valid state and lesson, or a message', () => {
    fc.assert(fc.property(fc.constantFrom(...keys), jsonValue, (k, v) => {
      expect(answers(decodeState(enc({ L: { ...L(), [k]: v } }), fixtureLookup))).toBe(true);
    }), fuzzParams(runs(1_000)));
  });

  it('mutated links of every curriculum lesson carried as an instructor\'s: a valid state and lesson, or a message', () => {
    const links = LESSONS.map((l) => encodeState(lessonStartState(l, 'arrow-lake'), undefined, l));
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(fc.property(fc.nat(links.length - 1), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...B64, '', '.')), { minLength: 1, maxLength: 4 }), (i, edits) => {
      let f = links[i]!;
      for (const [at, ch] of edits) {
        const k = 5 + (at % Math.max(1, f.length - 5));
        f = f.slice(0, k) + ch + f.slice(k + 1);
      }
      expect(answers(decodeState(f, () => undefined))).toBe(true);
    }), fuzzParams(runs(500)));
  });

  it('random goals: a valid state and lesson, or a message', () => {
    const goal = fc.record({
      kind: fc.constantFrom('vmx', 'vmexit', 'fault', 'reg', 'cr', 'msr', 'vmcs', 'stop', 'resume-advanced', 'nope'),
      label: fc.string({ maxLength: 20 }),
      reg: fc.constantFrom('rax', 'rip', 'cr0', 'x'),
      equals: fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double()),
      reason: fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.string({ maxLength: 3 })),
      absent: fc.oneof(fc.boolean(), fc.string({ maxLength: 2 })),
    }, { requiredKeys: ['kind'] });
    fc.assert(fc.property(fc.array(goal, { maxLength: 4 }), (goals) => {
      expect(answers(decodeState(enc({ L: { ...L(), goals } }), fixtureLookup))).toBe(true);
    }), fuzzParams(runs(1_000)));
  });
});
