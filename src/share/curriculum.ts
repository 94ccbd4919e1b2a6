// The lesson lookup links are decoded with: the starting state of every lesson of the curriculum
// (src/lessons). Kept out of index.ts so the page can load it with the lessons, lazily.
import { defaultProfile } from '../arch/profiles/index.ts';
import { findLesson } from '../lessons/index.ts';
import { lessonStartState } from './lesson-start.ts';
import type { LessonLookup } from './payload.ts';
import type { LabState } from './schema.ts';

const cache = new Map<string, LabState>();

/**
 * The starting state of a curriculum lesson, or undefined for an unknown id. A lesson whose start
 * changes after links to it were shared should list its earlier starts here (see docs/url-state.md).
 */
export const curriculumLookup: LessonLookup = (id) => {
  const hit = cache.get(id);
  if (hit) return hit;
  const lesson = findLesson(id);
  if (!lesson) return undefined;
  const s = lessonStartState(lesson, defaultProfile().id);
  cache.set(id, s);
  return s;
};
