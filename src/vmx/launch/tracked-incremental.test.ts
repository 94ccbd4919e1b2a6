// The model's own path through the incremental VM-entry checks: a context kept per VMCS
// (entryContextFor) over the typed VMCS store, whose change stamps replace the comparison of
// values (decisions 0040, 0060). Its verdicts equal a full evaluation on a freshly built context
// after random VMWRITEs, capability-MSR edits (new field resolver; the capability stamp of a
// VersionedMap, decision 0061), processor-state changes and VMLAUNCH/VMRESUME, on every test profile.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldByName } from '../../arch/vmcs/fields.ts';
import type { CpuHandle } from '../../x86/env.ts';
import { CpuState } from '../../x86/state.ts';
import { VmxCaps } from '../caps.ts';
import { ENTRY_CHECKS } from '../entry/checks/index.ts';
import { IncrementalEntryChecks } from '../entry/incremental.ts';
import { runEntryChecks } from '../entry/runner.ts';
import { TEST_PROFILES, type TestProfile } from '../entry/testing/profiles.ts';
import { validCpu, validVmcsFields } from '../entry/testing/valid-vmcs.ts';
import { vmcsGet, vmcsSet } from '../vmcs-access.ts';
import { makeFieldResolver } from '../vmcs-fields.ts';
import { VersionedMap } from '../model-caps.ts';
import { ChangeLog, VmcsValues } from '../vmcs-values.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { buildEntryContext, entryContextFor } from './entry-context.ts';

interface Rig {
  readonly cpu: CpuHandle;
  readonly vmcs: ActiveVmcs;
  /** The capability MSRs as the Machine keeps them (a VersionedMap: the context's capability stamp). */
  readonly readOnly: VersionedMap<number, bigint>;
  msrs: Record<number, bigint>;
  launch: 'vmlaunch' | 'vmresume';
}

function rig(p: TestProfile): Rig {
  const s = new CpuState();
  const c = validCpu();
  s.efer = Number(c.efer);
  s.cr0 = Number(c.cr0);
  s.cr4 = Number(c.cr4);
  s.segSel.set([0x10, 0x08, 0x10, 0x10, 0x10, 0x10, 0, 0x18]);
  const readOnly = new VersionedMap(Object.entries(p.msrs).map(([k, v]) => [Number(k), v] as const));
  const env = { config: { features: { la57: p.linearAddressBits === 57 }, cpuid: () => undefined, readOnlyMsrs: readOnly } };
  const cpu = { state: s, env, readPhys: () => 0n } as unknown as CpuHandle;
  const vmcs: ActiveVmcs = { addr: 0x5000, launch: 'clear', shadow: false, fields: new VmcsValues() };
  for (const [name, v] of validVmcsFields(p)) vmcsSet(vmcs, fieldByName(name)!.encoding, v);
  return { cpu, vmcs, readOnly, msrs: { ...p.msrs }, launch: 'vmlaunch' };
}

const FIELDS = [...validVmcsFields(TEST_PROFILES[0]!).keys(), 'SECONDARY_VM_EXEC_CONTROL', 'EPT_POINTER', 'VM_ENTRY_MSR_LOAD_COUNT',
  'VM_ENTRY_INTR_INFO_FIELD', 'TPR_THRESHOLD', 'VIRTUAL_PROCESSOR_ID', 'GUEST_PDPTR0', 'GUEST_PDPTR0_HIGH', 'VMCS_LINK_POINTER_HIGH'];

type Step =
  | { readonly kind: 'vmwrite'; readonly field: string; readonly value: bigint }
  | { readonly kind: 'toggle-bit'; readonly field: string; readonly bit: number }
  | { readonly kind: 'same-value'; readonly field: string }
  | { readonly kind: 'msr'; readonly bit: number; readonly which: number }
  | { readonly kind: 'cr4'; readonly bit: number }
  | { readonly kind: 'launch' }
  | { readonly kind: 'burst'; readonly writes: readonly (readonly [string, bigint])[] };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('vmwrite' as const), field: fc.constantFrom(...FIELDS), value: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }) }),
  fc.record({ kind: fc.constant('toggle-bit' as const), field: fc.constantFrom(...FIELDS), bit: fc.integer({ min: 0, max: 63 }) }),
  fc.record({ kind: fc.constant('same-value' as const), field: fc.constantFrom(...FIELDS) }),
  fc.record({ kind: fc.constant('msr' as const), bit: fc.integer({ min: 0, max: 63 }), which: fc.nat() }),
  fc.record({ kind: fc.constant('cr4' as const), bit: fc.integer({ min: 0, max: 24 }) }),
  fc.constant({ kind: 'launch' as const }),
  // Many VMWRITEs between two entries: past the store's change log (ChangeLog.SIZE) the checks compare every stamp.
  fc.record({ kind: fc.constant('burst' as const), writes: fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.bigInt({ min: 0n, max: 0xffff_ffffn })), { maxLength: 90 }) }),
);

