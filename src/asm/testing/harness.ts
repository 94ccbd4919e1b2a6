// Shared by the assembler's unit tests: assemble with the fake encoder and the real
// predefined symbols, and read results compactly.

import { LAB_BASE } from '../../arch/lab.ts';
import type { AssemblyResult } from '../assembler.ts';
import { assembleWith } from '../assembler.ts';
import { PA_MACRO, predefinedMap } from '../vmx-inc.ts';
import { fakeEncode } from './fake-encoder.ts';

const predefined = predefinedMap();

/** Assembles with the fake encoder (nop, hlt, ret, int3, jmp, mov r32, imm). */
export function asmFake(source: string): AssemblyResult {
  return assembleWith(source, { origin: LAB_BASE, predefined, macros: [PA_MACRO], encode: fakeEncode });
}

/** The image as lower-case hex. */
export const hexOf = (r: AssemblyResult): string => [...r.bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Errors only, as `line:col message`. */
export const errorsOf = (r: AssemblyResult): string[] =>
  r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col} ${d.message}`);

/** Warnings only, as `line:col message`. */
export const warningsOf = (r: AssemblyResult): string[] =>
  r.diagnostics.filter((d) => d.severity === 'warning').map((d) => `${d.line}:${d.col} ${d.message}`);
