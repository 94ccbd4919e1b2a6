// Lessons and shared states on the worker's side: the lesson list and one lesson's view for the
// Lesson panel, "Check goals" (checkLesson of src/lessons, always from a fresh machine), and the
// link / file codec of src/share with the curriculum as its lesson lookup. The lessons, the core
// and the codec live here so the page's entry chunk carries none of them.

import { defaultProfile, findProfile } from '../arch/profiles/index.ts';
import { checkLesson, findLesson, LESSONS, toBig, type Lesson } from '../lessons/index.ts';
import { curriculumLookup } from '../share/curriculum.ts';
import { currentStart, decodeState, encodeState, fitsInUrl, stateFromFile, stateToFile, validate } from '../share/index.ts';
import type { EncodedStateView, LessonCheckView, LessonSummaryView, LessonView, SharedStateResult, SharedStateView } from './types.ts';

const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** Every lesson and challenge, in course order. */
export function lessonList(): LessonSummaryView[] {
  return LESSONS.map((l) => ({ id: l.id, kind: l.kind, title: l.title, summary: l.summary }));
}

/** The lesson's firmware MSRs as hex strings. */
export function lessonMsrs(lesson: Lesson): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(lesson.machine.msrs ?? {})) {
    const i = toBig(k), value = toBig(v);
    if (i !== undefined && value !== undefined) out[hex(i)] = hex(value);
  }
  return out;
}

/** What the Lesson panel shows of lesson `id`, or undefined when the lab has no such lesson. */
export function lessonView(id: string): LessonView | undefined {
  const l = findLesson(id);
  if (!l) return undefined;
  return {
    id: l.id,
    kind: l.kind,
    title: l.title,
    summary: l.summary,
    text: l.text,
    hints: [...l.hints],
    goals: l.goals.map((g) => ({ label: g.label, kind: g.kind })),
    start: l.start,
    profile: l.machine.profile ?? l.profiles[0] ?? defaultProfile().id,
    profiles: [...l.profiles],
    msrs: lessonMsrs(l),
    sdm: [...(l.sdm ?? [])],
  };
}

/**
 * Checks `source` against lesson `id`'s goals on `profile` (the lesson's own when empty), as
 * `vmx-lab lesson check ID --program FILE` does: a fresh lesson machine, the lesson's step budget.
 */
export function checkLessonGoals(id: string, source: string, profile: string): LessonCheckView | undefined {
  const l = findLesson(id);
  if (!l) return undefined;
  const c = checkLesson(l, source, profile ? { profile } : {});
  return {
    lessonId: c.lessonId,
    profile: c.profile,
    assembled: c.assembled,
    diagnostics: c.diagnostics.map((d) => ({ ...d })),
    goals: c.goals.map((g) => ({ label: g.label, kind: g.kind, passed: g.passed, detail: g.detail })),
    passed: c.passed,
    stop: c.stop,
    steps: c.steps,
  };
}

function view(r: ReturnType<typeof decodeState>): SharedStateResult {
  if (!r.ok) return { ok: false, message: r.message };
  const s = r.state;
  const state: SharedStateView = {
    lesson: s.lesson ? { ...s.lesson } : null,
    program: s.program,
    profile: s.profile,
    msrs: { ...s.msrs },
    regs: { ...s.regs } as Record<string, string>,
    breakpoints: [...s.breakpoints],
    editor: { ...s.editor },
  };
  return r.migratedFrom === undefined ? { ok: true, state } : { ok: true, state, migratedFrom: r.migratedFrom };
}

/** Reads a `#s=` fragment (never throws: a refusal carries src/share's message). */
export function decodeShared(fragment: string): SharedStateResult {
  return view(decodeState(fragment, curriculumLookup));
}

/** Reads a state file's text (never throws). */
export function decodeSharedFile(text: string): SharedStateResult {
  return view(stateFromFile(text, curriculumLookup));
}

/** Encodes a state as a link (a difference from its lesson's start) and as a file. */
export function encodeShared(state: SharedStateView): EncodedStateView {
  const v = validate(state, (id) => findProfile(id) !== undefined);
  if (!v.ok) return { ok: false, fragment: '', fits: false, file: '', message: v.message };
  const base = v.state.lesson ? currentStart(curriculumLookup, v.state.lesson.id) : undefined;
  const fragment = encodeState(v.state, base);
  return { ok: true, fragment, fits: fitsInUrl(fragment), file: stateToFile(v.state) };
}
