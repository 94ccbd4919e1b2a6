// Property tests of the runner over random VMCS contents: no check throws whatever the
// fields hold, every failure explains itself, and the decision is the first failure in
// the table's order (MSR loading: the lowest entry index).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { runEntryChecks } from './runner.ts';
import { failureKindOf } from './check.ts';
import { TEST_PROFILES } from './testing/profiles.ts';
import { validEntry, validVmcsFields } from './testing/valid-vmcs.ts';

const FIELD_NAMES = [...validVmcsFields(TEST_PROFILES[0]!).keys(), 'SECONDARY_VM_EXEC_CONTROL', 'EPT_POINTER', 'VM_ENTRY_MSR_LOAD_ADDR',
  'VM_ENTRY_MSR_LOAD_COUNT', 'VM_ENTRY_INTR_INFO_FIELD', 'VM_ENTRY_EXCEPTION_ERROR_CODE', 'VM_ENTRY_INSTRUCTION_LEN', 'GUEST_PDPTR0', 'TPR_THRESHOLD'];

/** A value biased toward the interesting ones: small, single bits, all ones, random. */
const value = fc.oneof(fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }), fc.integer({ min: 0, max: 63 }).map((b) => 1n << BigInt(b)),
  fc.constantFrom(0n, 0xffff_ffff_ffff_ffffn, 0xffff_ffffn, 0x1000n), fc.integer({ min: 0, max: 20 }).map(BigInt));
const mutation = fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), value), { minLength: 1, maxLength: 8 });

describe('runEntryChecks on random VMCS contents', () => {
  it.each(TEST_PROFILES.map((p) => [p.id, p] as const))('%s: never throws; the decision is the first failure in order', (_id, profile) => {
    fc.assert(fc.property(mutation, fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }), (muts, mem) => {
      const e = validEntry(profile);
      for (const [f, v] of muts) e.vmcs.set(f, v);
      e.write(e.vmcs.get('VM_ENTRY_MSR_LOAD_ADDR') ?? 0n, 8, mem);
      const r = runEntryChecks(e.ctx);
      const failures = r.results.filter((x) => x.verdict.kind === 'fail');
      for (const f of failures) if (f.verdict.kind === 'fail') expect(f.verdict.message.length).toBeGreaterThan(10);
      const nonMsr = failures.find((x) => failureKindOf(x.check.area).kind === 'vmfail' || x.check.area.startsWith('guest.'));
      if (failures.length === 0) expect(r.decision).toEqual({ kind: 'pass' });
      else if (nonMsr) expect(r.decision.kind !== 'pass' && r.decision.check).toBe(nonMsr.check);
      else expect(r.decision).toMatchObject({ kind: 'entry-failure', reason: 34 });
    }), { numRuns: 150, seed: 20261121 });
  });
});
