// What the model reports about each VMX instruction, VM entry and VM exit; the machine adds
// step, line, rip and text and turns them into the events of DESIGN section 6 (`run --json`).
// The machine's events extend these types (src/machine/events.ts), so each field is declared once.

/** A VMX instruction's outcome (SDM Vol. 3C §31.2 "Conventions"). */
export interface VmxInstructionReport {
  readonly kind: 'vmx';
  readonly result: 'VMsucceed' | 'VMfailInvalid' | 'VMfailValid';
  /** VM-instruction error number, for VMfailValid. */
  readonly error?: number;
  /** Plain-words explanation of the outcome. */
  readonly explain?: string;
}

/** VMLAUNCH/VMRESUME passed its VMfail checks; a `vmexit` report follows. */
export interface VmEntryReport {
  readonly kind: 'vmentry';
}

/** A VM exit, or a VM-entry failure (`entryFailure`). */
export interface VmExitReport {
  readonly kind: 'vmexit';
  /** Basic exit reason (bits 15:0 of the exit-reason field). */
  readonly reason: number;
  /** Name of the exit reason ('VMCALL', 'INVALID_GUEST_STATE'). */
  readonly name: string;
  readonly entryFailure: boolean;
  readonly qualification: bigint;
  /** Guest RIP saved by the exit (absent on an entry failure). */
  readonly guestRip?: bigint;
  /** Id of the VM-entry check that decided an entry failure. */
  readonly check?: string;
  /** The guest instruction that caused the exit, disassembled (absent for exits no instruction caused). */
  readonly instruction?: string;
  /** For EPT violations and misconfigurations (exits 48/49): the EPT walk, one line per level. */
  readonly eptWalk?: readonly string[];
}

/** One report. */
export type VmxReport = VmxInstructionReport | VmEntryReport | VmExitReport;

/**
 * A VM exit's report as the model makes it for every VM exit: kind, reason, name, entryFailure
 * (false), qualification and guest RIP, in that key order, then `instruction` when an instruction
 * caused the exit and `eptWalk` for EPT exits. A class, so the machine's event log knows the
 * shape from `instanceof` (it keeps such a report as numbers) instead of listing its keys. Every
 * field is assigned in the constructor, in the order `run --json` prints them.
 */
export class ModelExitReport implements VmExitReport {
  declare readonly kind: 'vmexit';
  declare readonly reason: number;
  declare readonly name: string;
  declare readonly entryFailure: false;
  declare readonly qualification: bigint;
  declare readonly guestRip: bigint;
  declare instruction?: string;
  declare eptWalk?: readonly string[];

  constructor(reason: number, name: string, qualification: bigint, guestRip: bigint) {
    this.kind = 'vmexit';
    this.reason = reason;
    this.name = name;
    this.entryFailure = false;
    this.qualification = qualification;
    this.guestRip = guestRip;
  }
}
