// Shared pieces of the predefined-symbol tables (symbols.ts, symbols-vmx.ts).

import type { Bitfield } from './bitfield.ts';

export interface PredefinedSymbol {
  readonly name: string;
  readonly value: bigint;
  readonly doc: string;
  /** Section of vmx.inc / hover group, e.g. `cr4`, `msr`, `vmcs-guest`. */
  readonly group: string;
}

/** NASM identifier: starts with a letter, `_`, `.` or `?`; then letters, digits, `_ $ # @ ~ . ?`. */
export const NASM_IDENTIFIER = /^[A-Za-z_.?][A-Za-z0-9_$#@~.?]*$/;

/**
 * Symbols for every field of a bitfield: `<prefix><FIELD>` = mask, and for one-bit
 * fields `<prefix><FIELD>_BIT` = bit number (Linux's `X86_CR4_VMXE_BIT` convention).
 * `rename` maps a field to a different Linux suffix (EFER.NXE is Linux's `EFER_NX`).
 */
export function bitfieldSymbols<K extends string>(
  bf: Bitfield<K>, prefix: string, group: string, rename: Partial<Record<K, string>> = {},
): PredefinedSymbol[] {
  const out: PredefinedSymbol[] = [];
  for (const f of bf.list) {
    const suffix = rename[f.name as K] ?? f.name;
    const doc = `${bf.name}.${f.name}: ${f.doc}`;
    out.push({ name: `${prefix}${suffix}`, value: f.mask, doc, group });
    if (f.width === 1) out.push({ name: `${prefix}${suffix}_BIT`, value: BigInt(f.bit), doc: `Bit number of ${bf.name}.${f.name}.`, group });
  }
  return out;
}

