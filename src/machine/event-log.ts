// The machine's event log, materialised lazily (docs/decisions/0062-lazy-event-log.md). A VMX
// event is recorded as its raw parts (step, RIP, the decoded instruction, the VT-x model's
// report) in columns; its event object, with the line and disassembly, is built the first time
// the log is read. A VM exit's report of the usual shape is kept as numbers and shared strings
// only, so nothing of it outlives the step that made it. A run nobody reads until it ends (the
// CLI, lesson checks, the bench) keeps no event object per VM exit; what any reader sees is
// unchanged: the same objects, with the same keys in the same order, as if each had been built
// when it happened.

import type { DecodedInstruction } from '../x86/isa/decoded.ts';
import { ModelExitReport, type VmExitReport, type VmxReport } from '../vmx/reports.ts';
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

/** Raw entries per chunk: the log grows by chunks, never copying what it holds. */
const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
const IN_CHUNK = CHUNK - 1;

/**
 * One chunk of raw entries, a column each. BUILT: `refs` holds the event. REPORT: `nums` holds
 * the RIP, `insns` the instruction, `refs` the report. EXIT (a VM exit's report of the shape the
 * model gives: kind, reason, name, entryFailure = false, qualification, guestRip, and instruction
 * when an instruction caused it): `nums` holds the guest RIP (signed) and the qualification,
 * `codes` the reason, `refs` the name, `insns` the instruction text or null.
 */
class Chunk {
  // The four number columns share one buffer (one allocation per chunk).
  private readonly buffer = new ArrayBuffer(CHUNK * (8 + 16 + 4 + 1));
  readonly steps = new Float64Array(this.buffer, 0, CHUNK);
  readonly nums = new Float64Array(this.buffer, 8 * CHUNK, 2 * CHUNK);
  readonly codes = new Int32Array(this.buffer, 24 * CHUNK, CHUNK);
  readonly kinds = new Uint8Array(this.buffer, 28 * CHUNK, CHUNK);
  readonly refs: unknown[] = [];
  readonly insns: unknown[] = [];
}

/** An ordered log of events, some of them still raw. */
export class EventLog {
  /** Events built so far, in order; the raw ones follow them. */
  private readonly built: MachineEvent[] = [];
  /** Raw entries after `built`, in order, in chunks. */
  private count = 0;
  private chunks: Chunk[] = [];

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
    const c = this.slot(BUILT, -1);
    c.refs.push(e);
    c.insns.push(null);
  }

  /**
   * Appends a VMX event in raw form: a VM exit's event is `{ step, ...report }`; the others are
   * `{ step, line, rip, text, ...report }` with the place of `insn` at `rip`.
   */
  pushVmx(step: number, rip: number, insn: DecodedInstruction | null, report: VmxReport): void {
    if (report.kind === 'vmexit' && compactExit(report)) {
      const k = this.count & IN_CHUNK;
      const c = this.slot(EXIT, step);
      c.nums[2 * k] = signedOf(report.guestRip!);
      c.nums[2 * k + 1] = Number(report.qualification);
      c.codes[k] = report.reason;
      c.refs.push(report.name);
      c.insns.push(report.instruction ?? null);
      return;
    }
    const k = this.count & IN_CHUNK;
    const c = this.slot(REPORT, step);
    c.nums[2 * k] = rip;
    c.refs.push(report);
    c.insns.push(insn);
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
    const last = (this.count - 1) >> CHUNK_BITS;
    this.chunks.length = last + 1;
    const c = this.chunks[last]!;
    const keep = this.count - (last << CHUNK_BITS);
    c.refs.length = keep;
    c.insns.length = keep;
  }

  /** Forgets every event. */
  clear(): void {
    this.built.length = 0;
    this.clearRaw();
  }

  private clearRaw(): void {
    this.count = 0;
    this.chunks = [];
  }

  /** The chunk of a new raw entry of `kind` at `step` (its index in the chunk: the count before). */
  private slot(kind: number, step: number): Chunk {
    const k = this.count++;
    const n = k >> CHUNK_BITS;
    const c = n < this.chunks.length ? this.chunks[n]! : this.newChunk();
    const i = k & IN_CHUNK;
    c.kinds[i] = kind;
    c.steps[i] = step;
    return c;
  }

  private newChunk(): Chunk {
    const c = new Chunk();
    this.chunks.push(c);
    return c;
  }

  private materialise(): void {
    const built = this.built;
    // The reports of one step share one place (one VMX instruction per step).
    let at: EventPlace | undefined;
    let atStep = -1;
    for (let k = 0; k < this.count; k++) {
      const c = this.chunks[k >> CHUNK_BITS]!;
      const i = k & IN_CHUNK;
      const kind = c.kinds[i]!;
      if (kind === BUILT) {
        built.push(c.refs[i] as MachineEvent);
        continue;
      }
      const step = c.steps[i]!;
      if (kind === EXIT) {
        // The keys in the order the model gives them (`run --json` prints them so).
        const e: { -readonly [K in keyof VmExitReport]: VmExitReport[K] } & { step: number } = {
          step, kind: 'vmexit', reason: c.codes[i]!, name: c.refs[i] as string, entryFailure: false,
          qualification: BigInt(c.nums[2 * i + 1]!), guestRip: BigInt.asUintN(64, BigInt(c.nums[2 * i]!)),
        };
        const text = c.insns[i] as string | null;
        if (text !== null) e.instruction = text;
        built.push(e);
        continue;
      }
      const r = c.refs[i] as VmxReport;
      // Object.assign keeps the spread's key order (the place first) on V8's fast path.
      if (r.kind === 'vmexit') {
        built.push(Object.assign({ step }, r));
        continue;
      }
      if (at === undefined || atStep !== step) {
        at = this.placeOf(step, c.nums[2 * i]!, c.insns[i] as DecodedInstruction);
        atStep = step;
      }
      built.push(Object.assign({}, at, r));
    }
    this.clearRaw();
  }
}

// A 64-bit value seen as two 32-bit halves: its signed number without bigint arithmetic.
const WORD64 = new BigUint64Array(1);
const WORD32 = new Int32Array(WORD64.buffer);
WORD64[0] = 1n;
const LO = WORD32[0] === 1 ? 0 : 1;

/** `Number(BigInt.asIntN(64, v))` for 0 <= v < 2^64 (exact when the result is below 2^53 in magnitude). */
function signedOf(v: bigint): number {
  WORD64[0] = v;
  return WORD32[1 - LO]! * 4294967296 + (WORD32[LO]! >>> 0);
}

/**
 * Whether a VM exit's report is of the shape the compact form rebuilds, with numbers it holds
 * exactly: the model's `ModelExitReport` (kind, reason, name, entryFailure = false,
 * qualification, guestRip, in that order, then `instruction` when there is one) without an EPT
 * walk, qualification and guestRip below 2^53 in magnitude. Any other report is kept whole.
 */
function compactExit(r: VmExitReport): boolean {
  if (!(r instanceof ModelExitReport) || r.eptWalk !== undefined) return false;
  if (r.qualification < 0n || r.qualification >= TWO53) return false;
  const g = r.guestRip;
  return g >= 0n && (g < TWO53 || (g >= TWO64 - TWO53 && g < TWO64));
}
