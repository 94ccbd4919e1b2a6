// One run of the native-CPU tier: generate a batch from a seed, run it on the host CPU and on the
// lab's executor, and collect the cases that disagree (shortest first, so the report leads with
// the most nearly minimal sequence).

import { Machine } from '../../machine/machine.ts';
import { compare, describeCase, emulate } from './emulate.ts';
import { generate, type Sequence } from './gen.ts';
import { runOnHost } from './host.ts';
import { Rng } from './rng.ts';

export interface TierResult {
  readonly seed: number;
  readonly sequences: number;
  readonly instructions: number;
  /** Failing cases, described (shortest sequence first). */
  readonly failures: readonly string[];
  /** How many sequences disagreed. */
  readonly failed: number;
}

/**
 * Runs `count` sequences of 1..maxLength instruction groups from `seed` in batches of `batch`
 * (one nasm + gcc build per batch).
 */
export function runTier(seed: number, count: number, maxLength = 12, batch = 2000): TierResult {
  const rng = new Rng(seed);
  const m = new Machine({ history: false, vmx: null });
  const failing: { seq: Sequence; diffs: string[] }[] = [];
  let instructions = 0;
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const seqs = Array.from({ length: n }, (_, i) => generate(rng, start + i, 1 + rng.int(maxLength)));
    const { results, bodies } = runOnHost(seqs);
    seqs.forEach((s, i) => {
      instructions += s.lines.filter((l) => !l.endsWith(':')).length;
      const diffs = compare(s, results[i], emulate(m, bodies[i], s));
      if (diffs.length) failing.push({ seq: s, diffs });
    });
  }
  failing.sort((a, b) => a.seq.lines.length - b.seq.lines.length);
  return {
    seed,
    sequences: count,
    instructions,
    failed: failing.length,
    failures: failing.slice(0, 10).map((f) => describeCase(seed, f.seq, f.diffs)),
  };
}

/**
 * Self-check of the comparison: runs `count` sequences on the host, then each body of the batch
 * in the emulator with the *next* sequence's bytes; returns how many disagreements were noticed
 * (nearly all should be).
 */
export function crossCheck(seed: number, count = 20): number {
  const rng = new Rng(seed);
  const seqs = Array.from({ length: count }, (_, i) => generate(rng, i, 8));
  const { results, bodies } = runOnHost(seqs);
  const m = new Machine({ history: false, vmx: null });
  return seqs.filter((s, i) => compare(s, results[i], emulate(m, bodies[(i + 1) % seqs.length], s)).length > 0).length;
}
