// Author mode's state: whether it is open, the lesson being written (the form), the last
// validation errors (by lesson path), the last "Try goals" verdict, and a message. A small store of
// its own (zustand vanilla), so the lab's store and its autosave are untouched by authoring.

import { createStore } from 'zustand/vanilla';
import type { TryGoalsResult } from '../../worker/authoring.ts';
import type { LessonDraft } from './draft.ts';

export interface AuthoringState {
  open: boolean;
  draft: LessonDraft | null;
  /** Errors of the last validation, each starting with its path (`lesson.goals[0].result: ...`). */
  errors: readonly string[];
  tried: TryGoalsResult | null;
  busy: boolean;
  /** What the last import / export / open did, in plain words. */
  message: { text: string; ok: boolean } | null;
  /** The last "Lesson link" made (the page's address with a `#lesson=` fragment), or null. */
  link: string | null;
}

/** A fresh Author-mode store (the page makes one; tests make their own). */
export function createAuthoringStore() {
  return createStore<AuthoringState>()(() => ({ open: false, draft: null, errors: [], tried: null, busy: false, message: null, link: null }));
}

/** The page's Author-mode store. */
export const authoringStore = createAuthoringStore();
