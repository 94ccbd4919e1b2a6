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
  /** The address uses 32-bit registers: needs the 67 prefix. */
  readonly addr32: boolean;
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

/** Encodes a memory operand, or returns NASM's error text. */
export function encodeMem(mem: AsmMem): MemEncoding | string {
  if (mem.ripRelative) {
    if (mem.base !== undefined || mem.index !== undefined) return 'invalid effective address';
    return { rexX: false, rexB: false, addr32: false, bytes: [0x05, 0, 0, 0, 0], rip: { offset: 1, target: mem.disp, known: mem.dispKnown } };
  }
  let base: Reg | undefined = mem.base;
  let index: Reg | undefined = mem.index;
  let scale: number = mem.scale;
  const kinds = [base, index].filter((r): r is Reg => r !== undefined).map(regKind);
  if (kinds.some((k) => k !== K.GPR64 && k !== K.GPR32) || (kinds.length === 2 && kinds[0] !== kinds[1])) {
    return 'invalid effective address';
  }
  const addr32 = kinds[0] === K.GPR32;
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
    const idx = index === undefined ? 4 : regIndex_(index) & 7;
    return { rexX, rexB: false, addr32, bytes: [0x04, (ss << 6) | (idx << 3) | 5, ...leBytes(disp, 4)] };
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
  return { rexX, rexB, addr32, bytes };
}
