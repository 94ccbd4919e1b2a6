// One learner's lab behind the worker API: the program, the Machine with its VT-x model, run
// control in slices (so Stop gets through), time travel that stays correct across edits made
// from the panels, and the edits themselves, each executed as real instructions (inject.ts).

import { assemble, spansOfLine, type AssemblyResult } from '../asm/index.ts';
import { PHYS_OFFSET } from '../arch/lab.ts';
import { MSRS } from '../arch/msrs.ts';
import { fieldByName } from '../arch/vmcs/fields.ts';
import { vmInstructionError } from '../arch/vm-instruction-errors.ts';
import { Machine } from '../machine/machine.ts';
import { PROFILES } from '../arch/profiles/index.ts';
import { findLesson, prepareLessonMachine } from '../lessons/index.ts';
import { createVmxModel, type VmxModel } from '../vmx/index.ts';
import { GPR_NAMES } from '../x86/state.ts';
import { FieldWrites } from './field-writes.ts';
import { lastWrites } from './last-writes.ts';
import { injectInstructions, type InjectOptions } from './inject.ts';
import { buildSnapshot } from './snapshot.ts';
import type { EditOutcome, LabSettings, LabSnapshot, LoadOutcome, ProfileInfo, RunOutcome } from './types.ts';
import { hex } from './hex.ts';

/** Steps per slice of `run` between checks for Stop. */
const SLICE_STEPS = 20_000;
/** Time a run works before it yields to the message loop (so Stop is seen well within 100 ms). */
const SLICE_MS = 25;

/** An edit made from a panel: when it happened and how to make it again (for time travel). */
interface Edit {
  /** Machine step count just before the edit. */
  readonly at: number;
  /** Steps the edit took. */
  readonly steps: number;
  readonly lines: readonly string[];
  readonly opts: InjectOptions;
}


/** Parses a number the way the panels accept it: 0x-hex, h-suffix hex, or decimal. */
export function parseValue(text: string): bigint | undefined {
  const t = text.trim().replace(/_/g, '');
  try {
    if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t);
    if (/^[0-9a-f]+h$/i.test(t)) return BigInt(`0x${t.slice(0, -1)}`);
    if (/^[0-9]+$/.test(t)) return BigInt(t);
  } catch {
    return undefined;
  }
  return undefined;
}

/** The lab session: everything the worker keeps between commands. */
export class LabSession {
  private machine: Machine;
  private model: VmxModel | undefined;
  private writes!: FieldWrites;
  private assembly: AssemblyResult | undefined;
  private settings: LabSettings = { profile: '', msrEdits: {}, breakpoints: [] };
  private edits: Edit[] = [];
  private runToken = 0;
  private source = '';

  constructor() {
    this.machine = this.newMachine(undefined, new Map());
  }

  private newMachine(profile: string | undefined, overrides: ReadonlyMap<number, bigint>): Machine {
    const m = new Machine({
      profile,
      msrOverrides: overrides,
      vmx: (env, cpu) => (this.model = createVmxModel(env, cpu)),
    });
    this.writes = new FieldWrites(m, () => this.model);
    return m;
  }

  /** The CPU profiles a learner can pick. */
  profiles(): ProfileInfo[] {
    return PROFILES.map((p) => ({ id: p.id, name: p.name, processor: p.processor, isDefault: p.isDefault }));
  }

  /** Assembles `source` and boots a fresh machine with it on the chosen profile and MSR edits. */
  load(source: string, settings: LabSettings): LoadOutcome {
    this.runToken++;
    this.settings = settings;
    this.source = source;
    const overrides = new Map<number, bigint>();
    for (const [k, v] of Object.entries(settings.msrEdits)) {
      const i = parseValue(k), val = parseValue(v);
      if (i !== undefined && val !== undefined) overrides.set(Number(i), val);
    }
    const known = PROFILES.some((p) => p.id === settings.profile);
    this.assembly = assemble(source);
    const lesson = settings.lesson === undefined ? undefined : findLesson(settings.lesson);
    if (lesson && this.assembly.ok) {
      // The lesson's machine exactly as the CLI builds it, the learner's MSR edits on top of the
      // lesson's firmware values.
      const withEdits = { ...lesson, machine: { ...lesson.machine, msrs: { ...lesson.machine.msrs, ...settings.msrEdits } } };
      this.machine = prepareLessonMachine(withEdits, this.assembly, { profile: known ? settings.profile : undefined, history: true });
      this.model = this.machine.vmx as VmxModel;
      this.writes = new FieldWrites(this.machine, () => this.model);
    } else {
      this.machine = this.newMachine(known ? settings.profile : undefined, overrides);
      if (this.assembly.ok) this.machine.load(this.assembly);
    }
    this.edits = [];
    this.applyBreakpoints();
    const diagnostics = this.assembly.diagnostics
      .filter((d) => d.severity !== 'info')
      .map((d) => ({ line: d.line, col: d.col, message: d.message, severity: d.severity === 'error' ? 'error' as const : 'warning' as const }));
    return { ok: this.assembly.ok, diagnostics, snapshot: this.snapshot() };
  }

