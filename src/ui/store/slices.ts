// The store's slices (STYLE rule 16): machine (what the worker last answered), editor (the
// program and its breakpoints), lesson (empty until lessons land), settings (profile, MSR
// edits, theme). Plain data only: snapshots from the worker, never core objects.

import type { StateCreator } from 'zustand/vanilla';
import type { LabCatalog, LabDiagnostic, LabSnapshot, ProfileInfo } from '../../worker/types.ts';

export type RunStatus = 'idle' | 'running' | 'loading';

export interface MachineSlice {
  snapshot: LabSnapshot | null;
  /** The snapshot before the last command, for "changed" highlighting. */
  previous: LabSnapshot | null;
  status: RunStatus;
  /** The answer to the last edit or command, in plain words. */
  message: { text: string; ok: boolean } | null;
  profiles: readonly ProfileInfo[];
  /** Static labels of VMCS fields and checks, fetched once. */
  catalog: LabCatalog | null;
}

export interface EditorSlice {
  source: string;
  breakpoints: readonly number[];
  diagnostics: readonly LabDiagnostic[];
  /** The text the machine was loaded from (differs from `source` while the learner types). */
  loadedSource: string;
}

export interface LessonSlice {
  lesson: null;
}

export type Theme = 'light' | 'dark' | 'contrast';

export interface SettingsSlice {
  profile: string;
  /** Hex MSR index -> hex value, as firmware / the profile would have it. */
  msrEdits: Readonly<Record<string, string>>;
  theme: Theme;
  /** Base font size in px (14 laptop .. 28 projector). */
  fontSize: number;
}

export type LabState = MachineSlice & EditorSlice & LessonSlice & SettingsSlice;

type Slice<T> = StateCreator<LabState, [], [], T>;

export const createMachineSlice: Slice<MachineSlice> = () => ({ snapshot: null, previous: null, status: 'idle', message: null, profiles: [], catalog: null });
export const createEditorSlice = (source: string, breakpoints: readonly number[]): Slice<EditorSlice> => () => ({
  source,
  breakpoints,
  diagnostics: [],
  loadedSource: '',
});
export const createLessonSlice: Slice<LessonSlice> = () => ({ lesson: null });
export const createSettingsSlice = (init: Omit<SettingsSlice, never>): Slice<SettingsSlice> => () => ({ ...init });
