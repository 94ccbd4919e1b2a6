import { describe, it, expect } from 'vitest';
import { entryChecksMicroseconds } from './bench.ts';
import { TEST_PROFILES } from './testing/profiles.ts';

describe('entryChecksMicroseconds', () => {
  it('measures with the clock it is given (no timing assertion: speed belongs to npm run bench)', () => {
    let t = 0;
    const fakeClock = () => (t += 1);
    expect(entryChecksMicroseconds(TEST_PROFILES[0]!, fakeClock, 10)).toBe(100);
  });
});
