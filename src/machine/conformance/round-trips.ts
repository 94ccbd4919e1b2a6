// The VM-exit figure of DESIGN section 8 ("VM exit + VMRESUME round trips (Node)", >= 200 k/s),
// ready for src/tools/bench.ts to list: round-trips.asm (this folder) run on the Machine (a
// guest executing CPUID, a handler that skips it and resumes), timed from the first VM exit so
// the bring-up does not count. Core code: the harness passes the program text and its clocks.
//
// Two figures, because they differ by a factor of two or more:
// - cold: the first chunk of round trips of a new Machine (what a page that just built its
//   machine gets; part of it runs before V8 has optimised the code);
// - steady state: one Machine, `warmUpChunks` chunks run and discarded (V8 optimises the hot
//   functions during them), then the median of `chunks` chunks, per wall-clock second and, when
//   the harness gives a CPU clock, per second of CPU time the process got (comparable between
//   runs on a loaded machine).

import { assemble } from '../../asm/index.ts';
import { createVmxModel } from '../../vmx/index.ts';
import { Machine } from '../machine.ts';

/** Steps per round trip of round-trips.asm: guest CPUID (the exit) and JMP, 10 handler instructions. */
const STEPS_PER_ROUND_TRIP = 12;

/** The harness's clocks, in milliseconds: wall clock, and optionally the process's CPU time. */
export interface RoundTripClocks {
  readonly now: () => number;
  readonly cpuNow?: () => number;
}

/** Where the round trips run and how many. */
export interface RoundTripOptions {
  readonly profile?: string;
  /** Round trips per chunk (default 10,000). */
  readonly chunkRoundTrips?: number;
  /** Chunks run and discarded before the measured ones (default 3). */
  readonly warmUpChunks?: number;
  /** Measured chunks (default 5). */
  readonly chunks?: number;
}

/** Round trips per second: of the first chunk, and the steady state (medians of the measured chunks). */
export interface RoundTripRates {
  readonly cold: number;
  readonly steady: number;
  /** Per second of CPU time; null without `cpuNow`. */
  readonly steadyCpu: number | null;
  /** Every chunk's wall-clock rate, the warm-up ones first. */
  readonly chunkRates: readonly number[];
}

/** A Machine running round-trips.asm for `roundTrips` round trips, stopped at its first VM exit. */
function machineAtFirstExit(programText: string, profile: string, roundTrips: number): Machine {
  const asm = assemble(programText.replace(/%define ROUND_TRIPS .*/, `%define ROUND_TRIPS ${roundTrips}`));
  if (!asm.ok) throw new Error(`round-trips program: ${asm.diagnostics[0]?.message}`);
  const m = new Machine({ profile, vmx: createVmxModel, history: false });
  m.load(asm);
  // Up to the first VM exit: the bring-up and the VMLAUNCH.
  while (!m.events.some((e) => e.kind === 'vmexit')) {
    if (m.step() !== null) throw new Error('round-trips program stopped before its first VM exit');
  }
  return m;
}

/** Runs `n` round trips (the program counts them down in R15); returns [wall ms, CPU ms or NaN]. */
function chunk(m: Machine, n: number, clocks: RoundTripClocks): [number, number] {
  const left = m.cpu.getGpr64(15);
  const c0 = clocks.cpuNow?.() ?? Number.NaN;
  const t0 = clocks.now();
  const r = m.run({ maxSteps: n * STEPS_PER_ROUND_TRIP });
  const ms = clocks.now() - t0;
  const cpu = (clocks.cpuNow?.() ?? Number.NaN) - c0;
  if (r.kind !== 'max-steps' || left - m.cpu.getGpr64(15) !== BigInt(n)) throw new Error(`round-trips chunk did not make ${n} round trips: ${JSON.stringify(r)}`);
  return [ms, cpu];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * VM exit + VMRESUME round trips per second on one new Machine: the first chunk (cold), then
 * after `warmUpChunks` discarded chunks the median of `chunks` chunks (steady state).
 */
export function exitRoundTripRates(programText: string, clocks: RoundTripClocks, options: RoundTripOptions = {}): RoundTripRates {
  const n = options.chunkRoundTrips ?? 10_000;
  const warmUp = Math.max(1, options.warmUpChunks ?? 3);
  const chunks = options.chunks ?? 5;
  const m = machineAtFirstExit(programText, options.profile ?? 'skylake-client', n * (warmUp + chunks) + 1);
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let i = 0; i < warmUp + chunks; i++) {
    const [ms, cpu] = chunk(m, n, clocks);
    rates.push(n / (ms / 1000));
    if (i >= warmUp) cpuRates.push(n / (cpu / 1000));
  }
  const r = m.run({ maxSteps: STEPS_PER_ROUND_TRIP + 10 });
  if (r.kind !== 'stopped' || m.cpu.getGpr64(3) !== 0x600dn) throw new Error(`round-trips program did not finish: ${JSON.stringify(r)}`);
  return {
    cold: rates[0]!,
    steady: median(rates.slice(warmUp)),
    steadyCpu: clocks.cpuNow === undefined ? null : median(cpuRates),
    chunkRates: rates,
  };
}

/** VM exit + VMRESUME round trips per second of `now()` (milliseconds) on a new Machine: cold, from its first exit to its last. */
export function exitRoundTripsPerSecond(programText: string, now: () => number, profile = 'skylake-client', roundTrips = 5000): number {
  const m = machineAtFirstExit(programText, profile, roundTrips);
  const t0 = now();
  const r = m.run({ maxSteps: roundTrips * 20 });
  const ms = now() - t0;
  if (r.kind !== 'stopped' || m.cpu.getGpr64(3) !== 0x600dn) throw new Error(`round-trips program did not finish: ${JSON.stringify(r)}`);
  return (roundTrips - 1) / (ms / 1000);
}
