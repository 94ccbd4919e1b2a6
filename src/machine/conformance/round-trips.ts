// The VM-exit figure of DESIGN section 8 ("VM exit + VMRESUME round trips (Node)", >= 200 k/s),
// ready for src/tools/bench.ts to list: round-trips.asm (this folder) run on the
// Machine (a guest executing CPUID, a handler that skips it and resumes), timed from the first
// VM exit to the last so the bring-up does not count. Core code: the harness passes the program
// text and its clock.

import { assemble } from '../../asm/index.ts';
import { createVmxModel } from '../../vmx/index.ts';
import { Machine } from '../machine.ts';

/** VM exit + VMRESUME round trips per second of `now()` (milliseconds) on `profile`. */
export function exitRoundTripsPerSecond(programText: string, now: () => number, profile = 'skylake-client', roundTrips = 5000): number {
  const asm = assemble(programText.replace(/%define ROUND_TRIPS .*/, `%define ROUND_TRIPS ${roundTrips}`));
  if (!asm.ok) throw new Error(`round-trips program: ${asm.diagnostics[0]?.message}`);
  const m = new Machine({ profile, vmx: createVmxModel, history: false });
  m.load(asm);
  // Up to the first VM exit: the bring-up and the VMLAUNCH.
  while (!m.events.some((e) => e.kind === 'vmexit')) {
    if (m.step() !== null) throw new Error('round-trips program stopped before its first VM exit');
  }
  const t0 = now();
  const r = m.run({ maxSteps: roundTrips * 20 });
  const ms = now() - t0;
  if (r.kind !== 'stopped' || m.cpu.getGpr64(3) !== 0x600dn) throw new Error(`round-trips program did not finish: ${JSON.stringify(r)}`);
  return (roundTrips - 1) / (ms / 1000);
}
