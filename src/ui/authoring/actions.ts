// What Author mode's buttons do: validate the form (worker: validateLesson), try the goals on the
// start and the solution, write the lesson file for download, read an imported file (refusals
// listed, nothing rendered as HTML), and open the lesson in the lab as a student sees it (the
// Lesson panel's text, goals, hints and Check goals, on the lesson's own machine). A lesson that
// arrives by `#lesson=` link or file opens that way too, its draft kept: Author is one click away.

import type { LabCommands } from '../store/bridge.ts';
import type { LabStore } from '../store/store.ts';
import { authoringApi } from './authoring-worker.ts';
import { authoringStore } from './authoring-store.ts';
import { draftFromLesson, draftFromProgram, lessonFromDraft, type LessonDraft } from './draft.ts';

const set = authoringStore.setState;

/** The form as a lesson value, validated in the worker; undefined (errors shown) when it is not a valid lesson. */
export async function validDraft(): Promise<Record<string, unknown> | undefined> {
  const draft = authoringStore.getState().draft;
  if (!draft) return undefined;
  const local = lessonFromDraft(draft);
  if (!local.ok) {
    set({ errors: local.errors });
    return undefined;
  }
  const v = await authoringApi().validateAuthoredLesson(local.lesson);
  set({ errors: v.ok ? [] : v.errors });
  return v.ok ? local.lesson : undefined;
}

/** Starts a new challenge from the lab's current program, profile and firmware MSRs. */
export function newFromProgram(store: LabStore): void {
  const s = store.getState();
  set({ open: true, draft: draftFromProgram(s.source, s.profile, s.msrEdits), errors: [], tried: null,
    message: { text: 'New challenge from the current program: break the starting program, put the fix in the solution, and write goals the start fails.', ok: true } });
}

/** Starts the form from a copy of built-in lesson `id` (solution included), with a new id. */
export async function copyBuiltIn(id: string): Promise<void> {
  const lesson = await authoringApi().builtInLesson(id);
  if (lesson === undefined) return;
  const draft = take(lesson, false, 'copied');
  set({ draft: { ...draft, id: `${draft.id}-copy`.slice(0, 64) } });
}

/** Changes one field of the form (the last verdict no longer applies). */
export function edit(patch: Partial<LessonDraft>): void {
  set((s) => (s.draft ? { draft: { ...s.draft, ...patch }, tried: null } : {}));
}

/** "Try goals": checkLesson on the starting program and on the solution. */
export async function tryGoals(): Promise<void> {
  set({ busy: true, tried: null, message: null });
  try {
    const lesson = await validDraft();
    if (!lesson) return;
    const r = await authoringApi().tryAuthoredGoals(lesson);
    set(r.ok ? { tried: r } : { errors: r.errors });
  } finally {
    set({ busy: false });
  }
}

function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** "Download lesson file": `<id>.vmxlab-lesson.json`. */
export async function exportFile(): Promise<void> {
  const lesson = await validDraft();
  if (!lesson) return;
  const f = await authoringApi().lessonToFile(lesson);
  if (!f.ok) {
    set({ errors: f.errors });
    return;
  }
  download(f.text, `${String(lesson.id)}.vmxlab-lesson.json`);
  set({ message: { text: `Lesson file ${String(lesson.id)}.vmxlab-lesson.json written.`, ok: true } });
}

/** "Lesson link": the page's address with the lesson in a `#lesson=` fragment (copied when the browser lets us). */
export async function exportLink(): Promise<void> {
  const lesson = await validDraft();
  if (!lesson) return;
  const l = await authoringApi().lessonToLink(lesson);
  if (!l.ok) {
    set({ errors: l.errors });
    return;
  }
  const link = `${location.origin}${location.pathname}${l.fragment}`;
  let copied = false;
  try {
    await navigator.clipboard.writeText(link);
    copied = true;
  } catch {
    // No clipboard permission: the link is shown to copy by hand.
  }
  set({ link, message: { text: `Lesson link made (${link.length} characters)${copied ? ' and copied' : ''}. It opens this lesson in any copy of the lab, without a server.`, ok: true } });
}

/** Fills the form from a lesson's plain value (one the worker validated). */
function take(lesson: unknown, builtIn: boolean, how: string): LessonDraft {
  const draft = draftFromLesson(lesson);
  set({ open: true, draft, errors: [], tried: null, link: null,
    message: { text: `Lesson "${draft.title}" ${how}${builtIn ? ' (its id is also a built-in lesson of the lab)' : ''}.`, ok: true } });
  return draft;
}

/** The lab's message bar after an authored lesson opened (the load clears it). */
function opened(store: LabStore, title: string, how: string): void {
  store.setState({ message: { text: `"${title}" ${how}: an instructor's lesson, not built into this lab. "Author" shows it in the lesson editor.`, ok: true } });
}

/**
 * Opens a `#lesson=` link at load or when the address changes: the lesson in the student view
 * (after the lab's own first load), its draft in the Author form (closed: one click away). A
 * refused link opens the form with every reason.
 */
export async function openLessonLink(hash: string, store: LabStore, commands: LabCommands): Promise<boolean> {
  const r = await authoringApi().readLessonLink(hash);
  if (typeof history !== 'undefined') history.replaceState(null, '', `${location.pathname}${location.search}`);
  if (!r.ok) {
    set({ open: true, errors: r.errors, message: { text: 'This lesson link was refused; nothing in it was used.', ok: false } });
    return false;
  }
  const draft = take(r.lesson, r.builtIn, 'opened from a link');
  set({ open: false });
  // Let the lab's start-up load finish first, so it does not replace the lesson's program.
  await new Promise<void>((resolve) => {
    const ready = (): boolean => store.getState().snapshot !== null && store.getState().status === 'idle';
    if (ready()) return resolve();
    const stop = store.subscribe(() => {
      if (ready()) {
        stop();
        resolve();
      }
    });
  });
  if (!(await commands.openAuthoredLesson(r.lesson))) return false;
  opened(store, draft.title, 'opened from a lesson link');
  return true;
}

/**
 * Reads a lesson file's text: the lesson opens in the student view and fills the Author form,
 * which closes (one click away). A refused file lists why and leaves the form as it was.
 */
export async function importFile(text: string, store: LabStore, commands: LabCommands): Promise<boolean> {
  const r = await authoringApi().readLessonFile(text);
  if (!r.ok) {
    set({ open: true, errors: r.errors, message: { text: 'This lesson file was refused; nothing in it was used.', ok: false } });
    return false;
  }
  const draft = take(r.lesson, r.builtIn, 'imported');
  if (!(await commands.openAuthoredLesson(r.lesson))) return false;
  set({ open: false });
  opened(store, draft.title, 'opened from a lesson file');
  return true;
}

/**
 * "Open in the lab": the form's lesson as a student sees it: the Lesson panel's text, goals, hints
 * and Check goals, its starting program in the editor, on its own machine (profile, firmware MSRs,
 * CR and register presets). The form stays open for the next edit.
 */
export async function openInLab(store: LabStore, commands: LabCommands): Promise<void> {
  const lesson = await validDraft();
  if (!lesson) return;
  if (!(await commands.openAuthoredLesson(lesson))) {
    set({ message: { text: `"${String(lesson.title)}" could not be opened: ${store.getState().notice ?? ''}`, ok: false } });
    return;
  }
  set({ message: { text: `"${String(lesson.title)}" is open in the lab as a student sees it: its text, goals and hints are below.`, ok: true } });
}
