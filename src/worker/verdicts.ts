// The verdict of every VM-entry check on the current VMCS, evaluated now (not only at the last
// VMLAUNCH/VMRESUME), so the Explain panel updates live as the learner edits. A pure helper on
// top of the core: the checks, their context and their order are src/vmx's
// (SDM Vol. 3C ch. 27 "VM Entries"); this file only builds the context from a paused machine.

import { formatSdm } from '../arch/sdm.ts';
import type { Machine } from '../machine/machine.ts';
import { VmxCaps } from '../vmx/caps.ts';
import { failureKindOf } from '../vmx/entry/check.ts';
import { IncrementalEntryChecks } from '../vmx/entry/incremental.ts';
import type { EntryCheckReport } from '../vmx/entry/runner.ts';
import type { VmxModel } from '../vmx/index.ts';
import { buildEntryContext } from '../vmx/launch/entry-context.ts';
import { makeFieldResolver } from '../vmx/vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx/vmx-state.ts';
import type { CpuHandle } from '../x86/env.ts';
import { ENTRY_CHECKS } from '../vmx/entry/checks/index.ts';
import { fieldByName } from '../arch/vmcs/fields.ts';
import type { CheckMeta, CheckView, ExplainView, FieldWriteView } from './types.ts';
import { hex } from './hex.ts';

const resolverFor = makeFieldResolver();

/**
 * The Explain panel evaluates the checks after every command. Like VM entry itself (decision
 * 0040) it keeps one incremental evaluator per model and VMCS: a check whose recorded inputs
 * (fields, MSRs, memory, processor state) are unchanged keeps its verdict, so a Step that touches
 * none of them costs a comparison instead of ~250 checks. The report is the same either way.
 */
const evaluators = new WeakMap<VmxModel, Map<number, IncrementalEntryChecks>>();

function evaluatorFor(model: VmxModel, addr: number): IncrementalEntryChecks {
  let byVmcs = evaluators.get(model);
  if (!byVmcs) evaluators.set(model, (byVmcs = new Map()));
  let e = byVmcs.get(addr);
  if (!e) byVmcs.set(addr, (e = new IncrementalEntryChecks()));
  return e;
}

/** The consequence of a failing check, in words (SDM Vol. 3C §27.2 and §27.7). */
function consequence(area: Parameters<typeof failureKindOf>[0]): string {
  const k = failureKindOf(area);
  return k.kind === 'vmfail'
    ? `VMfailValid(${k.error})`
    : `VM-entry failure, exit reason ${k.reason} (${k.reason === 33 ? 'invalid guest state' : 'MSR loading'})`;
}

/**
 * Runs every VM-entry check against the machine's current VMCS, as VMLAUNCH/VMRESUME would now
 * (incrementally, reusing the verdicts whose inputs did not change; `fresh`: all of them again).
 */
export function evaluateEntryChecks(machine: Machine, model: VmxModel, fresh = false): EntryCheckReport | undefined {
  const summary = model.vmcses().find((v) => v.current);
  if (!summary || model.mode() === 'off') return undefined;
  const fields = new Map<number, bigint>();
  for (const f of model.currentFields()) fields.set(f.encoding, f.value);
  const vmcs: ActiveVmcs = { addr: Number(summary.addr), launch: summary.launch, shadow: summary.shadow, fields };
  const config = machine.profile.cpu;
  const msr = (index: number): bigint => config.readOnlyMsrs.get(index) ?? machine.cpu.msrs.get(index) ?? 0n;
  const readPhys = (addr: number, size: 1 | 2 | 4 | 8): bigint => {
    const b = machine.memory.readBytes(addr, size);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  };
  // Only `state`, `env.config` and `readPhys` are read while building the context.
  const cpu = { state: machine.cpu, env: { config }, readPhys } as unknown as CpuHandle;
  const caps = new VmxCaps(msr, config.maxPhysAddr);
  const launch = summary.launch === 'launched' ? 'vmresume' : 'vmlaunch';
  return (fresh ? new IncrementalEntryChecks() : evaluatorFor(model, vmcs.addr)).run(buildEntryContext(cpu, vmcs, caps, msr, resolverFor(Object.fromEntries(config.readOnlyMsrs)), launch));
}

/** Title, SDM section and consequence of every check, in evaluation order (the catalog). */
export function checkCatalog(): CheckMeta[] {
  return ENTRY_CHECKS.map((c) => ({ id: c.id, area: c.area, title: c.title, sdm: formatSdm(c.sdm), consequence: consequence(c.area) }));
}

/** The Explain panel's view of the checks on the current VMCS: the failing ones in full, counts of the rest. */
export function explainView(machine: Machine, model: VmxModel, writtenAt: (encoding: number) => FieldWriteView | undefined = () => undefined): ExplainView {
  const report = evaluateEntryChecks(machine, model);
  const launched = model.vmcses().find((v) => v.current)?.launch === 'launched';
  const launch = launched ? 'vmresume' : 'vmlaunch';
  if (!report) return { source: 'none', launch, decision: 'No current VMCS: VMPTRLD one to see the VM-entry checks.', failing: [], passed: 0, notApplicable: 0 };
  const failing: CheckView[] = [];
  let passed = 0, notApplicable = 0;
  for (const { check, verdict } of report.results) {
    if (verdict.kind === 'pass') passed++;
    else if (verdict.kind === 'not-applicable') notApplicable++;
    else {
      failing.push({
        id: check.id,
        message: verdict.message,
        expected: verdict.expected,
        values: verdict.values.map((v) => {
          const f = fieldByName(v.name);
          const written = f ? writtenAt(f.encoding & ~1) : undefined;
          return written ? { name: v.name, value: hex(v.value), written } : { name: v.name, value: hex(v.value) };
        }),
        capability: verdict.capability
          ? `${verdict.capability.msr} (0x${verdict.capability.index.toString(16)})${verdict.capability.bits ? ` bit ${verdict.capability.bits.join(', ')}` : ''}`
          : undefined,
        fix: verdict.fix ? { field: verdict.fix.field, value: hex(verdict.fix.value) } : undefined,
      });
    }
  }
  const d = report.decision;
  const decision = d.kind === 'pass'
    ? `${launch.toUpperCase()} would pass every check.`
    : d.kind === 'vmfail'
      ? `${launch.toUpperCase()} would fail with VMfailValid(${d.error}): ${d.check.id}`
      : `${launch.toUpperCase()} would fail VM entry with exit reason ${d.reason}: ${d.check.id}`;
  return { source: 'live', launch, decision, failing, passed, notApplicable };
}
