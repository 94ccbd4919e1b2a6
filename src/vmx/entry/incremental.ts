// Incremental evaluation of the VM-entry checks (docs/decisions/0040-incremental-entry-checks.md).
// A check is a pure function of what it reads through its EntryContext (check.ts, context.ts).
// While a check runs, every value it obtains from the context is recorded: VMCS fields (read,
// exists), capability MSRs, physical memory, the MSR reserved bits and WRMSR verdicts. At the
// next VM entry a check whose recorded inputs all still hold the same values would compute the
// same verdict, so its verdict is reused; the others run again. When the VMCS reader offers change
// tracking (the model's store, decision 0060), a field input is compared by its stamp instead of
// its value, so unchanged fields are not even read. The context's plain properties
// (processor state, features, address widths, launch) are compared as a whole: any change runs
// every check. The report is the same as runEntryChecks gives: every check's verdict, in order.

import type { Check } from './check.ts';
import type { EntryContext, EntryCpuFeatures, EntryCpuState, VmcsReader, VmcsTracking } from './context.ts';
import type { Verdict } from '../outcome.ts';
import { ENTRY_CHECKS } from './checks/index.ts';
import { decideEntry, type CheckResult, type EntryCheckReport } from './runner.ts';

/** The VMX capability MSRs (SDM Vol. 3D Appendix A), whose answers `capabilityStamp` covers. */
const VMX_CAP_FIRST = 0x480;
const VMX_CAP_LAST = 0x493;

/** What a check obtained from its context, to be asked again. */
const Src = { Exists: 1, Msr: 2, Phys: 3, Reserved: 4, Wrmsr: 5 } as const;
type Src = (typeof Src)[keyof typeof Src];

/** One recorded input: the question (`src`, `a`, `b`) and the answer the check got. */
interface Dep {
  readonly src: Src;
  readonly a: string | number | bigint;
  readonly b: number | bigint;
  readonly value: bigint | boolean;
}

/** A field read by name: every check that read it, and the value (and stamp) they got. */
interface FieldDep {
  readonly name: string;
  value: bigint;
  /** Tracking layout, handle and stamp at the read (when the reader offers tracking). */
  layout: object | undefined;
  handle: number;
  stamp: number;
  readonly readers: Set<number>;
  /** The evaluation that last recorded this field (each field is listed once per evaluation). */
  seen: number;
}

/** The (shared, empty) inputs of a check that read nothing but VMCS fields. */
const NO_DEPS: Dep[] = [];

/** Empties a short scratch list (pops: V8 inlines them, while `length = 0` is a runtime call). */
function clear(list: unknown[]): void {
  while (list.length !== 0) list.pop();
}

