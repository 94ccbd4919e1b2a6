// checkLesson: assemble a program (the student's, or the lesson's solution), run it on the
// lesson's starting machine with a step budget, and judge every goal. The CLI's
// `vmx-lab lesson check`, the page and the tests all go through here.

import { DEFAULT_LESSON_STEPS, type Lesson } from './format.ts';
import { evaluateGoal, type GoalResult } from './goals.ts';
import { assembleLessonProgram, runLesson } from './run.ts';

/** Options of a check. */
export interface CheckOptions {
  /** Run on this profile instead of the lesson's own. */
  readonly profile?: string;
  /** Step budget (default: the lesson's maxSteps, else DEFAULT_LESSON_STEPS). */
  readonly maxSteps?: number;
}

/** The verdict of a check. */
export interface LessonCheck {
  readonly lessonId: string;
  readonly profile: string;
  /** False when the program did not assemble (then no goal ran: `goals` is empty). */
  readonly assembled: boolean;
  readonly diagnostics: readonly { readonly line: number; readonly col: number; readonly message: string }[];
  readonly goals: readonly GoalResult[];
  /** Assembled and every goal passed. */
  readonly passed: boolean;
  /** How the run ended, when it ran. */
  readonly stop?: string;
  readonly steps: number;
}

/**
 * Checks a program against a lesson's goals. `programText` defaults to the lesson's starting
 * program (pass `lesson.solution` to check the reference solution). Never throws for a bad
 * program: assembly errors come back as diagnostics.
 */
export function checkLesson(lesson: Lesson, programText?: string, opts: CheckOptions = {}): LessonCheck {
  const text = programText ?? lesson.start;
  const { result, diagnostics } = assembleLessonProgram(text);
  const diags = diagnostics.map((d) => ({ line: d.line, col: d.col, message: d.message }));
  if (!result.ok) {
    return { lessonId: lesson.id, profile: opts.profile ?? lesson.machine.profile ?? '', assembled: false, diagnostics: diags, goals: [], passed: false, steps: 0 };
  }
  const run = runLesson(lesson, result, { profile: opts.profile, maxSteps: opts.maxSteps ?? lesson.maxSteps ?? DEFAULT_LESSON_STEPS });
  const goals = lesson.goals.map((g) => evaluateGoal(g, run));
  return {
    lessonId: lesson.id,
    profile: run.profile,
    assembled: true,
    diagnostics: diags,
    goals,
    passed: goals.every((g) => g.passed),
    stop: run.stop,
    steps: run.steps,
  };
}
