// ModRM, SIB and displacement decoding for 16-, 32- and 64-bit addressing, and
// general-register selection. SDM Vol. 2A §2.1.5 "Addressing-Mode Encoding of ModR/M
// and SIB Bytes" (Tables 2-1, 2-2, 2-3), §2.2.1.3 "Displacement", §2.2.1.6 "RIP-Relative
// Addressing" and §2.2.1.2 "More on REX Prefix Fields" (Table 2-5, byte registers).

import type { DecodeCursor } from './decode-cursor.ts';
import type { MemRef, MemSize } from './isa/operands.ts';
import { RegKind, SEG, makeReg, type Reg } from './isa/registers.ts';

/** Precomputed register ids, so the hot path never calls makeReg. */
const GPR: readonly (readonly Reg[])[] = (() => {
  const t: Reg[][] = [];
  t[1] = Array.from({ length: 16 }, (_, i) => makeReg(RegKind.GPR8, i));
  t[2] = Array.from({ length: 16 }, (_, i) => makeReg(RegKind.GPR16, i));
  t[4] = Array.from({ length: 16 }, (_, i) => makeReg(RegKind.GPR32, i));
  t[8] = Array.from({ length: 16 }, (_, i) => makeReg(RegKind.GPR64, i));
  return t;
})();
const GPR8_LEGACY: readonly Reg[] = [
  makeReg(RegKind.GPR8, 0), makeReg(RegKind.GPR8, 1), makeReg(RegKind.GPR8, 2), makeReg(RegKind.GPR8, 3),
  makeReg(RegKind.GPR8H, 0), makeReg(RegKind.GPR8H, 1), makeReg(RegKind.GPR8H, 2), makeReg(RegKind.GPR8H, 3),
];
const RIP_REG = makeReg(RegKind.RIP, 0);

/**
 * The general register numbered `index` (0-15, REX extension already applied) at
 * `size` bytes. For byte registers without any REX prefix, 4-7 are AH, CH, DH, BH;
 * with a REX prefix (even 0x40) they are SPL, BPL, SIL, DIL (SDM Vol. 2A §2.2.1.2, Table 2-5
 * "Special Cases of REX Encodings" and Vol. 1 §3.4.1.1 "General-Purpose Registers in 64-Bit Mode").
 */
export function gpr(size: 1 | 2 | 4 | 8, index: number, rex: number): Reg {
  if (size === 1 && rex === 0) return GPR8_LEGACY[index & 7]!;
  return GPR[size]![index]!;
}

/** Base and index registers of the 16-bit ModRM forms, by r/m (SDM Vol. 2A §2.1.5, Table 2-1). */
const BX = 3, BP = 5, SI = 6, DI = 7;
const MODRM16: readonly (readonly [number, number])[] = [
  [BX, SI], [BX, DI], [BP, SI], [BP, DI], [SI, -1], [DI, -1], [BP, -1], [BX, -1],
];

/**
 * Decodes the memory operand of a ModRM byte whose mod field is not 3, reading the
 * SIB byte and displacement that follow it. `rex` supplies REX.X and REX.B; `seg` is
 * the segment-override prefix (null for the default segment).
 */
export function decodeMem(
  cur: DecodeCursor, modrm: number, rex: number, addrSize: 2 | 4 | 8, seg: Reg | null, size: MemSize, mode: 16 | 32 | 64,
): MemRef {
  const mod = modrm >> 6;
  const rm = modrm & 7;
  if (addrSize === 2) return decodeMem16(cur, mod, rm, seg, size);
  const regs = GPR[addrSize]!;
  let base: Reg | null;
  let index: Reg | null = null;
  let scale: 1 | 2 | 4 | 8 = 1;
  let disp = 0n;
  if (rm === 4) {
    // SIB follows (SDM Vol. 2A §2.1.5, Table 2-3). Index 100 without REX.X means no index.
    const sib = cur.u8();
    const idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
    if (idx !== 4) {
      index = regs[idx]!;
      scale = (1 << (sib >> 6)) as 1 | 2 | 4 | 8;
    }
    const b = sib & 7;
    if (b === 5 && mod === 0) {
      // Base 101 with mod 00: disp32 and no base, whatever REX.B says (Table 2-3 note 1).
      base = null;
      disp = cur.signed(4);
    } else {
      base = regs[b | ((rex & 1) << 3)]!;
    }
  } else if (rm === 5 && mod === 0) {
    // mod 00 r/m 101: RIP-relative in 64-bit mode (SDM Vol. 2A §2.2.1.6, Table 2-7),
    // plain disp32 otherwise. REX.B does not matter: r13 needs mod 01 with disp8 0.
    base = mode === 64 ? RIP_REG : null;
    disp = cur.signed(4);
  } else {
    base = regs[rm | ((rex & 1) << 3)]!;
  }
  if (mod === 1) disp = cur.signed(1);
  else if (mod === 2) disp = cur.signed(4);
  return { kind: 'mem', size, seg, base, index, scale, disp, addrSize };
}

/** 16-bit addressing forms (SDM Vol. 2A §2.1.5, Table 2-1); mod 00 r/m 110 is disp16 alone. */
function decodeMem16(cur: DecodeCursor, mod: number, rm: number, seg: Reg | null, size: MemSize): MemRef {
  const regs = GPR[2]!;
  const [b, i] = MODRM16[rm]!;
  let base: Reg | null = regs[b]!;
  const index: Reg | null = i < 0 ? null : regs[i]!;
  let disp = 0n;
  if (mod === 0 && rm === 6) {
    base = null;
    disp = cur.signed(2);
  } else if (mod === 1) {
    disp = cur.signed(1);
  } else if (mod === 2) {
    disp = cur.signed(2);
  }
  return { kind: 'mem', size, seg, base, index, scale: 1, disp, addrSize: 2 };
}

/** Segment register by its Sreg encoding (0-5), or undefined for 6 and 7 (SDM Vol. 2A §3.1.1.3, "Sreg"). */
export function sreg(index: number): Reg | undefined {
  return index < 6 ? SEG.ES + index : undefined;
}
