// Time travel for the Step back button (DESIGN section 8: step back to any of the last 10,000
// steps within 16 ms). A checkpoint (a full machine snapshot: cloned CpuState, copy-on-write
// memory, VMX state) is kept every `interval` steps; stepping back restores the nearest
// checkpoint at or before the target step and replays the rest silently. The machine is
// deterministic (the TSC counts retired instructions, the devices count steps and are in every
// snapshot, outside device inputs are recorded with their step), so a replay
// reproduces the same state. Memory cost: see docs/machine.md ("Step back").

/** What history needs from the machine. */
export interface Rewindable<S> {
  /** Instructions retired since boot. */
  readonly steps: number;
  snapshot(): S;
  restore(s: S): void;
  /** Executes up to `n` steps without notifying listeners; returns how many ran. */
  replay(n: number): number;
}

/** Tunables: checkpoint spacing and how far back stepping may go. */
export interface HistoryOptions {
  /** Steps between checkpoints (default 64). */
  readonly interval?: number;
  /** How many steps back remain reachable (default 10,000). */
  readonly depth?: number;
}

/** Checkpoints of one machine, oldest first. */
export class History<S> {
  readonly interval: number;
  readonly depth: number;
  private checkpoints: { step: number; snap: S }[] = [];

  /** Creates an empty history with the given checkpoint spacing and depth. */
  constructor(opts: HistoryOptions = {}) {
    this.interval = Math.max(1, opts.interval ?? 64);
    this.depth = Math.max(1, opts.depth ?? 10_000);
  }

  /** Number of checkpoints held (for the memory-cost figures). */
  get size(): number {
    return this.checkpoints.length;
  }

  /** Earliest step that can still be reached. */
  get oldestStep(): number | undefined {
    return this.checkpoints[0]?.step;
  }

  /** Forgets everything (after reset or load). */
  clear(): void {
    this.checkpoints = [];
  }

  /** Call before each step: takes a checkpoint when the step number is on the interval. */
  beforeStep(m: Rewindable<S>): void {
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (last && m.steps - last.step < this.interval) return;
    if (last && m.steps <= last.step) return;
    this.checkpoints.push({ step: m.steps, snap: m.snapshot() });
    // Keep one checkpoint older than `depth` so the whole window stays reachable.
    while (this.checkpoints.length > 2 && m.steps - this.checkpoints[1].step >= this.depth) this.checkpoints.shift();
  }

  /**
   * Returns the machine to step `target` (0 <= target <= m.steps). False when the target is older
   * than the oldest checkpoint (the machine is left unchanged).
   */
  goTo(m: Rewindable<S>, target: number): boolean {
    if (target > m.steps || target < 0) return false;
    let i = this.checkpoints.length - 1;
    while (i >= 0 && this.checkpoints[i].step > target) i--;
    if (i < 0) return false;
    const cp = this.checkpoints[i];
    // Later checkpoints describe a future we are leaving; replay may record them again.
    this.checkpoints.length = i + 1;
    m.restore(cp.snap);
    return m.replay(target - cp.step) === target - cp.step;
  }
}
