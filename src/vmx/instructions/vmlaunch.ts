// VMLAUNCH/VMRESUME—Launch/Resume Virtual Machine (SDM Vol. 3C §31.3 "VMX Instructions",
// VMLAUNCH/VMRESUME operation section; §27.1 "Basic VM-Entry Checks"; §27.2-27.4 the checks on
// controls, host state, guest state and MSR loading; §27.3.2 "Loading Guest State"; §27.8
// "VM-Entry Failures During or After Loading Guest State").

import { gp, ud } from '../../x86/fault.ts';
import { checkEntryPrerequisites, type EntryPrerequisiteState } from '../entry/prerequisites.ts';
import { runEntryChecks, type EntryCheckReport } from '../entry/runner.ts';
import { entryFailure, stateReplaced } from '../exit/vm-exit.ts';
import { EXIT_REASON } from '../local-arch.ts';
import { entryContextFor } from '../launch/entry-context.ts';
import type { EntryContext } from '../entry/context.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { VM_FAIL_INVALID, vmFailValid } from '../outcome.ts';
import { loadGuestState } from '../transition/load-guest.ts';
import { loadMsrArea, readMsrArea } from '../transition/msr-lists.ts';
import { valuesOf, vmcsGet } from '../vmcs-access.ts';
import { F, X } from '../vmcs-fields.ts';
import { done, exitWith, inUdMode, raise, type InsnContext, type InsnResult } from './common.ts';

/** What VMLAUNCH/VMRESUME need beyond the common context. */
export interface LaunchContext extends InsnContext {
  /** A capability MSR of the profile (as possibly edited). */
  readonly msr: (index: number) => bigint;
  /** Receives the verdict of every VM-entry check (the lab's "explain everything"). */
  readonly report: (r: EntryCheckReport) => void;
  /**
   * Evaluates every VM-entry check for the current VMCS; default `runEntryChecks`. The model
   * passes an incremental evaluator (src/vmx/entry/incremental.ts) that gives the same report.
   */
  readonly entryChecks?: (ctx: EntryContext, vmcs: ActiveVmcs) => EntryCheckReport;
}

/**
 * Blocking by MOV SS: the executor sets `shadowUntil` to the instruction count at which the
 * shadow of a MOV SS / POP SS ends, so it is in effect while the two are equal.
 */
function blockedByMovSs(ctx: InsnContext): boolean {
  const s = ctx.cpu.state;
  return s.shadowUntil === s.icount;
}

/** The state §27.1's basic checks read, one object refreshed at each VMLAUNCH/VMRESUME. */
const prerequisites: { -readonly [K in keyof EntryPrerequisiteState]: EntryPrerequisiteState[K] } = {
  launch: 'vmlaunch', hasCurrentVmcs: false, currentIsShadow: false, movSsBlocking: false, launchState: 'clear',
};

