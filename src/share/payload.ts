// The v2 payload: a LabState written as its difference from a base. The base is the lesson's
// starting state when the payload carries `bh` (the fingerprint of that start) or `L` (the lesson
// itself), else the empty state. Fields (short keys, all optional unless said):
//   l  lesson id                         s  lesson step
//   bh fingerprint of the lesson start   f  profile id (required without bh or L)
//   p  whole program text                d  program as [head, tail, middle lines] over the base's
//   m  MSRs (whole map)                  r  registers (whole map)
//   b  breakpoints                       e  editor options
//   L  a lesson the lab need not have (an instructor's), carried whole but for its solution;
//      its id is the state's lesson (no `l`, no `bh`: the link holds its own base). Format 2.
// A field left out takes the base's value. Nothing here is trusted: `readPayload` checks every
// field and the result goes through `validate` again.
import { defaultProfile } from '../arch/profiles/index.ts';
import type { Lesson } from '../lessons/format.ts';
import { embeddableLesson, embeddedStart, readEmbeddedLesson } from './embedded-lesson.ts';
import { fnv1a32 } from './hash.ts';
import {
  breakpointList, canonicalJson, editorOptions, id, int, LIMITS, msrMap, plainObject, programText, regMap,
  StateError, validate, describeValue,
} from './schema.ts';
import type { LabState, ProfileCheck } from './schema.ts';
import { applyLineDiff, lineDiff } from './text-diff.ts';
import type { LineDiff } from './text-diff.ts';

/**
 * The lesson's starting state for an id (lesson set, step 0), or several: the current start first,
 * then earlier versions of it, so links made before a lesson changed still open. Undefined: no such lesson.
 */
export type LessonLookup = (id: string) => LabState | readonly LabState[] | undefined;

/** The current starting state of a lesson (the first the lookup gives), the base to encode against. */
export function currentStart(lookup: LessonLookup, lessonId: string): LabState | undefined {
  const found = lookup(lessonId);
  if (found === undefined) return undefined;
  return Array.isArray(found) ? (found as readonly LabState[])[0] : (found as LabState);
}

export interface PayloadV2 {
  l?: string;
  bh?: string;
  s?: number;
  p?: string;
  d?: LineDiff;
  f?: string;
  m?: Record<string, string>;
  r?: Record<string, string>;
  b?: number[];
  e?: { fontSize?: number; wordWrap?: boolean };
  L?: Record<string, unknown>;
}

/** The keys of a format-1 payload (format 2 adds `L`). */
export const KEYS_V1 = ['l', 'bh', 's', 'p', 'd', 'f', 'm', 'r', 'b', 'e'] as const;
const KEYS = [...KEYS_V1, 'L'] as const;

