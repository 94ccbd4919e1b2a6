// Step (F10): one instruction.
import { canExecute, type LabAction } from './types.ts';

export const stepAction: LabAction = {
  id: 'step',
  label: 'Step',
  shortcut: { key: 'F10' },
  description: 'Execute one instruction',
  enabled: canExecute,
  perform: (api) => api.step(),
};
