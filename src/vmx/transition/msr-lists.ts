// The VM-entry MSR-load, VM-exit MSR-store and VM-exit MSR-load areas (SDM Vol. 3C §25.7.2
// "VM-Exit Controls for MSRs", §25.8.2 "VM-Entry Controls for MSRs"; format: Table 25-15
// "Format of an MSR Entry": bits 31:0 MSR index, 63:32 reserved, 127:64 MSR data).

import type { CpuHandle } from '../../x86/env.ts';
import { readMsr, writeMsr } from './cpu-values.ts';

/** One 16-byte entry of an MSR area. */
export interface MsrEntry {
  readonly index: number;
  readonly reserved: bigint;
  readonly value: bigint;
}

const ENTRY_SIZE = 16;

/** Reads `count` entries of an MSR area at physical `addr`. */
export function readMsrArea(cpu: CpuHandle, addr: bigint, count: number): MsrEntry[] {
  const out: MsrEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = Number(addr) + i * ENTRY_SIZE;
    const first = cpu.readPhys(at, 8);
    out.push({ index: Number(first & 0xffff_ffffn), reserved: first >> 32n, value: cpu.readPhys(at + 8, 8) });
  }
  return out;
}

/** Loads every entry's value into its MSR (entries were validated by the VM-entry checks). */
export function loadMsrArea(cpu: CpuHandle, entries: readonly MsrEntry[]): void {
  for (const e of entries) writeMsr(cpu.state, e.index, e.value);
}

/** VM-exit MSR storing (SDM Vol. 3C §28.4 "Saving MSRs"): writes each listed MSR's value into bits 127:64. */
export function storeMsrArea(cpu: CpuHandle, addr: bigint, count: number): void {
  for (let i = 0; i < count; i++) {
    const at = Number(addr) + i * ENTRY_SIZE;
    const index = Number(cpu.readPhys(at, 4));
    cpu.writePhys(at + 8, 8, readMsr(cpu.state, index));
  }
}
