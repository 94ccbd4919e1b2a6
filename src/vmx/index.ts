// The VT-x model: `createVmxModel` plugs every VMX instruction, VM entry and VM exit into the
// executor's VMX hooks (src/x86/env.ts) and answers the queries of the UI and CLI (current VMCS
// fields, every active VMCS with its launch state, the verdicts of the last VM entry).
// SDM Vol. 3C ch. 24-28 and 31.

import type { CpuHandle, VmxHooks, VmxStop, X86Env } from '../x86/env.ts';
import type { DecodedInstruction } from '../x86/isa/decoded.ts';
import type { CpuState } from '../x86/state.ts';
import { type VmxCaps, VMX_MSR } from './caps.ts';
import { ModelCaps } from './model-caps.ts';
import type { EntryCheckReport } from './entry/runner.ts';
import type { EntryContext } from './entry/context.ts';
import { IncrementalEntryChecks } from './entry/incremental.ts';
import { instructionExitInfo } from './exit/instruction-info.ts';
import { blockingAt, onEntry, timerLeft } from './exit/boundary.ts';
import type { VmxAbort } from './exit/abort.ts';
import { hostTsc } from './exit/guest-values.ts';
import { INTR_TYPE } from './exit/events.ts';
import type { InstructionExit } from './exit/intercept.ts';
import { vmExit, type ExitRecord } from './exit/vm-exit.ts';
import { ENTRY_INTR_NUM } from '../arch/vmx-info.ts';
import { disassembleCached } from '../x86/disasm.ts';
import { injectEvent } from './transition/inject.ts';
import { rflagsAfter, type InsnResult } from './instructions/common.ts';
import type { LaunchContext } from './instructions/vmlaunch.ts';
import { ENABLE_EPT, EXIT_CTLS, EXIT_REASON, exitReasonName, SECONDARY_CTLS } from './local-arch.ts';
import type { Verdict, VmxOutcome } from './outcome.ts';
import { formatSdm } from '../arch/sdm.ts';
import { ModelExitReport, type VmxReport } from './reports.ts';
import { secondaryControlsNum, valuesOf, vmcsSet } from './vmcs-access.ts';
import { F, X, fieldName, makeFieldResolver } from './vmcs-fields.ts';
import { VmxState, type ActiveVmcs, type LaunchState, type VmxMode } from './vmx-state.ts';
import { EptController, type EptControllerSnapshot } from './ept/controller.ts';
import { ModelHooks, type HookedModel } from './model-hooks.ts';

export type { VmxReport } from './reports.ts';
export { VersionedMap } from './model-caps.ts';
export type { VmxMode, LaunchState } from './vmx-state.ts';

/** One field of a VMCS as the VMCS panel shows it. */
export interface VmcsFieldValue {
  readonly name: string;
  readonly encoding: number;
  readonly value: bigint;
}

/** One VMCS the processor holds active. */
export interface VmcsSummary {
  readonly addr: bigint;
  readonly launch: LaunchState;
  readonly shadow: boolean;
  readonly current: boolean;
}

/** The model: the machine's VMX plug plus the queries of the UI and CLI. */
export interface VmxModel {
  readonly hooks: VmxHooks;
  mode(): VmxMode;
  takeReports(): VmxReport[];
  takeReportsInto(out: VmxReport[]): number;
  snapshot(): unknown;
  restore(snap: unknown): void;
  reset(): void;
  /** VMXON pointer, or undefined outside VMX operation. */
  vmxonPointer(): bigint | undefined;
  /** The current-VMCS pointer (FFFFFFFF_FFFFFFFFH when none). */
  currentPointer(): bigint;
  /** Fields of the current VMCS that hold a value (never-written fields read as 0), in encoding order. */
  currentFields(): VmcsFieldValue[];
  /** Every active VMCS with its launch state. */
  vmcses(): VmcsSummary[];
  /** Every check's verdict at the last VMLAUNCH/VMRESUME that reached the checks. */
  lastEntryReport(): EntryCheckReport | undefined;
  /** The same as plain data (no functions), for the worker bridge and the CLI. */
  lastEntryVerdicts(): EntryVerdictSummary[];
  /** The VMX abort (SDM Vol. 3C §28.7) the last VM exit ran into, once; null when none. */
  takeAbort(): VmxAbort | null;
}

