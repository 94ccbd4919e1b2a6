// The basic VM-entry checks that precede the checks of this folder, SDM Vol. 3C §27.1
// "Basic VM-Entry Checks", in the SDM's fixed order. The VMLAUNCH/VMRESUME handler owns
// #UD, the VM exit from non-root operation and #GP(0) for CPL > 0 (steps 1-2); these are
// steps 3-5, which end in VMfailInvalid or VMfailValid(26/4/5).

import { VM_FAIL_INVALID, vmFailValid } from '../outcome.ts';
import type { VmxOutcome } from '../outcome.ts';

export interface EntryPrerequisiteState {
  readonly launch: 'vmlaunch' | 'vmresume';
  readonly hasCurrentVmcs: boolean;
  /** The current VMCS is a shadow VMCS (shadow-VMCS indicator, bit 31 of its first dword). */
  readonly currentIsShadow: boolean;
  /** Blocking by MOV SS is in effect (the instruction follows MOV SS or POP SS). */
  readonly movSsBlocking: boolean;
  readonly launchState: 'clear' | 'launched';
}

/** One step of §27.1, in order, for docs and panels. */
export const ENTRY_PREREQUISITES = [
  { step: 'no current VMCS', outcome: 'VMfailInvalid' },
  { step: 'current VMCS is a shadow VMCS', outcome: 'VMfailInvalid' },
  { step: 'blocking by MOV SS', outcome: 'VMfailValid(26)' },
  { step: 'VMLAUNCH with a VMCS whose launch state is not clear', outcome: 'VMfailValid(4)' },
  { step: 'VMRESUME with a VMCS whose launch state is not launched', outcome: 'VMfailValid(5)' },
] as const;

/**
 * §27.1 steps 3-5: the outcome of the first failing basic check, or undefined when the
 * VM entry proceeds to the checks on controls and host state.
 */
export function checkEntryPrerequisites(s: EntryPrerequisiteState): VmxOutcome | undefined {
  if (!s.hasCurrentVmcs) return VM_FAIL_INVALID;
  if (s.currentIsShadow) return VM_FAIL_INVALID;
  if (s.movSsBlocking) return vmFailValid(26);
  if (s.launch === 'vmlaunch' && s.launchState !== 'clear') return vmFailValid(4);
  if (s.launch === 'vmresume' && s.launchState !== 'launched') return vmFailValid(5);
  return undefined;
}
