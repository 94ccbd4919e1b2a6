// The machine's event log, materialised lazily (docs/decisions/0062-lazy-event-log.md). A VMX
// event is recorded as its raw parts (step, RIP, the decoded instruction, the VT-x model's
// report) in columns; its event object, with the line and disassembly, is built the first time
// the log is read. A VM exit's report of the usual shape is kept as numbers and shared strings
// only, so nothing of it outlives the step that made it. A run nobody reads until it ends (the
// CLI, lesson checks, the bench) keeps no event object per VM exit; what any reader sees is
// unchanged: the same objects, with the same keys in the same order, as if each had been built
// when it happened.

import type { DecodedInstruction } from '../x86/isa/decoded.ts';
import type { VmExitReport, VmxReport } from '../vmx/reports.ts';
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

/** Kinds of raw entry (the `kinds` column). */
const BUILT = 0;
const REPORT = 1;
const EXIT = 2;

const TWO53 = 2n ** 53n;
const TWO64 = 2n ** 64n;

/** An ordered log of events, some of them still raw. */
export class EventLog {
  /** Events built so far, in order; the raw ones follow them. */
  private readonly built: MachineEvent[] = [];
  /** Raw entries after `built`, in order. */
  private count = 0;
  // One entry per raw event in each column. BUILT: `refs` holds the event. REPORT: `nums` holds
  // the RIP, `insns` the instruction, `refs` the report. EXIT (a VM exit's report of the shape
  // the model gives: kind, reason, name, entryFailure = false, qualification, guestRip, and
  // instruction when an instruction caused it): `nums` holds the guest RIP (signed) and the
  // qualification, `codes` the reason, `refs` the name, `insns` the instruction text or null.
  private kinds = new Uint8Array(256);
  private steps = new Float64Array(256);
  private nums = new Float64Array(512);
  private codes = new Int32Array(256);
  private refs: unknown[] = [];
  private insns: unknown[] = [];

  constructor(private readonly placeOf: PlaceOf) {}

  /** Number of events (built and raw). */
  get length(): number {
    return this.built.length + this.count;
  }

  /** Appends a built event. */
  push(e: MachineEvent): void {
    if (this.count === 0) {
      this.built.push(e);
      return;
    }
    const k = this.slot(BUILT, -1);
    this.refs[k] = e;
    this.insns[k] = null;
  }

  /**
   * Appends a VMX event in raw form: a VM exit's event is `{ step, ...report }`; the others are
   * `{ step, line, rip, text, ...report }` with the place of `insn` at `rip`.
   */
  pushVmx(step: number, rip: number, insn: DecodedInstruction | null, report: VmxReport): void {
    if (report.kind === 'vmexit' && compactExit(report)) {
      const k = this.slot(EXIT, step);
      this.nums[2 * k] = Number(BigInt.asIntN(64, report.guestRip!));
      this.nums[2 * k + 1] = Number(report.qualification);
      this.codes[k] = report.reason;
      this.refs[k] = report.name;
      this.insns[k] = report.instruction ?? null;
      return;
    }
    const k = this.slot(REPORT, step);
    this.nums[2 * k] = rip;
    this.refs[k] = report;
    this.insns[k] = insn;
  }

  /** Every event, built (the log's own array: callers must not change it). */
  all(): MachineEvent[] {
    if (this.count !== 0) this.materialise();
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
    this.count = n - this.built.length;
    this.refs.length = this.count;
    this.insns.length = this.count;
  }

  /** Forgets every event. */
  clear(): void {
    this.built.length = 0;
    this.clearRaw();
  }

  private clearRaw(): void {
    this.count = 0;
    this.refs = [];
    this.insns = [];
  }

  /** The index of a new raw entry of `kind` at `step`, the columns grown as needed. */
  private slot(kind: number, step: number): number {
    const k = this.count++;
    if (k === this.kinds.length) {
      const cap = k * 2;
      this.kinds = grow(this.kinds, new Uint8Array(cap));
      this.steps = grow(this.steps, new Float64Array(cap));
      this.nums = grow(this.nums, new Float64Array(2 * cap));
      this.codes = grow(this.codes, new Int32Array(cap));
    }
    this.kinds[k] = kind;
    this.steps[k] = step;
    return k;
  }

  private materialise(): void {
    const { kinds, steps, nums, codes, refs, insns, built } = this;
    // The reports of one step share one place (one VMX instruction per step).
    let at: EventPlace | undefined;
    let atStep = -1;
    for (let k = 0; k < this.count; k++) {
      const kind = kinds[k]!;
      if (kind === BUILT) {
        built.push(refs[k] as MachineEvent);
        continue;
      }
      const step = steps[k]!;
      if (kind === EXIT) {
        // The keys in the order the model gives them (`run --json` prints them so).
        const e: { -readonly [K in keyof VmExitReport]: VmExitReport[K] } & { step: number } = {
          step, kind: 'vmexit', reason: codes[k]!, name: refs[k] as string, entryFailure: false,
          qualification: BigInt(nums[2 * k + 1]!), guestRip: BigInt.asUintN(64, BigInt(nums[2 * k]!)),
        };
        const text = insns[k] as string | null;
        if (text !== null) e.instruction = text;
        built.push(e);
        continue;
      }
      const r = refs[k] as VmxReport;
      // Object.assign keeps the spread's key order (the place first) on V8's fast path.
      if (r.kind === 'vmexit') {
        built.push(Object.assign({ step }, r));
        continue;
      }
      if (at === undefined || atStep !== step) {
        at = this.placeOf(step, nums[2 * k]!, insns[k] as DecodedInstruction);
        atStep = step;
      }
      built.push(Object.assign({}, at, r));
    }
    this.clearRaw();
  }
}

function grow<T extends Uint8Array | Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * Whether a VM exit's report has exactly the keys the compact form rebuilds, in that order, with
 * numbers it holds exactly: kind, reason, name, entryFailure (false), qualification and guestRip
 * below 2^53 in magnitude, and instruction (a string) or nothing after them.
 */
function compactExit(r: VmExitReport): boolean {
  if (r.entryFailure || r.check !== undefined || r.eptWalk !== undefined || r.guestRip === undefined) return false;
  if (r.qualification < 0n || r.qualification >= TWO53) return false;
  const g = r.guestRip;
  if (!(g >= 0n && (g < TWO53 || (g >= TWO64 - TWO53 && g < TWO64)))) return false;
  const keys = Object.keys(r);
  return keys.length === (r.instruction === undefined ? 6 : 7) && keys[0] === 'kind' && keys[1] === 'reason' && keys[2] === 'name' &&
    keys[3] === 'entryFailure' && keys[4] === 'qualification' && keys[5] === 'guestRip' && (keys.length === 6 || keys[6] === 'instruction');
}
