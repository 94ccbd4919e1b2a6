// Values an intercepted instruction's exit information is made of, read from the processor
// state without executing the instruction: the mode (64-bit or not), a register operand, a
// memory operand's linear address (SDM Vol. 3A §3.7.5 "Specifying an Offset", §3.4.4
// "Segment Loading Instructions in IA-32e Mode": only FS and GS bases apply in 64-bit mode),
// and the lab's time-stamp counter (SDM Vol. 3B §18.17 "Time-Stamp Counter").

import { ACCESS_RIGHTS } from '../../arch/segments.ts';
import { EFER } from '../../arch/efer.ts';
import type { CpuState } from '../../x86/state.ts';
import { SegIndex } from '../../x86/state.ts';
import type { MemRef, Operand } from '../../x86/isa/operands.ts';
import { RegKind, regIndex, regKind } from '../../x86/isa/registers.ts';

const LMA = Number(EFER.mask.LMA);
const CS_L = Number(ACCESS_RIGHTS.mask.L);
const M64 = 0xffff_ffff_ffff_ffffn;

/** Whether the processor is in 64-bit mode (IA32_EFER.LMA = 1 and CS.L = 1). */
export function in64BitMode(s: CpuState): boolean {
  return (s.efer & LMA) !== 0 && (s.segAr[SegIndex.CS]! & CS_L) !== 0;
}

/** Mask of a general-register kind's width. */
function widthMask(kind: number): bigint {
  switch (kind) {
    case RegKind.GPR32: return 0xffff_ffffn;
    case RegKind.GPR16: return 0xffffn;
    case RegKind.GPR8: return 0xffn;
    default: return M64;
  }
}

/** The value of a general-register operand (zero for any other operand kind). */
export function registerValue(s: CpuState, op: Operand | undefined): bigint {
  if (op?.kind !== 'reg') return 0n;
  const k = regKind(op.reg);
  const i = regIndex(op.reg);
  if (k === RegKind.GPR8H) return (s.getGpr64(i) >> 8n) & 0xffn;
  if (k !== RegKind.GPR64 && k !== RegKind.GPR32 && k !== RegKind.GPR16 && k !== RegKind.GPR8) return 0n;
  return s.getGpr64(i) & widthMask(k);
}

/** Register number (0 RAX .. 15 R15) of a register operand, 0 otherwise. */
export function registerNumber(op: Operand | undefined): number {
  return op?.kind === 'reg' ? regIndex(op.reg) : 0;
}

/** Default segment of a memory operand: SS for RSP/RBP bases, else DS, unless overridden. */
export function memSegment(mem: MemRef): number {
  if (mem.seg !== null) return regIndex(mem.seg);
  if (mem.base !== null && regKind(mem.base) !== RegKind.RIP) {
    const b = regIndex(mem.base);
    if (b === 4 || b === 5) return SegIndex.SS;
  }
  return SegIndex.DS;
}

/**
 * Linear address of a memory operand: base + index × scale + displacement at the address size
 * (RIP-relative counts from `nextRip`), plus the segment base (in 64-bit mode only FS and GS
 * have one). Outside 64-bit mode the result has bits 63:32 clear.
 */
export function memLinearAddress(s: CpuState, mem: MemRef, nextRip: number): bigint {
  const addrMask = mem.addrSize === 8 ? M64 : mem.addrSize === 4 ? 0xffff_ffffn : 0xffffn;
  let ea = mem.disp;
  if (mem.base !== null) ea += regKind(mem.base) === RegKind.RIP ? BigInt(nextRip) : s.getGpr64(regIndex(mem.base));
  if (mem.index !== null) ea += s.getGpr64(regIndex(mem.index)) * BigInt(mem.scale);
  ea &= addrMask;
  const seg = memSegment(mem);
  const long = in64BitMode(s);
  if (!long || seg === SegIndex.FS || seg === SegIndex.GS) ea += BigInt(s.segBase[seg]!);
  return long ? BigInt.asUintN(64, ea) : ea & 0xffff_ffffn;
}

/** The processor's TSC: the executor counts one tick per retired instruction from `tscOffset`. */
export function hostTsc(s: CpuState): bigint {
  return BigInt.asUintN(64, s.tscOffset + BigInt(s.icount));
}
