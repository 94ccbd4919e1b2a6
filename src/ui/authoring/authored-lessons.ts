// The instructor's lessons this browser opened (from a lesson link, a lesson file, Author mode or a
// shared state that carried one), kept in local storage so a reload can give them back to the
// lab's fresh worker: the saved work names its lesson by key (`authored:<id>`) only. What comes
// back from storage is untrusted (anyone can edit local storage): the worker validates it again
// (`addLesson` -> `validateLesson`) before anything uses it. Small: the page's entry carries it.

/** The local-storage key. */
export const AUTHORED_STORAGE_KEY = 'vmx-lab:authored-lessons';
/** At most this many lessons are kept, the most recently opened first. */
export const MAX_KEPT = 8;
/** A lesson whose JSON is longer than this is not kept (a link carries at most 262,144 characters). */
export const MAX_KEPT_CHARS = 300_000;

type Kept = [key: string, lesson: unknown][];

function defaultStorage(): Pick<Storage, 'getItem' | 'setItem'> | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

function read(storage: Pick<Storage, 'getItem'> | undefined): Kept {
  try {
    const raw = storage?.getItem(AUTHORED_STORAGE_KEY);
    if (!raw || raw.length > MAX_KEPT * MAX_KEPT_CHARS) return [];
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((e): e is [string, unknown] => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string').slice(0, MAX_KEPT);
  } catch {
    return [];
  }
}

/** Keeps `lesson` (plain JSON data) under `key`, most recent first; a storage error is ignored. */
export function rememberAuthored(key: string, lesson: unknown, storage = defaultStorage()): void {
  try {
    if (!storage || JSON.stringify(lesson).length > MAX_KEPT_CHARS) return;
    const kept = read(storage).filter(([k]) => k !== key);
    storage.setItem(AUTHORED_STORAGE_KEY, JSON.stringify([[key, lesson], ...kept].slice(0, MAX_KEPT)));
  } catch {
    // Storage full or disabled: the lesson lasts until the reload.
  }
}

/** The lesson kept under `key` (untrusted: validate it before use), or undefined. */
export function recallAuthored(key: string, storage = defaultStorage()): unknown {
  return read(storage).find(([k]) => k === key)?.[1];
}
