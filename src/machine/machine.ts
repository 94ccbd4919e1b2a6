// The Machine facade (STYLE rule 14, DESIGN sections 2 and 5): physical memory, the starting
// machine, stepping with an event log, breakpoints, snapshots and step back. The one place where
// an X86Fault is caught (STYLE rule 9): an exception whose IDT gate the program did not make
// present stops the machine with a `fault` event; otherwise the executor delivers it.

import { LAB_BASE, LAB_IMAGE_PHYS } from '../arch/lab.ts';
import { createVmxModel, VersionedMap } from '../vmx/index.ts';
import { VmExitUnwind, type X86Env, type Platform } from '../x86/env.ts';
import { STEP_OK, type Cpu } from '../x86/cpu.ts';
import { disassembleCached } from '../x86/disasm.ts';
import { X86Fault } from '../x86/fault.ts';
import type { DecodedInstruction } from '../x86/isa/decoded.ts';
import { CpuState } from '../x86/state.ts';
import { applyMsrOverrides, bootMachine } from './boot.ts';
import type { MachineEvent, MachineEventKind, Listener, StopReason } from './events.ts';
import { EventLog, type EventPlace } from './event-log.ts';
import { VmxTap, WatchedHooks } from './watched-hooks.ts';
import type { VmxReport } from '../vmx/reports.ts';
import { DeviceBus, type DeviceBusSnapshot } from './devices/bus.ts';
import { createExecutor, type Executor } from './executor.ts';
import { History } from './history.ts';
import { PhysicalMemory, type MemorySnapshot } from './memory.ts';
import { resolveProfile, type MachineProfile } from './profile.ts';
import type { AssemblyResult } from '../asm/index.ts';
import { programFromAssembly, programFromBytes, type Program } from './program.ts';
import type { VmxMode, VmxPlug } from './vmx-plug.ts';

export interface MachineOptions {
  /** Profile id (see `vmx-lab profiles`), or a resolved profile; default: the registry's default. */
  readonly profile?: string | MachineProfile;
  /** MSR values as firmware would have left them (`--msr INDEX=VALUE`), applied after boot. */
  readonly msrOverrides?: ReadonlyMap<number, bigint>;
  /** The VT-x model; default: the one from src/vmx. Pass `null` to run without one. */
  readonly vmx?: ((env: X86Env, cpu: CpuState) => VmxPlug) | null;
  /** Keep checkpoints for step back (default true; the CLI turns it off). */
  readonly history?: boolean;
}

/** A snapshot of the whole machine; cheap (cloned CpuState, copy-on-write memory). */
export interface MachineSnapshot {
  readonly cpu: CpuState;
  readonly memory: MemorySnapshot;
  readonly vmx: unknown;
  readonly a20: boolean;
  /** The interrupt controller, timer and NMI latch (src/machine/devices). */
  readonly devices: DeviceBusSnapshot;
  /** How many of the recorded device inputs (`raiseIrq`, `raiseNmi`) had been applied. */
  readonly inputsApplied: number;
  readonly steps: number;
  readonly eventCount: number;
  readonly stopped: StopReason | null;
}

/** Result of `run`: stopped for good, or paused at a breakpoint / the end of the step budget. */
export type RunResult =
  | { readonly kind: 'stopped'; readonly reason: StopReason; readonly steps: number }
  | { readonly kind: 'breakpoint'; readonly rip: bigint; readonly steps: number }
  | { readonly kind: 'max-steps'; readonly steps: number };

/** The VT-x model used when MachineOptions.vmx is not given. */
const DEFAULT_VMX = (env: X86Env, cpu: CpuState): VmxPlug => createVmxModel(env, cpu);

/** An input to the devices from outside the program (API, lesson, CLI), applied before step `step + 1`. */
interface DeviceInput {
  readonly step: number;
  readonly irq: number;
}

/** `DeviceInput.irq` of an NMI. */
const INPUT_NMI = -1;


