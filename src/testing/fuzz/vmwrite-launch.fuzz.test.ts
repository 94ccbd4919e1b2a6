// Random VMWRITE (field, value) pairs followed by VMLAUNCH on a machine that has a valid VMCS
// (the conformance bring-up): every VMWRITE ends in VMsucceed or VMfailValid with an SDM error
// number, the VMLAUNCH in one architectural outcome (VMfailInvalid, VMfailValid(n), a VM-entry
// failure with exit reason 33/34 and the deciding check, or a VM entry), never an exception; and
// the explain-all runner's first failing verdict, evaluated just before the VMLAUNCH, is that
// outcome (SDM Vol. 3C §27.1-§27.2 "Basic VM-Entry Checks", "Checks on VMX Controls and Host-State
// Area"; §27.8 "VM-Entry Failures During or After Loading Guest State"; §31.4 "VM Instruction Error Numbers").

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VM_INSTRUCTION_ERRORS } from '../../arch/vm-instruction-errors.ts';
import { VMCS_FIELDS } from '../../arch/vmcs/fields.ts';
import type { MachineEvent } from '../../machine/events.ts';
import { budgetMs, fuzzParams, runs } from './config.ts';
import { makeBringupRig, setWrites, TABLE_PAIRS, type BringupRig } from './bringup.ts';
import { evaluateEntryChecks } from '../../worker/verdicts.ts';

const ERRORS = new Set(VM_INSTRUCTION_ERRORS.map((e) => e.number));
const ENCODINGS = VMCS_FIELDS.map((f) => BigInt(f.encoding));
const NUM_RUNS = runs(1_500, 50_000); // per profile: 3,000 in all, 10^5 with VMXLAB_SLOW=1

/** Values that hit the interesting corners: the field's current value with bits flipped, small numbers, masks. */
const value = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: 0xffffn }),
  fc.integer({ min: 0, max: 63 }).map((b) => 1n << BigInt(b)),
  fc.constantFrom(0n, 1n, 0xffff_ffffn, (1n << 64n) - 1n, 0xffff_8880_0000_0000n, 0x8000_0000_0000_0000n),
);
const field = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ENCODINGS) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 0xffffn }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) },
);
// MSR-list counts get the full 32-bit range: VMLAUNCH reads only the entries it loads, and VM
// exits bound their lists (a count of 0xFFFFFFF7 once hung the machine; found by this suite).
const pair = fc.tuple(field, value);
const writes = fc.array(pair, { minLength: 0, maxLength: Math.min(TABLE_PAIRS, 6) });

type Launch =
  | { kind: 'VMfailInvalid' }
  | { kind: 'VMfailValid'; error: number }
  | { kind: 'entry-failure'; reason: number; check: string | undefined }
  | { kind: 'entry' };

/** Runs the writes and the VMLAUNCH; returns the launch's outcome and checks every VMWRITE's. */
function launchWith(rig: BringupRig, pairs: readonly (readonly [bigint, bigint])[]): { launch: Launch; explain: ReturnType<typeof evaluateEntryChecks> } {
  const m = rig.machine;
  m.restore(rig.paused);
  setWrites(rig, pairs);
  m.breakpoints.add(rig.launch);
  const r = m.run({ maxSteps: 20 + pairs.length * 8 });
  m.breakpoints.clear();
  expect(r.kind).toBe('breakpoint');
  for (const e of m.events.slice(rig.paused.eventCount)) {
    expect(e.kind).toBe('vmx');
    if (e.kind !== 'vmx') continue;
    expect(['VMsucceed', 'VMfailValid']).toContain(e.result);
    if (e.result === 'VMfailValid') expect(ERRORS.has(e.error ?? -1)).toBe(true);
  }
  const explain = evaluateEntryChecks(m, rig.model);
  const before = m.events.length;
  m.step();
  const after: MachineEvent[] = m.events.slice(before);
  const vmx = after.find((e) => e.kind === 'vmx');
  const exit = after.find((e) => e.kind === 'vmexit');
  const entry = after.find((e) => e.kind === 'vmentry');
  let launch: Launch;
  if (vmx?.kind === 'vmx' && vmx.result === 'VMfailInvalid') launch = { kind: 'VMfailInvalid' };
  else if (vmx?.kind === 'vmx' && vmx.result === 'VMfailValid') launch = { kind: 'VMfailValid', error: vmx.error ?? -1 };
  else if (exit?.kind === 'vmexit' && exit.entryFailure) launch = { kind: 'entry-failure', reason: exit.reason, check: exit.check };
  else if (entry !== undefined) launch = { kind: 'entry' };
  else throw new Error(`VMLAUNCH produced no architectural outcome: ${JSON.stringify(after, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`);
  return { launch, explain };
}

describe('random VMWRITEs then VMLAUNCH (fuzz)', () => {
  for (const profile of ['skylake-client', 'core2-conroe']) {
    const rig = makeBringupRig(profile);

    it(`${profile}: the unchanged bring-up enters the guest`, () => {
      expect(launchWith(rig, []).launch).toEqual({ kind: 'entry' });
    });

    it(`${profile}: every outcome is architectural and the explain-all runner agrees (${NUM_RUNS} inputs)`, () => {
      const seen = new Set<string>();
      fc.assert(
        fc.property(writes, (pairs) => {
          const { launch, explain } = launchWith(rig, pairs);
          seen.add(launch.kind);
          if (launch.kind === 'VMfailValid') expect(ERRORS.has(launch.error)).toBe(true);
          if (launch.kind === 'entry-failure') {
            expect([33, 34]).toContain(launch.reason);
            expect(launch.check).toBeTypeOf('string');
          }
          expect(launch.kind).not.toBe('VMfailInvalid'); // a current VMCS exists throughout
          expect(explain).toBeDefined();
          const d = explain!.decision;
          if (d.kind === 'pass') expect(launch).toEqual({ kind: 'entry' });
          else if (d.kind === 'vmfail') expect(launch).toEqual({ kind: 'VMfailValid', error: d.error });
          else expect(launch).toEqual({ kind: 'entry-failure', reason: d.reason, check: d.check.id });
          // After an entry the guest runs a bounded number of steps without the lab throwing.
          if (launch.kind === 'entry') rig.machine.run({ maxSteps: 50 });
        }),
        fuzzParams(NUM_RUNS),
      );
      // The inputs reach every kind of outcome, so the agreement above was tested on each.
      expect([...seen].sort()).toEqual(['VMfailValid', 'entry', 'entry-failure']);
    }, budgetMs(NUM_RUNS, 5));
  }
});
