// Memory operands to ModRM, SIB and displacement bytes in 64-bit mode, choosing exactly
// what NASM 2.16 chooses (SDM Vol. 2A §2.1.5 "Addressing-Mode Encoding of ModR/M and SIB
// Bytes", §2.2.1.3 "Displacement", §2.2.1.6 "RIP-Relative Addressing"). NASM's choices
// are recorded in docs/decisions/0001-nasm-encoding-choices.md.

import type { AsmOperand } from './operands.ts';
import { RegKind, regIndex, regKind, type Reg } from './registers.ts';

// Local copies of the register helpers: under tsx's CommonJS transform (the CLI) every
// use of an imported binding is a getter call, and these run for every operand.
const K = { ...RegKind };
const regIndex_ = regIndex;
const regKind_ = regKind;

export type AsmMem = Extract<AsmOperand, { kind: 'mem' }>;

/** ModRM (reg field 0), SIB and displacement of one memory operand. */
export interface MemEncoding {
  readonly rexX: boolean;
  readonly rexB: boolean;
  /** The address uses 32-bit registers: needs the 67 prefix (in 64-bit mode). */
  readonly addr32: boolean;
  /** Address size in bytes (2, 4 or 8): 67 is needed when it differs from the mode's. */
  readonly addrSize: 2 | 4 | 8;
  readonly bytes: number[];
  /** RIP-relative: offset of the disp32 within `bytes` and the absolute target. */
  readonly rip?: { readonly offset: number; readonly target: bigint; readonly known: boolean };
}

const fitsI8 = (v: bigint): boolean => v >= -128n && v <= 127n;
/** Two's-complement bytes of `v`, little-endian. */
export function leBytes(v: bigint, n: number): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(n * 8, v);
  for (let i = 0; i < n; i++) { out.push(Number(x & 0xffn)); x >>= 8n; }
  return out;
}

// 16-bit ModRM.rm by base and index register numbers (SDM Vol. 2A §2.1.5, Table 2-1
// "16-Bit Addressing Forms with the ModR/M Byte"): BX=3, BP=5, SI=6, DI=7.
const RM16: Record<string, number> = { '3,6': 0, '3,7': 1, '5,6': 2, '5,7': 3, '6': 4, '7': 5, '5': 6, '3': 7 };

/** A 16-bit address ([bx+si+disp], [bp], [disp16]) as NASM encodes it, or its error text. */
function encodeMem16(mem: AsmMem, bits: 16 | 32 | 64): MemEncoding | string {
  const bad = `invalid ${bits}-bit effective address`;
  const regs = [mem.base, mem.index].filter((r): r is Reg => r !== undefined);
  if (regs.length === 2 && mem.scale !== 1) return bad;
  if (regs.length === 1 && mem.index !== undefined && mem.scale !== 1) return bad;
  const nums = regs.map((r) => regIndex_(r)).sort((a, b) => a - b);
  const done = (bytes: number[]): MemEncoding => ({ rexX: false, rexB: false, addr32: false, addrSize: 2, bytes });
  if (nums.length === 0) return done([0x06, ...leBytes(mem.disp, 2)]);
  const rm = RM16[nums.join(',')];
  if (rm === undefined) return bad;
  const disp = mem.disp;
  let mod: 0 | 1 | 2;
  if (mem.dispSize === 1) mod = 1;
  else if (mem.dispSize === 4) mod = 2;
  else if (!mem.dispKnown || mem.dispReloc) mod = 2;
  else if (BigInt.asIntN(16, disp) === 0n && rm !== 6) mod = 0;
  else mod = fitsI8(BigInt.asIntN(16, disp)) ? 1 : 2;
  const bytes = [(mod << 6) | rm];
  if (mod === 1) bytes.push(...leBytes(disp, 1));
  else if (mod === 2) bytes.push(...leBytes(disp, 2));
  return done(bytes);
}

/**
 * Encodes a memory operand in a `bits` mode, or returns NASM's error text. `addrSize`
 * is the address size an `a16`/`a32` prefix asks for when the operand has no register.
 */
