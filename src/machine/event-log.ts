// The machine's event log, materialised lazily (docs/decisions/0062-lazy-event-log.md). A VMX
// event is recorded as its raw parts (step, RIP, the decoded instruction, the VT-x model's
// report) in parallel arrays; its event object, with the line and disassembly, is built the
// first time the log is read. A run nobody reads until it ends (the CLI, lesson checks, the
// bench) allocates no event object per VM exit; what any reader sees is unchanged: the same
// objects, with the same keys in the same order, as if each had been built when it happened.

import type { DecodedInstruction } from '../x86/isa/decoded.ts';
import type { VmxReport } from '../vmx/reports.ts';
import type { MachineEvent } from './events.ts';

/** Where an event happened, as the machine works it out (step, line, RIP, disassembly). */
export interface EventPlace {
  readonly step: number;
  readonly line?: number;
  readonly rip: bigint;
  readonly text?: string;
}

/** Works out the place of a VMX event from its step, RIP and instruction (the Machine's `where`). */
export type PlaceOf = (step: number, rip: number, insn: DecodedInstruction) => EventPlace;

/** An ordered log of events, some of them still raw. */
export class EventLog {
  /** Events built so far, in order; the raw ones follow them. */
  private readonly built: MachineEvent[] = [];
  // Events after `built`, in order: one entry per event in each array. A raw VMX event has its
  // step, RIP, instruction and report; an event appended already built while raw ones were
  // pending has step -1 and sits in `reports`.
  private steps: number[] = [];
  private rips: number[] = [];
  private insns: (DecodedInstruction | null)[] = [];
  private reports: (VmxReport | MachineEvent)[] = [];

  constructor(private readonly placeOf: PlaceOf) {}

  /** Number of events (built and raw). */
  get length(): number {
    return this.built.length + this.reports.length;
  }

  /** Appends a built event. */
  push(e: MachineEvent): void {
    if (this.reports.length === 0) this.built.push(e);
    else this.pushRaw(-1, 0, null, e);
  }

  /**
   * Appends a VMX event in raw form: a VM exit's event is `{ step, ...report }`; the others are
   * `{ step, line, rip, text, ...report }` with the place of `insn` at `rip`.
   */
  pushVmx(step: number, rip: number, insn: DecodedInstruction | null, report: VmxReport): void {
    this.pushRaw(step, rip, insn, report);
  }

  private pushRaw(step: number, rip: number, insn: DecodedInstruction | null, report: VmxReport | MachineEvent): void {
    this.steps.push(step);
    this.rips.push(rip);
    this.insns.push(insn);
    this.reports.push(report);
  }

  /** Every event, built (the log's own array: callers must not change it). */
  all(): MachineEvent[] {
    if (this.reports.length !== 0) this.materialise();
    return this.built;
  }

  /** Drops every event from index `n` on. */
  truncate(n: number): void {
    if (n >= this.length) return;
    if (n <= this.built.length) {
      this.built.length = n;
      this.clearRaw();
      return;
    }
    const keep = n - this.built.length;
    this.steps.length = keep;
    this.rips.length = keep;
    this.insns.length = keep;
    this.reports.length = keep;
  }

  /** Forgets every event. */
  clear(): void {
    this.built.length = 0;
    this.clearRaw();
  }

  private clearRaw(): void {
    this.steps = [];
    this.rips = [];
    this.insns = [];
    this.reports = [];
  }

  private materialise(): void {
    const { steps, rips, insns, reports, built } = this;
    // The reports of one step share one place (one VMX instruction per step).
    let at: EventPlace | undefined;
    let atStep = -1;
    for (let k = 0; k < reports.length; k++) {
      const step = steps[k]!;
      if (step < 0) {
        built.push(reports[k] as MachineEvent);
        continue;
      }
      const r = reports[k] as VmxReport;
      // Object.assign keeps the spread's key order (the place first) on V8's fast path.
      if (r.kind === 'vmexit') {
        built.push(Object.assign({ step }, r));
        continue;
      }
      if (at === undefined || atStep !== step) {
        at = this.placeOf(step, rips[k]!, insns[k]!);
        atStep = step;
      }
      built.push(Object.assign({}, at, r));
    }
    this.clearRaw();
  }
}