function apply(r: Rig, s: Step): void {
  const enc = (name: string) => fieldByName(name)!.encoding & ~1;
  switch (s.kind) {
    case 'vmwrite': vmcsSet(r.vmcs, enc(s.field), s.value); return;
    case 'toggle-bit': vmcsSet(r.vmcs, enc(s.field), vmcsGet(r.vmcs, enc(s.field)) ^ (1n << BigInt(s.bit))); return;
    case 'same-value': vmcsSet(r.vmcs, enc(s.field), vmcsGet(r.vmcs, enc(s.field))); return;
    case 'msr': {
      const keys = Object.keys(r.msrs).map(Number).sort((a, b) => a - b);
      const k = keys[s.which % keys.length]!;
      r.msrs = { ...r.msrs, [k]: r.msrs[k]! ^ (1n << BigInt(s.bit)) };
      r.readOnly.set(k, r.msrs[k]!);
      return;
    }
    case 'cr4': r.cpu.state.cr4 = (r.cpu.state.cr4 ^ (1 << s.bit)) >>> 0; return;
    case 'launch': r.launch = r.launch === 'vmlaunch' ? 'vmresume' : 'vmlaunch'; return;
    case 'burst': for (const [field, value] of s.writes) vmcsSet(r.vmcs, enc(field), value); return;
  }
}

/** The first test profile's valid VMCS with one incremental evaluator, and a VMRESUME's checks on it. */
function resumeRig() {
  const p = TEST_PROFILES[0]!;
  const r = rig(p);
  const msr = (i: number) => r.msrs[i] ?? 0n;
  const caps = new VmxCaps(msr, p.maxPhysAddr);
  const fields = makeFieldResolver()(r.msrs);
  const inc = new IncrementalEntryChecks();
  const run = () => inc.run(entryContextFor(r.cpu, r.vmcs, caps, msr, fields, 'vmresume'));
  return { r, inc, run };
}

describe('incremental checks over the model store (change stamps)', () => {
  // The model builds a new field resolver (a new tracking layout) when a capability MSR changes;
  // with one kept fixed, an MSR edit is seen only through the capability stamp.
  const cases = TEST_PROFILES.flatMap((p) => [[p.id, 'follows the MSRs', p, true], [p.id, 'kept', p, false]] as const);
  it.each(cases)('%s, resolver %s: verdicts == a full evaluation after every entry', (_id, _how, p, follow) => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
      const r = rig(p);
      const resolverFor = makeFieldResolver();
      const inc = new IncrementalEntryChecks();
      const entry = () => {
        const msr = (i: number) => r.readOnly.get(i) ?? 0n;
        const caps = new VmxCaps(msr, p.maxPhysAddr);
        const fields = resolverFor(follow ? r.msrs : p.msrs);
        const got = inc.run(entryContextFor(r.cpu, r.vmcs, caps, msr, fields, r.launch));
        const full = runEntryChecks(buildEntryContext(r.cpu, r.vmcs, caps, msr, fields, r.launch));
        expect(got.decision).toEqual(full.decision);
        expect(got.results.map((x) => [x.check.id, x.verdict])).toEqual(full.results.map((x) => [x.check.id, x.verdict]));
      };
      entry();
      for (const s of steps) {
        apply(r, s);
        entry();
      }
    }), { numRuns: process.env.VMXLAB_SLOW === '1' ? 1000 : 25, seed: 20261121 });
  });

  it('writing a field its own value again re-runs nothing; a new value re-runs only its readers', () => {
    const { r, inc, run } = resumeRig();
    run();
    expect(inc.lastEvaluated).toBe(ENTRY_CHECKS.length);
    const rip = fieldByName('GUEST_RIP')!.encoding;
    vmcsSet(r.vmcs, rip, vmcsGet(r.vmcs, rip));
    run();
    expect(inc.lastEvaluated).toBe(0);
    vmcsSet(r.vmcs, rip, vmcsGet(r.vmcs, rip) + 2n);
    run();
    const readers = ENTRY_CHECKS.filter((c) => c.fields.includes('GUEST_RIP')).length;
    expect(inc.lastEvaluated).toBeGreaterThan(0);
    expect(inc.lastEvaluated).toBeLessThanOrEqual(readers);
  });

  it('a change the store\'s change log no longer holds is still seen (every stamp compared)', () => {
    const { r, inc, run } = resumeRig();
    const canonical = run();
    expect(canonical.decision.kind).toBe('pass');
    // A non-canonical guest RIP (IA-32e mode guest, CS.L = 1), then more changes than the log holds, none read by a check.
    vmcsSet(r.vmcs, fieldByName('GUEST_RIP')!.encoding, 0x8000_0000_0000n);
    const reason = fieldByName('VM_EXIT_REASON')!.encoding;
    for (let k = 1; k <= ChangeLog.SIZE + 6; k++) vmcsSet(r.vmcs, reason, BigInt(k));
    const report = run();
    expect(report.results.find((x) => x.check.id === 'guest.rip.canonical')?.verdict.kind).toBe('fail');
    expect(report.decision.kind).toBe('entry-failure');
    // Within the log: only the field's readers run again.
    vmcsSet(r.vmcs, fieldByName('GUEST_RIP')!.encoding, 0x1000n);
    expect(run().decision.kind).toBe('pass');
    expect(inc.lastEvaluated).toBeLessThanOrEqual(ENTRY_CHECKS.filter((c) => c.fields.includes('GUEST_RIP')).length);
  });
});
