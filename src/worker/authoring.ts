// Instructor authoring on the worker's side: a lesson written in the page (or read from a lesson
// file) is checked with `validateLesson` of src/lessons, every error named by its path, and
// "Try goals" judges the lesson's goals with `checkLesson` on its starting program and on its
// solution (each from a fresh lesson machine, as `vmx-lab lesson check` does). Lesson files are
// untrusted: size-capped, depth-checked and prototype-key-checked JSON (src/share's parser), then
// validated; nothing in them is executed or rendered as HTML here.

import { checkLesson, findLesson, type Lesson, validateLesson } from '../lessons/index.ts';
import { deflate, fromBase64Url, inflateCapped, toBase64Url } from '../share/codec.ts';
import { parseUntrustedJson } from '../share/json.ts';
import type { LessonCheckView } from './types.ts';

/** The `format` marker of a lesson file. */
export const LESSON_FILE_FORMAT = 'vmx-lab-lesson';
/** The lesson file version this lab writes and reads. */
export const LESSON_FILE_VERSION = 1;
/** Files larger than this (UTF-16 units of text) are refused before parsing. */
export const MAX_LESSON_FILE_CHARS = 1_048_576;

/** A lesson checked by `validateLesson`: the lesson (plain JSON data) or every error by its path. */
export type AuthoredLessonResult =
  | { readonly ok: true; readonly lesson: unknown; readonly builtIn: boolean }
  | { readonly ok: false; readonly errors: readonly string[] };

/** "Try goals": the verdict on the starting program and on the solution. */
export type TryGoalsResult =
  | { readonly ok: true; readonly start: LessonCheckView; readonly solution: LessonCheckView }
  | { readonly ok: false; readonly errors: readonly string[] };

/** A JSON-safe deep copy: bigints (never produced by validation of JSON, but allowed in a Lesson) become decimal strings. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** A built-in lesson as plain JSON data (for Author mode to start a copy from), or undefined. */
export function builtInLesson(id: string): unknown {
  const l = findLesson(id);
  return l ? plain(l) : undefined;
}

/** Validates a lesson value (from the page's editor). Never throws. */
export function validateAuthoredLesson(value: unknown): AuthoredLessonResult {
  const v = validateLesson(value);
  if (!v.ok) return { ok: false, errors: [...v.errors] };
  return { ok: true, lesson: plain(v.lesson), builtIn: findLesson(v.lesson.id) !== undefined };
}

function checkView(lesson: Lesson, source: string, profile: string | undefined): LessonCheckView {
  const c = checkLesson(lesson, source, profile ? { profile } : {});
  return {
    lessonId: c.lessonId,
    profile: c.profile,
    assembled: c.assembled,
    diagnostics: c.diagnostics.map((d) => ({ line: d.line, col: d.col, message: d.message })),
    goals: c.goals.map((g) => ({ label: g.label, kind: g.kind, passed: g.passed, detail: g.detail })),
    passed: c.passed,
    ...(c.stop === undefined ? {} : { stop: c.stop }),
    steps: c.steps,
  };
}

/**
 * Validates `value` as a lesson, then runs `checkLesson` on its starting program and on its
 * solution (on `profile`, else the lesson's own). A good lesson: the start fails, the solution passes.
 */
export function tryAuthoredGoals(value: unknown, profile?: string): TryGoalsResult {
  const v = validateLesson(value);
  if (!v.ok) return { ok: false, errors: [...v.errors] };
  return { ok: true, start: checkView(v.lesson, v.lesson.start, profile), solution: checkView(v.lesson, v.lesson.solution, profile) };
}

/** The lesson file's text: `{ format, version, lesson }`, pretty-printed JSON. */
export function lessonToFile(value: unknown): { ok: true; text: string } | { ok: false; errors: readonly string[] } {
  const v = validateLesson(value);
  if (!v.ok) return { ok: false, errors: [...v.errors] };
  return { ok: true, text: `${JSON.stringify({ format: LESSON_FILE_FORMAT, version: LESSON_FILE_VERSION, lesson: plain(v.lesson) }, null, 2)}\n` };
}

