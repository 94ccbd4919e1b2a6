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

const DRAFT_KEY = 'vmx-lab:author-draft';
const DRAFT_FIELDS = ['id', 'kind', 'title', 'summary', 'text', 'start', 'solution', 'profile', 'profiles', 'msrs', 'cr0Set', 'cr0Clear', 'cr4Set', 'cr4Clear', 'hints', 'goals'] as const;

/** A saved draft, read back only when every field is a string (anything else is ignored). */
export function readSavedDraft(text: string | null): LessonDraft | null {
  if (!text || text.length > 2_097_152) return null;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const k of DRAFT_FIELDS) {
      if (typeof o[k] !== 'string') return null;
      out[k] = o[k];
    }
    return { ...(out as unknown as LessonDraft), kind: out.kind === 'lesson' ? 'lesson' : 'challenge' };
  } catch {
    return null;
  }
}

/** Keeps the draft in `storage` across reloads (an instructor's unsaved work). */
export function persistDraft(store: ReturnType<typeof createAuthoringStore>, storage: Storage | undefined): void {
  if (!storage) return;
  const saved = readSavedDraft(storage.getItem(DRAFT_KEY));
  if (saved) store.setState({ draft: saved });
  store.subscribe((s, prev) => {
    if (s.draft === prev.draft || !s.draft) return;
    try {
      storage.setItem(DRAFT_KEY, JSON.stringify(s.draft));
    } catch {
      // Storage full or blocked: the draft lives on in the page.
    }
  });
}

/** The page's Author-mode store (its draft kept in localStorage). */
export const authoringStore = createAuthoringStore();
persistDraft(authoringStore, (() => {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
})());
