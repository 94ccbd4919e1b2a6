// Every VMX control bit, with lookups by name (Linux name or alias) and by word.

import { ENTRY_CONTROLS, ENTRY_INFO, VMFUNC_CONTROLS, VMFUNC_INFO } from './entry.ts';
import { EXIT2_CONTROLS, EXIT2_INFO, EXIT_CONTROLS, EXIT_INFO } from './exit.ts';
import { PIN_BASED_CONTROLS, PIN_BASED_INFO } from './pin-based.ts';
import { PRIMARY_CONTROLS, PRIMARY_INFO } from './primary.ts';
import { SECONDARY_CONTROLS, SECONDARY_INFO } from './secondary.ts';
import { TERTIARY_CONTROLS, TERTIARY_INFO } from './tertiary.ts';
import type { ControlBit, ControlWord, ControlWordInfo } from './types.ts';

export * from './types.ts';
export * from './pin-based.ts';
export * from './primary.ts';
export * from './secondary.ts';
export * from './tertiary.ts';
export * from './exit.ts';
export * from './entry.ts';

/** Each control word with its bits, in the SDM's order of the control fields. */
export const CONTROL_WORDS: readonly { readonly info: ControlWordInfo; readonly bits: readonly ControlBit[] }[] = [
  { info: PIN_BASED_INFO, bits: PIN_BASED_CONTROLS },
  { info: PRIMARY_INFO, bits: PRIMARY_CONTROLS },
  { info: SECONDARY_INFO, bits: SECONDARY_CONTROLS },
  { info: TERTIARY_INFO, bits: TERTIARY_CONTROLS },
  { info: EXIT_INFO, bits: EXIT_CONTROLS },
  { info: EXIT2_INFO, bits: EXIT2_CONTROLS },
  { info: ENTRY_INFO, bits: ENTRY_CONTROLS },
  { info: VMFUNC_INFO, bits: VMFUNC_CONTROLS },
];

/** Every control bit of every word. */
export const ALL_CONTROLS: readonly ControlBit[] = CONTROL_WORDS.flatMap((w) => w.bits);

/** Union of the names of every control bit (Linux names), for typed feature references. */
export type ControlName =
  | (typeof PIN_BASED_CONTROLS)[number]['name'] | (typeof PRIMARY_CONTROLS)[number]['name']
  | (typeof SECONDARY_CONTROLS)[number]['name'] | (typeof TERTIARY_CONTROLS)[number]['name']
  | (typeof EXIT_CONTROLS)[number]['name'] | (typeof EXIT2_CONTROLS)[number]['name']
  | (typeof ENTRY_CONTROLS)[number]['name'] | (typeof VMFUNC_CONTROLS)[number]['name'];

const byName = new Map<string, ControlBit>();
for (const b of ALL_CONTROLS) for (const n of [b.name, ...b.aliases]) byName.set(n, b);

/** A control bit by its name or any alias, or undefined. */
export function findControl(name: string): ControlBit | undefined {
  return byName.get(name);
}

/** The info of a control word. */
export function controlWordInfo(word: ControlWord): ControlWordInfo {
  return CONTROL_WORDS.find((w) => w.info.word === word)!.info;
}

/**
 * Allowed settings of a control word from a capability MSR value: `allowed0` = bits that
 * must be 1, `allowed1` = bits that may be 1 (SDM Vol. 3D Appendix A.3-A.5). 64-bit words
 * (tertiary, secondary exit, VM functions) have no allowed-0 half: the MSR is the allowed-1 mask.
 */
export function allowedSettings(info: ControlWordInfo, msr: bigint): { allowed0: bigint; allowed1: bigint } {
  if (!info.hasAllowed0) return { allowed0: 0n, allowed1: msr };
  return { allowed0: msr & 0xffff_ffffn, allowed1: (msr >> 32n) & 0xffff_ffffn };
}
