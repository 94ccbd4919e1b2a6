// Toggle breakpoint (F9): on the current line, or the editor cursor's line.
import type { LabAction } from './types.ts';

export const toggleBreakpointAction: LabAction = {
  id: 'toggle-breakpoint',
  label: 'Toggle breakpoint',
  shortcut: { key: 'F9' },
  description: 'Set or clear a breakpoint on the current line (in the editor: on the cursor\'s line)',
  enabled: (s) => s.snapshot?.line !== undefined,
  perform: (api) => api.toggleBreakpoint(),
};
