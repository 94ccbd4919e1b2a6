// Typed events of the machine's event log: what the CLI's `run --json` prints (DESIGN section 6,
// a contract) and what the Events panel shows. Numbers that can exceed 2^53 are bigint here;
// the CLI turns them into hex strings. The VMX events add step and place to the VT-x model's
// reports (src/vmx/reports.ts), where their fields are declared.

import type { VmEntryReport, VmExitReport, VmxInstructionReport } from '../vmx/reports.ts';

/** Why the machine stopped running (DESIGN section 6 `final.stop`). */
export type StopReason = 'halted' | 'fault' | 'max-steps' | 'shutdown';

/** Why `run()` returned without the machine stopping for good. */
export type PauseReason = 'breakpoint' | 'step-budget';

/** Fields every event carries: which step, and where in the program it happened. */
interface EventBase {
  /** Step number: the instruction's position in the run, 1-based (the first instruction executed is step 1). */
  readonly step: number;
  /** 1-based source line of the instruction, when it lies in the program image. */
  readonly line?: number;
  /** Linear address of the instruction (unsigned 64-bit). */
  readonly rip?: bigint;
  /** Disassembly of the instruction ("vmxon [rax]"). */
  readonly text?: string;
}

/** A VMX instruction completed with VMsucceed / VMfailInvalid / VMfailValid (SDM Vol. 3C §31.2 "Conventions"). */
export interface VmxEvent extends EventBase, VmxInstructionReport {}

/** An exception in the host that the program did not handle (its IDT gate is not present). */
export interface FaultEvent extends EventBase {
  readonly kind: 'fault';
  readonly vector: number;
  /** '#GP', '#UD', '#PF', ... */
  readonly name: string;
  /** The error code, or undefined for vectors that push none. */
  readonly errorCode?: number;
  /** The reason in plain words (from X86Fault). */
  readonly explain: string;
}

/** VMLAUNCH/VMRESUME passed its VMfail checks; a `vmexit` event follows. */
export interface VmEntryEvent extends EventBase, VmEntryReport {}

/** A VM exit, or a VM-entry failure (`entryFailure`). */
export interface VmExitEvent extends EventBase, VmExitReport {}

/** The machine stopped (halt, unhandled fault, step limit, shutdown) or could not go on. */
export interface StopEvent extends EventBase {
  readonly kind: 'stop';
  readonly reason: StopReason;
  readonly message: string;
}

export type MachineEvent = VmxEvent | FaultEvent | VmEntryEvent | VmExitEvent | StopEvent;
export type MachineEventKind = MachineEvent['kind'];

/** A listener for `Machine.on`. */
export type Listener<E extends MachineEvent = MachineEvent> = (event: E) => void;

/** Event kinds the `run --json` contract lists in `events` (the stop is reported in `final`). */
export const CONTRACT_EVENT_KINDS: readonly MachineEventKind[] = ['vmx', 'fault', 'vmentry', 'vmexit'];
