// Round trips per second, chunk by chunk, on several Machines of one process: the figure the
// optimisation work of docs/performance.md ("Closing the gap to 200 k/s") compares between
// commits. `npm run bench` gives the budget figure; this prints every chunk, the first Machine
// apart from the later ones (V8 optimises for the first; a later one shows what per-Machine
// state costs). Usage: `npx tsx src/tools/round-trip-chunks.ts [MACHINES]`, or bundled into one
// module as the page's worker is: `node scripts/round-trip-chunks.mjs [MACHINES]`.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { exitRoundTripRates } from '../machine/conformance/round-trips.ts';

const ROUND_TRIPS_ASM = fileURLToPath(new URL('../machine/conformance/round-trips.asm', import.meta.url));

const k = (v: number): string => `${(v / 1000).toFixed(1)} k`;

/** Runs `machines` Machines (3 warm-up and 8 measured chunks of 10,000 each) and prints their rates. */
export function roundTripChunks(machines: number, programText = readFileSync(ROUND_TRIPS_ASM, 'utf8')): void {
  const cpuMs = (): number => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const later: number[] = [];
  for (let i = 0; i < machines; i++) {
    const r = exitRoundTripRates(programText, { now: () => performance.now(), cpuNow: cpuMs }, { chunks: 8 });
    if (i > 0) later.push(...r.chunkRates.slice(3));
    console.log(`machine ${i}: steady ${k(r.steady)}, per CPU second ${k(r.steadyCpu ?? Number.NaN)}; chunks ${r.chunkRates.map((x) => (x / 1000).toFixed(0)).join(' ')}`);
  }
  if (later.length === 0) return;
  later.sort((a, b) => a - b);
  console.log(`later machines: median ${k(later[later.length >> 1]!)}, p80 ${k(later[Math.floor(later.length * 0.8)]!)}, max ${k(later[later.length - 1]!)}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) roundTripChunks(Number(process.argv[2] ?? 4));
