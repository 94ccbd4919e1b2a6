// What one executor step reports (kept apart from cpu.ts so instruction handlers can name
// the results without importing the stepper).

/** What one step did. `halted`: HLT executed (or the processor was already halted). */
export type StepResult =
  | { readonly kind: 'ok' }
  | { readonly kind: 'halted' }
  | { readonly kind: 'shutdown'; readonly message: string }
  | { readonly kind: 'stop'; readonly message: string };

export const STEP_OK: StepResult = { kind: 'ok' };
export const STEP_HALTED: StepResult = { kind: 'halted' };