/** One emulated x86-64 PC running one lab program. */
export class Machine {
  readonly profile: MachineProfile;
  readonly cpu = new CpuState();
  readonly memory: PhysicalMemory;
  readonly breakpoints = new Set<bigint>();
  /** The 8259A pair, the 8254's channel 0 and the NMI line, behind `env.io` and the interrupt pins (docs/machine.md, "Devices"). */
  readonly devices = new DeviceBus();
  /**
   * Device inputs from outside the program, in step order, kept so that a replay (step back)
   * applies them at the same steps: the machine stays deterministic (decision 0067).
   */
  private inputs: DeviceInput[] = [];
  private inputsApplied = 0;
  /**
   * Every event since the last load/reset, in order (src/machine/event-log.ts: VMX events are
   * kept raw and built when this is read). The array is the log's own: read it, never change it.
   */
  get events(): MachineEvent[] {
    return this.log.all();
  }
  private readonly log = new EventLog((step, rip, insn) => this.placeOf(step, rip, insn));
  private readonly msrOverrides: ReadonlyMap<number, bigint>;
  /** Overrides of writable MSRs, applied at every reset. */
  private readonly firmwareMsrs: ReadonlyMap<number, bigint>;
  private readonly platform: Platform;
  private readonly env: X86Env;
  private readonly exec: Executor;
  /** The executor's processor, called directly on the hot path. */
  private readonly core: Cpu;
  /** The plugged-in VT-x model (the default one is a `VmxModel` of src/vmx, with its queries), or null. */
  readonly vmx: VmxPlug | null;
  private readonly history: History<MachineSnapshot> | null;
  private readonly listeners = new Map<MachineEventKind | '*', Set<Listener>>();
  private program: Program = programFromBytes(new Uint8Array());
  private silent = false;
  /** Set by the watched VMX hooks: the model may have reports to drain after this step; the VMX instruction they last received. */
  private readonly tap = new VmxTap();
  /** The reports of the step being drained (reused; entries past the count are stale). */
  private readonly reportScratch: VmxReport[] = [];
  /** Software asked for a fast reset during this step. */
  private resetRequested = false;
  private _steps = 0;
  private _stopped: StopReason | null = null;

  /** Builds a machine for a profile; it holds an empty program until `load`. */
  constructor(opts: MachineOptions = {}) {
    const p = typeof opts.profile === 'object' ? opts.profile : resolveProfile(opts.profile);
    // The machine's own copy of the read-only MSRs, so edits never leak into another machine.
    // It counts its edits (VersionedMap) so the VT-x model sees one changed without comparing every value.
    this.profile = { ...p, cpu: { ...p.cpu, readOnlyMsrs: new VersionedMap(p.cpu.readOnlyMsrs) } };
    this.msrOverrides = opts.msrOverrides ?? new Map();
    this.memory = new PhysicalMemory(this.profile.memorySize);
    // A fast reset (port 0x92 bit 0) would reboot into firmware; the lab stops instead, since
    // booting the program again could loop for ever (Implementation choice, docs/machine.md).
    this.platform = { a20Enabled: true, requestReset: () => void (this.resetRequested = true), interrupts: this.devices };
    this.env = { memory: this.memory, io: this.devices, platform: this.platform, config: this.profile.cpu, vmx: null };
    // Capability MSRs are read-only profile values: an override edits the profile's copy.
    const firmware = new Map<number, bigint>();
    for (const [index, value] of this.msrOverrides) {
      if (this.profile.cpu.readOnlyMsrs.has(index)) this.profile.cpu.readOnlyMsrs.set(index, BigInt.asUintN(64, value));
      else firmware.set(index, value);
    }
    this.firmwareMsrs = firmware;
    const makeVmx = opts.vmx === undefined ? DEFAULT_VMX : opts.vmx;
    this.vmx = makeVmx ? makeVmx(this.env, this.cpu) : null;
    this.env.vmx = this.vmx ? new WatchedHooks(this.vmx.hooks, this.tap) : null;
    this.exec = createExecutor(this.cpu, this.env);
    this.core = this.exec.cpu;
    this.history = opts.history === false ? null : new History<MachineSnapshot>();
    this.reset();
  }

  /** Instructions executed since the last load/reset. */
  get steps(): number {
    return this._steps;
  }

  /** Why the machine stopped, or null while it can run. */
  get stopped(): StopReason | null {
    return this._stopped;
  }

  /** VMX operation: off, root or non-root. */
  get mode(): VmxMode {
    return this.vmx ? this.vmx.mode() : 'off';
  }

