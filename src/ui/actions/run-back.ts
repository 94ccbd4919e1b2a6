// "Run back to last write of FIELD" (issue 5, time travel): goes back to just before the
// instruction that last wrote a field of the current VMCS, whether a VMWRITE (the program's or a
// panel's) or the processor's own write at a VM exit, a VM-entry failure or a VMfailValid. The
// worker says who wrote what and when (src/worker/last-writes.ts, carried in each field's
// `written`); travel is the timeline's `jumpTo`, so it stays right after exits, jumps and edits.
// One action per field: its accessible name carries the field's name.

import type { LabCommands } from '../store/bridge.ts';
import type { LabState } from '../store/slices.ts';
import type { FieldWriteView } from '../../worker/types.ts';

/** A command on one VMCS field (STYLE rule 15, with the field as its argument). */
export interface FieldAction {
  readonly id: string;
  /** The accessible name of its control for `field`. */
  label(field: string): string;
  readonly description: string;
  enabled(state: LabState, field: string): boolean;
  perform(api: LabCommands, state: LabState, field: string): Promise<void>;
}

/** The last write of a field of the current VMCS, as the latest snapshot tells it. */
export function lastWriteOf(state: LabState, field: string): FieldWriteView | undefined {
  return state.snapshot?.vmcs.fields.find((f) => f.name === field)?.written;
}

/** Who wrote a field and when, in words ("written at line 12, step 40", "VM exit at step 90"). */
export function describeWrite(w: FieldWriteView): string {
  const line = w.line !== undefined ? `, line ${w.line}` : '';
  switch (w.by) {
    case 'vm-exit': return `written by the VM exit at step ${w.step}${line}`;
    case 'entry-failure': return `written by the failed VM entry at step ${w.step}${line}`;
    case 'vmfail': return `written by VMfailValid at step ${w.step}${line}`;
    default: return w.line !== undefined ? `written at line ${w.line}, step ${w.step}` : `written from a panel, step ${w.step}`;
  }
}

export const runBackAction: FieldAction = {
  id: 'run-back-to-write',
  label: (field) => `Run back to last write of ${field}`,
  description: 'Go back in time to just before the instruction that last wrote this field (a VMWRITE, or the processor at a VM exit)',
  enabled: (s, field) => s.status === 'idle' && lastWriteOf(s, field) !== undefined,
  async perform(api, s, field) {
    const w = lastWriteOf(s, field);
    // Step N is the writing instruction: the state after step N - 1 is just before it.
    if (w && s.status === 'idle') await api.jumpTo(Math.max(0, w.step - 1));
  },
};
