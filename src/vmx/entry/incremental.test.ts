// Incremental evaluation gives exactly the verdicts of a full evaluation, over random
// sequences of VMWRITEs, capability-MSR edits, memory writes, processor-state changes and
// VMLAUNCH/VMRESUME, on every test profile; and it reuses verdicts when nothing changed.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { IncrementalEntryChecks } from './incremental.ts';
import { runEntryChecks } from './runner.ts';
import { TEST_PROFILES } from './testing/profiles.ts';
import { validEntry, validVmcsFields } from './testing/valid-vmcs.ts';
import { ENTRY_CHECKS } from './checks/index.ts';
import type { FakeEntry } from './testing/fake-context.ts';

const FIELD_NAMES = [...validVmcsFields(TEST_PROFILES[0]!).keys(), 'SECONDARY_VM_EXEC_CONTROL', 'EPT_POINTER', 'VM_ENTRY_MSR_LOAD_ADDR',
  'VM_ENTRY_MSR_LOAD_COUNT', 'VM_ENTRY_INTR_INFO_FIELD', 'VM_ENTRY_EXCEPTION_ERROR_CODE', 'VM_ENTRY_INSTRUCTION_LEN', 'GUEST_PDPTR0',
  'TPR_THRESHOLD', 'VIRTUAL_APIC_PAGE_ADDR', 'IO_BITMAP_A', 'MSR_BITMAP', 'VMX_PREEMPTION_TIMER_VALUE', 'VIRTUAL_PROCESSOR_ID'];

const value = fc.oneof(fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }), fc.integer({ min: 0, max: 63 }).map((b) => 1n << BigInt(b)),
  fc.constantFrom(0n, 0xffff_ffff_ffff_ffffn, 0xffff_ffffn, 0x1000n), fc.integer({ min: 0, max: 20 }).map(BigInt));

/** One thing software (or the processor) changes between two VM entries. */
type Step =
  | { readonly kind: 'vmwrite'; readonly field: string; readonly value: bigint }
  | { readonly kind: 'toggle-bit'; readonly field: string; readonly bit: number }
  | { readonly kind: 'msr'; readonly bit: number; readonly which: number }
  | { readonly kind: 'memory'; readonly value: bigint }
  | { readonly kind: 'cr4'; readonly bit: number }
  | { readonly kind: 'launch' }
  | { readonly kind: 'entry' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('vmwrite' as const), field: fc.constantFrom(...FIELD_NAMES), value }),
  fc.record({ kind: fc.constant('toggle-bit' as const), field: fc.constantFrom(...FIELD_NAMES), bit: fc.integer({ min: 0, max: 63 }) }),
  fc.record({ kind: fc.constant('msr' as const), bit: fc.integer({ min: 0, max: 63 }), which: fc.nat() }),
  fc.record({ kind: fc.constant('memory' as const), value }),
  fc.record({ kind: fc.constant('cr4' as const), bit: fc.integer({ min: 0, max: 24 }) }),
  fc.constant({ kind: 'launch' as const }),
  fc.constant({ kind: 'entry' as const }),
);

function apply(e: FakeEntry, s: Step): void {
  switch (s.kind) {
    case 'vmwrite': e.vmcs.set(s.field, s.value); return;
    case 'toggle-bit': e.vmcs.set(s.field, (e.vmcs.get(s.field) ?? 0n) ^ (1n << BigInt(s.bit))); return;
    case 'msr': {
      const keys = [...e.msrs.keys()].sort((a, b) => a - b);
      const k = keys[s.which % keys.length]!;
      e.msrs.set(k, e.msrs.get(k)! ^ (1n << BigInt(s.bit)));
      return;
    }
    case 'memory': e.write(e.vmcs.get('VM_ENTRY_MSR_LOAD_ADDR') ?? 0n, 8, s.value); return;
    case 'cr4': e.cpu = { ...e.cpu, cr4: e.cpu.cr4 ^ (1n << BigInt(s.bit)) }; return;
    case 'launch': e.launch = e.launch === 'vmlaunch' ? 'vmresume' : 'vmlaunch'; return;
    case 'entry': return;
  }
}

describe('IncrementalEntryChecks', () => {
  it.each(TEST_PROFILES.map((p) => [p.id, p] as const))('%s: incremental verdicts == full verdicts after every entry', (_id, profile) => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
      const e = validEntry(profile);
      const inc = new IncrementalEntryChecks();
      expect(inc.run(e.ctx)).toEqual(runEntryChecks(e.ctx));
      for (const s of steps) {
        apply(e, s);
        const full = runEntryChecks(e.ctx);
        const r = inc.run(e.ctx);
        expect(r.decision).toEqual(full.decision);
        expect(r.results.map((x) => [x.check.id, x.verdict])).toEqual(full.results.map((x) => [x.check.id, x.verdict]));
      }
    }), { numRuns: process.env.VMXLAB_SLOW === '1' ? 3000 : 60, seed: 20261121 });
  });

  it('re-runs only the checks that read a changed field, and none when nothing changed', () => {
    const e = validEntry(TEST_PROFILES[0]!);
    const inc = new IncrementalEntryChecks();
    inc.run(e.ctx);
    expect(inc.lastEvaluated).toBe(ENTRY_CHECKS.length);
    const first = inc.run(e.ctx);
    expect(inc.lastEvaluated).toBe(0);
    expect(inc.run(e.ctx)).toBe(first);
    e.vmcs.set('GUEST_RIP', (e.vmcs.get('GUEST_RIP') ?? 0n) + 2n);
    const r = inc.run(e.ctx);
    const readers = ENTRY_CHECKS.filter((c) => c.fields.includes('GUEST_RIP')).length;
    expect(inc.lastEvaluated).toBeGreaterThan(0);
    expect(inc.lastEvaluated).toBeLessThanOrEqual(Math.max(readers, 1) + 2);
    expect(r.results.map((x) => x.verdict)).toEqual(runEntryChecks(e.ctx).results.map((x) => x.verdict));
  });

  it('a change of processor state evaluates every check again', () => {
    const e = validEntry(TEST_PROFILES[0]!);
    const inc = new IncrementalEntryChecks();
    inc.run(e.ctx);
    e.cpu = { ...e.cpu, cr0: e.cpu.cr0 ^ 1n };
    inc.run(e.ctx);
    expect(inc.lastEvaluated).toBe(ENTRY_CHECKS.length);
  });
});
