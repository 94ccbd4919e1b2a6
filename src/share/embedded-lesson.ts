// A lesson carried inside a shared state (format 2, key `L`): an instructor's lesson that is not
// built into the lab travels with the state, so the link opens anywhere without a server.
// Untrusted like everything in a link: its JSON size is bounded, then `validateLesson` of
// src/lessons checks every field (no HTML in its text, known goal kinds, sane numbers). The
// reference solution is not carried: a student's link has no use for it (decision 0082).
import type { Lesson } from '../lessons/format.ts';
import { validateLesson } from '../lessons/validate.ts';
import { lessonStartState } from './lesson-start.ts';
import { describeValue, plainObject, StateError } from './schema.ts';
import type { LabState } from './schema.ts';

/**
 * Largest embedded lesson (characters of its JSON). A lesson's texts and programs are each at most
 * 100,000 characters (validateLesson); a link is at most 65,536 characters compressed and 1 MiB
 * inflated, so this bounds the validator's work well before those limits would.
 */
export const MAX_EMBEDDED_LESSON_CHARS = 262_144;

/** The fields of a lesson a link carries (every field of the format but `solution`). */
const LESSON_KEYS = ['id', 'kind', 'title', 'summary', 'text', 'start', 'machine', 'profiles', 'hints', 'goals', 'maxSteps', 'sdm'] as const;

/** A JSON-safe copy: bigints (a Lesson may hold them) become decimal strings. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;
}

/**
 * The lesson as a link carries it: plain JSON data without its solution. Throws RangeError when it
 * is larger than MAX_EMBEDDED_LESSON_CHARS.
 */
export function embeddableLesson(lesson: Lesson): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const src = lesson as unknown as Record<string, unknown>;
  for (const k of LESSON_KEYS) if (src[k] !== undefined) out[k] = plain(src[k]);
  const size = JSON.stringify(out).length;
  if (size > MAX_EMBEDDED_LESSON_CHARS) throw new RangeError(`the lesson is ${size} characters of JSON, more than ${MAX_EMBEDDED_LESSON_CHARS} a link may carry`);
  return out;
}

/**
 * Reads an embedded lesson (untrusted): a plain object of the lesson's fields without `solution`,
 * within the size limit, valid for `validateLesson` (the solution is taken to be the start).
 * Throws StateError naming the first problems.
 */
export function readEmbeddedLesson(x: unknown, path: string): Lesson {
  const o = plainObject(x, path, LESSON_KEYS);
  let size: number;
  try {
    size = JSON.stringify(o).length;
  } catch {
    throw new StateError(`${path}: not JSON data`);
  }
  if (size > MAX_EMBEDDED_LESSON_CHARS) throw new StateError(`${path}: the lesson is ${size} characters of JSON, more than ${MAX_EMBEDDED_LESSON_CHARS}`);
  if (typeof o.start !== 'string') throw new StateError(`${path}.start: expected the starting program, got ${describeValue(o.start)}`);
  const v = validateLesson({ ...o, solution: o.start });
  if (!v.ok) {
    const more = v.errors.length > 3 ? ` (and ${v.errors.length - 3} more)` : '';
    throw new StateError(`${path}: not a valid lesson: ${v.errors.slice(0, 3).map((e) => e.replace(/^lesson/, path)).join('; ')}${more}`);
  }
  return v.lesson;
}

/** The starting state of an embedded lesson (the base its link's difference applies to). Throws StateError. */
export function embeddedStart(lesson: Lesson, fallbackProfile: string, path: string): LabState {
  try {
    return lessonStartState(lesson, fallbackProfile);
  } catch (e) {
    throw new StateError(`${path}: its starting state is not valid (${e instanceof Error ? e.message.slice(0, 200) : 'error'})`);
  }
}
