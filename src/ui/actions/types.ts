// A UI command as one registered object (STYLE rule 15): buttons, keyboard shortcuts, the
// shortcut list and the Playwright page objects all use the same id and accessible name.

import type { LabState } from '../store/slices.ts';
import type { LabCommands } from '../store/bridge.ts';

export interface Shortcut {
  /** `KeyboardEvent.key`, e.g. `F10`. */
  readonly key: string;
  readonly shift?: boolean;
}

export interface LabAction {
  readonly id: string;
  /** The accessible name of its button (DESIGN section 7 contract). */
  readonly label: string;
  readonly shortcut?: Shortcut;
  /** Tooltip: what it does. */
  readonly description: string;
  enabled(state: LabState): boolean;
  perform(api: LabCommands): Promise<void> | void;
}

/** Shortcut as text: `Shift+F10`. */
export function shortcutText(s: Shortcut | undefined): string {
  return s ? `${s.shift ? 'Shift+' : ''}${s.key}` : '';
}

/** Whether the machine can execute: loaded, assembled, not running, not stopped. */
export function canExecute(s: LabState): boolean {
  return s.status === 'idle' && s.snapshot !== null && s.snapshot.stopped === null && !s.diagnostics.some((d) => d.severity === 'error');
}
