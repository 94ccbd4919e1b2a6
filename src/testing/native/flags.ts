// Which arithmetic flags an instruction leaves defined, for the native-CPU tier. The static facts
// come from the instruction table's flag effects (src/x86/isa, SDM "Flags Affected"); the
// count-dependent rules of shifts and rotates are refined here from SDM Vol. 2B §4.3
// "SAL/SAR/SHL/SHR" and "RCL/RCR/ROL/ROR" (a masked count of 0 changes no flag; OF is defined
// only for 1-bit counts; AF is undefined for non-zero counts; CF is undefined for SHL/SHR when the
// count is at least the operand size).

import { formsForMnemonic } from '../../x86/isa/table.ts';

export const F_C = 0x1;
export const F_P = 0x4;
export const F_A = 0x10;
export const F_Z = 0x40;
export const F_S = 0x80;
export const F_O = 0x800;
/** The six arithmetic flags. */
export const ARITH_FLAGS = F_C | F_P | F_A | F_Z | F_S | F_O;

const LETTER: Record<string, number> = { O: F_O, S: F_S, Z: F_Z, A: F_A, P: F_P, C: F_C };

/** Mask of the arithmetic flags named by letters ('OSZAPC'; '*' = all). */
export function flagMask(letters: string | undefined): number {
  if (!letters) return 0;
  if (letters.includes('*')) return ARITH_FLAGS;
  let m = 0;
  for (const ch of letters) m |= LETTER[ch] ?? 0;
  return m;
}

/** Flags read by condition code 0-15 (SDM Vol. 1 Appendix B "EFLAGS Condition Codes"). */
export function condFlags(cc: number): number {
  switch (cc >> 1) {
    case 0: return F_O;
    case 1: return F_C;
    case 2: return F_Z;
    case 3: return F_C | F_Z;
    case 4: return F_S;
    case 5: return F_P;
    case 6: return F_S | F_O;
    default: return F_Z | F_S | F_O;
  }
}

/** Static flag effects of a mnemonic as the table states them. */
export interface FlagEffect {
  readonly written: number;
  readonly undef: number;
  readonly read: number;
}

/** Flag effects of a mnemonic from the instruction table (first form; a mnemonic's forms agree). */
export function tableFlags(mnemonic: string): FlagEffect {
  const m = formsForMnemonic(mnemonic);
  const f = m?.forms[0]?.flags;
  if (!m || !f) {
    if (!m) throw new Error(`native tier: '${mnemonic}' is not in the instruction table`);
    return { written: 0, undef: 0, read: 0 };
  }
  const read = m.cond !== undefined ? condFlags(m.cond) : f.read === 'cc' ? 0 : flagMask(f.read);
  return { written: flagMask(f.written), undef: flagMask(f.undefined), read };
}

/** The undefined-flag set after an instruction with effect `e`, given the set `u` before it. */
export function applyEffect(u: number, e: Pick<FlagEffect, 'written' | 'undef'>): number {
  return (u & ~e.written) | e.undef;
}

/**
 * Undefined flags after a shift or rotate by an immediate count (`bits` = operand size in
 * bits). The count is masked to 5 bits (6 with a 64-bit operand) before anything else.
 */
export function shiftImmUndef(mnemonic: string, u: number, count: number, bits: number): number {
  const c = count & (bits === 64 ? 0x3f : 0x1f);
  if (c === 0) return u;
  const rotate = mnemonic.startsWith('ro') || mnemonic.startsWith('rc');
  let out = u & ~F_C;
  if (c === 1) out &= ~F_O;
  else out |= F_O;
  if (rotate) return out;
  out &= ~(F_S | F_Z | F_P);
  out |= F_A;
  if (c >= bits) out |= F_C;
  return out;
}

/** Undefined flags after a shift or rotate by CL, whose value the generator does not track. */
export function shiftClUndef(mnemonic: string, u: number, bits: number): number {
  const rotate = mnemonic.startsWith('ro') || mnemonic.startsWith('rc');
  if (rotate) return u | F_O;
  return u | F_O | F_A | (bits <= 16 ? F_C : 0);
}
