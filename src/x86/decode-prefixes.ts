// Legacy and REX prefix scanning. SDM Vol. 2A §2.1.1 "Instruction Prefixes" and
// §2.2.1 "REX Prefixes". Legacy prefixes come in any order and any number (up to the
// 15-byte limit); within a group the last one written is the one that counts. A REX
// byte only counts when it immediately precedes the opcode: a legacy prefix after it
// makes the processor ignore it (§2.2.1: "Other placements are ignored").

import type { DecodeCursor } from './decode-cursor.ts';
import type { Prefixes } from './isa/decoded.ts';
import { SEG, type Reg } from './isa/registers.ts';

/** Segment-override prefix bytes and the register each selects (SDM Vol. 2A §2.1.1, group 2). */
const SEG_PREFIX: Readonly<Record<number, Reg>> = {
  0x26: SEG.ES,
  0x2e: SEG.CS,
  0x36: SEG.SS,
  0x3e: SEG.DS,
  0x64: SEG.FS,
  0x65: SEG.GS,
};

/** Interned prefix records for the common case of no legacy prefix (index: REX byte & 0x0F, 16 = no REX). */
const PLAIN: readonly Prefixes[] = Array.from({ length: 17 }, (_, i) =>
  Object.freeze({ lock: false, rep: null, seg: null, opsize: false, addrsize: false, rex: i === 16 ? 0 : 0x40 | i }),
);

/**
 * Consumes every prefix byte at the cursor and returns what they say; the cursor is
 * left on the first opcode byte. In 64-bit mode the CS, DS, ES and SS overrides are
 * ignored (SDM Vol. 1 §3.4.2.1 "Segment Registers in 64-Bit Mode": their bases are
 * treated as 0), so only FS/GS are recorded there.
 */
export function scanPrefixes(cur: DecodeCursor, mode: 16 | 32 | 64): Prefixes {
  let lock = false;
  let rep: 'rep' | 'repne' | null = null;
  let seg: Reg | null = null;
  let opsize = false;
  let addrsize = false;
  let rex = 0;
  let legacy = false;
  for (;;) {
    const b = cur.peek();
    if (cur.overflow) break;
    if (mode === 64 && (b & 0xf0) === 0x40) {
      rex = b;
      cur.pos++;
      continue;
    }
    switch (b) {
      case 0xf0: lock = true; break;
      case 0xf2: rep = 'repne'; break;
      case 0xf3: rep = 'rep'; break;
      case 0x66: opsize = true; break;
      case 0x67: addrsize = true; break;
      case 0x26: case 0x2e: case 0x36: case 0x3e:
        // Implementation choice: in 64-bit mode these leave any earlier FS/GS override in
        // force (iced's "segment priority", Bochs's fetchdecode64 ignore them outright).
        if (mode !== 64) seg = SEG_PREFIX[b]!;
        break;
      case 0x64: case 0x65:
        seg = SEG_PREFIX[b]!;
        break;
      default:
        if (!legacy) return PLAIN[rex === 0 ? 16 : rex & 0x0f]!;
        return { lock, rep, seg, opsize, addrsize, rex };
    }
    // A legacy prefix after a REX byte cancels it (SDM Vol. 2A §2.2.1 REX Prefixes).
    rex = 0;
    legacy = true;
    cur.pos++;
  }
  return { lock, rep, seg, opsize, addrsize, rex };
}

/** REX field accessors (SDM Vol. 2A §2.2.1.2 "More on REX Prefix Fields", Table 2-4). */
export const rexW = (rex: number): boolean => (rex & 8) !== 0;
export const rexR = (rex: number): number => (rex & 4) << 1;
export const rexX = (rex: number): number => (rex & 2) << 2;
export const rexB = (rex: number): number => (rex & 1) << 3;
