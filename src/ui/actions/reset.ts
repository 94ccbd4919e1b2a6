// Reset: assemble again if the text changed, and boot a fresh machine.
import type { LabAction } from './types.ts';

export const resetAction: LabAction = {
  id: 'reset',
  label: 'Reset',
  description: 'Assemble the program again and boot a fresh machine',
  enabled: (s) => s.status !== 'loading',
  perform: (api) => api.reset(),
};
