// What one executor step reports (kept apart from cpu.ts so instruction handlers can name
// the results without importing the stepper).

/**
 * What one step did. `halted`: HLT executed (or the processor was already halted);
 * `shutdown`: the processor is in the shutdown state; `stop`: the instruction did not retire
 * and the machine should stop with `message` (a VMX instruction with no VT-x model).
 */
export type StepResult =
  | { readonly kind: 'ok' }
  | { readonly kind: 'halted' }
  | { readonly kind: 'shutdown'; readonly message: string }
  | { readonly kind: 'stop'; readonly message: string };

export const STEP_OK: StepResult = { kind: 'ok' };
export const STEP_HALTED: StepResult = { kind: 'halted' };
