// Stop (Shift+F5): interrupt a run.
import type { LabAction } from './types.ts';

export const stopAction: LabAction = {
  id: 'stop',
  label: 'Stop',
  shortcut: { key: 'F5', shift: true },
  description: 'Interrupt a run',
  enabled: (s) => s.status === 'running',
  perform: (api) => api.stop(),
};
