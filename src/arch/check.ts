// Invariant checks shared by the table tests (STYLE rule 2). Each returns a list of
// problems, empty when the table is sound, so a test failure names every problem.

import type { Bitfield } from './bitfield.ts';
import type { SdmRef } from './sdm.ts';

/** Problems of an SDM reference: missing section number or title. */
export function sdmRefProblems(where: string, ref: SdmRef | undefined): string[] {
  if (ref === undefined) return [`${where}: no SDM reference`];
  const out: string[] = [];
  if (!/^[0-9A-F][0-9A-Z.]*$/.test(ref.section)) out.push(`${where}: bad SDM section "${ref.section}"`);
  if (ref.title.trim().length < 3) out.push(`${where}: SDM reference without a title`);
  return out;
}

/** Problems of a bitfield declaration: each field documented and referenced. */
export function bitfieldProblems(bf: Bitfield<string>): string[] {
  const out: string[] = [];
  for (const f of bf.list) {
    const where = `${bf.name}.${f.name}`;
    if (f.doc.trim().length < 3) out.push(`${where}: no doc`);
    out.push(...sdmRefProblems(where, f.sdm));
  }
  if ((bf.definedMask & bf.reservedMask) !== 0n) out.push(`${bf.name}: reserved bits overlap fields`);
  const full = bf.size === 64 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
  if (((bf.definedMask | bf.reservedMask) & ~full) !== 0n) out.push(`${bf.name}: bits beyond the register size`);
  return out;
}

/** Values that occur more than once in a list (for uniqueness checks). */
export function duplicates<T>(values: readonly T[]): T[] {
  const seen = new Set<T>();
  const dup = new Set<T>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}