  private applyBreakpoints(): void {
    this.machine.breakpoints.clear();
    if (!this.assembly?.ok) return;
    for (const line of this.settings.breakpoints) {
      // A line without code (a label, a comment) breaks at the next line that has some.
      let span = spansOfLine(this.assembly.lineMap, line)[0];
      if (!span) for (const s of this.assembly.lineMap) if (s.line > line && s.line < (span?.line ?? Infinity)) span = s;
      if (span) this.machine.breakpoints.add(span.address);
    }
  }

  /** Sets the breakpoint lines. */
  setBreakpoints(lines: readonly number[]): LabSnapshot {
    this.settings = { ...this.settings, breakpoints: [...lines] };
    this.applyBreakpoints();
    return this.snapshot();
  }

  /** Everything the panels show. */
  snapshot(): LabSnapshot {
    const labels: { name: string; phys: string }[] = [];
    if (this.assembly?.ok) {
      for (const [name, v] of this.assembly.symbols) {
        const phys = BigInt.asUintN(64, v - PHYS_OFFSET);
        if (phys < BigInt(this.machine.profile.memorySize)) labels.push({ name, phys: hex(phys) });
      }
    }
    const editedMsrs = new Set(Object.keys(this.settings.msrEdits).map((k) => Number(parseValue(k) ?? -1n)));
    const editSteps = new Set<number>();
    for (const e of this.edits) for (let s = e.at + 1; s <= e.at + e.steps; s++) editSteps.add(s);
    // The program's VMWRITEs and the processor's own writes (VM exits, entry failures, VMfailValid).
    const writtenAt = lastWrites(this.machine, this.model, (enc) => this.writes.last(enc));
    return buildSnapshot(this.machine, this.model, { labels, editedMsrs, editSteps, writtenAt });
  }

  /** Executes `n` instructions (stops early if the machine stops). */
  step(n = 1): LabSnapshot {
    this.runToken++;
    for (let i = 0; i < n && !this.machine.stopped; i++) this.machine.step();
    return this.snapshot();
  }

  /** Goes back `n` steps; false in `ok` when history does not reach that far. */
  stepBack(n = 1): { ok: boolean; snapshot: LabSnapshot } {
    this.runToken++;
    const ok = this.travel(Math.max(0, this.machine.steps - n));
    this.writes.resync();
    return { ok, snapshot: this.snapshot() };
  }

  /** Returns to the state after step `step` (from the timeline). */
  jumpTo(step: number): { ok: boolean; snapshot: LabSnapshot } {
    this.runToken++;
    const target = Math.max(0, Math.min(step, this.machine.steps));
    const ok = this.travel(target);
    this.writes.resync();
    return { ok, snapshot: this.snapshot() };
  }

  /**
   * Goes back to step `target`. The machine's history replays deterministic steps; a replay must
   * not cross an edit made from a panel (its RIP change happened outside a step), so the state
   * just before the latest edit is reached first and the edit is made again.
   */
  private travel(target: number): boolean {
    const edits = [...this.edits];
    const ok = this.travelTo(target);
    // A target older than the history leaves the machine where it was: keep the edits it has made.
    if (!ok) this.edits = edits.filter((e) => e.at < this.machine.steps);
    return ok;
  }

  private travelTo(target: number): boolean {
    const m = this.machine;
    if (target >= m.steps) return target === m.steps;
    while (this.edits.length > 0 && this.edits[this.edits.length - 1]!.at >= target) this.edits.pop();
    const last = this.edits[this.edits.length - 1];
    if (!last) return m.stepBack(m.steps - target);
    const afterEdit = last.at + last.steps;
    if (target < afterEdit) target = afterEdit;
    if (m.steps - target <= 0) return true;
    // Back to just before the edit, make it again, then forward to the target.
    this.edits.pop();
    if (!this.travelTo(last.at)) return false;
    const r = injectInstructions(m, last.lines, last.opts);
    if (!r.ok) return false;
    this.edits.push({ ...last, steps: r.steps });
    m.replay(target - m.steps);
    return m.steps === target;
  }

