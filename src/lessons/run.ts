// Running a lesson's program: the starting machine the lesson describes, and a trace of what
// happened that the goals are judged on (events, plus the guest RIP of each VM entry and the
// instruction length of each VM exit, which the event log alone does not give).

import { VMCS } from '../arch/vmcs/fields.ts';
import { assemble, type AssemblyResult, type Diagnostic } from '../asm/index.ts';
import type { MachineEvent, StopReason } from '../machine/events.ts';
import { Machine } from '../machine/machine.ts';
import type { VmxMode } from '../machine/vmx-plug.ts';
import { GPR_NAMES } from '../x86/state.ts';
import { DEFAULT_LESSON_STEPS, toBig, type Lesson, type LessonMachine } from './format.ts';

/** One VM exit (not an entry failure) and what the host needs to skip the instruction. */
export interface TracedExit {
  readonly reason: number;
  readonly guestRip: bigint;
  /** VM_EXIT_INSTRUCTION_LEN right after the exit. */
  readonly length: bigint;
  /** Index of the exit's event in `events`. */
  readonly event: number;
}

/** A successful VM entry: where the guest started. */
export interface TracedEntry {
  readonly rip: bigint;
  readonly event: number;
}

/** What a lesson run produced. */
export interface LessonRun {
  readonly machine: Machine;
  readonly profile: string;
  readonly events: readonly MachineEvent[];
  readonly exits: readonly TracedExit[];
  readonly entries: readonly TracedEntry[];
  /** How the run ended ('max-steps' when the step budget ran out). */
  readonly stop: StopReason;
  readonly mode: VmxMode;
  readonly steps: number;
}

/** The MSR overrides of a lesson's starting machine, as the Machine takes them. */
export function lessonMsrOverrides(m: LessonMachine): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const [k, v] of Object.entries(m.msrs ?? {})) {
    const i = toBig(k);
    const value = toBig(v);
    if (i !== undefined && value !== undefined) out.set(Number(i), BigInt.asUintN(64, value));
  }
  return out;
}

/**
 * Builds the starting machine of a lesson with a program loaded: the profile (or `profile`
 * instead), firmware MSRs, then the lesson's control-register and register presets. The page's
 * worker and the CLI both start lessons through this.
 */
export function prepareLessonMachine(lesson: Lesson, program: AssemblyResult, opts: { profile?: string; history?: boolean } = {}): Machine {
  const m = lesson.machine;
  const machine = new Machine({ profile: opts.profile ?? m.profile, msrOverrides: lessonMsrOverrides(m), history: opts.history ?? false });
  machine.load(program);
  const cpu = machine.cpu;
  for (const [cr, change] of Object.entries(m.cr ?? {})) {
    const set = toBig(change?.set) ?? 0n;
    const clear = toBig(change?.clear) ?? 0n;
    if (cr === 'cr0') cpu.cr0 = Number(BigInt.asUintN(32, (BigInt(cpu.cr0) | set) & ~clear));
    else if (cr === 'cr4') cpu.cr4 = Number(BigInt.asUintN(32, (BigInt(cpu.cr4) | set) & ~clear));
    else if (cr === 'cr3') cpu.cr3 = Number((BigInt(cpu.cr3) | set) & ~clear);
  }
  for (const [reg, value] of Object.entries(m.regs ?? {})) {
    const i = (GPR_NAMES as readonly string[]).indexOf(reg);
    const v = toBig(value);
    if (i >= 0 && v !== undefined) cpu.setGpr64(i, BigInt.asUintN(64, v));
  }
  return machine;
}

/** Reads a field of the current VMCS through the VT-x model's queries (undefined without a current VMCS). */
export function currentVmcsField(machine: Machine, encoding: number): bigint | undefined {
  const vmx = machine.vmx as (Machine['vmx'] & { currentFields?: () => { encoding: number; value: bigint }[]; currentPointer?: () => bigint }) | null;
  if (!vmx?.currentFields || !vmx.currentPointer || vmx.currentPointer() === 0xffff_ffff_ffff_ffffn) return undefined;
  return vmx.currentFields().find((f) => f.encoding === encoding)?.value ?? 0n;
}

/** Assembles a lesson program. */
export function assembleLessonProgram(text: string): { result: AssemblyResult; diagnostics: Diagnostic[] } {
  const result = assemble(text, { fileName: 'lesson.asm' });
  return { result, diagnostics: result.diagnostics.filter((d) => d.severity === 'error') };
}

/** Runs an assembled program on the lesson's starting machine, step by step, tracing entries and exits. */
export function runLesson(lesson: Lesson, program: AssemblyResult, opts: { profile?: string; maxSteps?: number } = {}): LessonRun {
  const machine = prepareLessonMachine(lesson, program, { profile: opts.profile });
  const budget = opts.maxSteps ?? lesson.maxSteps ?? DEFAULT_LESSON_STEPS;
  const exits: TracedExit[] = [];
  const entries: TracedEntry[] = [];
  const lenField = VMCS.VM_EXIT_INSTRUCTION_LEN;
  let pendingEntry = -1;
  while (machine.stopped === null && machine.steps < budget) {
    const before = machine.events.length;
    machine.step();
    // Read the event list after every step: the machine may build it when it is read.
    const events = machine.events;
    if (events.length === before) continue;
    for (let i = before; i < events.length; i++) {
      const e = events[i];
      if (e.kind === 'vmentry') pendingEntry = i;
      else if (e.kind === 'vmexit' && !e.entryFailure) {
        exits.push({ reason: e.reason, guestRip: e.guestRip ?? 0n, length: currentVmcsField(machine, lenField) ?? 0n, event: i });
      }
    }
    if (pendingEntry >= 0 && machine.mode === 'non-root') {
      entries.push({ rip: machine.cpu.getRip64(), event: pendingEntry });
      pendingEntry = -1;
    } else if (pendingEntry >= 0 && events.slice(pendingEntry).some((e) => e.kind === 'vmexit')) {
      // The entry failed, or the guest exited at its first instruction: the exit records where it was.
      const exit = events.slice(pendingEntry).find((e) => e.kind === 'vmexit');
      if (exit?.kind === 'vmexit' && !exit.entryFailure && exit.guestRip !== undefined) entries.push({ rip: exit.guestRip, event: pendingEntry });
      pendingEntry = -1;
    }
  }
  const stop: StopReason = machine.stopped ?? 'max-steps';
  return { machine, profile: machine.profile.id, events: machine.events, exits, entries, stop, mode: machine.mode, steps: machine.steps };
}
