import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exitRoundTripRates } from './round-trips.ts';

const TEXT = readFileSync(new URL('./round-trips.asm', import.meta.url), 'utf8');

describe('round-trip harness (npm run bench; no speed asserted here)', () => {
  it('runs warm-up and measured chunks of exactly the asked round trips on one Machine, and the program finishes', () => {
    let t = 0;
    const r = exitRoundTripRates(TEXT, { now: () => (t += 1) }, { chunkRoundTrips: 50, warmUpChunks: 2, chunks: 3 });
    // A clock that advances 1 ms per reading: every chunk takes 1 ms, 50 round trips -> 50,000/s.
    expect(r.chunkRates).toEqual([50_000, 50_000, 50_000, 50_000, 50_000]);
    expect(r.cold).toBe(50_000);
    expect(r.steady).toBe(50_000);
    expect(r.steadyCpu).toBeNull();
  });
});
