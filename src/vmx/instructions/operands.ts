// Operand access for the VMX instructions: the effective address of a memory operand (SDM
// Vol. 1 §3.7.5 "Specifying an Offset"), reads and writes through the executor's segmentation
// and paging, and general-register access at the operand size the instructions use (SDM Vol. 3C
// §31.3 "VMX Instructions": 64 bits in 64-bit mode, 32 bits outside IA-32e mode).

import type { CpuHandle } from '../../x86/env.ts';
import type { MemRef, Operand } from '../../x86/isa/operands.ts';
import { RegKind, regIndex, regKind, type Reg } from '../../x86/isa/registers.ts';
import { SegIndex } from '../../x86/state.ts';

/** A memory operand resolved to segment and offset. */
export interface ResolvedAddress {
  /** SegIndex of the segment used (override, or DS/SS by the base register). */
  readonly seg: number;
  /** Offset within the segment, as the executor's `readMem` takes it (signed canonical number in 64-bit mode). */
  readonly offset: number;
}

const RSP_INDEX = 4;
const RBP_INDEX = 5;

/** Value of a general register as a 64-bit unsigned bigint, whatever its written size. */
export function gprValue(cpu: CpuHandle, reg: Reg): bigint {
  const v = cpu.state.getGpr64(regIndex(reg));
  switch (regKind(reg)) {
    case RegKind.GPR64: return v;
    case RegKind.GPR32: return v & 0xffff_ffffn;
    case RegKind.GPR16: return v & 0xffffn;
    default: throw new Error(`not a general register: ${reg}`);
  }
}

/**
 * `gprValue` as two 32-bit halves in `out` (bits 31:0, bits 63:32), without a bigint: the
 * VMREAD/VMWRITE fast path.
 */
export function gprHalves(cpu: CpuHandle, reg: Reg, out: Uint32Array): void {
  const i = regIndex(reg);
  const gpr = cpu.state.gpr;
  switch (regKind(reg)) {
    case RegKind.GPR64: out[0] = gpr[2 * i]!; out[1] = gpr[2 * i + 1]!; return;
    case RegKind.GPR32: out[0] = gpr[2 * i]!; out[1] = 0; return;
    case RegKind.GPR16: out[0] = gpr[2 * i]! & 0xffff; out[1] = 0; return;
    default: throw new Error(`not a general register: ${reg}`);
  }
}

/**
 * The segment a memory operand uses: its override, else SS for an RSP/RBP base, else DS
 * (SDM Vol. 1 §3.7.4 "Default Segment Selection Rules").
 */
export function segmentOf(mem: MemRef): number {
  if (mem.seg !== null) return regIndex(mem.seg);
  if (mem.base !== null && regKind(mem.base) !== RegKind.RIP) {
    const i = regIndex(mem.base);
    if (i === RSP_INDEX || i === RBP_INDEX) return SegIndex.SS;
  }
  return SegIndex.DS;
}

/**
 * Effective address of a memory operand: base + index * scale + displacement, truncated to the
 * address size; RIP-relative operands are relative to the next instruction.
 */
export function resolveAddress(cpu: CpuHandle, mem: MemRef, nextRip: number): ResolvedAddress {
  let ea = mem.disp;
  if (mem.base !== null) ea += regKind(mem.base) === RegKind.RIP ? BigInt(nextRip) : cpu.state.getGpr64(regIndex(mem.base));
  if (mem.index !== null) ea += cpu.state.getGpr64(regIndex(mem.index)) * BigInt(mem.scale);
  const bits = mem.addrSize * 8;
  const offset = bits === 64 ? Number(BigInt.asIntN(64, ea)) : Number(BigInt.asUintN(bits, ea));
  return { seg: segmentOf(mem), offset };
}

/** Reads the 64-bit memory operand of VMXON/VMCLEAR/VMPTRLD (faults propagate as X86Fault). */
export function readM64(cpu: CpuHandle, mem: MemRef, nextRip: number): bigint {
  const a = resolveAddress(cpu, mem, nextRip);
  return cpu.readMem(a.seg, a.offset, 8);
}

/** Reads a 128-bit INVEPT/INVVPID descriptor as [bits 63:0, bits 127:64]. */
export function readM128(cpu: CpuHandle, mem: MemRef, nextRip: number): [bigint, bigint] {
  const a = resolveAddress(cpu, mem, nextRip);
  const lo = cpu.readMem(a.seg, a.offset, 8);
  const hi = cpu.readMem(a.seg, offsetPlus(a.offset, 8, mem.addrSize), 8);
  return [lo, hi];
}

function offsetPlus(offset: number, n: number, addrSize: 2 | 4 | 8): number {
  const bits = addrSize * 8;
  const v = BigInt(offset) + BigInt(n);
  return bits === 64 ? Number(BigInt.asIntN(64, v)) : Number(BigInt.asUintN(bits, v));
}

/** Value of a register-or-memory source operand of `size` bytes (VMWRITE's r/m). */
export function readRm(cpu: CpuHandle, op: Operand, size: 4 | 8, nextRip: number): bigint {
  if (op.kind === 'reg') return gprValue(cpu, op.reg) & (size === 8 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn);
  if (op.kind !== 'mem') throw new Error(`unexpected operand kind ${op.kind}`);
  const a = resolveAddress(cpu, op, nextRip);
  return cpu.readMem(a.seg, a.offset, size);
}

/**
 * Writes a register-or-memory destination of `size` bytes (VMREAD's r/m). A 32-bit register
 * destination clears bits 63:32 (SDM Vol. 1 §3.4.1.1 "General-Purpose Registers in 64-Bit Mode").
 */
export function writeRm(cpu: CpuHandle, op: Operand, size: 4 | 8, value: bigint, nextRip: number): void {
  if (op.kind === 'reg') {
    cpu.state.setGpr64(regIndex(op.reg), size === 8 ? value : value & 0xffff_ffffn);
    return;
  }
  if (op.kind !== 'mem') throw new Error(`unexpected operand kind ${op.kind}`);
  const a = resolveAddress(cpu, op, nextRip);
  cpu.writeMem(a.seg, a.offset, size, value);
}
