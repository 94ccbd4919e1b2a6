// The native-CPU tier (issue 2, "Against the processor you are running on"): random sequences of
// unprivileged instructions run on this host's CPU (NASM + gcc) and on the lab's executor; every
// GPR, each architecturally defined arithmetic flag and the scratch memory must agree.
// Normal run: a few thousand sequences; VMXLAB_SLOW=1: many more. The seed is fixed and printed.

import { describe, it, expect } from 'vitest';
import { nativeUnavailable } from '../testing/native/host.ts';
import { crossCheck, runTier } from '../testing/native/tier.ts';

const SLOW = process.env.VMXLAB_SLOW === '1';
const SEED = Number(process.env.VMXLAB_NATIVE_SEED ?? 20261121);
const COUNT = SLOW ? 50_000 : 3000;
const why = nativeUnavailable();

describe.skipIf(why !== undefined)('native CPU tier', () => {
  it(`agrees with the host CPU on ${COUNT} random sequences (seed ${SEED})`, { timeout: SLOW ? 600_000 : 60_000 }, () => {
    const r = runTier(SEED, COUNT);
    const report = r.failed === 0 ? '' : `\n${r.failed} of ${r.sequences} sequences disagree (seed ${r.seed}; VMXLAB_NATIVE_SEED=${r.seed} reproduces):\n\n${r.failures.join('\n\n')}`;
    expect(report).toBe('');
    expect(r.instructions).toBeGreaterThan(COUNT);
  });

  it('notices a disagreement (each body run with the next one\'s bytes)', () => {
    expect(crossCheck(SEED, 20)).toBeGreaterThanOrEqual(18);
  });
});

if (why !== undefined) {
  describe('native CPU tier', () => {
    it.skip(`skipped: ${why}`, () => {});
  });
}
