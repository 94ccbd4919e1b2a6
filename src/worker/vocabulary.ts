// The words of lab-asm for the editor: every instruction mnemonic of the x86 table and every
// predefined symbol of src/arch (VMCS fields, MSRs, control bits, CR bits, exit reasons ...),
// each with its value and one-line doc, for highlighting, completion and hover.

import { predefinedSymbols } from '../arch/symbols.ts';
import { CC_ALIASES } from '../x86/isa/form.ts';
import { MNEMONICS } from '../x86/isa/table.ts';

export interface Vocabulary {
  readonly mnemonics: readonly string[];
  readonly symbols: readonly { readonly name: string; readonly value: string; readonly doc: string; readonly group: string }[];
}

let cached: Vocabulary | undefined;

/** The vocabulary (built once). */
export function vocabulary(): Vocabulary {
  cached ??= {
    // The table names condition-code families `jcc`, `setcc`, `cmovcc`: spell out every suffix.
    mnemonics: [...new Set(MNEMONICS.flatMap((m) => (m.endsWith('cc') ? [] : [m]).concat(
      m.endsWith('cc') ? [...CC_ALIASES.keys()].map((c) => m.slice(0, -2) + c) : [])))].sort(),
    symbols: predefinedSymbols().map((s) => ({ name: s.name, value: `0x${BigInt.asUintN(64, s.value).toString(16)}`, doc: s.doc, group: s.group })),
  };
  return cached;
}
