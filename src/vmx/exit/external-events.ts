// External interrupts and NMIs in VMX non-root operation: the pin-based controls "external-
// interrupt exiting", "NMI exiting" and "virtual NMIs", the VM-exit control "acknowledge interrupt
// on exit", and where these exits rank among the other events at an instruction boundary. SDM Vol.
// 3C §26.2 "Other Causes of VM Exits" (external interrupts, NMIs), §26.3 "Changes to Instruction
// Behavior in VMX Non-Root Operation" (IRET and NMI blocking), §26.7.1 "Virtual NMIs" .. §26.7.6
// "NMI-Window Exiting" (priorities), §28.2.2 "Information for VM Exits Due to Vectored Events".

import { EXIT_REASONS } from '../../arch/exit-reasons.ts';
import { EXIT_INTR_INFO } from '../../arch/vmx-info.ts';
import type { InterruptPins } from '../../x86/external.ts';
import type { CpuState } from '../../x86/state.ts';
import { EXIT_CTLS, EXIT_REASON, PIN_CTLS } from '../local-arch.ts';
import { vmcsGet } from '../vmcs-access.ts';
import { F } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { blockingAt, boundaryExit, type NonRootState } from './boundary.ts';
import { eventInfo, INTR_TYPE } from './events.ts';
import type { EventInfo } from './vm-exit.ts';

/** Exit reason 1 (from the arch table). */
export const EXIT_REASON_EXTERNAL_INTERRUPT = EXIT_REASONS.find((r) => r.name === 'EXTERNAL_INTERRUPT')!.reason;

/** A VM exit the model makes at a boundary because of (or ahead of) an external event. */
export interface ExternalExit {
  readonly reason: number;
  /** VM-exit interruption information (§28.2.2): NMIs, and interrupts acknowledged on exit. */
  readonly interruption?: EventInfo;
  /** The host starts with NMIs blocked: a VM exit caused by an NMI leaves them blocked until the host's IRET (decision 0068). */
  readonly blocksNmi?: boolean;
}

/** The pin-based and exit controls this file reads. */
function controls(vmcs: ActiveVmcs): { extIntExiting: boolean; nmiExiting: boolean; virtualNmis: boolean; ackOnExit: boolean } {
  const pin = vmcsGet(vmcs, F.PIN_BASED_VM_EXEC_CONTROL);
  return {
    extIntExiting: PIN_CTLS.has(pin, 'PIN_BASED_EXT_INTR_MASK'),
    nmiExiting: PIN_CTLS.has(pin, 'PIN_BASED_NMI_EXITING'),
    virtualNmis: PIN_CTLS.has(pin, 'PIN_BASED_VIRTUAL_NMIS'),
    ackOnExit: EXIT_CTLS.has(vmcsGet(vmcs, F.VM_EXIT_CONTROLS), 'VM_EXIT_ACK_INTR_ON_EXIT'),
  };
}

/**
 * What happens at a boundary of the guest while the interrupt pins ask for attention, in the
 * order of SDM Vol. 3A §6.9 with the VMX exits placed as §26.5 and §26.7 rank them: a pending MTF
 * VM exit, the preemption timer, then NMI-window exiting, then an NMI (a VM exit with "NMI
 * exiting"), then interrupt-window exiting, then an external interrupt (a VM exit with
 * "external-interrupt exiting", whatever RFLAGS.IF says: §26.3). Returns the exit to make, or
 * null when the processor's own rules apply (IDT delivery through the guest's IDT, or nothing).
 * Takes the NMI from the pins when it exits for it, and runs the interrupt controller's
 * acknowledge cycle only with "acknowledge interrupt on exit" (else the interrupt stays pending).
 */
