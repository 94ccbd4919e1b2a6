// Run counts and seeds of the fuzz and property suites (STYLE rule 18, issue 7 "Hardening").
// A few thousand inputs in the normal run; at least 10^5 with VMXLAB_SLOW=1. fast-check prints
// the seed and the counterexample path of a failure; VMXLAB_FUZZ_SEED (and VMXLAB_FUZZ_PATH)
// replay it. Test helper only.

import type { Parameters } from 'fast-check';

/** True when the long mode was asked for (VMXLAB_SLOW=1). */
export const SLOW = process.env['VMXLAB_SLOW'] === '1';

/** `normal` inputs in the normal run, `slow` (default 10^5) with VMXLAB_SLOW=1. */
export function runs(normal: number, slow = 100_000): number {
  return SLOW ? slow : normal;
}

/** fast-check parameters: the run count, and the seed/path to replay when given in the environment. */
export function fuzzParams<T>(numRuns: number): Parameters<T> {
  const seed = process.env['VMXLAB_FUZZ_SEED'];
  const path = process.env['VMXLAB_FUZZ_PATH'];
  return {
    numRuns,
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(path !== undefined ? { path } : {}),
    // Shrinking replays a case many times; keep it bounded so a failure reports quickly.
    endOnFailure: false,
    verbose: 1,
  };
}

/** A vitest timeout that scales with the run count (the work itself is bounded by construction). */
export function budgetMs(numRuns: number, perRunMs: number): number {
  return Math.max(30_000, numRuns * perRunMs);
}
