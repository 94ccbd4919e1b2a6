// Conversions between the executor's CpuState (numbers: signed canonical linear addresses,
// 32-bit control registers) and VMCS field values (unsigned 64-bit bigints), and the MSRs that
// VM entries and VM exits load and save (SDM Vol. 3C §27.3.2.1 "Loading Guest Control Registers,
// Debug Registers, and MSRs", §28.3.1 "Saving Control Registers, Debug Registers, and MSRs").

import { MSR } from '../../arch/msrs.ts';
import type { CpuState } from '../../x86/state.ts';
import { SegIndex } from '../../x86/state.ts';
import type { VmcsValues } from '../vmcs-values.ts';

/** A linear address kept as a signed canonical number, as a VMCS value. */
export function linearToField(n: number): bigint {
  return BigInt.asUintN(64, BigInt(n));
}

/** A VMCS natural-width address as the executor's signed canonical number. */
export function fieldToLinear(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

/** Reads an MSR from where the executor keeps it (EFER, FS/GS bases and KERNEL_GS_BASE live in fields). */
export function readMsr(s: CpuState, index: number): bigint {
  switch (index) {
    case MSR.IA32_EFER: return BigInt(s.efer);
    case MSR.IA32_FS_BASE: return linearToField(s.segBase[SegIndex.FS]);
    case MSR.IA32_GS_BASE: return linearToField(s.segBase[SegIndex.GS]);
    case MSR.IA32_KERNEL_GS_BASE: return linearToField(s.kernelGsBase);
    default: return s.msrs.get(index) ?? 0n;
  }
}

/**
 * `writeMsr` of field `i` of a VMCS store (VM entries and exits load MSRs from their fields):
 * an MSR kept in the executor's map that already holds the value is left as it is.
 */
export function writeMsrFromField(s: CpuState, index: number, v: VmcsValues, i: number): void {
  if (!IN_FIELDS.has(index)) {
    const cur = s.msrs.get(index);
    if (cur !== undefined && v.holds(i, cur)) return;
  }
  writeMsr(s, index, v.big(i));
}

/** MSRs the executor keeps in CpuState fields, not in its map. */
const IN_FIELDS: ReadonlySet<number> = new Set([MSR.IA32_EFER, MSR.IA32_FS_BASE, MSR.IA32_GS_BASE, MSR.IA32_KERNEL_GS_BASE]);

/** Writes an MSR where the executor keeps it. No WRMSR checks: callers check first. */
export function writeMsr(s: CpuState, index: number, value: bigint): void {
  switch (index) {
    case MSR.IA32_EFER: s.efer = Number(value & 0xffff_ffffn); return;
    case MSR.IA32_FS_BASE: s.segBase[SegIndex.FS] = fieldToLinear(value); return;
    case MSR.IA32_GS_BASE: s.segBase[SegIndex.GS] = fieldToLinear(value); return;
    case MSR.IA32_KERNEL_GS_BASE: s.kernelGsBase = fieldToLinear(value); return;
    default: s.msrs.set(index, BigInt.asUintN(64, value));
  }
}
