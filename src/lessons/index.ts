// The lesson registry: the curriculum in order, then the broken-machine challenges. The page,
// the worker and the CLI find lessons here (`?lesson=ID`, `vmx-lab lesson check ID`).

import { FIRST_STEPS } from './curriculum/first-steps.ts';
import { CHALLENGES } from './curriculum/challenges.ts';
import { EPT } from './curriculum/ept.ts';
import { EXITS } from './curriculum/exits.ts';
import { LAUNCH } from './curriculum/launch.ts';
import { VMCS_ACCESS } from './curriculum/vmcs-access.ts';
import { V8086 } from './curriculum/v8086.ts';
import type { Lesson } from './format.ts';

export type { Goal, GoalKind, Lesson, LessonMachine, LessonNumber } from './format.ts';
export { DEFAULT_LESSON_STEPS, GOAL_KINDS, toBig } from './format.ts';
export { validateLesson, type LessonValidation } from './validate.ts';
export { checkLesson, type CheckOptions, type LessonCheck } from './check.ts';
export type { GoalResult } from './goals.ts';
export { evaluateGoal } from './goals.ts';
export { prepareLessonMachine, runLesson, lessonMsrOverrides, type LessonRun } from './run.ts';

/** Every lesson and challenge, in the order a course takes them. */
export const LESSONS: readonly Lesson[] = [...FIRST_STEPS, ...VMCS_ACCESS, ...LAUNCH, ...EXITS, ...EPT, ...V8086, ...CHALLENGES];

/**
 * Prefix of the keys lessons from outside the curriculum (an instructor's, from a lesson file, a
 * `#lesson=` link or a shared state) are registered under. A built-in id never holds a ':', so an
 * authored lesson never hides a built-in one of the same id, nor the other way round (decision 0081).
 */
export const AUTHORED_PREFIX = 'authored:';
/** At most this many authored lessons are kept; registering more forgets the oldest. */
export const MAX_AUTHORED_LESSONS = 32;
const authored = new Map<string, Lesson>();

/**
 * Registers a lesson from outside the curriculum (validate it with `validateLesson` first) for this
 * process, and returns the key to find it by: `authored:<id>`. Registering the same id again
 * replaces the lesson (an instructor's edited version).
 */
export function addAuthoredLesson(lesson: Lesson): string {
  const key = `${AUTHORED_PREFIX}${lesson.id}`;
  authored.delete(key);
  authored.set(key, lesson);
  while (authored.size > MAX_AUTHORED_LESSONS) authored.delete(authored.keys().next().value as string);
  return key;
}

/** True when `key` names an authored lesson's key (registered or not). */
export function isAuthoredKey(key: string): boolean {
  return key.startsWith(AUTHORED_PREFIX);
}

/** The lesson with this id (built in), or registered under this key (`authored:<id>`), or undefined. */
export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id) ?? authored.get(id);
}
