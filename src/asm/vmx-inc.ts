// Builds vmx.inc, the NASM include file that makes real NASM assemble a lab program to
// the same bytes as lab-asm (DESIGN.md section 4): the implied header, then every
// predefined symbol of src/arch as `NAME equ value`, then the PA(x) macro.

import { LAB_BASE, predefinedSymbols } from '../arch/index.ts';
import type { PredefinedSymbol } from '../arch/index.ts';

/** The three header lines every lab program is assembled under. */
export const VMX_INC_HEADER = ['bits 64', 'default rel', `org 0x${LAB_BASE.toString(16).toUpperCase()}`] as const;

/** The PA(x) macro: a direct-map virtual address (a label) to its physical address. */
export const PA_MACRO = '%define PA(x) ((x) - PHYS_OFFSET)';

const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16).toUpperCase()}`;

/** The predefined symbols as a name -> value map (what vmx.inc defines). */
export function predefinedMap(): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const s of predefinedSymbols()) if (!m.has(s.name)) m.set(s.name, s.value);
  return m;
}

/** The text of vmx.inc. */
export function vmxInc(): string {
  const out: string[] = [...VMX_INC_HEADER, ''];
  out.push('; vmx.inc: the symbols VMX Lab predefines, generated from its hardware tables.');
  out.push('; Include it first (nasm -f bin -p vmx.inc prog.asm) to assemble a lab program with NASM.');
  out.push('');
  out.push(PA_MACRO);
  // One block per group, groups in the order they first appear (values are literals, so
  // the order of the equ lines does not matter to NASM).
  const groups = new Map<string, PredefinedSymbol[]>();
  const seen = new Set<string>();
  for (const s of predefinedSymbols()) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    (groups.get(s.group) ?? groups.set(s.group, []).get(s.group)!).push(s);
  }
  for (const [group, list] of groups) {
    out.push('', `; ---- ${group}`);
    for (const s of list) {
      // A trailing backslash would continue the line in NASM.
      const doc = s.doc.replace(/[\r\n]+/g, ' ').replace(/\\+\s*$/, '');
      out.push(`${s.name} equ ${hex(s.value)}${doc ? ` ; ${doc}` : ''}`);
    }
  }
  return out.join('\n') + '\n';
}
