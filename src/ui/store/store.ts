// The one lab store: a zustand vanilla store built from slices (STYLE rule 16). The worker
// bridge writes it with setState from outside React; components read narrow selectors.

import { createStore, type StoreApi } from 'zustand/vanilla';
import { createEditorSlice, createLessonSlice, createMachineSlice, createSettingsSlice, type LabState } from './slices.ts';
import { loadWork, saveWork } from './persist.ts';

export type LabStore = StoreApi<LabState>;

/** Builds a store, restoring saved work from `storage` when there is some. */
export function createLabStore(defaultSource: string, storage?: Storage): LabStore {
  const saved = loadWork(storage);
  const store = createStore<LabState>()((...a) => ({
    ...createMachineSlice(...a),
    ...createEditorSlice(saved?.source ?? defaultSource, saved?.breakpoints ?? [])(...a),
    ...createLessonSlice(...a),
    ...createSettingsSlice({ profile: saved?.profile ?? '', msrEdits: saved?.msrEdits ?? {}, theme: saved?.theme ?? 'light', fontSize: saved?.fontSize ?? 14 })(...a),
  }));
  if (saved?.lesson) store.setState({ resumeLesson: saved.lesson });
  // Autosave what the learner made (not the machine state: it is rebuilt from these).
  store.subscribe((s, prev) => {
    if (s.source === prev.source && s.profile === prev.profile && s.msrEdits === prev.msrEdits && s.breakpoints === prev.breakpoints && s.theme === prev.theme && s.fontSize === prev.fontSize && s.lesson === prev.lesson) return;
    // Nothing is saved while a lesson or a shared state is being opened at start-up (resumeLesson set).
    const lesson = s.lesson?.id ?? s.resumeLesson ?? undefined;
    saveWork(storage, { source: s.source, profile: s.profile, msrEdits: s.msrEdits, breakpoints: s.breakpoints, theme: s.theme, fontSize: s.fontSize, ...(lesson ? { lesson } : {}) });
  });
  return store;
}
