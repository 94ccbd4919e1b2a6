// Runs a conformance program (the text of a lab-asm file of this folder) on a fresh machine
// with the VT-x model of src/vmx plugged in. Test helper only; it stays free of Node APIs so
// the core tsconfig compiles it (the test reads the files).

import { assemble } from '../../asm/index.ts';
import { createVmxModel } from '../../vmx/index.ts';
import { Machine } from '../machine.ts';

export interface ProgramRun {
  readonly machine: Machine;
  readonly diagnostics: readonly string[];
  /** The program's labels and their (virtual) addresses. */
  readonly symbols: ReadonlyMap<string, bigint>;
}

/** Assembles a program's text (optionally edited to break one thing) and runs it to its stop on `profile`. */
export function runProgram(
  text: string,
  profile: string,
  msrOverrides?: ReadonlyMap<number, bigint>,
  edit: (source: string) => string = (s) => s,
  maxSteps = 100_000,
): ProgramRun {
  const source = edit(text);
  const asm = assemble(source);
  const diagnostics = asm.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col} ${d.message}`);
  const machine = new Machine({ profile, vmx: createVmxModel, history: false, msrOverrides });
  if (asm.ok) {
    machine.load(asm);
    machine.run({ maxSteps });
  }
  return { machine, diagnostics, symbols: asm.symbols };
}
