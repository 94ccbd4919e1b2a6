// Step back (Shift+F10): one instruction back in time.
import type { LabAction } from './types.ts';

export const stepBackAction: LabAction = {
  id: 'step-back',
  label: 'Step back',
  shortcut: { key: 'F10', shift: true },
  description: 'Go back one instruction in time',
  enabled: (s) => s.status === 'idle' && (s.snapshot?.steps ?? 0) > 0,
  perform: (api) => api.stepBack(),
};
