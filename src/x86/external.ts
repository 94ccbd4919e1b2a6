// Events from outside the instruction stream: maskable interrupts on INTR and non-maskable
// interrupts on NMI, recognised at instruction boundaries (SDM Vol. 3A §6.3 "Sources of
// Interrupts", §6.7 "Nonmaskable Interrupt (NMI)", §6.8 "Enabling and Disabling Interrupts",
// §6.9 "Priority Among Concurrent Exceptions and Interrupts"). The platform (src/machine/devices)
// drives the pins; the stepper calls `acceptExternal` before each instruction while they ask for
// attention, and delivery goes through the IDT of whatever mode the processor is in.

import type { Cpu } from './cpu.ts';
import type { CpuHandle } from './env.ts';
import { X86Fault, Vector } from './fault.ts';
import { maskableInterruptBlocked } from './interrupts.ts';

/** The processor's interrupt inputs as the platform drives them (interrupt controller and NMI line). */
export interface InterruptPins {
  /** INTR asserted or an NMI latched: the stepper looks at events only while this is true. */
  readonly attention: boolean;
  /** INTR: the interrupt controller has a maskable interrupt to deliver. */
  readonly intr: boolean;
  /** An NMI edge was latched and not yet taken (§6.7: NMIs are edge-triggered, one is held pending). */
  readonly nmi: boolean;
  /** The processor began to handle the latched NMI (delivery or a VM exit). */
  takeNmi(): void;
  /** The interrupt-acknowledge cycle: the controller moves the request to in-service and answers its vector. */
  acknowledge(): number;
}

/** What the VT-x model answers for an event at a boundary in VMX non-root operation. */
export type NonRootEventAnswer =
  /** The model made a VM exit (the event's own, or a higher-priority boundary exit). */
  | 'exit'
  /** The event is handled as outside VMX non-root operation (blocking rules, IDT delivery). */
  | 'native';

/**
 * The VT-x model's side of external events (implemented by src/vmx, installed as part of
 * `env.vmx`): the pin-based controls "external-interrupt exiting", "NMI exiting" and "virtual
 * NMIs" decide before the processor's own blocking rules (SDM Vol. 3C §26.2 "Other Causes of VM
 * Exits", §26.3 "Changes to Instruction Behavior in VMX Non-Root Operation").
 */
export interface ExternalEventHooks {
  /** Offered at a boundary in VMX non-root operation while the pins ask for attention. */
  externalEvent?(cpu: CpuHandle, pins: InterruptPins): NonRootEventAnswer;
  /**
   * IRET in VMX non-root operation: returns whether it unblocks NMIs as it would outside VMX
   * non-root operation ("NMI exiting" = 0); with "virtual NMIs" the model clears virtual-NMI
   * blocking instead (§26.3, IRET).
   */
  iretUnblocksNmi?(cpu: CpuHandle): boolean;
}

function vmxHooks(cpu: Cpu): ExternalEventHooks | null {
  const v = cpu.env.vmx as (ExternalEventHooks & { inNonRoot?: () => boolean }) | null;
  return v !== null && v.inNonRoot?.() === true ? v : null;
}

/**
 * Whether NMIs are held off now: blocking by NMI (until IRET), or the shadow of a MOV SS/POP SS
 * that just retired (§6.8.3; the executor's `shadowUntil` equals the count only then). Blocking
 * by STI does not hold off NMIs on this processor (§6.8.3 leaves it model-specific; decision 0066).
 */
export function nmiBlocked(cpu: Cpu): boolean {
  const s = cpu.state;
  return s.nmiBlocked || s.shadowUntil === s.icount;
}

/**
 * Called by the stepper at an instruction boundary while the pins ask for attention. Takes the
 * highest-priority pending external event that is not blocked, an NMI before a maskable interrupt
 * (§6.9, Table 6-2, priorities 5 and 6), and throws it as an X86Fault of kind 'interrupt' (vector 2,
 * or the vector the interrupt controller answered in its acknowledge cycle): the one place that
 * catches faults (Machine.step) delivers it through the IDT like any other event, or stops the
 * machine when the program left its gate absent. In VMX non-root operation the VT-x model decides
 * first; returns true when it made a VM exit (the step ends there), false when nothing is accepted
 * now. A delivered event wakes a halted processor (delivery sets the activity state to active).
 */
export function acceptExternal(cpu: Cpu, pins: InterruptPins): boolean {
  const s = cpu.state;
  if (s.activity === 'shutdown') return false;
  const vmx = vmxHooks(cpu);
  if (vmx !== null && vmx.externalEvent !== undefined && vmx.externalEvent(cpu, pins) === 'exit') return true;
  if (pins.nmi && !nmiBlocked(cpu)) {
    pins.takeNmi();
    // §6.7.1 "Handling Multiple NMIs": NMIs stay blocked from delivery until the next IRET.
    s.nmiBlocked = true;
    s.shadowUntil = -1;
    throw new X86Fault(Vector.NMI, undefined, 'non-maskable interrupt (NMI pin)', 'interrupt');
  }
  if (pins.intr && !maskableInterruptBlocked(s)) {
    const vector = pins.acknowledge();
    throw new X86Fault(vector, undefined, `external interrupt, vector ${vector} (INTR)`, 'interrupt');
  }
  return false;
}

/**
 * IRET unblocks NMIs (§6.7.1), also when it then faults (the VMX exit qualification's "NMI
 * unblocking due to IRET" bit exists for that case, SDM Vol. 3C §28.2.3). In VMX non-root
 * operation the VT-x model decides (§26.3). Called by IRET before anything else.
 */
export function iretUnblocksNmi(cpu: Cpu): void {
  const vmx = vmxHooks(cpu);
  if (vmx !== null && vmx.iretUnblocksNmi !== undefined && !vmx.iretUnblocksNmi(cpu)) return;
  cpu.state.nmiBlocked = false;
}
