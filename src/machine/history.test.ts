import { describe, it, expect } from 'vitest';
import { History, type Rewindable } from './history.ts';

/** A deterministic toy machine: its state after n steps is a hash chain of n. */
class Toy implements Rewindable<{ steps: number; value: number }> {
  steps = 0;
  value = 1;
  restores = 0;
  readonly history: History<{ steps: number; value: number }>;
  constructor(interval: number, depth: number) {
    this.history = new History({ interval, depth });
  }
  step(): void {
    this.history.beforeStep(this);
    this.steps++;
    this.value = (this.value * 31 + this.steps) % 1_000_003;
  }
  snapshot() {
    return { steps: this.steps, value: this.value };
  }
  restore(s: { steps: number; value: number }) {
    this.restores++;
    this.steps = s.steps;
    this.value = s.value;
  }
  replay(n: number): number {
    for (let i = 0; i < n; i++) {
      this.steps++;
      this.value = (this.value * 31 + this.steps) % 1_000_003;
    }
    return n;
  }
}

function valueAfter(n: number): number {
  const t = new Toy(1, 1);
  t.replay(n);
  return t.value;
}

describe('History', () => {
  it('returns to any step in the window with the same state as running there directly', () => {
    const t = new Toy(16, 1000);
    for (let i = 0; i < 500; i++) t.step();
    for (const target of [499, 480, 465, 250, 17, 16, 0]) {
      expect(t.history.goTo(t, target)).toBe(true);
      expect(t.steps).toBe(target);
      expect(t.value).toBe(valueAfter(target));
    }
  });

  it('keeps only about depth/interval checkpoints and refuses targets older than the window', () => {
    const t = new Toy(64, 1000);
    for (let i = 0; i < 10_000; i++) t.step();
    expect(t.history.size).toBeLessThanOrEqual(Math.ceil(1000 / 64) + 2);
    expect(t.history.goTo(t, 10_000 - 1000)).toBe(true);
    expect(t.value).toBe(valueAfter(9000));
    const before = { steps: t.steps, value: t.value };
    expect(t.history.goTo(t, 100)).toBe(false);
    expect({ steps: t.steps, value: t.value }).toEqual(before);
  });

  it('can step forward again after stepping back, and back again', () => {
    const t = new Toy(8, 100);
    for (let i = 0; i < 50; i++) t.step();
    t.history.goTo(t, 20);
    for (let i = 0; i < 10; i++) t.step();
    expect(t.value).toBe(valueAfter(30));
    expect(t.history.goTo(t, 25)).toBe(true);
    expect(t.value).toBe(valueAfter(25));
  });

  it('refuses a target in the future', () => {
    const t = new Toy(8, 100);
    for (let i = 0; i < 5; i++) t.step();
    expect(t.history.goTo(t, 6)).toBe(false);
  });
});
