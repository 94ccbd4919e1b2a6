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

/** The lesson with this id, or undefined. */
export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
