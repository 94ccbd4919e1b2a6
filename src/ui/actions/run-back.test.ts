// The run-back action: its accessible name per field, when it is enabled, and the step it
// travels to (just before the writing instruction).
import { describe, expect, it } from 'vitest';
import type { LabCommands } from '../store/bridge.ts';
import type { LabState } from '../store/slices.ts';
import type { FieldWriteView } from '../../worker/types.ts';
import { describeWrite, runBackAction } from './index.ts';

function state(written: FieldWriteView | undefined, status: LabState['status'] = 'idle'): LabState {
  const field = { name: 'GUEST_RIP', value: '0x0', exists: true, ...(written ? { written } : {}) };
  return { status, snapshot: { vmcs: { fields: [field] } } } as unknown as LabState;
}

function recorder(): { api: LabCommands; jumps: number[] } {
  const jumps: number[] = [];
  return { api: { jumpTo: async (n: number) => { jumps.push(n); } } as unknown as LabCommands, jumps };
}

describe('Run back to last write of FIELD', () => {
  it('is named for its field', () => {
    expect(runBackAction.label('GUEST_RIP')).toBe('Run back to last write of GUEST_RIP');
  });

  it('is enabled only when idle and the field has a known write', () => {
    expect(runBackAction.enabled(state({ step: 9, by: 'vm-exit' }), 'GUEST_RIP')).toBe(true);
    expect(runBackAction.enabled(state(undefined), 'GUEST_RIP')).toBe(false);
    expect(runBackAction.enabled(state({ step: 9 }, 'running'), 'GUEST_RIP')).toBe(false);
    expect(runBackAction.enabled(state({ step: 9 }), 'HOST_RIP')).toBe(false);
  });

  it('travels to the step before the writing instruction, and does nothing while running', async () => {
    const r = recorder();
    await runBackAction.perform(r.api, state({ step: 42, line: 7 }), 'GUEST_RIP');
    await runBackAction.perform(r.api, state({ step: 1, by: 'vm-exit' }), 'GUEST_RIP');
    await runBackAction.perform(r.api, state({ step: 42 }, 'running'), 'GUEST_RIP');
    await runBackAction.perform(r.api, state(undefined), 'GUEST_RIP');
    expect(r.jumps).toEqual([41, 0]);
  });

  it('says who wrote the field', () => {
    expect(describeWrite({ step: 40, line: 12 })).toBe('written at line 12, step 40');
    expect(describeWrite({ step: 40 })).toBe('written from a panel, step 40');
    expect(describeWrite({ step: 90, by: 'vm-exit' })).toBe('written by the VM exit at step 90');
    expect(describeWrite({ step: 91, by: 'entry-failure' })).toBe('written by the failed VM entry at step 91');
    expect(describeWrite({ step: 5, by: 'vmfail' })).toBe('written by VMfailValid at step 5');
  });
});
