// Judging goals on a lesson run. Each goal gives passed plus a detail in plain words saying what
// was seen, so a failing goal tells the student what to look at.

import { exitReasonInfo } from '../arch/exit-reasons.ts';
import { fieldByName } from '../arch/vmcs/fields.ts';
import type { FaultEvent, MachineEvent, VmExitEvent, VmxEvent } from '../machine/events.ts';
import { GPR_NAMES } from '../x86/state.ts';
import { toBig, type Goal, type VmExitGoal, type VmxGoal, type FaultGoal } from './format.ts';
import { currentVmcsField, type LessonRun } from './run.ts';

/** One goal's verdict. */
export interface GoalResult {
  readonly label: string;
  readonly kind: Goal['kind'];
  readonly passed: boolean;
  /** What was seen, in plain words. */
  readonly detail: string;
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const mnemonicOf = (e: { text?: string }): string => (e.text ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
const where = (e: MachineEvent): string => (e.line !== undefined ? `line ${e.line}` : `step ${e.step}`);
const reasonName = (r: number): string => exitReasonInfo(r)?.name ?? `reason ${r}`;

function describeVmx(e: VmxEvent): string {
  return `${e.text ?? 'VMX instruction'} at ${where(e)}: ${e.result}${e.error !== undefined ? `(${e.error})` : ''}`;
}

function matchVmx(g: VmxGoal, e: MachineEvent): e is VmxEvent {
  if (e.kind !== 'vmx') return false;
  if (g.mnemonic !== undefined && mnemonicOf(e) !== g.mnemonic.toLowerCase()) return false;
  if (g.text !== undefined && !(e.text ?? '').toLowerCase().includes(g.text.toLowerCase())) return false;
  if (g.result !== undefined && e.result !== g.result) return false;
  if (g.error !== undefined && e.error !== g.error) return false;
  return true;
}

function matchExit(g: VmExitGoal, e: MachineEvent): e is VmExitEvent {
  if (e.kind !== 'vmexit') return false;
  if (g.reason !== undefined && e.reason !== g.reason) return false;
  if (g.entryFailure !== undefined && e.entryFailure !== g.entryFailure) return false;
  if (g.check !== undefined && e.check !== g.check) return false;
  return true;
}

function matchFault(g: FaultGoal, e: MachineEvent): e is FaultEvent {
  if (e.kind !== 'fault') return false;
  if (g.vector !== undefined && e.vector !== g.vector) return false;
  if (g.mnemonic !== undefined && mnemonicOf(e) !== g.mnemonic.toLowerCase()) return false;
  return true;
}

function describeEvent(e: MachineEvent): string {
  switch (e.kind) {
    case 'vmx':
      return describeVmx(e);
    case 'vmexit':
      return e.entryFailure
        ? `VM-entry failure, exit reason ${e.reason} (${e.name})${e.check ? `, check ${e.check}` : ''}`
        : `VM exit, reason ${e.reason} (${e.name}) at guest RIP ${hex(e.guestRip ?? 0n)}`;
    case 'fault':
      return `${e.name} at ${where(e)} (${e.text ?? '?'}): ${e.explain}`;
    case 'vmentry':
      return `VM entry at ${where(e)}`;
    case 'stop':
      return `stop: ${e.message}`;
  }
}

/** An event goal: the matching events (or their absence), with what was seen instead when it fails. */
function eventGoal(run: LessonRun, absent: boolean | undefined, count: number, match: (e: MachineEvent) => boolean, kind: MachineEvent['kind'], what: string, mnemonic?: string): { passed: boolean; detail: string } {
  const hits = run.events.filter(match);
  if (absent) {
    return hits.length === 0 ? { passed: true, detail: `no ${what}` } : { passed: false, detail: `seen: ${describeEvent(hits[0])}` };
  }
  if (hits.length >= count) return { passed: true, detail: `seen: ${describeEvent(hits[0])}${hits.length > 1 ? ` (${hits.length} times)` : ''}` };
  const sameKind = run.events.filter((e) => e.kind === kind);
  const sameInsn = mnemonic === undefined ? [] : sameKind.filter((e) => mnemonicOf(e) === mnemonic.toLowerCase());
  const others = mnemonic === undefined ? sameKind : sameInsn;
  const none = mnemonic === undefined ? 'none of that kind happened' : `no ${mnemonic.toUpperCase()} ran`;
  const seen = others.length ? `; instead: ${others.slice(0, 3).map(describeEvent).join('; ')}` : `; ${none} (the run ended: ${run.stop})`;
  return { passed: false, detail: `${hits.length ? `only ${hits.length} of ${count}` : 'not seen'}${seen}` };
}

function masked(actual: bigint, equals: bigint, mask: bigint | undefined, name: string): { passed: boolean; detail: string } {
  const a = mask === undefined ? actual : actual & mask;
  const want = mask === undefined ? equals : equals & mask;
  const m = mask === undefined ? '' : ` (bits ${hex(mask)})`;
  return { passed: a === want, detail: `${name}${m} = ${hex(a)}${a === want ? '' : `, wanted ${hex(want)}`}` };
}

/** Judges one goal on a run. */
export function evaluateGoal(g: Goal, run: LessonRun): GoalResult {
  const r = judge(g, run);
  return { label: g.label, kind: g.kind, ...r };
}

function judge(g: Goal, run: LessonRun): { passed: boolean; detail: string } {
  const m = run.machine;
  switch (g.kind) {
    case 'vmx':
      return eventGoal(run, g.absent, 1, (e) => matchVmx(g, e), 'vmx', `${g.mnemonic ?? g.text ?? 'VMX instruction'} with ${g.result ?? 'that outcome'}${g.error !== undefined ? `(${g.error})` : ''}`, g.mnemonic);
    case 'vmexit':
      return eventGoal(run, g.absent, g.count ?? 1, (e) => matchExit(g, e), 'vmexit', g.entryFailure ? 'VM-entry failure' : g.reason !== undefined ? `VM exit for ${reasonName(g.reason)}` : 'VM exit');
    case 'fault':
      return eventGoal(run, g.absent, 1, (e) => matchFault(g, e), 'fault', g.vector !== undefined ? `exception ${g.vector}` : 'exception', g.mnemonic);
    case 'reg': {
      const value = g.reg === 'rip' ? m.cpu.getRip64() : g.reg === 'rflags' ? BigInt(m.cpu.rflags) : m.cpu.getGpr64(GPR_NAMES.indexOf(g.reg));
      return masked(value, BigInt.asUintN(64, toBig(g.equals) ?? 0n), toBig(g.mask), g.reg.toUpperCase());
    }
    case 'cr': {
      const value = BigInt(g.cr === 'cr0' ? m.cpu.cr0 : g.cr === 'cr4' ? m.cpu.cr4 : m.cpu.cr3);
      const set = toBig(g.set) ?? 0n;
      const clear = toBig(g.clear) ?? 0n;
      const missing = set & ~value;
      const extra = clear & value;
      const passed = missing === 0n && extra === 0n;
      const parts = [`${g.cr.toUpperCase()} = ${hex(value)}`];
      if (missing) parts.push(`bits ${hex(missing)} should be 1`);
      if (extra) parts.push(`bits ${hex(extra)} should be 0`);
      return { passed, detail: parts.join('; ') };
    }
    case 'msr': {
      const index = Number(toBig(g.msr) ?? 0n);
      const value = m.cpu.msrs.get(index) ?? m.profile.cpu.readOnlyMsrs.get(index);
      if (value === undefined) return { passed: false, detail: `MSR ${hex(BigInt(index))} does not exist on this processor` };
      return masked(value, toBig(g.equals) ?? 0n, toBig(g.mask), `MSR ${hex(BigInt(index))}`);
    }
    case 'vmcs': {
      const f = fieldByName(g.field);
      const value = f ? currentVmcsField(m, f.encoding) : undefined;
      if (value === undefined) return { passed: false, detail: 'no current VMCS at the end of the run' };
      return masked(value, toBig(g.equals) ?? 0n, toBig(g.mask), g.field);
    }
    case 'stop': {
      const stopOk = g.stop === undefined || run.stop === g.stop;
      const modeOk = g.mode === undefined || run.mode === g.mode;
      const last = [...run.events].reverse().find((e) => e.kind === 'stop');
      const why = last?.kind === 'stop' ? `: ${last.message}` : run.stop === 'max-steps' ? `: the step budget (${run.steps} steps) ran out` : '';
      return { passed: stopOk && modeOk, detail: `stopped: ${run.stop}${why}; VMX mode ${run.mode}` };
    }
    case 'resume-advanced': {
      const exits = run.exits.filter((x) => g.reason === undefined || x.reason === g.reason);
      if (exits.length === 0) return { passed: false, detail: `no VM exit${g.reason !== undefined ? ` for ${reasonName(g.reason)}` : ''} happened` };
      let seen = '';
      for (const x of exits) {
        const next = run.entries.find((en) => en.event > x.event);
        if (!next) {
          seen ||= `after the exit at guest RIP ${hex(x.guestRip)} the guest was never resumed`;
          continue;
        }
        const want = BigInt.asUintN(64, x.guestRip + x.length);
        if (next.rip === want) return { passed: true, detail: `resumed at ${hex(next.rip)} = ${hex(x.guestRip)} + ${x.length}` };
        seen ||= `after the exit at guest RIP ${hex(x.guestRip)} (instruction length ${x.length}) the guest resumed at ${hex(next.rip)}, not ${hex(want)}`;
      }
      return { passed: false, detail: seen };
    }
  }
}
