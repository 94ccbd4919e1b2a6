// Outcomes of VMX operations as values (STYLE rule 9): the VMX instruction result
// (SDM Vol. 3C §31.2 Conventions: VMsucceed, VMfailInvalid, VMfailValid) and the verdict
// of one VM-entry check, which explains itself (STYLE rule 6).

/** Result of a VMX instruction as RFLAGS reports it. */
export type VmxOutcome =
  | { readonly kind: 'succeed' }
  | { readonly kind: 'failInvalid' }
  | { readonly kind: 'failValid'; readonly error: number };

export const VM_SUCCEED: VmxOutcome = Object.freeze({ kind: 'succeed' });
export const VM_FAIL_INVALID: VmxOutcome = Object.freeze({ kind: 'failInvalid' });

/** VMfailValid(error): ZF = 1 and the VM-instruction error field := error. */
export function vmFailValid(error: number): VmxOutcome {
  return { kind: 'failValid', error };
}

/** One VMCS field value a failed check looked at. */
export interface FieldValue {
  /** Linux vmx.h name of a VMCS field, or a name such as "VTPR" or "IA32_VMX_MISC". */
  readonly name: string;
  readonly value: bigint;
}

/** The capability-MSR bit (or bits) behind a condition. */
export interface CapabilityRef {
  readonly msr: string;
  readonly index: number;
  /** Bit numbers of the MSR that decide the condition, if a few specific bits do. */
  readonly bits?: readonly number[];
}

/** A VMWRITE that would satisfy the failing check (it may break another). */
export interface ProposedFix {
  readonly field: string;
  readonly value: bigint;
}

export interface Failure {
  readonly kind: 'fail';
  /** What is wrong, in plain words. */
  readonly message: string;
  /** The offending field values. */
  readonly values: readonly FieldValue[];
  /** The condition the SDM requires, as a short formula or sentence. */
  readonly expected: string;
  readonly capability?: CapabilityRef;
  readonly fix?: ProposedFix;
  /** VM-entry MSR loading: 1-based index of the failing entry (the exit qualification). */
  readonly index?: number;
}

export type Verdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'not-applicable' }
  | Failure;

/** The shared "pass" verdict (checks allocate only when they fail). */
export const PASS: Verdict = Object.freeze({ kind: 'pass' });
/** The shared "not applicable" verdict: the condition's precondition does not hold. */
export const NOT_APPLICABLE: Verdict = Object.freeze({ kind: 'not-applicable' });

/** Builds a failed verdict. */
export function fail(
  message: string,
  values: readonly FieldValue[],
  expected: string,
  extra?: { capability?: CapabilityRef; fix?: ProposedFix; index?: number },
): Failure {
  return { kind: 'fail', message, values, expected, ...extra };
}

/** Shorthand for a FieldValue. */
export function fv(name: string, value: bigint): FieldValue {
  return { name, value };
}

/** Formats a value as the panels show it: 0x-prefixed hex. */
export function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}
