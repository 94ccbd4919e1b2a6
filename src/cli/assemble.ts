// Assembling for the CLI: the assembler's result turned into what `run` and `asm` need.

import { assemble, formatListing, type Diagnostic } from '../asm/index.ts';
import { programFromAssembly, type Program } from '../machine/program.ts';

export interface CliAssembly {
  readonly ok: boolean;
  readonly diagnostics: readonly Diagnostic[];
  readonly program: Program;
  /** The listing as text (line, address, bytes, source). */
  readonly listing: string;
}

/** Assembles a source file's text. Never throws. */
export function assembleForMachine(source: string, fileName: string): CliAssembly {
  const r = assemble(source, { fileName });
  return { ok: r.ok, diagnostics: r.diagnostics, program: programFromAssembly(r), listing: formatListing(r.listing) };
}