export function encodeMem(mem: AsmMem, bits: 16 | 32 | 64 = 64, addrSize?: 2 | 4): MemEncoding | string {
  if (mem.ripRelative && bits === 64) {
    if (mem.base !== undefined || mem.index !== undefined) return 'invalid effective address';
    return { rexX: false, rexB: false, addr32: false, addrSize: 8, bytes: [0x05, 0, 0, 0, 0], rip: { offset: 1, target: mem.disp, known: mem.dispKnown } };
  }
  let base: Reg | undefined = mem.base;
  let index: Reg | undefined = mem.index;
  let scale: number = mem.scale;
  const kinds = [base, index].filter((r): r is Reg => r !== undefined).map(regKind);
  if (bits !== 64) {
    if (kinds.some((k) => k === K.GPR64)) return 'impossible combination of address sizes';
    const size = kinds.length > 0 ? (kinds[0] === K.GPR16 ? 2 : 4) : addrSize ?? (bits === 16 ? 2 : 4);
    if (size === 2) {
      if (kinds.some((k) => k !== K.GPR16)) return 'impossible combination of address sizes';
      return encodeMem16(mem, bits);
    }
  }
  if (kinds.some((k) => k !== K.GPR64 && k !== K.GPR32) || (kinds.length === 2 && kinds[0] !== kinds[1])) {
    return 'invalid effective address';
  }
  const addr32 = kinds[0] === K.GPR32;
  const aSize: 4 | 8 = bits !== 64 || addr32 ? 4 : 8;
  // NASM turns an index without base into a base when it can: [rax*1] -> [rax],
  // [rax*2] -> [rax+rax*1] (shorter: no disp32), unless the operand says `nosplit`.
  if (index !== undefined && base === undefined && !mem.nosplit) {
    if (scale === 1) { base = index; index = undefined; }
    else if (scale === 2) { base = index; scale = 1; }
  }
  // RSP cannot be an index (SIB.index = 100b means none): NASM swaps it into the base
  // when the scale is 1 ([rax+rsp] -> [rsp+rax]).
  if (index !== undefined && regIndex_(index) === 4) {
    if (scale !== 1 || (base !== undefined && regIndex_(base) === 4)) return 'invalid effective address';
    const t = base; base = index; index = t;
  }
  const ss = scale === 1 ? 0 : scale === 2 ? 1 : scale === 4 ? 2 : 3;
  const rexX = index !== undefined && regIndex_(index) >= 8;
  const rexB = base !== undefined && regIndex_(base) >= 8;
  const disp = mem.disp;
  if (base === undefined) {
    // No base: SIB with base = 101b and mod = 00 means disp32 only (absolute when there
    // is no index either: NASM never uses RIP-relative for a plain number).
    // Outside 64-bit mode, mod = 00 rm = 101 is disp32 itself (no RIP-relative there).
    if (bits !== 64 && index === undefined) return { rexX, rexB: false, addr32, addrSize: aSize, bytes: [0x05, ...leBytes(disp, 4)] };
    const idx = index === undefined ? 4 : regIndex_(index) & 7;
    return { rexX, rexB: false, addr32, addrSize: aSize, bytes: [0x04, (ss << 6) | (idx << 3) | 5, ...leBytes(disp, 4)] };
  }
  const b = regIndex_(base) & 7;
  let mod: 0 | 1 | 2;
  if (mem.dispSize === 1) mod = 1;
  else if (mem.dispSize === 4) mod = 2;
  else if (!mem.dispKnown || mem.dispReloc) mod = 2;
  else if (disp === 0n && b !== 5) mod = 0;
  else mod = fitsI8(disp) ? 1 : 2;
  const needSib = index !== undefined || b === 4;
  const bytes = needSib
    ? [(mod << 6) | 4, (ss << 6) | ((index === undefined ? 4 : regIndex_(index) & 7) << 3) | b]
    : [(mod << 6) | b];
  if (mod === 1) bytes.push(...leBytes(disp, 1));
  else if (mod === 2) bytes.push(...leBytes(disp, 4));
  return { rexX, rexB, addr32, addrSize: aSize, bytes };
}
