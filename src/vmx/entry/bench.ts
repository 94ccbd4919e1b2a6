// The VM-entry-checks figure of DESIGN section 8 ("all VM-entry checks evaluated once",
// median <= 50 us), ready for src/tools/bench.ts to list: every check run on the
// known-valid VMCS of a profile (all pass, so every check does its full work).

import { runEntryChecks } from './runner.ts';
import { validEntry } from './testing/valid-vmcs.ts';
import type { TestProfile } from './testing/profiles.ts';

/**
 * Microseconds per evaluation of every check, measured over `iterations` runs after a
 * warm-up; `now` is the harness's clock in milliseconds (performance.now in Node).
 */
export function entryChecksMicroseconds(profile: TestProfile, now: () => number, iterations = 2000): number {
  const e = validEntry(profile);
  for (let i = 0; i < 500; i++) runEntryChecks(e.ctx);
  const t0 = now();
  for (let i = 0; i < iterations; i++) runEntryChecks(e.ctx);
  return ((now() - t0) * 1000) / iterations;
}
