// A VM exit, and the host-state half of a VM-entry failure (SDM Vol. 3C ch. 28 "VM Exits":
// §28.2 "Recording VM-Exit Information and Updating VM-Entry Control Fields", §28.3 "Saving
// Guest State", §28.4 "Saving MSRs", §28.5 "Loading Host State", §28.6 "Loading MSRs"; and
// §27.8 "VM-Entry Failures During or After Loading Guest State").

import { VMX_MISC } from '../../arch/vmx-msrs.ts';
import type { CpuHandle } from '../../x86/env.ts';
import type { VmxCaps } from '../caps.ts';
import { loadHostState } from '../transition/load-host.ts';
import { readMsrArea } from '../transition/msr-lists.ts';
import { GUEST_INTERRUPTIBILITY } from '../../arch/vmx-info.ts';
import { enterVmxAbort, loadExitMsrs, storeExitMsrs, type VmxAbort } from './abort.ts';
import { nmiBlockingToSave } from './external-events.ts';
import { saveGuestState } from '../transition/save-guest.ts';
import { vmcsGet } from '../vmcs-access.ts';
import { valuesOf, type VmcsValues } from '../vmcs-values.ts';
import { F, X } from '../vmcs-fields.ts';
import type { ActiveVmcs, VmxState } from '../vmx-state.ts';

/** Bit 31 of the exit-reason field: VM-entry failure (SDM Vol. 3C §25.9.1 "Basic VM-Exit Information"). */
export const EXIT_REASON_ENTRY_FAILURE = 1n << 31n;
/** Bit 31 of the interruption-information fields: valid (SDM Vol. 3C §25.8.3 "VM-Entry Controls for Event Injection"). */
const INTR_INFO_VALID = 0x8000_0000;
/** Bit 3 of the guest interruptibility state: blocking by NMI (§25.4.2). */
const GUEST_INTERRUPTIBILITY_NMI = Number(GUEST_INTERRUPTIBILITY.mask.NMI);

/** Clears the valid bit of the VM-entry interruption-information field (a 32-bit field; §28.2). */
function clearEntryIntrValid(v: VmcsValues): void {
  const i = X.VM_ENTRY_INTR_INFO_FIELD;
  v.setHalves(i, (v.lo[i]! & ~INTR_INFO_VALID) >>> 0, v.hi[i]!);
}

/** An interruption-information value with its error code (undefined when none is valid). */
export interface EventInfo {
  readonly info: bigint;
  readonly errorCode?: number;
  /** For software interrupts and exceptions: the length of the instruction (§28.2.5). */
  readonly length?: number;
}

/** What a VM exit records. */
export interface ExitRecord {
  readonly reason: number;
  readonly qualification: bigint;
  /** For exits caused by an instruction (or a software exception): its length and instruction information. */
  readonly instruction?: { readonly length: number; readonly info: bigint };
  /** RIP saved as the guest RIP (the instruction that caused a fault-like exit). */
  readonly guestRip: number;
  /** Guest-linear address field (§28.2.1), for the exits that define it. */
  readonly guestLinear?: bigint;
  /** Guest-physical address field (§28.2.1), for EPT violations and misconfigurations. */
  readonly guestPhysical?: bigint;
  /** VM-exit interruption information and error code (§28.2.2), for exits due to vectored events. */
  readonly interruption?: EventInfo;
  /** IDT-vectoring information and error code (§28.2.4), for exits during event delivery. */
  readonly vectoring?: EventInfo;
  /** Value to save in the VMX-preemption timer field when "save VMX-preemption timer value" is 1 (§28.3.4). */
  readonly preemptionTimer?: bigint;
  /** Blocking by STI / MOV SS to save in the interruptibility state (§28.3.4), as the model tracks it. */
  readonly blocking?: 'sti' | 'mov-ss' | 'none';
  /** Guest pending debug exceptions to save (§28.3.4), e.g. BS for a single-step trap a trap-like exit overtook. */
  readonly pendingDebug?: bigint;
}

/** Refreshes what the executor caches about modes and translations after state was replaced. */
export function stateReplaced(cpu: CpuHandle): void {
  // CpuHandle has no refreshMode; the executor's Cpu implements stateChanged() (mode, TLB, decodes).
  const c = cpu as CpuHandle & { stateChanged?: () => void };
  if (c.stateChanged) c.stateChanged();
  else cpu.flushTlb();
}

/**
 * Implementation choice: a VM-exit MSR-store or MSR-load count beyond the largest recommended
 * maximum any processor can report, 512 * (IA32_VMX_MISC[27:25] + 1) with the field at 7, is
 * treated as that many entries. The SDM leaves such counts undefined (Vol. 3D App. A.6: "undefined
 * processor behavior may result"); VM entry does not check them, and the lab must never walk
 * 2^32 - 1 entries.
 */
const MAX_EXIT_MSR_ENTRIES = 512 * 2 ** VMX_MISC.fields.MAX_MSR_LIST.width;
const exitListCount = (vmcs: ActiveVmcs, field: number): number => Math.min(valuesOf(vmcs).num(field), MAX_EXIT_MSR_ENTRIES);

function loadHostAndMsrs(cpu: CpuHandle, vmx: VmxState, vmcs: ActiveVmcs, caps: VmxCaps): void {
  loadHostState(cpu.state, vmcs, caps);
  // §28.6: the VM-exit MSR-load area; an entry that cannot be loaded is a VMX abort (§28.7).
  const count = exitListCount(vmcs, X.VM_EXIT_MSR_LOAD_COUNT);
  const abort = count > 0 ? loadExitMsrs(cpu, readMsrArea(cpu, vmcsGet(vmcs, F.VM_EXIT_MSR_LOAD_ADDR), count)) : null;
  if (abort !== null) abortVmExit(cpu, vmx, vmcs, abort);
}