  /** Runs until the machine stops, a breakpoint, or Stop; yields between slices. */
  async run(): Promise<RunOutcome> {
    const token = ++this.runToken;
    const m = this.machine;
    let first = true;
    for (;;) {
      const began = performance.now();
      while (performance.now() - began < SLICE_MS) {
        if (!first && m.breakpoints.has(m.cpu.getRip64())) return { kind: 'breakpoint', snapshot: this.snapshot() };
        const r = m.run({ maxSteps: SLICE_STEPS });
        first = false;
        if (r.kind === 'stopped') return { kind: 'stopped', snapshot: this.snapshot() };
        if (r.kind === 'breakpoint') return { kind: 'breakpoint', snapshot: this.snapshot() };
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (token !== this.runToken) return { kind: 'interrupted', snapshot: this.snapshot() };
    }
  }

  /** Interrupts a run at its next slice boundary. */
  stop(): void {
    this.runToken++;
  }

  /** Boots the same program again. */
  reset(): LabSnapshot {
    this.runToken++;
    // A lesson's control-register and register presets come after boot: build its machine again.
    if (this.settings.lesson !== undefined && findLesson(this.settings.lesson)) return this.load(this.source, this.settings).snapshot;
    this.machine.reset();
    this.edits = [];
    this.writes.resync();
    return this.snapshot();
  }

  /** Runs an edit as real instructions; rolls back if it faulted. */
  private edit(lines: readonly string[], describe: () => string, opts: InjectOptions = {}): EditOutcome {
    this.runToken++;
    const at = this.machine.steps;
    const r = injectInstructions(this.machine, lines, opts);
    if (!r.ok) {
      if (r.steps > 0) this.travel(at);
      this.writes.resync();
      return { ok: false, message: r.problem ?? 'the edit failed', snapshot: this.snapshot() };
    }
    this.edits.push({ at, steps: r.steps, lines, opts });
    return { ok: true, message: describe(), snapshot: this.snapshot() };
  }

  /** Flips one bit of CR0, CR4 or EFER with MOV to CR / WRMSR, as the program would. */
  setCrBit(reg: 'CR0' | 'CR4' | 'EFER', bit: number, value: boolean): EditOutcome {
    const c = this.machine.cpu;
    const cur = BigInt(reg === 'CR0' ? c.cr0 : reg === 'CR4' ? c.cr4 : c.efer);
    const mask = 1n << BigInt(bit);
    const next = value ? cur | mask : cur & ~mask;
    if (reg === 'EFER') return this.writeMsr(0xc0000080, next);
    const cr = reg.toLowerCase();
    return this.edit([`mov rax, ${hex(next)}`, `mov ${cr}, rax`], () => `mov ${cr}, ${hex(next)}: ${reg} is now ${hex(next)}`);
  }

  /** WRMSR of `value` to MSR `index`, as the program would (a locked 0x3A raises #GP). */
  writeMsr(index: number, value: bigint): EditOutcome {
    const lo = value & 0xffff_ffffn, hi = (value >> 32n) & 0xffff_ffffn;
    return this.edit([`mov ecx, ${hex(BigInt(index))}`, `mov eax, ${hex(lo)}`, `mov edx, ${hex(hi)}`, 'wrmsr'],
      () => `wrmsr ${hex(BigInt(index))} <- ${hex(value)}: done`);
  }

  /**
   * Changes a capability MSR of this machine's profile (they are read-only to WRMSR, SDM Vol. 3D
   * Appendix A): the learner plays the CPU designer. Takes effect at the next VMX instruction.
   */
  setCapabilityMsr(index: number, value: bigint): EditOutcome {
    const info = MSRS.find((m) => m.index === index);
    if (!info?.readOnly) return this.writeMsr(index, value);
    this.machine.profile.cpu.readOnlyMsrs.set(index, BigInt.asUintN(64, value));
    this.settings = { ...this.settings, msrEdits: { ...this.settings.msrEdits, [hex(BigInt(index))]: hex(value) } };
    return { ok: true, message: `${info.sdmName} of this processor is now ${hex(value)}`, snapshot: this.snapshot() };
  }

  /** VMWRITE of `value` to the field `name` (Linux vmx.h name), executed by the processor. */
  vmwrite(name: string, value: bigint): EditOutcome {
    const f = fieldByName(name);
    if (!f) return { ok: false, message: `no VMCS field named ${name}`, snapshot: this.snapshot() };
    const out = this.edit([`mov rax, ${hex(BigInt(f.encoding))}`, `mov rbx, ${hex(value)}`, 'vmwrite rax, rbx'], () => '');
    if (!out.ok) return out;
    const ev = [...this.machine.events].reverse().find((e) => e.kind === 'vmx');
    if (ev?.kind === 'vmx' && ev.result !== 'VMsucceed') {
      const err = ev.error !== undefined ? vmInstructionError(ev.error) : undefined;
      const message = ev.result === 'VMfailValid' ? `vmwrite ${name}: VMfailValid(${ev.error}): ${err?.text ?? ''}` : `vmwrite ${name}: VMfailInvalid (no current VMCS)`;
      return { ok: false, message, snapshot: out.snapshot };
    }
    return { ...out, message: `vmwrite ${name} <- ${hex(value)}: VMsucceed` };
  }

  /** Sets a general register or RIP while paused, as `mov reg, imm64` (an edit in time like the others). */
  setRegister(name: string, value: bigint): EditOutcome {
    const n = name.toLowerCase();
    const v = BigInt.asUintN(64, value);
    if (n === 'rip') return this.edit(['nop'], () => `RIP is now ${hex(v)}`, { rip: Number(BigInt.asIntN(64, v)) });
    const i = GPR_NAMES.indexOf(n as (typeof GPR_NAMES)[number]);
    if (i < 0) return { ok: false, message: `no register named ${name}`, snapshot: this.snapshot() };
    return this.edit([`mov ${n}, ${hex(v)}`], () => `${name.toUpperCase()} is now ${hex(v)}`, { keep: [i] });
  }

  /**
   * Writes bytes to physical memory the way the program would: `mov byte [rax], imm8` through
   * the direct map (PHYS_OFFSET + address), one instruction per byte.
   */
  writeMemory(phys: number, bytes: readonly number[]): EditOutcome {
    if (bytes.length === 0 || bytes.length > 64) return { ok: false, message: 'write 1 to 64 bytes at a time', snapshot: this.snapshot() };
    const base = PHYS_OFFSET + BigInt(phys);
    const lines = [`mov rax, ${hex(base)}`, ...bytes.map((b, i) => `mov byte [rax + ${i}], ${b & 0xff}`)];
    return this.edit(lines, () => `wrote ${bytes.length} byte(s) at physical ${hex(BigInt(phys))}`);
  }

  /**
   * Raises IRQ `line` (0-15) at the 8259A pair, or an NMI, before the next step, as a device
   * would (Machine.raiseIrq / raiseNmi: recorded with the step, so step back and replay see it).
   * Whether it is delivered, exits or waits is up to the PIC's mask, RFLAGS.IF and the VM-execution
   * controls at the next instruction boundary (src/x86/external.ts, src/vmx/exit/boundary.ts).
   */
  raiseInterrupt(line: number | 'nmi'): EditOutcome {
    this.runToken++;
    if (line === 'nmi') {
      this.machine.raiseNmi();
      return { ok: true, message: 'NMI raised: it is taken at the next instruction boundary unless NMIs are blocked', snapshot: this.snapshot() };
    }
    if (!Number.isInteger(line) || line < 0 || line > 15) return { ok: false, message: `IRQ ${line} is not 0-15`, snapshot: this.snapshot() };
    this.machine.raiseIrq(line);
    const view = this.snapshot();
    const input = view.devices.pic[line < 8 ? 0 : 1].inputs[line & 7]!;
    const why = input.masked ? '; it is masked in the PIC\'s IMR, so it will wait in IRR until unmasked' : '';
    return { ok: true, message: `IRQ ${line} raised: it reaches the PIC before the next step (vector 0x${input.vector.toString(16)})${why}`, snapshot: view };
  }

  /** The paused machine and its VT-x model, for read-only views (walk-view.ts); callers must not change them. */
  inspect(): { readonly machine: Machine; readonly model: VmxModel | undefined } {
    return { machine: this.machine, model: this.model };
  }

  /** `length` bytes of physical memory from `phys` (0xFF outside RAM). */
  readMemory(phys: number, length: number): Uint8Array {
    return this.machine.memory.readBytes(phys, Math.min(length, 4096));
  }
}