/** Executes VMLAUNCH (`launch` = 'vmlaunch') or VMRESUME. */
export function vmlaunch(ctx: LaunchContext, launch: 'vmlaunch' | 'vmresume'): InsnResult {
  const { cpu, vmx, caps } = ctx;
  const name = launch === 'vmlaunch' ? 'VMLAUNCH' : 'VMRESUME';
  // IF (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD
  if (vmx.mode === 'off') return raise(ud(`${name} outside VMX operation raises #UD`));
  const udMode = inUdMode(cpu);
  if (udMode) return raise(ud(`${name} raises #UD when ${udMode}`));
  // ELSIF in VMX non-root operation THEN VMexit
  if (vmx.mode === 'non-root') return exitWith(launch === 'vmlaunch' ? EXIT_REASON.VMLAUNCH : EXIT_REASON.VMRESUME);
  // ELSIF CPL > 0 THEN #GP(0)
  if (cpu.state.cpl > 0) return raise(gp(`${name} requires CPL 0 (CPL is ${cpu.state.cpl})`));
  // ELSIF current-VMCS pointer is not valid THEN VMfailInvalid; (shadow VMCS: VMfailInvalid)
  // ELSIF events are being blocked by MOV SS THEN VMfailValid(26)
  // ELSIF VMLAUNCH and launch state not "clear" THEN VMfailValid(4)
  // ELSIF VMRESUME and launch state not "launched" THEN VMfailValid(5)
  const current = vmx.currentVmcs();
  const pre = prerequisites;
  pre.launch = launch;
  pre.hasCurrentVmcs = current !== undefined;
  pre.currentIsShadow = current?.shadow ?? false;
  pre.movSsBlocking = blockedByMovSs(ctx);
  pre.launchState = current?.launch ?? 'clear';
  const failed = checkEntryPrerequisites(pre);
  if (failed) return done(failed, prerequisiteNote(failed.kind === 'failValid' ? failed.error : undefined, current !== undefined));
  if (!current) return done(VM_FAIL_INVALID, prerequisiteNote(undefined, false));

  // ELSE Check settings of VMX controls and host-state area; IF invalid THEN VMfailValid(7 or 8)
  //   ELSE attempt to load guest state and PDPTRs; IF failure THEN VM entry fails;
  //   ELSE attempt to load MSRs from the VM-entry MSR-load area; IF failure THEN VM entry fails
  const entryCtx = entryContextFor(cpu, current, caps, ctx.msr, ctx.fields, launch);
  const report = ctx.entryChecks ? ctx.entryChecks(entryCtx, current) : runEntryChecks(entryCtx);
  ctx.report(report);
  const d = report.decision;
  if (d.kind === 'vmfail') return done(vmFailValid(d.error), `${d.check.id}: ${d.failure.message}`);
  if (d.kind === 'entry-failure') {
    // §27.8: MSR loading stopped at the failing entry, whose predecessors were loaded; then host state.
    if (d.reason === 34) loadMsrArea(cpu, entryMsrArea(cpu, current, Number(d.qualification) - 1));
    entryFailure(cpu, vmx, caps, d.reason, d.qualification);
    return { kind: 'vm-entry', entry: { kind: 'failed', reason: d.reason, qualification: d.qualification, check: d.check.id } };
  }
  const count = valuesOf(current).num(X.VM_ENTRY_MSR_LOAD_COUNT);
  const msrs = count > 0 ? entryMsrArea(cpu, current, count) : undefined;
  loadGuestState(cpu.state, current);
  if (msrs) loadMsrArea(cpu, msrs);
  //   ELSE IF VMLAUNCH THEN launch state of VMCS ← "launched"; VM entry succeeds
  if (launch === 'vmlaunch') current.launch = 'launched';
  vmx.mode = 'non-root';
  stateReplaced(cpu);
  return ENTERED;
}

/** The result of a VM entry that succeeded (shared: results are never changed). */
const ENTERED: InsnResult = Object.freeze({ kind: 'vm-entry', entry: Object.freeze({ kind: 'entered' }) });

/**
 * The first `n` entries of the VM-entry MSR-load area. Only the entries that are loaded are
 * read: a count the checks refused (up to 2^32 - 1) is never walked. On success the checks
 * bounded the count (msr-load.count, §27.4).
 */
function entryMsrArea(cpu: LaunchContext['cpu'], vmcs: ActiveVmcs, n: number): ReturnType<typeof readMsrArea> {
  return n > 0 ? readMsrArea(cpu, vmcsGet(vmcs, F.VM_ENTRY_MSR_LOAD_ADDR), n) : [];
}

function prerequisiteNote(error: number | undefined, hasCurrent: boolean): string {
  if (!hasCurrent) return 'no current VMCS: VMPTRLD one first';
  switch (error) {
    case 26: return 'VM entry right after MOV SS / POP SS (blocking by MOV SS)';
    case 4: return 'VMLAUNCH with a VMCS that is already launched: use VMRESUME, or VMCLEAR it first';
    case 5: return 'VMRESUME with a VMCS that was never launched: use VMLAUNCH';
    default: return 'the current VMCS is a shadow VMCS';
  }
}
