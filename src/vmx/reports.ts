// What the model reports about each VMX instruction, VM entry and VM exit; the machine adds
// step, line, rip and text and turns them into the events of DESIGN section 6 (`run --json`).
// Structurally the machine's `VmxReport` (src/machine/vmx-plug.ts).

/** One report. */
export type VmxReport =
  | { readonly kind: 'vmx'; readonly result: 'VMsucceed' | 'VMfailInvalid' | 'VMfailValid'; readonly error?: number; readonly explain?: string }
  | { readonly kind: 'vmentry' }
  | {
      readonly kind: 'vmexit';
      readonly reason: number;
      readonly name: string;
      readonly entryFailure: boolean;
      readonly qualification: bigint;
      readonly guestRip?: bigint;
      readonly check?: string;
      /** The guest instruction that caused the exit, disassembled (absent for exits not caused by an instruction). */
      readonly instruction?: string;
      /** For EPT violations and misconfigurations (exits 48/49): the EPT walk, one line per level. */
      readonly eptWalk?: readonly string[];
    };