/** §28.7: the abort indicator into the VMCS region, shutdown; the model reports `vmx.nonRoot.abort`. */
function abortVmExit(cpu: CpuHandle, vmx: VmxState, vmcs: ActiveVmcs, abort: VmxAbort): void {
  enterVmxAbort(cpu, vmcs.addr, abort);
  vmx.nonRoot.abort = abort;
}

/**
 * Performs a VM exit from VMX non-root operation to the host of the current VMCS. `blocking` and
 * `preemptionTimer`, when given, stand for the record's own (the model adds them to every record
 * without copying it).
 */
export function vmExit(cpu: CpuHandle, vmx: VmxState, caps: VmxCaps, rec: ExitRecord, blocking = rec.blocking, preemptionTimer = rec.preemptionTimer): void {
  const vmcs = vmx.currentVmcs();
  if (!vmcs) throw new Error('VM exit without a current VMCS');
  // §28.2: exit reason, qualification, instruction length and information; no event was being
  // delivered, so the interruption and IDT-vectoring information fields are invalid; VM exits
  // clear the valid bit of the VM-entry interruption-information field.
  const v = valuesOf(vmcs);
  v.setU32(X.VM_EXIT_REASON, rec.reason);
  v.setBig(X.EXIT_QUALIFICATION, rec.qualification);
  if (rec.instruction) {
    v.setU32(X.VM_EXIT_INSTRUCTION_LEN, rec.instruction.length);
    v.setBig(X.VMX_INSTRUCTION_INFO, rec.instruction.info);
  }
  if (rec.guestLinear !== undefined) v.setBig(X.GUEST_LINEAR_ADDRESS, rec.guestLinear);
  if (rec.guestPhysical !== undefined) v.setBig(X.GUEST_PHYSICAL_ADDRESS, rec.guestPhysical);
  // §28.2.2: the interruption-information field is valid only for exits due to vectored events;
  // §28.2.4: the IDT-vectoring field only for exits during event delivery.
  if (rec.interruption === undefined) v.setU32(X.VM_EXIT_INTR_INFO, 0);
  else v.setBig(X.VM_EXIT_INTR_INFO, rec.interruption.info);
  if (rec.interruption?.errorCode !== undefined) v.setU32(X.VM_EXIT_INTR_ERROR_CODE, rec.interruption.errorCode >>> 0);
  if (rec.vectoring === undefined) v.setU32(X.IDT_VECTORING_INFO_FIELD, 0);
  else v.setBig(X.IDT_VECTORING_INFO_FIELD, rec.vectoring.info);
  if (rec.vectoring?.errorCode !== undefined) v.setU32(X.IDT_VECTORING_ERROR_CODE, rec.vectoring.errorCode >>> 0);
  if (preemptionTimer !== undefined) v.setBig(X.VMX_PREEMPTION_TIMER_VALUE, preemptionTimer);
  clearEntryIntrValid(v);
  // §28.3, §28.4: guest state and the VM-exit MSR-store area.
  saveGuestState(cpu.state, vmcs, rec.guestRip, caps.exitStoresLma, blocking, rec.pendingDebug);
  // §28.3.4: bit 3 of the interruptibility state, blocking by NMI (virtual-NMI blocking with "virtual NMIs").
  if (nmiBlockingToSave(vmx.nonRoot, cpu.state, vmcs)) {
    v.setU32(X.GUEST_INTERRUPTIBILITY_INFO, (v.num(X.GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTERRUPTIBILITY_NMI) >>> 0);
  }
  const storeCount = exitListCount(vmcs, X.VM_EXIT_MSR_STORE_COUNT);
  const storeAbort = storeCount > 0 ? storeExitMsrs(cpu, vmcsGet(vmcs, F.VM_EXIT_MSR_STORE_ADDR), storeCount) : null;
  if (storeAbort !== null) {
    abortVmExit(cpu, vmx, vmcs, storeAbort);
    vmx.mode = 'root';
    return;
  }
  // §28.5, §28.6: host state and the VM-exit MSR-load area; back to VMX root operation.
  loadHostAndMsrs(cpu, vmx, vmcs, caps);
  vmx.mode = 'root';
  stateReplaced(cpu);
}

/**
 * A VM-entry failure after the control and host-state checks passed (§27.8): the exit reason
 * has bit 31 set, the qualification says what failed, no guest state is saved, and host state
 * is loaded as on a VM exit. The processor stays in (returns to) VMX root operation.
 */
export function entryFailure(cpu: CpuHandle, vmx: VmxState, caps: VmxCaps, reason: 33 | 34, qualification: bigint): void {
  const vmcs = vmx.currentVmcs();
  if (!vmcs) throw new Error('VM-entry failure without a current VMCS');
  const v = valuesOf(vmcs);
  v.setBig(X.VM_EXIT_REASON, BigInt(reason) | EXIT_REASON_ENTRY_FAILURE);
  v.setBig(X.EXIT_QUALIFICATION, qualification);
  clearEntryIntrValid(v);
  loadHostAndMsrs(cpu, vmx, vmcs, caps);
  vmx.mode = 'root';
  stateReplaced(cpu);
}
