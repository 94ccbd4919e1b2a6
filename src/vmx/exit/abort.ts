// VMX aborts (SDM Vol. 3C §28.7 "VMX Aborts"): a problem while a VM exit saves guest MSRs (§28.4
// "Saving MSRs") or loads host MSRs (§28.6 "Loading MSRs") cannot be reported as a VM-entry failure
// or a VM exit: the processor writes a non-zero VMX-abort indicator to bytes 4-7 of the VMCS region
// (§25.2 "Format of the VMCS Region") and enters the shutdown state.

import { MSR } from '../../arch/msrs.ts';
import type { Cpu } from '../../x86/cpu.ts';
import type { CpuHandle } from '../../x86/env.ts';
import { X86Fault } from '../../x86/fault.ts';
import { readMsr as rdmsr, writeMsr as wrmsr } from '../../x86/msr.ts';
import { readMsr, writeMsr } from '../transition/cpu-values.ts';
import type { MsrEntry } from '../transition/msr-lists.ts';

/** VMX-abort indicators (§28.7). */
export const VMX_ABORT = {
  /** There was a failure in saving guest MSRs (the VM-exit MSR-store list). */
  SAVE_GUEST_MSRS: 1,
  /** Host checking of the page-directory-pointer-table entries failed. */
  HOST_PDPTE: 2,
  /** The current VMCS has been corrupted. */
  VMCS_CORRUPTED: 3,
  /** There was a failure on loading host MSRs (the VM-exit MSR-load list). */
  LOAD_HOST_MSRS: 4,
  /** There was a machine-check event during the VM exit. */
  MACHINE_CHECK: 5,
  /** The logical processor was in IA-32e mode before the VM exit and "host address-space size" was 0. */
  HOST_ADDRESS_SPACE: 6,
} as const;

/** Byte offset of the VMX-abort indicator in a VMCS region (§25.2). */
export const ABORT_INDICATOR_OFFSET = 4;

/** A VMX abort: the indicator and what caused it, in plain words. */
export interface VmxAbort {
  readonly code: number;
  readonly explain: string;
}

/**
 * IA32_SMBASE (9EH), readable only in SMM (SDM Vol. 4 §2.1 "Architectural MSRs", Table 2-2); the lab's
 * MSR table (src/arch/msrs.ts) does not list it because nothing else in the lab reads it.
 */
const IA32_SMBASE = 0x9e;

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** The executor's processor (the machine's); test rigs hand the hooks a simpler CpuHandle. */
function executorCpu(cpu: CpuHandle): Cpu | null {
  return 'refreshMode' in cpu && 'isCanonical' in cpu ? (cpu as Cpu) : null;
}

/**
 * Why loading one VM-exit MSR-load entry fails (§28.6), or null: FS/GS base (loaded from the
 * host-state area instead), an x2APIC MSR (800H-8FFH), IA32_SMM_MONITOR_CTL, bits 63:32 of the
 * entry set, or a value WRMSR at CPL 0 would refuse with #GP.
 */
function loadProblem(e: MsrEntry): string | null {
  if (e.index === MSR.IA32_FS_BASE || e.index === MSR.IA32_GS_BASE) return 'IA32_FS_BASE and IA32_GS_BASE cannot be loaded from the list';
  if (e.index >>> 8 === 0x8) return 'MSRs 800H-8FFH (x2APIC) cannot be loaded from the list';
  if (e.index === MSR.IA32_SMM_MONITOR_CTL) return 'IA32_SMM_MONITOR_CTL cannot be loaded from the list';
  if (e.reserved !== 0n) return `bits 63:32 of the entry (${hex(e.reserved)}) are not 0`;
  return null;
}

/**
 * Loads the VM-exit MSR-load list in order (§28.6); entries before a failing one stay loaded.
 * Returns the abort (indicator 4) of the first entry that cannot be loaded, or null.
 */
export function loadExitMsrs(cpu: CpuHandle, entries: readonly MsrEntry[]): VmxAbort | null {
  const real = executorCpu(cpu);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const where = `VM-exit MSR-load entry ${i + 1} (MSR ${hex(e.index)}, value ${hex(e.value)})`;
    const problem = loadProblem(e);
    if (problem !== null) return { code: VMX_ABORT.LOAD_HOST_MSRS, explain: `${where}: ${problem}` };
    if (real === null) {
      writeMsr(cpu.state, e.index, e.value);
      continue;
    }
    try {
      // WRMSR's own #GP(0) conditions, checked before it writes anything (src/x86/msr.ts).
      wrmsr(real, e.index, e.value);
    } catch (err) {
      if (!(err instanceof X86Fault)) throw err;
      return { code: VMX_ABORT.LOAD_HOST_MSRS, explain: `${where}: WRMSR at CPL 0 would raise #GP (${err.reason})` };
    }
  }
  return null;
}

/**
 * Stores guest MSRs into the VM-exit MSR-store list (§28.4): bits 127:64 of each entry receive the
 * MSR's value. An entry for IA32_SMBASE (9EH) or an x2APIC MSR, with bits 63:32 set, or naming an
 * MSR RDMSR at CPL 0 would refuse, causes a VMX abort with indicator 1.
 */
export function storeExitMsrs(cpu: CpuHandle, addr: bigint, count: number): VmxAbort | null {
  const real = executorCpu(cpu);
  for (let i = 0; i < count; i++) {
    const at = Number(addr) + i * 16;
    const first = cpu.readPhys(at, 8);
    const index = Number(first & 0xffff_ffffn);
    const where = `VM-exit MSR-store entry ${i + 1} (MSR ${hex(index)})`;
    let problem: string | null = null;
    if (index === IA32_SMBASE) problem = 'IA32_SMBASE can be read only in SMM';
    else if (index >>> 8 === 0x8) problem = 'MSRs 800H-8FFH (x2APIC) cannot be stored from the list';
    else if (first >> 32n !== 0n) problem = `bits 63:32 of the entry (${hex(first >> 32n)}) are not 0`;
    if (problem !== null) return { code: VMX_ABORT.SAVE_GUEST_MSRS, explain: `${where}: ${problem}` };
    let value: bigint;
    if (real === null) value = readMsr(cpu.state, index);
    else {
      try {
        value = rdmsr(real, index);
      } catch (err) {
        if (!(err instanceof X86Fault)) throw err;
        return { code: VMX_ABORT.SAVE_GUEST_MSRS, explain: `${where}: RDMSR at CPL 0 would raise #GP (${err.reason})` };
      }
    }
    cpu.writePhys(at + 8, 8, value);
  }
  return null;
}

/** The abort itself (§28.7): the indicator into bytes 4-7 of the VMCS region at `vmcsAddr`, then shutdown. */
export function enterVmxAbort(cpu: CpuHandle, vmcsAddr: number, abort: VmxAbort): void {
  cpu.writePhys(vmcsAddr + ABORT_INDICATOR_OFFSET, 4, BigInt(abort.code));
  cpu.state.activity = 'shutdown';
}