/** One check's verdict as plain data. */
export interface EntryVerdictSummary {
  readonly id: string;
  readonly area: string;
  readonly title: string;
  readonly sdm: string;
  readonly verdict: Verdict;
}


/** What `snapshot()` returns: the VMX state and the EPT translation cache. */
class ModelSnapshot {
  constructor(readonly vmx: VmxState, readonly ept: EptControllerSnapshot) {}
}

const ENABLE_VPID = Number(SECONDARY_CTLS.mask.SECONDARY_EXEC_ENABLE_VPID);
const MODE_BASED_EPT_EXEC = Number(SECONDARY_CTLS.mask.SECONDARY_EXEC_MODE_BASED_EPT_EXEC);
const SAVE_PREEMPTION_TIMER = Number(EXIT_CTLS.mask.VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
/** VM-entry interruption information (§25.8.3): valid bit and the interruption type's position, from the arch table. */
const { VALID: ENTRY_INTR_VALID, TYPE_SHIFT: ENTRY_INTR_TYPE_SHIFT, TYPE_MASK: ENTRY_INTR_TYPE_MASK } = ENTRY_INTR_NUM;

/** What the reused report array holds past its last report (so it keeps no report alive). */
const NO_REPORT = undefined as unknown as VmxReport;

/** The reports that carry nothing of their own, shared (reports are never changed; events copy them). */
const VMENTRY_REPORT: VmxReport = Object.freeze({ kind: 'vmentry' });
const VMSUCCEED_REPORT: VmxReport = Object.freeze({ kind: 'vmx', result: 'VMsucceed', error: undefined, explain: undefined });

const OUTCOME_NAME = { succeed: 'VMsucceed', failInvalid: 'VMfailInvalid', failValid: 'VMfailValid' } as const;


/** Sets where the executor continues after the instruction (it copies `next` into RIP). */
function continueAt(cpu: CpuHandle, rip: number): void {
  cpu.state.rip = rip;
  const c = cpu as CpuHandle & { next?: number };
  if (c.next !== undefined) c.next = rip;
}

/**
 * The context of every VMX instruction: one object per model, refreshed at each instruction (no
 * handler keeps it past its own execution). Its functions are methods, the same for every model.
 */
class ModelInsnContext implements LaunchContext {
  cpu = undefined as unknown as CpuHandle;
  insn = undefined as unknown as DecodedInstruction;
  vmx: VmxState;
  caps = undefined as unknown as VmxCaps;
  fields = undefined as unknown as LaunchContext['fields'];
  /** A capability MSR as the learner may have edited it (the model's reader, a function passed on as it is). */
  msr: (index: number) => bigint;
  readonly translations: EptController;

  constructor(private readonly m: Model) {
    this.vmx = m.vmx;
    this.msr = m.capsCache.msr;
    this.translations = m.ept;
  }

  /** Keeps the verdicts of the entry checks (the lab's "explain everything"). */
  report(r: EntryCheckReport): void {
    this.m.lastReport = r;
  }

  // Each VMCS keeps its checks' last verdicts and inputs; VM entry re-runs only the checks
  // whose inputs changed (decision 0040). A VMCS restored from a snapshot starts afresh.
  entryChecks(ctx: EntryContext, vmcs: ActiveVmcs): EntryCheckReport {
    const m = this.m;
    // The VMCS of the last entry first (a handler resumes the same guest again and again).
    if (m.lastChecked === vmcs) return m.lastChecks!.run(ctx);
    let inc = m.incremental.get(vmcs);
    if (!inc) m.incremental.set(vmcs, (inc = new IncrementalEntryChecks()));
    m.lastChecked = vmcs;
    m.lastChecks = inc;
    return inc.run(ctx);
  }
}

/** The VT-x model of one machine (built by `createVmxModel`). */
class Model implements VmxModel, HookedModel {
  vmx = new VmxState();
  // Reports since the last takeReports: the first `reportCount` entries of a reused array (each
  // VMX instruction reports, so the array is not allocated again per step).
  private readonly reports: VmxReport[] = [];
  private reportCount = 0;
  lastReport: EntryCheckReport | undefined;
  private readonly resolverFor = makeFieldResolver();
  // EPT and its translation cache (src/vmx/ept); an EPT-induced exit is a VM exit like the others.
  readonly ept = new EptController((cpu, e) => {
    this.performExit(cpu, {
      reason: e.reason, qualification: e.qualification, guestRip: cpu.state.rip,
      guestPhysical: BigInt(e.guestPhysical),
      ...(e.guestLinear !== undefined ? { guestLinear: BigInt.asUintN(64, BigInt(e.guestLinear)) } : {}),
      ...(this.vmx.nonRoot.vectoring ? { vectoring: this.vmx.nonRoot.vectoring } : {}),
    }, e.fetch ? undefined : this.guestInsn, e.eptWalk);
    // A fetch that fails has no instruction yet: the last one decoded is not its cause.
  });
  /** Each VMCS's incremental entry checks, and the last VMCS looked up with its checks. */
  readonly incremental = new WeakMap<ActiveVmcs, IncrementalEntryChecks>();
  lastChecked: ActiveVmcs | undefined;
  lastChecks: IncrementalEntryChecks | undefined;
  readonly capsCache: ModelCaps;
  private readonly insnContext: ModelInsnContext;
  /** The guest instruction last offered to `intercept` (the one an exception comes from). */
  guestInsn: DecodedInstruction | undefined;
  readonly hooks: ModelHooks;

  constructor(private readonly env: X86Env) {
    this.capsCache = new ModelCaps(env);
    this.insnContext = new ModelInsnContext(this);
    this.hooks = new ModelHooks(this);
  }

  private report(r: VmxReport): void {
    this.reports[this.reportCount++] = r;
  }

  /** IA32_VMX_MISC as the learner may have edited it. */
  private miscOf(cpu: CpuHandle): bigint {
    return this.capsCache.read(cpu, VMX_MSR.IA32_VMX_MISC);
  }

  context(cpu: CpuHandle, insn: DecodedInstruction): LaunchContext {
    const c = this.insnContext;
    const capsCache = this.capsCache;
    c.caps = capsCache.of(cpu);
    c.cpu = cpu;
    c.insn = insn;
    c.vmx = this.vmx;
    c.msr = capsCache.msr;
    c.fields = this.resolverFor(capsCache.capabilityRecord());
    return c;
  }

  private applyOutcome(cpu: CpuHandle, outcome: VmxOutcome, note: string | undefined): void {
    cpu.state.rflags = rflagsAfter(cpu.state.rflags, outcome);
    const current = this.vmx.currentVmcs();
    if (outcome.kind === 'failValid' && current) vmcsSet(current, F.VM_INSTRUCTION_ERROR, BigInt(outcome.error));
    if (outcome.kind === 'succeed' && note === undefined) this.report(VMSUCCEED_REPORT);
    else this.report({ kind: 'vmx', result: OUTCOME_NAME[outcome.kind], error: outcome.kind === 'failValid' ? outcome.error : undefined, explain: note });
  }

  /**
   * Performs a VM exit from non-root operation (SDM Vol. 3C ch. 28) with what `rec` records,
   * saves the preemption timer when the exit controls ask, forgets the per-entry state, reports
   * the exit, and continues at the host RIP.
   */
  performExit(cpu: CpuHandle, rec: ExitRecord, insn?: DecodedInstruction, eptWalk?: readonly string[]): void {
    const vmx = this.vmx;
    const current = vmx.currentVmcs();
    const st = vmx.nonRoot;
    // The blocking the model tracks, and the preemption timer when the exit controls save it (§28.3.4).
    const blocking = blockingAt(st, cpu.state);
    const timer = current && (valuesOf(current).u32(X.VM_EXIT_CONTROLS) & SAVE_PREEMPTION_TIMER) !== 0 ? timerLeft(st, cpu.state) : undefined;
    vmExit(cpu, vmx, this.capsCache.of(cpu), rec, blocking, timer);
    // A VMX abort (§28.7): no VM exit completed; the machine reports the abort (takeAbort).
    if (st.abort !== null) return continueAt(cpu, cpu.state.rip);
    this.ept.vmExit();
    st.mtfPending = false;
    st.timerValue = -1n;
    st.vectoring = null;
    st.injecting = false;
    // The guest RIP the exit saved (§28.3.3), as the store holds it.
    const guestRip = current ? valuesOf(current).big(X.GUEST_RIP) : BigInt.asUintN(64, BigInt(rec.guestRip));
    const exitReport = new ModelExitReport(rec.reason, exitReasonName(rec.reason), rec.qualification, guestRip);
    // Added last, as a spread would add it (the key order reaches `run --json`).
    if (insn) exitReport.instruction = disassembleCached(insn, guestRip);
    if (eptWalk) exitReport.eptWalk = eptWalk;
    this.report(exitReport);
    continueAt(cpu, cpu.state.rip);
  }

  /** A VM exit caused by `insn` in non-root operation; continues at the host RIP. */
  exitForInstruction(cpu: CpuHandle, insn: DecodedInstruction, reason: number, decided?: InstructionExit): void {
    const guestRip = cpu.state.rip;
    const { qualification, info } = decided ?? instructionExitInfo(insn, guestRip + insn.length);
    this.performExit(cpu, { reason, qualification, instruction: { length: insn.length, info }, guestRip, guestLinear: decided?.guestLinear }, insn);
  }

  finish(cpu: CpuHandle, insn: DecodedInstruction, r: InsnResult): VmxStop {
    switch (r.kind) {
      case 'fault': throw r.fault;
      case 'outcome': this.applyOutcome(cpu, r.outcome, r.note); return;
      case 'completed': return;
      case 'stop': return { kind: 'stop', message: r.message };
      case 'vm-exit': this.exitForInstruction(cpu, insn, r.reason); return;
      case 'vm-entry':
        this.report(VMENTRY_REPORT);
        if (r.entry.kind === 'entered') {
          const stop = this.entered(cpu);
          if (stop !== undefined) return stop;
        }
        if (r.entry.kind === 'failed') {
          this.report({ kind: 'vmexit', reason: r.entry.reason, name: exitReasonName(r.entry.reason), entryFailure: true, qualification: r.entry.qualification, check: r.entry.check });
        }
        continueAt(cpu, cpu.state.rip);
        return;
    }
  }

  /** After a VM entry that entered the guest: the per-entry state, EPT, the injected event, a timer exit in the HLT state. */
  private entered(cpu: CpuHandle): VmxStop {
    const vmx = this.vmx;
    // §27.6: the injected event is delivered after the entry, so its report follows 'vmentry'.
    const current = vmx.currentVmcs();
    if (!current) return;
    const st = vmx.nonRoot;
    const v = valuesOf(current);
    const entryInfo = v.u32(X.VM_ENTRY_INTR_INFO_FIELD);
    const valid = (entryInfo & ENTRY_INTR_VALID) !== 0;
    // §27.6.2: type 7 with vector 0 injects a pending MTF VM exit instead of an event.
    const pendingMtf = valid && ((entryInfo >>> ENTRY_INTR_TYPE_SHIFT) & ENTRY_INTR_TYPE_MASK) === INTR_TYPE.OTHER;
    onEntry(st, cpu.state, current, pendingMtf, this.miscOf(cpu));
    this.guestInsn = undefined;
    const secondaryNow = secondaryControlsNum(v);
    this.ept.vmEntry({
      eptEnabled: (secondaryNow & ENABLE_EPT) !== 0,
      eptp: v.big(X.EPT_POINTER),
      vpidEnabled: (secondaryNow & ENABLE_VPID) !== 0,
      vpid: v.u32(X.VIRTUAL_PROCESSOR_ID) & 0xffff,
      caps: this.capsCache.read(cpu, VMX_MSR.IA32_VMX_EPT_VPID_CAP),
      maxPhysAddr: this.env.config.maxPhysAddr,
      mbec: (secondaryNow & MODE_BASED_EPT_EXEC) !== 0,
    });
    if (valid && !pendingMtf) {
      st.injecting = true;
      const result = injectEvent(cpu, current);
      st.injecting = false;
      if (result === 'not-modelled') return { kind: 'stop', message: 'VM entry injects an event the lab cannot deliver here' };
      // §26.5.2: with the monitor trap flag, an MTF VM exit is pending right after the injected event.
      if (result === 'delivered' && vmx.mode === 'non-root' && st.mtfControl) st.mtfPending = true;
    }
    // §26.5.1: entered in the HLT activity state, the guest is woken by the timer's exit;
    // the lab's TSC does not run while halted, so it comes at once (decision 0022).
    if (vmx.mode === 'non-root' && cpu.state.activity === 'halted' && st.timerValue >= 0n) {
      st.timerValue = 0n;
      st.timerStartTsc = hostTsc(cpu.state);
      this.performExit(cpu, { reason: EXIT_REASON.PREEMPTION_TIMER, qualification: 0n, guestRip: cpu.state.rip });
    }
    return undefined;
  }

  mode(): VmxMode {
    return this.vmx.mode;
  }

  takeReportsInto(out: VmxReport[]): number {
    const n = this.reportCount;
    this.reportCount = 0;
    const reports = this.reports;
    for (let i = 0; i < n; i++) {
      out[i] = reports[i]!;
      reports[i] = NO_REPORT;
    }
    return n;
  }

  takeReports(): VmxReport[] {
    const out: VmxReport[] = [];
    this.takeReportsInto(out);
    return out;
  }


  snapshot(): unknown {
    return new ModelSnapshot(this.vmx.clone(), this.ept.snapshot());
  }

  restore(snap: unknown): void {
    if (snap instanceof ModelSnapshot) {
      this.vmx.copyFrom(snap.vmx);
      this.ept.restore(snap.ept);
    } else if (snap instanceof VmxState) {
      this.vmx.copyFrom(snap);
    }
  }

  reset(): void {
    this.vmx = new VmxState();
    this.lastChecked = undefined;
    this.lastChecks = undefined;
    this.ept.reset();
    this.reports.length = 0;
    this.reportCount = 0;
    this.lastReport = undefined;
  }

  vmxonPointer(): bigint | undefined {
    return this.vmx.vmxonPtr === null ? undefined : BigInt(this.vmx.vmxonPtr);
  }

  currentPointer(): bigint {
    return this.vmx.currentPointer();
  }

  currentFields(): VmcsFieldValue[] {
    const current = this.vmx.currentVmcs();
    if (!current) return [];
    return [...current.fields.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([encoding, value]) => ({ name: fieldName(encoding) ?? `0x${encoding.toString(16)}`, encoding, value }));
  }

  vmcses(): VmcsSummary[] {
    const vmx = this.vmx;
    return [...vmx.active.values()].map((v) => ({ addr: BigInt(v.addr), launch: v.launch, shadow: v.shadow, current: v.addr === vmx.current }));
  }

  lastEntryReport(): EntryCheckReport | undefined {
    return this.lastReport;
  }

  takeAbort(): VmxAbort | null {
    const a = this.vmx.nonRoot.abort;
    this.vmx.nonRoot.abort = null;
    return a;
  }

  lastEntryVerdicts(): EntryVerdictSummary[] {
    return (this.lastReport?.results ?? []).map(({ check, verdict }) => ({ id: check.id, area: check.area, title: check.title, sdm: formatSdm(check.sdm), verdict }));
  }
}

/** Builds the model for a machine's environment. `_cpu` is the state the hooks will see. */
export function createVmxModel(env: X86Env, _cpu?: CpuState): VmxModel {
  return new Model(env);
}
