// lab-asm: the NASM subset of DESIGN.md section 4. A program without `section`
// directives assembles to exactly the bytes `nasm -f bin` gives for vmx.inc followed by
// the program. Everything here is pure: no I/O, no DOM, runs in Node and the worker.

import { LAB_BASE } from '../arch/index.ts';
import { encode } from '../x86/isa/encode.ts';
import type { AssembleOptions, AssemblyResult } from './assembler.ts';
import { assembleWith } from './assembler.ts';
import { PA_MACRO, predefinedMap, vmxInc } from './vmx-inc.ts';

export type { AssembleOptions, AssemblyResult } from './assembler.ts';
export type { Diagnostic, Severity } from './diagnostics.ts';
export type { LineSpan, ListingEntry } from './listing.ts';
export { formatListing, lineAtAddress, spansOfLine } from './listing.ts';
export { vmxInc };

let predefined: ReadonlyMap<string, bigint> | null = null;

/**
 * Assembles a lab program (vmx.inc implied first). Never throws and always terminates;
 * problems come back as diagnostics with 1-based line and column.
 */
export function assemble(source: string, opts: AssembleOptions = {}): AssemblyResult {
  predefined ??= predefinedMap();
  return assembleWith(source, { origin: LAB_BASE, predefined, macros: [PA_MACRO], encode }, opts);
}
