// Evaluates every VM-entry check (the lab's "explain everything") and derives the
// architectural result: the first failure in SDM order (SDM Vol. 3C §27.2 VMfailValid
// 7/8; §27.8 VM-entry failure with exit reason 33 and qualification 0/2/4, or 34 with
// the failing MSR-load entry's index).

import type { Check } from './check.ts';
import { failureKindOf } from './check.ts';
import type { EntryContext } from './context.ts';
import type { Failure, Verdict } from '../outcome.ts';
import { ENTRY_CHECKS } from './checks/index.ts';

export interface CheckResult {
  readonly check: Check;
  readonly verdict: Verdict;
}

/** What the VM entry does, as decided by the first failing check. */
export type EntryDecision =
  | { readonly kind: 'pass' }
  | { readonly kind: 'vmfail'; readonly error: 7 | 8; readonly check: Check; readonly failure: Failure }
  | {
    readonly kind: 'entry-failure';
    readonly reason: 33 | 34;
    readonly qualification: bigint;
    readonly check: Check;
    readonly failure: Failure;
  };

export interface EntryCheckReport {
  /** Every check's verdict, in evaluation order. */
  readonly results: readonly CheckResult[];
  readonly decision: EntryDecision;
}

const PASS_DECISION: EntryDecision = Object.freeze({ kind: 'pass' });

/**
 * Runs every check of `checks` (default: all of SDM ch. 27) and returns each verdict and
 * the architectural decision. MSR-load checks decide only if everything before them
 * passed, and then by the lowest failing entry index.
 */
export function runEntryChecks(ctx: EntryContext, checks: readonly Check[] = ENTRY_CHECKS): EntryCheckReport {
  const results: CheckResult[] = new Array(checks.length);
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i]!;
    results[i] = { check, verdict: check.run(ctx) };
  }
  return { results, decision: decideEntry(results) };
}

/**
 * The architectural decision from every verdict, in evaluation order: the first failure
 * outside MSR loading; else the MSR-load failure with the lowest entry index; else pass.
 */
export function decideEntry(results: readonly CheckResult[]): EntryDecision {
  let msrFailure: { check: Check; failure: Failure; index: number } | undefined;
  for (let i = 0; i < results.length; i++) {
    const { check, verdict } = results[i]!;
    if (verdict.kind !== 'fail') continue;
    const kind = failureKindOf(check.area);
    if (kind.kind === 'vmfail') return { kind: 'vmfail', error: kind.error, check, failure: verdict };
    if (kind.reason === 33) {
      return { kind: 'entry-failure', reason: 33, qualification: BigInt(check.qualification ?? 0), check, failure: verdict };
    }
    const index = verdict.index ?? 1;
    if (msrFailure === undefined || index < msrFailure.index) msrFailure = { check, failure: verdict, index };
  }
  if (msrFailure !== undefined) {
    return { kind: 'entry-failure', reason: 34, qualification: BigInt(msrFailure.index), check: msrFailure.check, failure: msrFailure.failure };
  }
  return PASS_DECISION;
}

/** Only the failed checks of a report, in order (what the Explain panel lists). */
export function failedChecks(report: EntryCheckReport): { check: Check; failure: Failure }[] {
  const out: { check: Check; failure: Failure }[] = [];
  for (const r of report.results) if (r.verdict.kind === 'fail') out.push({ check: r.check, failure: r.verdict });
  return out;
}
