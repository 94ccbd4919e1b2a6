// Lessons and shared states on the worker's side: the lesson list and one lesson's view for the
// Lesson panel, "Check goals" (checkLesson of src/lessons, always from a fresh machine), and the
// link / file codec of src/share with the curriculum as its lesson lookup. The lessons, the core
// and the codec live here so the page's entry chunk carries none of them.
// Lessons from outside the curriculum (an instructor's: a lesson file, a `#lesson=` link, a shared
// state that carries its lesson) are validated, then registered under `authored:<id>` (src/lessons
// `addAuthoredLesson`): from then on the session, the Lesson panel and Check goals find them by
// that key like a built-in lesson, and Share carries them in the link (src/share format 2).

import { defaultProfile, findProfile } from '../arch/profiles/index.ts';
import { addAuthoredLesson, checkLesson, findLesson, isAuthoredKey, LESSONS, toBig, validateLesson, type Lesson } from '../lessons/index.ts';
import { curriculumLookup } from '../share/curriculum.ts';
import { currentStart, decodeState, encodeState, fitsInUrl, stateFromFile, stateToFile, validate } from '../share/index.ts';
import type { EncodedStateView, LessonCheckView, LessonSummaryView, LessonView, SharedStateResult, SharedStateView } from './types.ts';
import { hex } from './hex.ts';


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

/** A lesson registered from outside the curriculum: the key to open it by, or every error by its path. */
export type AddLessonResult = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Validates a lesson from outside the curriculum (`validateLesson`) and registers it for this
 * worker; the answer's `id` (`authored:<lesson id>`) opens it like a built-in lesson. Never throws.
 */
export function addLesson(value: unknown): AddLessonResult {
  const v = validateLesson(value);
  if (!v.ok) return { ok: false, errors: [...v.errors] };
  return { ok: true, id: addAuthoredLesson(v.lesson) };
}

/**
 * What the Lesson panel shows of lesson `id` (a built-in id, or the key of a registered authored
 * lesson, which is then the view's id), or undefined when the lab has no such lesson.
 */
export function lessonView(id: string): LessonView | undefined {
  const l = findLesson(id);
  if (!l) return undefined;
  return {
    id,
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

/** A plain JSON copy of a lesson (bigints as decimal strings). */
const plain = (l: Lesson): unknown => JSON.parse(JSON.stringify(l, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));

function view(r: ReturnType<typeof decodeState>): SharedStateResult {
  if (!r.ok) return { ok: false, message: r.message };
  const s = r.state;
  // A carried lesson is registered; the state names it by its key.
  const key = r.lesson ? addAuthoredLesson(r.lesson) : undefined;
  const state: SharedStateView = {
    lesson: s.lesson ? { id: key ?? s.lesson.id, step: s.lesson.step } : null,
    program: s.program,
    profile: s.profile,
    msrs: { ...s.msrs },
    regs: { ...s.regs } as Record<string, string>,
    breakpoints: [...s.breakpoints],
    editor: { ...s.editor },
  };
  return {
    ok: true,
    state,
    ...(r.migratedFrom === undefined ? {} : { migratedFrom: r.migratedFrom }),
    ...(r.lesson ? { lesson: plain(r.lesson) } : {}),
  };
}

/** Reads a `#s=` fragment (never throws: a refusal carries src/share's message). */
export function decodeShared(fragment: string): SharedStateResult {
  return view(decodeState(fragment, curriculumLookup));
}

/** Reads a state file's text (never throws). */
export function decodeSharedFile(text: string): SharedStateResult {
  return view(stateFromFile(text, curriculumLookup));
}

/**
 * Encodes a state as a link (a difference from its lesson's start) and as a file. The state of an
 * authored lesson (`authored:<id>`) carries that lesson (src/share format 2), so the link opens in
 * any copy of the lab.
 */
export function encodeShared(state: SharedStateView): EncodedStateView {
  const refused = (message: string): EncodedStateView => ({ ok: false, fragment: '', fits: false, file: '', message });
  let carried: Lesson | undefined;
  let s = state;
  if (state.lesson && isAuthoredKey(state.lesson.id)) {
    carried = findLesson(state.lesson.id);
    if (!carried) return refused('its lesson is no longer known to the lab (open it again from its link or file)');
    s = { ...state, lesson: { id: carried.id, step: state.lesson.step } };
  }
  const v = validate(s, (id) => findProfile(id) !== undefined);
  if (!v.ok) return refused(v.message);
  try {
    if (carried) {
      const fragment = encodeState(v.state, undefined, carried);
      return { ok: true, fragment, fits: fitsInUrl(fragment), file: stateToFile(v.state, carried) };
    }
    const base = v.state.lesson ? currentStart(curriculumLookup, v.state.lesson.id) : undefined;
    const fragment = encodeState(v.state, base);
    return { ok: true, fragment, fits: fitsInUrl(fragment), file: stateToFile(v.state) };
  } catch (e) {
    return refused(e instanceof Error ? e.message : 'it could not be encoded');
  }
}
