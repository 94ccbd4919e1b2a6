// The `walk` fixture: the lab opened by the `lab` fixture (fails on console errors and off-host
// requests), wrapped in the Walkthrough page object; `lesson(id)` finds a built-in lesson.
import { findLesson, type Lesson } from '../../src/lessons/index.ts';
import { test as base, expect } from '../fixtures.ts';
import { Walkthrough } from '../pages/Walkthrough.ts';

export const test = base.extend<{ walk: Walkthrough }>({
  walk: async ({ lab }, use) => {
    await use(new Walkthrough(lab));
  },
});
export { expect };

/** The built-in lesson with this id (throws when there is none, so a renamed lesson is noticed). */
export function lesson(id: string): Lesson {
  const l = findLesson(id);
  if (!l) throw new Error(`no lesson ${id}`);
  return l;
}