/** Fingerprint of a base state (see hash.ts). */
export function baseFingerprint(base: LabState): string {
  return fnv1a32(canonicalJson(base));
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The payload of `state`, as a difference from `base` when `base` is the start of the same lesson,
 * else whole. Both must be normalised states (see `validate`). With `lesson` (the state's lesson,
 * one the lab does not have built in), the payload carries it (`L`, without its solution) and is
 * a difference from its start; `base` is then ignored. Throws RangeError when `lesson` is not the
 * state's lesson or is too large for a link.
 */
export function toPayload(state: LabState, base?: LabState, lesson?: Lesson): PayloadV2 {
  if (lesson !== undefined) {
    if (state.lesson?.id !== lesson.id) throw new RangeError(`the carried lesson "${lesson.id}" is not the state's lesson`);
    const L = embeddableLesson(lesson);
    const { l: _l, bh: _bh, ...rest } = toPayload(state, embeddedStart(lesson, defaultProfile().id, 'lesson'));
    return { L, ...rest };
  }
  const useBase = base !== undefined && state.lesson !== null && base.lesson?.id === state.lesson.id;
  const p: PayloadV2 = {};
  if (state.lesson) p.l = state.lesson.id;
  if (useBase) p.bh = baseFingerprint(base);
  const b: Partial<LabState> = useBase ? base : {};
  if (state.lesson && state.lesson.step !== (b.lesson?.step ?? 0)) p.s = state.lesson.step;
  if (state.program !== (b.program ?? '')) {
    if (b.program !== undefined) {
      const d = lineDiff(b.program, state.program);
      if (JSON.stringify(d).length < JSON.stringify(state.program).length) p.d = d;
      else p.p = state.program;
    } else p.p = state.program;
  }
  if (state.profile !== b.profile) p.f = state.profile;
  if (!same(state.msrs, b.msrs ?? {})) p.m = { ...state.msrs };
  if (!same(state.regs, b.regs ?? {})) p.r = { ...state.regs };
  if (!same(state.breakpoints, b.breakpoints ?? [])) p.b = [...state.breakpoints];
  if (!same(state.editor, b.editor ?? {})) p.e = { ...state.editor };
  return p;
}

function lineDiffOf(x: unknown): LineDiff {
  if (!Array.isArray(x) || x.length !== 3) throw new StateError(`link.d: expected [head, tail, lines], got ${describeValue(x)}`);
  const head = int(x[0], 'link.d[0]', 0, LIMITS.programChars);
  const tail = int(x[1], 'link.d[1]', 0, LIMITS.programChars);
  const mid: unknown = x[2];
  if (!Array.isArray(mid) || mid.length > LIMITS.programChars) throw new StateError(`link.d[2]: expected a list of lines, got ${describeValue(mid)}`);
  const lines = mid.map((v: unknown, i) => {
    if (typeof v !== 'string') throw new StateError(`link.d[2][${i}]: expected a line of text, got ${describeValue(v)}`);
    return v;
  });
  return [head, tail, lines];
}

/** What a payload describes: the state and, when the link carries one, its lesson (validated). */
export interface PayloadContent {
  readonly state: LabState;
  readonly lesson?: Lesson;
}

/** The LabState a payload describes; throws StateError with a precise message. */
export function fromPayload(x: unknown, lookup: LessonLookup, knownProfile?: ProfileCheck): LabState {
  return readPayload(x, lookup, knownProfile).state;
}

/**
 * The LabState a (current-format) payload describes and the lesson it carries, if any; throws
 * StateError with a precise message. A carried lesson (`L`) is the state's lesson, whether or not
 * the lookup knows its id: the link says exactly which lesson it is.
 */
export function readPayload(x: unknown, lookup: LessonLookup, knownProfile?: ProfileCheck): PayloadContent {
  const o = plainObject(x, 'link', KEYS);
  let lessonId = o.l === undefined ? undefined : id(o.l, 'link.l (lesson)');
  let base: LabState | undefined;
  let lesson: Lesson | undefined;
  if (o.L !== undefined) {
    if (o.l !== undefined) throw new StateError('link: both a lesson id (l) and a carried lesson (L)');
    if (o.bh !== undefined) throw new StateError('link.bh: a lesson fingerprint beside a carried lesson (L)');
    lesson = readEmbeddedLesson(o.L, 'link.L (lesson)');
    lessonId = lesson.id;
    base = embeddedStart(lesson, defaultProfile().id, 'link.L (lesson)');
  } else if (lessonId !== undefined) {
    const found = lookup(lessonId);
    if (found === undefined) throw new StateError(`the link names lesson "${lessonId}", which this lab does not have`);
    if (o.bh !== undefined) {
      if (typeof o.bh !== 'string' || !/^[0-9a-f]{8}$/.test(o.bh)) throw new StateError('link.bh: expected 8 hex digits');
      const starts: readonly LabState[] = Array.isArray(found) ? found : [found as LabState];
      base = starts.find((s) => baseFingerprint(s) === o.bh);
      if (!base) throw new StateError(`lesson "${lessonId}" has changed since this link was made, and the link only records the difference from its start: it cannot be opened exactly`);
    }
  } else if (o.bh !== undefined) throw new StateError('link.bh: a lesson fingerprint without a lesson');
  if (o.s !== undefined && lessonId === undefined) throw new StateError('link.s: a lesson step without a lesson');
  if (o.p !== undefined && o.d !== undefined) throw new StateError('link: both a program (p) and a program difference (d)');
  if (o.d !== undefined && !base) throw new StateError('link.d: a program difference without a lesson start to apply it to');
  let program = base?.program ?? '';
  if (o.p !== undefined) program = programText(o.p, 'link.p (program)');
  if (o.d !== undefined) {
    const applied = applyLineDiff(program, lineDiffOf(o.d));
    if (applied === undefined) throw new StateError('link.d: the program difference does not fit the lesson start');
    program = applied;
  }
  const profile = o.f !== undefined ? id(o.f, 'link.f (profile)') : base?.profile;
  if (profile === undefined) throw new StateError('link: no profile');
  const state = {
    lesson: lessonId === undefined ? null : { id: lessonId, step: o.s === undefined ? (base?.lesson?.step ?? 0) : int(o.s, 'link.s (step)', 0, LIMITS.maxStep) },
    program,
    profile,
    msrs: o.m !== undefined ? msrMap(o.m, 'link.m (MSRs)') : (base?.msrs ?? {}),
    regs: o.r !== undefined ? regMap(o.r, 'link.r (registers)') : (base?.regs ?? {}),
    breakpoints: o.b !== undefined ? breakpointList(o.b, 'link.b (breakpoints)') : (base?.breakpoints ?? []),
    editor: o.e !== undefined ? editorOptions(o.e, 'link.e (editor)') : (base?.editor ?? {}),
  };
  const v = validate(state, knownProfile);
  if (!v.ok) throw new StateError(v.message);
  return lesson ? { state: v.state, lesson } : { state: v.state };
}
