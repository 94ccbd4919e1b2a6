// Run (F5): until halt, fault, breakpoint or Stop.
import { canExecute, type LabAction } from './types.ts';

export const runAction: LabAction = {
  id: 'run',
  label: 'Run',
  shortcut: { key: 'F5' },
  description: 'Run until the machine stops, a breakpoint, or Stop',
  enabled: canExecute,
  perform: (api) => api.run(),
};
