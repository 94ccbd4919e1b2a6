// The Explain panel's live verdicts are evaluated incrementally (one evaluator per model and
// VMCS); at every step of the bring-up, across VM entries, exits and edits made from the panels,
// they equal a fresh evaluation of every check.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LabSession } from './session.ts';
import { evaluateEntryChecks } from './verdicts.ts';
import type { Machine } from '../machine/machine.ts';
import type { VmxModel } from '../vmx/index.ts';

const BRINGUP = readFileSync(new URL('../ui/programs/bringup.asm', import.meta.url), 'utf8');

function verdicts(m: Machine, model: VmxModel, fresh: boolean) {
  return evaluateEntryChecks(m, model, fresh)?.results.map((r) => [r.check.id, r.verdict.kind, r.verdict.kind === 'fail' ? r.verdict.message : '']);
}

describe('Explain verdicts, incremental', () => {
  it('equal a fresh evaluation at every step and after panel edits', () => {
    const s = new LabSession();
    s.load(BRINGUP, { profile: '', msrEdits: {}, breakpoints: [] });
    const inner = s as unknown as { machine: Machine; model: VmxModel };
    let compared = 0;
    for (let i = 0; i < 700 && !inner.machine.stopped; i++) {
      s.step();
      if (i === 150) s.vmwrite('GUEST_RIP', 0x1234n);
      if (i === 200) s.vmwrite('VM_EXIT_CONTROLS', 0n);
      if (i === 250) s.setCrBit('CR4', 13, false);
      if (i === 300) s.stepBack(40);
      const a = verdicts(inner.machine, inner.model, false);
      if (a) compared++;
      expect(a).toEqual(verdicts(inner.machine, inner.model, true));
    }
    expect(compared).toBeGreaterThan(100);
  });
});
