// `vmx-lab run FILE...`: assembles and runs each program on a fresh machine (DESIGN section 6).
// With --json one JSON Lines record per program, in the order given; otherwise a readable report.
// Exit code 0 when every program ran (whatever it did), 2 when one did not assemble or could not be read.

import { defaultProfile, findProfile } from '../../arch/profiles/index.ts';
import { Machine } from '../../machine/machine.ts';
import { profileIds } from '../../machine/profile.ts';
import { GPR_NAMES } from '../../x86/state.ts';
import { assembleForMachine } from '../assemble.ts';
import type { CliIo } from '../io.ts';
import { eventToJson, hex, programLine, type JsonDiagnostic, type JsonFinal, type JsonProgram } from '../json.ts';
import { CONTRACT_EVENT_KINDS, type StopReason } from '../../machine/events.ts';
import { formatHuman } from './run-text.ts';
import type { DeviceRaise } from '../args.ts';

export interface RunCommand {
  readonly files: readonly string[];
  readonly profile?: string;
  readonly msrs: ReadonlyMap<number, bigint>;
  readonly maxSteps: number;
  readonly json: boolean;
  /** Device inputs, in step order (`--irq`, `--nmi`). */
  readonly raise?: readonly DeviceRaise[];
}

/** What running one program gave: the contract record, and the stop message for text output. */
export interface ProgramRun {
  readonly record: JsonProgram;
  readonly stopMessage?: string;
}

/** Runs one program's source (undefined: the file could not be read). */
export function runProgram(file: string, source: string | undefined, c: RunCommand, profileId: string): ProgramRun {
  if (source === undefined) {
    return { record: { file, ok: false, profile: profileId, diagnostics: [{ line: 0, col: 0, message: `cannot read ${file}` }], events: [], final: null } };
  }
  const asm = assembleForMachine(source, file);
  const diagnostics: JsonDiagnostic[] = asm.diagnostics.map((d) => ({ line: d.line, col: d.col, message: d.message }));
  if (!asm.ok) return { record: { file, ok: false, profile: profileId, diagnostics, events: [], final: null } };
  const m = new Machine({ profile: profileId, msrOverrides: c.msrs, history: false });
  m.load(asm.program);
  const r = runWithInputs(m, c.maxSteps, c.raise ?? []);
  const stop: StopReason = r.kind === 'stopped' ? r.reason : 'max-steps';
  const regs: Record<string, string> = {};
  GPR_NAMES.forEach((n, i) => (regs[n] = hex(m.cpu.getGpr64(i))));
  const final: JsonFinal = { stop, mode: m.mode, rip: hex(m.cpu.getRip64()), rflags: hex(m.cpu.rflags), regs };
  const events = m.events.filter((e) => CONTRACT_EVENT_KINDS.includes(e.kind)).map(eventToJson);
  // The last stop: a machine stopped in HLT that an --irq/--nmi woke stops again later.
  const stopEvent = [...m.events].reverse().find((e) => e.kind === 'stop');
  const stopMessage = stopEvent?.kind === 'stop' ? stopEvent.message : `no stop after ${c.maxSteps} steps (--max-steps)`;
  return { record: { file, ok: true, profile: profileId, diagnostics, events, final }, stopMessage };
}

/**
 * Runs to the step budget, raising each device input once the machine has run its step count (or
 * earlier, when it stopped in HLT before: the input is what may wake it; docs/cli.md).
 */
function runWithInputs(m: Machine, maxSteps: number, raise: readonly DeviceRaise[]): ReturnType<Machine['run']> {
  for (const input of raise) {
    if (input.step > maxSteps) break;
    if (input.step > m.steps) m.run({ maxSteps: input.step - m.steps });
    if (m.stopped !== null && m.stopped !== 'halted') break;
    if (input.line === 'nmi') m.raiseNmi();
    else m.raiseIrq(input.line);
  }
  return m.run({ maxSteps: Math.max(0, maxSteps - m.steps) });
}

/** The `run` command. */
export function runRun(c: RunCommand, io: CliIo): number {
  if (c.profile !== undefined && !findProfile(c.profile)) {
    io.stderr(`vmx-lab: unknown profile '${c.profile}' (known: ${profileIds().join(', ')})\n`);
    return 2;
  }
  const profileId = c.profile ?? defaultProfile().id;
  let code = 0;
  for (const file of c.files) {
    let source: string | undefined;
    try {
      source = io.readText(file);
    } catch {
      source = undefined;
    }
    const run = runProgram(file, source, c, profileId);
    if (!run.record.ok) code = 2;
    if (c.json) io.stdout(`${programLine(run.record)}\n`);
    else io.stdout(formatHuman(run));
  }
  return code;
}
