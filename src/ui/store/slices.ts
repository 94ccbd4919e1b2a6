// The store's slices (STYLE rule 16): machine (what the worker last answered), editor (the
// program and its breakpoints), lesson (empty until lessons land), settings (profile, MSR
// edits, theme). Plain data only: snapshots from the worker, never core objects.

import type { StateCreator } from 'zustand/vanilla';
import type { LabCatalog, LabDiagnostic, LabSnapshot, LatestEptWalkView, LessonCheckView, LessonSummaryView, LessonView, ProfileInfo } from '../../worker/types.ts';

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
  /**
   * The bytes of the window the Memory panel watches (`LabCommands.watchMemory`), read with every
   * snapshot: a Step's bytes arrive with it and are set in the same update (one render).
   */
  memory: WatchedMemory | null;
  /** The latest EPT walk while the Memory panel watches it (`watchLatestEpt`); null: not read yet. */
  latestEpt: { readonly view: LatestEptWalkView | undefined } | null;
}

/** Bytes read from physical memory at `phys`. */
export interface WatchedMemory {
  readonly phys: number;
  readonly length: number;
  readonly bytes: Uint8Array;
}

export interface EditorSlice {
  source: string;
  breakpoints: readonly number[];
  diagnostics: readonly LabDiagnostic[];
  /** The text the machine was loaded from (differs from `source` while the learner types). */
  loadedSource: string;
}

/** The last Share: the link (when it fits) and the state file (always, for download). */
export interface ShareResult {
  readonly url: string | null;
  readonly file: string;
  readonly copied: boolean;
}

export interface LessonSlice {
  /** The open lesson, or null (the free lab). */
  lesson: LessonView | null;
  /** Every lesson and challenge (fetched when the list is first opened). */
  lessonList: readonly LessonSummaryView[];
  /** Hints unlocked so far (the lesson "step" a shared state records). */
  hintsShown: number;
  /** The last "Check goals" verdict for the open lesson, null while not checked since the last change. */
  goalResults: LessonCheckView | null;
  checking: boolean;
  /** A message about a lesson or a link that could not be opened (the lab opens anyway). */
  notice: string | null;
  share: ShareResult | null;
  /** The lesson the saved work belongs to: `?lesson=` of that lesson resumes it instead of restarting. */
  resumeLesson: string | null;
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

export const createMachineSlice: Slice<MachineSlice> = () => ({ snapshot: null, previous: null, status: 'idle', message: null, profiles: [], catalog: null, memory: null, latestEpt: null });
export const createEditorSlice = (source: string, breakpoints: readonly number[]): Slice<EditorSlice> => () => ({
  source,
  breakpoints,
  diagnostics: [],
  loadedSource: '',
});
export const createLessonSlice: Slice<LessonSlice> = () => ({ lesson: null, lessonList: [], hintsShown: 0, goalResults: null, checking: false, notice: null, share: null, resumeLesson: null });
export const createSettingsSlice = (init: Omit<SettingsSlice, never>): Slice<SettingsSlice> => () => ({ ...init });