  /** Loads a program (the assembler's result, a Program, or raw bytes) and boots a fresh machine with it. */
  load(program: AssemblyResult | Program | Uint8Array): void {
    this.program = program instanceof Uint8Array ? programFromBytes(program) : 'lineMap' in program ? programFromAssembly(program) : program;
    this.reset();
  }

  /** Boots again with the same program: the starting machine of DESIGN section 5. */
  reset(): void {
    bootMachine(this.cpu, this.memory, this.program.bytes, {
      memorySize: this.profile.memorySize,
      featureControl: this.profile.featureControl,
    });
    applyMsrOverrides(this.cpu, this.firmwareMsrs);
    this.platform.a20Enabled = true;
    this.resetRequested = false;
    this.devices.reset();
    this.inputs = [];
    this.inputsApplied = 0;
    this.vmx?.reset();
    this.vmx?.takeReports();
    this.tap.touched = false;
    this.tap.insn = null;
    this.exec.flush();
    this.log.clear();
    this._steps = 0;
    this._stopped = null;
    this.history?.clear();
  }

  /** Subscribes to events of one kind (or '*' for all); returns the unsubscribe function. */
  on<K extends MachineEventKind>(kind: K | '*', listener: Listener<Extract<MachineEvent, { kind: K }>>): () => void {
    let set = this.listeners.get(kind);
    if (!set) this.listeners.set(kind, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  /** Source line of the instruction at a linear address, if it lies in the program image. */
  lineAt(rip: bigint): number | undefined {
    const offset = BigInt.asUintN(64, rip - LAB_BASE);
    return offset < BigInt(this.program.bytes.length) ? this.program.lineAt(Number(offset)) : undefined;
  }

  /** Disassembly of the instruction at `rip` (linear), or undefined when it cannot be fetched. */
  textAt(rip: number): string | undefined {
    return this.exec.disassembleAt(rip);
  }

  private emit(e: MachineEvent): void {
    this.log.push(e);
    if (this.silent || this.listeners.size === 0) return;
    for (const l of this.listeners.get(e.kind) ?? []) l(e);
    for (const l of this.listeners.get('*') ?? []) l(e);
  }

  private where(rip: number, insn?: DecodedInstruction | null): EventPlace {
    const r = BigInt.asUintN(64, BigInt(rip));
    const text = insn ? disassembleCached(insn, r) : this.textAt(rip);
    return { step: this._steps, line: this.lineAt(r), rip: r, text };
  }

  /** `where` for an event recorded raw at `step` (its text comes from its instruction, never from memory). */
  private placeOf(step: number, rip: number, insn: DecodedInstruction): EventPlace {
    const r = BigInt.asUintN(64, BigInt(rip));
    return { step, line: this.lineAt(r), rip: r, text: disassembleCached(insn, r) };
  }

  private stop(reason: StopReason, rip: number, message: string): void {
    this._stopped = reason;
    this.emit({ kind: 'stop', reason, message, ...this.where(rip) });
  }

  /**
   * Executes one instruction (or delivers the exception it raised). Does nothing once stopped.
   * Returns the stop reason if the machine stopped during this step.
   */
  step(): StopReason | null {
    if (this._stopped) return this._stopped;
    // The checkpoint first: a step back to this step must show inputs raised here as still pending.
    this.history?.beforeStep(this);
    if (this.inputsApplied < this.inputs.length) this.applyInputs();
    const rip = this.cpu.rip;
    this._steps++;
    this.devices.sync(this._steps);
    try {
      const r = this.core.step();
      if (r !== STEP_OK) {
        if (r.kind === 'halted') {
          if (!this.eventMayWake()) this.stop('halted', rip, 'hlt: the processor halted with no interrupt to wake it');
        }
        else if (r.kind === 'stop') this.stop('fault', rip, r.message);
      }
    } catch (e) {
      if (e instanceof VmExitUnwind) {
        // An EPT violation or misconfiguration: the VT-x model already made the VM exit;
        // the instruction did not complete (SDM Vol. 3C §29.3.3 "EPT-Induced VM Exits").
        this.tap.touched = true;
      } else if (e instanceof X86Fault) {
        this.handleFault(e, rip);
      } else {
        throw e;
      }
    }
    if (this.tap.touched) this.drainVmxReports(rip);
    if (this.resetRequested) {
      this.resetRequested = false;
      if (!this._stopped) this.stop('shutdown', rip, 'fast reset requested through port 0x92 bit 0: the machine would reboot');
    }
    if (!this._stopped && this.cpu.activity === 'shutdown') this.stop('shutdown', rip, this.shutdownMessage());
    return this._stopped;
  }

  /**
   * Whether a halted processor waits (each step one idle clock of the devices) instead of the
   * machine stopping: an event is on its way (NMI, INTR, or the PIT counting on an unmasked IRQ0)
   * and RFLAGS.IF lets a maskable one in, or it is an NMI, or the processor is in VMX non-root
   * operation, where the VT-x model may take it as a VM exit whatever RFLAGS.IF says.
   */
  private eventMayWake(): boolean {
    if (!this.devices.eventExpected()) return false;
    return this.devices.nmi || (this.cpu.rflags & 0x200) !== 0 || this.mode === 'non-root';
  }

  /** Why the processor shut down: a VMX abort (its indicator and cause), else a triple fault. */
  private shutdownMessage(): string {
    const abort = this.vmx?.takeAbort?.();
    if (!abort) return 'triple fault: the processor shut down';
    return `VMX abort ${abort.code}: ${abort.explain}; the indicator is in bytes 4-7 of the VMCS region and the processor shut down (SDM Vol. 3C §28.7)`;
  }

  /** Applies the device inputs recorded for the current step. */
  private applyInputs(): void {
    while (this.inputsApplied < this.inputs.length && this.inputs[this.inputsApplied]!.step <= this._steps) {
      const { irq } = this.inputs[this.inputsApplied++]!;
      if (irq === INPUT_NMI) this.devices.raiseNmi();
      else this.devices.raiseIrq(irq);
    }
  }

  private recordInput(irq: number): void {
    // A new input starts a new future: recorded inputs of later steps (left by a step back) are
    // dropped; those raised at this step and not yet applied stay, in order.
    let keep = this.inputsApplied;
    while (keep < this.inputs.length && this.inputs[keep]!.step <= this._steps) keep++;
    this.inputs.length = keep;
    this.inputs.push({ step: this._steps, irq });
    // A processor halted for want of an event may now be woken: the next step decides.
    if (this._stopped === 'halted' && this.cpu.activity === 'halted') this._stopped = null;
  }

  /**
   * Pulses IRQ line `irq` (0-15) of the 8259A pair before the next step (an edge-triggered request,
   * as a device would raise it). Recorded, so step back and replay reproduce it (decision 0067).
   */
  raiseIrq(irq: number): void {
    if (!Number.isInteger(irq) || irq < 0 || irq > 15) throw new RangeError(`IRQ ${irq} is not 0-15`);
    this.recordInput(irq);
  }

  /** Raises an NMI (the NMI pin's edge) before the next step; recorded like `raiseIrq`. */
  raiseNmi(): void {
    this.recordInput(INPUT_NMI);
  }

  /** Device inputs recorded and not yet applied (they apply before the next step): IRQ lines, or 'nmi'. */
  pendingInputs(): (number | 'nmi')[] {
    return this.inputs.slice(this.inputsApplied).map((i) => (i.irq === INPUT_NMI ? 'nmi' : i.irq));
  }

  private handleFault(f: X86Fault, rip: number): void {
    // In VMX non-root operation the guest's exceptions go to delivery, where the VT-x model
    // decides on VM exits (exception bitmap, triple fault). In the host, an exception whose
    // gate the program did not make present stops the machine (DESIGN section 5).
    if (this.mode === 'non-root' || this.exec.gatePresent(f.vector)) {
      const r = this.exec.deliver(f);
      if (r.kind === 'shutdown') this.stop('shutdown', rip, r.message);
      return;
    }
    this.emit({ kind: 'fault', vector: f.vector, name: f.shortName, errorCode: f.errorCode, explain: f.reason, ...this.where(rip) });
    this.stop('fault', rip, `${f.shortName}: ${f.reason}`);
  }

  /**
   * The VT-x model's hooks, wrapped so the machine knows when a step may have produced reports
   * (a VMX instruction, an interception or an event in non-root operation) and asks for them only then.
   */
  private drainVmxReports(rip: number): void {
    this.tap.touched = false;
    const vmx = this.vmx;
    if (!vmx) return;
    // A VM exit's event carries only the step; the others the place (line, text), worked out
    // only when one of them needs it. Nobody listening: events are kept raw and built when the
    // log is read (event-log.ts), except one whose place needs memory as it is now (no instruction).
    const lazy = this.silent || this.listeners.size === 0;
    // Into one reused array when the model offers it and no listener could step the machine
    // again before this loop ends (most steps report once).
    let reports = this.reportScratch;
    let n: number;
    if (lazy && vmx.takeReportsInto !== undefined) n = vmx.takeReportsInto(reports);
    else n = (reports = vmx.takeReports()).length;
    if (n === 0) return;
    // The text comes from the instruction the hook received: after a VM entry or exit the
    // paging structures in force may no longer map the instruction's address.
    const insn = this.tap.insn;
    this.tap.insn = null;
    let at: EventPlace | undefined;
    for (let i = 0; i < n; i++) {
      const r = reports[i]!;
      if (lazy && (r.kind === 'vmexit' || insn !== null)) this.log.pushVmx(this._steps, rip, insn, r);
      // Object.assign keeps the spread's key order (the place first) on V8's fast path.
      else if (r.kind === 'vmexit') this.emit(Object.assign({ step: this._steps }, r));
      else this.emit(Object.assign({}, at ??= this.where(rip, insn), r));
    }
  }

  /**
   * Runs until the machine stops, a breakpoint is reached (before executing the instruction
   * there; the first instruction is never treated as a breakpoint so `run` after a pause goes
   * on), or `maxSteps` instructions have run.
   */
  run(opts: { maxSteps: number }): RunResult {
    const start = this._steps;
    const end = start + opts.maxSteps;
    const cpu = this.cpu;
    // Breakpoints as CpuState holds RIP (signed numbers), so the per-step test is one Set lookup.
    const bps = this.breakpoints.size === 0 ? null : new Set([...this.breakpoints].map((b) => Number(BigInt.asIntN(64, b))));
    while (!this._stopped) {
      if (this._steps >= end) return { kind: 'max-steps', steps: this._steps };
      if (bps !== null && this._steps > start && bps.has(cpu.rip)) {
        return { kind: 'breakpoint', rip: BigInt.asUintN(64, BigInt(cpu.rip)), steps: this._steps };
      }
      this.step();
    }
    return { kind: 'stopped', reason: this._stopped, steps: this._steps };
  }

  /** Executes `n` steps without notifying listeners (history replay); returns how many ran. */
  replay(n: number): number {
    this.silent = true;
    try {
      let i = 0;
      for (; i < n && !this._stopped; i++) this.step();
      return i;
    } finally {
      this.silent = false;
    }
  }

  /** Goes back `n` steps (default 1). False when history is off or does not reach that far. */
  stepBack(n = 1): boolean {
    if (!this.history) return false;
    const target = this._steps - n;
    return this.history.goTo(this, Math.max(0, target));
  }

  /** A snapshot of the whole machine. */
  snapshot(): MachineSnapshot {
    return {
      cpu: this.cpu.clone(),
      memory: this.memory.snapshot(),
      vmx: this.vmx?.snapshot(),
      a20: this.platform.a20Enabled,
      devices: this.devices.snapshot(),
      inputsApplied: this.inputsApplied,
      steps: this._steps,
      eventCount: this.log.length,
      stopped: this._stopped,
    };
  }

  /** Returns to a snapshot taken from this machine (events after it are dropped). */
  restore(s: MachineSnapshot): void {
    this.cpu.copyFrom(s.cpu);
    this.memory.restore(s.memory);
    if (this.vmx && s.vmx !== undefined) this.vmx.restore(s.vmx);
    this.vmx?.takeReports();
    this.tap.touched = false;
    this.tap.insn = null;
    this.resetRequested = false;
    this.platform.a20Enabled = s.a20;
    this.devices.restore(s.devices);
    this.inputsApplied = Math.min(s.inputsApplied, this.inputs.length);
    this._steps = s.steps;
    this.log.truncate(s.eventCount);
    this._stopped = s.stopped;
    this.exec.flush();
  }

  /** Physical address of the program image (for panels). */
  static readonly imagePhys = Number(LAB_IMAGE_PHYS);
}