export function externalEventExit(st: NonRootState, s: CpuState, vmcs: ActiveVmcs, pins: InterruptPins): ExternalExit | null {
  const boundary = boundaryExit(st, s);
  if (boundary !== null && boundary !== EXIT_REASON.INTERRUPT_WINDOW) return { reason: boundary };
  const c = controls(vmcs);
  const blocking = blockingAt(st, s);
  // NMIs: blocked by NMI blocking (only ever the processor's own with "NMI exiting", since virtual-
  // NMI blocking does not hold real NMIs off, §26.7.1) and by MOV SS. Implementation choice
  // (decision 0066): STI blocking does not hold NMIs off, as §26.3 leaves it model-specific.
  if (pins.nmi && c.nmiExiting && !s.nmiBlocked && blocking !== 'mov-ss') {
    pins.takeNmi();
    return { reason: EXIT_REASON.EXCEPTION_NMI, interruption: eventInfo(2, INTR_TYPE.NMI, undefined, false), blocksNmi: true };
  }
  if (pins.nmi && !c.nmiExiting && !s.nmiBlocked && blocking !== 'mov-ss') return null;
  if (boundary !== null) return { reason: boundary };
  // External interrupts with "external-interrupt exiting": RFLAGS.IF does not matter (§26.3).
  // Implementation choice (decision 0066): blocking by STI and by MOV SS still holds them off
  // (the SDM leaves it implementation-specific; Bochs checks the interrupt shadow first too).
  if (pins.intr && c.extIntExiting && blocking === 'none') {
    if (!c.ackOnExit) return { reason: EXIT_REASON_EXTERNAL_INTERRUPT };
    const vector = pins.acknowledge();
    return { reason: EXIT_REASON_EXTERNAL_INTERRUPT, interruption: eventInfo(vector, INTR_TYPE.EXTERNAL, undefined, false) };
  }
  return null;
}

/**
 * IRET in VMX non-root operation (§26.3): with "NMI exiting" = 0 it unblocks NMIs as usual; with
 * "NMI exiting" = 1 it leaves NMI blocking alone and, with "virtual NMIs", removes virtual-NMI
 * blocking. Returns whether the processor's own NMI blocking is removed. Remembers the IRET that
 * unblocked (by the instruction count it runs at) for `withNmiUnblocking`.
 */
export function iretInGuest(st: NonRootState, s: CpuState, vmcs: ActiveVmcs): boolean {
  const c = controls(vmcs);
  if (!c.nmiExiting) {
    if (s.nmiBlocked) st.iretUnblockedAt = s.icount;
    return true;
  }
  if (c.virtualNmis) {
    if (st.virtualNmiBlocked) st.iretUnblockedAt = s.icount;
    st.virtualNmiBlocked = false;
  }
  return false;
}

const NMI_UNBLOCKING = EXIT_INTR_INFO.mask.NMI_UNBLOCKING;

/**
 * Bit 12 of the VM-exit interruption information, "NMI unblocking due to IRET" (§28.2.3): set for
 * a fault of an IRET that began with NMIs (virtual NMIs) blocked and unblocked them, when no event
 * was being delivered (no valid IDT-vectoring information). Defined only with "NMI exiting" = 0 or
 * "virtual NMIs" = 1, which are exactly the cases where `iretInGuest` records an unblocking.
 */
export function withNmiUnblocking(st: NonRootState, s: CpuState, info: EventInfo, raisedBy: string | undefined): EventInfo {
  if (st.iretUnblockedAt !== s.icount || st.vectoring !== null || raisedBy === undefined || !raisedBy.startsWith('iret')) return info;
  return { ...info, info: info.info | NMI_UNBLOCKING };
}

/** Bit 3 of the guest interruptibility state a VM exit saves (§28.3.4): virtual-NMI blocking with "virtual NMIs", else blocking by NMI. */
export function nmiBlockingToSave(st: NonRootState, s: CpuState, vmcs: ActiveVmcs): boolean {
  // Every VM exit asks: the common case (nothing blocked) reads no control.
  if (!s.nmiBlocked && !st.virtualNmiBlocked) return false;
  return controls(vmcs).virtualNmis ? st.virtualNmiBlocked : s.nmiBlocked;
}