/**
 * Reads a lesson file (untrusted text): size cap, bounded-depth JSON without prototype keys,
 * the `format`/`version` envelope, then `validateLesson`. Never throws; a refusal lists why.
 */
export function readLessonFile(text: string): AuthoredLessonResult {
  if (typeof text !== 'string') return { ok: false, errors: ['file: not text'] };
  if (text.length > MAX_LESSON_FILE_CHARS) return { ok: false, errors: [`file: larger than ${MAX_LESSON_FILE_CHARS} characters`] };
  let data: unknown;
  try {
    data = parseUntrustedJson(text, 'file');
  } catch (e) {
    return { ok: false, errors: [e instanceof Error ? e.message : 'file: not valid JSON'] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, errors: ['file: wants a JSON object'] };
  const env = data as Record<string, unknown>;
  if (env.format !== LESSON_FILE_FORMAT) return { ok: false, errors: [`file.format: wants "${LESSON_FILE_FORMAT}" (this is not a VMX Lab lesson file)`] };
  if (typeof env.version !== 'number' || !Number.isInteger(env.version) || env.version < 1) return { ok: false, errors: ['file.version: wants a whole number >= 1'] };
  if (env.version > LESSON_FILE_VERSION) return { ok: false, errors: [`file.version: ${env.version} was made by a newer VMX Lab (this one reads ${LESSON_FILE_VERSION})`] };
  const extra = Object.keys(env).filter((k) => k !== 'format' && k !== 'version' && k !== 'lesson');
  if (extra.length > 0) return { ok: false, errors: [`file: unknown field '${extra[0]}'`] };
  return validateAuthoredLesson(env.lesson);
}

/** A lesson link's fragment starts with this (`#lesson=1.<base64url(raw DEFLATE(lesson file JSON))>`). */
export const LESSON_LINK_PREFIX = '#lesson=';
/** Longer lesson fragments are refused before decoding. */
export const MAX_LESSON_LINK_CHARS = 131_072;

/**
 * The lesson as a link fragment: the lesson file's JSON, raw DEFLATE, base64url (src/share's
 * codec), after `#lesson=1.` (1: the lesson file version). Not a `#s=` state: src/share has no
 * slot for a whole lesson, so this is Author mode's own fragment.
 */
export function lessonToLink(value: unknown): { ok: true; fragment: string } | { ok: false; errors: readonly string[] } {
  const f = lessonToFile(value);
  if (!f.ok) return f;
  return { ok: true, fragment: `${LESSON_LINK_PREFIX}${LESSON_FILE_VERSION}.${toBase64Url(deflate(new TextEncoder().encode(JSON.stringify(JSON.parse(f.text)))))}` };
}

/** Reads a `#lesson=` fragment (untrusted): length cap, base64url, capped inflation, fatal UTF-8, then as a lesson file. Never throws. */
export function readLessonLink(fragment: string): AuthoredLessonResult {
  if (typeof fragment !== 'string' || !fragment.startsWith(LESSON_LINK_PREFIX)) return { ok: false, errors: ['link: not a lesson link (#lesson=...)'] };
  if (fragment.length > MAX_LESSON_LINK_CHARS) return { ok: false, errors: [`link: longer than ${MAX_LESSON_LINK_CHARS} characters`] };
  const m = /^(\d{1,6})\.([A-Za-z0-9_-]*)$/.exec(fragment.slice(LESSON_LINK_PREFIX.length));
  if (!m) return { ok: false, errors: ['link: wants #lesson=<version>.<base64url data>'] };
  if (Number(m[1]) > LESSON_FILE_VERSION) return { ok: false, errors: [`link: version ${m[1]} was made by a newer VMX Lab`] };
  const bytes = fromBase64Url(m[2]!);
  if (typeof bytes === 'string') return { ok: false, errors: [`link: ${bytes}`] };
  let raw: Uint8Array | string;
  try {
    raw = inflateCapped(bytes, MAX_LESSON_FILE_CHARS);
  } catch {
    return { ok: false, errors: ['link: the data is not DEFLATE'] };
  }
  if (typeof raw === 'string') return { ok: false, errors: [`link: ${raw}`] };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { ok: false, errors: ['link: not UTF-8 text'] };
  }
  return readLessonFile(text);
}