function sameRefs(a: readonly FieldDep[], b: readonly FieldDep[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** The context's plain properties the checks read directly. */
interface PlainKey {
  /** The reader's tracking layout (undefined: compared by value). */
  readonly layout: object | undefined;
  readonly cpu: EntryCpuState;
  readonly features: EntryCpuFeatures;
  readonly maxPhysAddr: number;
  readonly linearAddressBits: number;
  readonly launch: string;
}

function sameSelectors(a: EntryCpuState['selectors'], b: EntryCpuState['selectors']): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.CS === b.CS && a.SS === b.SS && a.DS === b.DS && a.ES === b.ES && a.FS === b.FS && a.GS === b.GS && a.TR === b.TR;
}

function samePlain(k: PlainKey, ctx: EntryContext): boolean {
  const a = k.cpu;
  const b = ctx.cpu;
  const f = ctx.features;
  return k.layout === ctx.vmcs.tracking?.layout && k.maxPhysAddr === ctx.maxPhysAddr && k.linearAddressBits === ctx.linearAddressBits && k.launch === ctx.launch &&
    a.efer === b.efer && a.cr0 === b.cr0 && a.cr4 === b.cr4 && a.inSmm === b.inSmm && a.currentVmcs === b.currentVmcs &&
    a.executiveVmcs === b.executiveVmcs && sameSelectors(a.selectors, b.selectors) &&
    k.features.rtm === f.rtm && k.features.sgx === f.sgx && k.features.lam === f.lam;
}

function plainKeyOf(ctx: EntryContext): PlainKey {
  const c = ctx.cpu;
  const f = ctx.features;
  return {
    layout: ctx.vmcs.tracking?.layout,
    cpu: { ...c, ...(c.selectors ? { selectors: { ...c.selectors } } : {}) },
    features: { rtm: f.rtm, sgx: f.sgx, lam: f.lam },
    maxPhysAddr: ctx.maxPhysAddr,
    linearAddressBits: ctx.linearAddressBits,
    launch: ctx.launch,
  };
}

/** Asks the context the recorded question again. */
function answer(ctx: EntryContext, d: Dep): bigint | boolean {
  switch (d.src) {
    case Src.Exists: return ctx.vmcs.exists(d.a as string);
    case Src.Msr: return ctx.msr(d.a as number);
    case Src.Phys: return ctx.readPhys(d.a as bigint, d.b as 1 | 2 | 4 | 8);
    case Src.Reserved: return ctx.msrReservedBits(d.a as number);
    case Src.Wrmsr: return ctx.wrmsrFaults(d.a as number, d.b as bigint);
  }
}

/**
 * The VM-entry checks of one VMCS evaluated incrementally. Keep one per VMCS (or per model:
 * sharing one between VMCSes is correct, only slower, since every input is compared by value).
 */
export class IncrementalEntryChecks {
  /** Verdict of each check at the last evaluation. */
  private readonly verdicts: (Verdict | undefined)[];
  private readonly results: (CheckResult | undefined)[];
  /** Inputs other than VMCS field reads, per check (few checks have any). */
  private readonly otherDeps: Dep[][];
  /** The checks whose `otherDeps` are not empty, in order. */
  private withOthers: number[] = [];
  /** The fields each check read. */
  private readonly fieldRefs: FieldDep[][];
  /** Every field any check read, by name, and the same in a list. */
  private readonly fieldDeps = new Map<string, FieldDep>();
  private readonly fieldDepList: FieldDep[] = [];
  private plain: PlainKey | undefined;
  private lastReport: EntryCheckReport | undefined;
  /** Checks evaluated (not reused) by the last `run`: for tests and the bench. */
  lastEvaluated = 0;
  /** Per check: listed in `todo` (all 0 between runs). */
  private readonly dirty: Uint8Array;
  /** The checks to evaluate in this run. */
  private readonly todo: number[] = [];
  /** The context's capability stamp at the last run (undefined: none offered). */
  private capabilityStamp: number | undefined;
  /** The store's change log and its count at the last run (decision 0040: only the fields changed since are compared). */
  private lastChanges: VmcsTracking['changes'];
  private lastChangeCount = 0;
  /** The recorded fields by tracking handle (under the layout they were read with). */
  private readonly byHandle: (FieldDep[] | undefined)[] = [];

  constructor(private readonly checks: readonly Check[] = ENTRY_CHECKS) {
    this.verdicts = new Array(checks.length).fill(undefined);
    this.results = new Array(checks.length).fill(undefined);
    this.otherDeps = Array.from({ length: checks.length }, () => []);
    this.fieldRefs = Array.from({ length: checks.length }, () => []);
    this.dirty = new Uint8Array(checks.length);
  }

  /** Forgets every recorded verdict: the next `run` evaluates every check. */
  invalidate(): void {
    this.plain = undefined;
  }

  /** Every check's verdict for `ctx` and the decision, as `runEntryChecks(ctx, checks)` gives them. */
  run(ctx: EntryContext): EntryCheckReport {
    const n = this.checks.length;
    const todo = this.todo;
    clear(todo);
    // Read before anything is evaluated: the stamp the answers of this run go with, and where the store's change log stands.
    const capabilityStamp = ctx.capabilityStamp;
    const changes = ctx.vmcs.tracking?.changes;
    const sinceChanges = changes !== undefined && changes === this.lastChanges ? this.lastChangeCount : -1;
    this.lastChanges = changes;
    this.lastChangeCount = changes === undefined ? 0 : changes.count;
    if (this.plain === undefined || !samePlain(this.plain, ctx)) {
      this.plain = plainKeyOf(ctx);
      this.capabilityStamp = capabilityStamp;
      for (let i = 0; i < n; i++) todo.push(i);
    } else {
      this.changedInputs(ctx, sinceChanges);
      this.capabilityStamp = capabilityStamp;
      if (todo.length === 0 && this.lastReport !== undefined) {
        this.lastEvaluated = 0;
        return this.lastReport;
      }
      // Evaluation order is the checks' order, as a full evaluation's.
      todo.sort((a, b) => a - b);
    }
    const dirty = this.dirty;
    let changed = this.lastReport === undefined;
    for (let k = 0; k < todo.length; k++) {
      const i = todo[k]!;
      dirty[i] = 0;
      const verdict = this.evaluate(i, ctx);
      if (verdict !== this.verdicts[i]) {
        this.verdicts[i] = verdict;
        this.results[i] = { check: this.checks[i]!, verdict };
        changed = true;
      }
    }
    this.lastEvaluated = todo.length;
    if (!changed) return this.lastReport!;
    const results = this.results.slice() as CheckResult[];
    this.lastReport = { results, decision: decideEntry(results) };
    return this.lastReport;
  }

  /** Lists every reader of `d` in `todo` (once each: marked in `dirty`). */
  private markReaders(d: FieldDep): void {
    const dirty = this.dirty;
    for (const i of d.readers) {
      if (dirty[i] === 0) {
        dirty[i] = 1;
        this.todo.push(i);
      }
    }
  }

  /**
   * Lists in `todo` (marking them in `dirty`) the checks with an input that changed since they
   * ran. `since`: the count of the store's change log at the last run (-1: unknown, or another
   * store); while the log still holds every change since, only the fields it names are compared.
   */
  private changedInputs(ctx: EntryContext, since: number): void {
    const dirty = this.dirty;
    const todo = this.todo;
    const tracking = ctx.vmcs.tracking;
    const changes = tracking?.changes;
    if (tracking !== undefined && changes !== undefined && since >= 0 && changes.count - since <= changes.ring.length) {
      // Every field whose stamp changed is in the log (the same layout: samePlain held).
      const ring = changes.ring;
      for (let k = since; k < changes.count; k++) {
        const h = ring[k % ring.length]!;
        const deps = this.byHandle[h];
        if (deps === undefined) continue;
        for (let j = 0; j < deps.length; j++) {
          const d = deps[j]!;
          if (tracking.stamps[h] === d.stamp || d.readers.size === 0) continue;
          this.markReaders(d);
        }
      }
    } else {
      const deps = this.fieldDepList;
      for (let k = 0; k < deps.length; k++) {
        const d = deps[k]!;
        const same = tracking ? d.handle < 0 || tracking.stamps[d.handle] === d.stamp : ctx.vmcs.read(d.name) === d.value;
        if (same || d.readers.size === 0) continue;
        this.markReaders(d);
      }
    }
    // Capability-MSR answers hold while the context's capability stamp is the one of the last run.
    const stamp = ctx.capabilityStamp;
    const capsSame = stamp !== undefined && stamp === this.capabilityStamp;
    const withOthers = this.withOthers;
    for (let j = 0; j < withOthers.length; j++) {
      const i = withOthers[j]!;
      if (dirty[i] !== 0) continue;
      const others = this.otherDeps[i]!;
      for (let k = 0; k < others.length; k++) {
        const d = others[k]!;
        if (capsSame && d.src === Src.Msr && (d.a as number) >= VMX_CAP_FIRST && (d.a as number) <= VMX_CAP_LAST) continue;
        if (answer(ctx, d) !== d.value) {
          dirty[i] = 1;
          todo.push(i);
          break;
        }
      }
    }
  }

  /** Runs check `i` on a context that records what it reads; replaces its recorded inputs. */
  private evaluate(i: number, ctx: EntryContext): Verdict {
    const rec = this.recorder;
    rec.begin(ctx);
    let verdict: Verdict;
    try {
      verdict = this.checks[i]!.run(rec);
    } catch (e) {
      // What the check read is recorded only in part: evaluate everything next time.
      this.plain = undefined;
      throw e;
    }
    // The fields it read: usually the same as last time, then the readers need no update
    // (the recorder's list is its own scratch array, copied only when it differs).
    const old = this.fieldRefs[i]!;
    const now = rec.refs;
    if (!sameRefs(old, now)) {
      for (let k = 0; k < old.length; k++) old[k]!.readers.delete(i);
      for (let k = 0; k < now.length; k++) now[k]!.readers.add(i);
      this.fieldRefs[i] = now.slice();
    }
    const had = this.otherDeps[i]!.length !== 0;
    this.otherDeps[i] = rec.others.length === 0 ? NO_DEPS : rec.others.slice();
    if (had !== (rec.others.length !== 0)) this.withOthers = this.otherDeps.flatMap((d, k) => (d.length !== 0 ? [k] : []));
    return verdict;
  }

  /** The context checks run on: records every answer they get (one, reused for every evaluation). */
  private readonly recorder = new Recorder(this.fieldDeps, this.fieldDepList, this.byHandle);
}

/**
 * An EntryContext over the real one that records what one check obtains from it: the fields it
 * reads (with their values and stamps) and every other answer.
 */
class Recorder implements EntryContext {
  private ctx!: EntryContext;
  /** The fields the check read (a scratch list, reused: copy it to keep it). */
  readonly refs: FieldDep[] = [];
  /** The other answers it got (a scratch list, reused likewise). */
  readonly others: Dep[] = [];
  readonly vmcs: VmcsReader;

  constructor(fieldDeps: Map<string, FieldDep>, fieldDepList: FieldDep[], byHandle: (FieldDep[] | undefined)[]) {
    this.vmcs = new RecordingReader(this, fieldDeps, fieldDepList, byHandle);
  }

  /** The context of the check being recorded. */
  get current(): EntryContext {
    return this.ctx;
  }

  /** Numbers the evaluations (from 1), so a field read twice by one check is listed once. */
  evaluation = 0;

  /** Starts recording a check on `ctx`. */
  begin(ctx: EntryContext): void {
    this.ctx = ctx;
    this.evaluation++;
    // Emptied by pops (inlined by V8; `length = 0` is a runtime call): the lists are short.
    clear(this.refs);
    clear(this.others);
  }

  get maxPhysAddr(): number { return this.ctx.maxPhysAddr; }
  get linearAddressBits(): number { return this.ctx.linearAddressBits; }
  get cpu(): EntryCpuState { return this.ctx.cpu; }
  get features(): EntryCpuFeatures { return this.ctx.features; }
  get launch(): EntryContext['launch'] { return this.ctx.launch; }
  get capabilityStamp(): number | undefined { return this.ctx.capabilityStamp; }

  msr(index: number): bigint {
    const value = this.ctx.msr(index);
    this.others.push({ src: Src.Msr, a: index, b: 0, value });
    return value;
  }

  readPhys(addr: bigint, size: 1 | 2 | 4 | 8): bigint {
    const value = this.ctx.readPhys(addr, size);
    this.others.push({ src: Src.Phys, a: addr, b: size, value });
    return value;
  }

  msrReservedBits(index: number): bigint {
    const value = this.ctx.msrReservedBits(index);
    this.others.push({ src: Src.Reserved, a: index, b: 0, value });
    return value;
  }

  wrmsrFaults(index: number, v: bigint): boolean {
    const value = this.ctx.wrmsrFaults(index, v);
    this.others.push({ src: Src.Wrmsr, a: index, b: v, value });
    return value;
  }
}

/**
 * The VMCS reader of a Recorder: reads through the real one and records each field read (its
 * value and stamp). A class, not closures made per Recorder: every check calls `vmcs.read`, and
 * closures would give each evaluator (each VMCS, each Machine) its own call targets there.
 */
class RecordingReader implements VmcsReader {
  constructor(
    private readonly rec: Recorder,
    private readonly fieldDeps: Map<string, FieldDep>,
    private readonly fieldDepList: FieldDep[],
    private readonly byHandle: (FieldDep[] | undefined)[],
  ) {}

  read(name: string): bigint {
    const rec = this.rec;
    const ctx = rec.current;
    const value = ctx.vmcs.read(name);
    let d = this.fieldDeps.get(name);
    if (d === undefined) {
      d = { name, value, layout: undefined, handle: -1, stamp: 0, readers: new Set(), seen: 0 };
      this.fieldDeps.set(name, d);
      this.fieldDepList.push(d);
    }
    // Every check re-run in this evaluation sees the same VMCS: the values agree.
    d.value = value;
    const tracking = ctx.vmcs.tracking;
    if (tracking) {
      if (d.layout !== tracking.layout) {
        d.layout = tracking.layout;
        const old = d.handle;
        d.handle = tracking.handle(name);
        if (old !== d.handle) {
          const byHandle = this.byHandle;
          const was = old < 0 ? undefined : byHandle[old];
          if (was !== undefined) was.splice(was.indexOf(d), 1);
          if (d.handle >= 0) (byHandle[d.handle] ??= []).push(d);
        }
      }
      d.stamp = d.handle < 0 ? -1 : tracking.stamps[d.handle]!;
    }
    if (d.seen !== rec.evaluation) {
      d.seen = rec.evaluation;
      rec.refs.push(d);
    }
    return value;
  }

  exists(name: string): boolean {
    const rec = this.rec;
    const value = rec.current.vmcs.exists(name);
    rec.others.push({ src: Src.Exists, a: name, b: 0, value });
    return value;
  }
}
