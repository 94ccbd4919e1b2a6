// Runs a conformance program (a lab-asm file of this folder) on a fresh machine with the VT-x
// model of src/vmx plugged in, as `vmx-lab run` will once the machine uses it by default.
// Test helper only.

import { readFileSync } from 'node:fs';
import { assemble } from '../../asm/index.ts';
import { createVmxModel } from '../../vmx/index.ts';
import { Machine } from '../machine.ts';

export interface ProgramRun {
  readonly machine: Machine;
  readonly diagnostics: readonly string[];
}

/** Assembles `file` (relative to this folder, optionally edited to break one thing) and runs it to its stop on `profile`. */
export function runConformance(
  file: string,
  profile: string,
  msrOverrides?: ReadonlyMap<number, bigint>,
  edit: (source: string) => string = (s) => s,
  maxSteps = 100_000,
): ProgramRun {
  const source = edit(readFileSync(new URL(file, import.meta.url), 'utf8'));
  const asm = assemble(source);
  const diagnostics = asm.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col} ${d.message}`);
  const machine = new Machine({ profile, vmx: createVmxModel, history: false, msrOverrides });
  if (asm.ok) {
    machine.load(asm);
    machine.run({ maxSteps });
  }
  return { machine, diagnostics };
}
