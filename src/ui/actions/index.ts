// The registry of every UI command, in toolbar order.

import { resetAction } from './reset.ts';
import { runAction } from './run.ts';
import { shareAction } from './share.ts';
import { stepBackAction } from './step-back.ts';
import { stepAction } from './step.ts';
import { stopAction } from './stop.ts';
import { toggleBreakpointAction } from './toggle-breakpoint.ts';
import type { LabAction } from './types.ts';

export type { LabAction, Shortcut } from './types.ts';
export { shortcutText } from './types.ts';
export { runBackAction, describeWrite, type FieldAction } from './run-back.ts';

/** Actions with a toolbar button. */
export const TOOLBAR_ACTIONS: readonly LabAction[] = [stepAction, stepBackAction, runAction, stopAction, resetAction, shareAction];

/** Every action (toolbar and keyboard-only). */
export const ACTIONS: readonly LabAction[] = [...TOOLBAR_ACTIONS, toggleBreakpointAction];

/** The action a key press triggers, if any. */
export function actionForKey(e: { key: string; shiftKey: boolean; ctrlKey?: boolean; altKey?: boolean; metaKey?: boolean }): LabAction | undefined {
  if (e.ctrlKey || e.altKey || e.metaKey) return undefined;
  return ACTIONS.find((a) => a.shortcut && a.shortcut.key === e.key && !!a.shortcut.shift === e.shiftKey);
}
