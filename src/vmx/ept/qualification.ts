// The exit qualification of an EPT violation (SDM Vol. 3C §28.2.1 "Basic VM-Exit Information",
// Table 28-7 "Exit Qualification for EPT Violations"). The walk decides bits 0-6; the caller
// knows bits 7-11 (whether a linear address was being translated, and its guest-paging
// rights); bit 12 (NMI unblocking due to IRET) is left to the VM-exit code, which knows it.

import type { EptViolation } from './types.ts';

/** Bits of the EPT-violation exit qualification (Table 28-7). */
export const EPT_QUAL = {
  READ: 1n << 0n,
  WRITE: 1n << 1n,
  FETCH: 1n << 2n,
  READABLE: 1n << 3n,
  WRITABLE: 1n << 4n,
  EXECUTABLE: 1n << 5n,
  USER_EXECUTABLE: 1n << 6n,
  LINEAR_VALID: 1n << 7n,
  FINAL_TRANSLATION: 1n << 8n,
  LINEAR_USER: 1n << 9n,
  LINEAR_WRITABLE: 1n << 10n,
  LINEAR_XD: 1n << 11n,
  NMI_UNBLOCKING: 1n << 12n,
} as const;

/** What the caller knows about the linear address behind a guest-physical access. */
export interface LinearContext {
  /**
   * Bit 8: true when the guest-physical address is the translation of the linear address (the
   * final access), false when it is a guest paging-structure entry read or A/D update.
   */
  readonly finalTranslation: boolean;
  /**
   * Bits 9-11, reported only with "advanced VM-exit information for EPT violations"
   * (IA32_VMX_EPT_VPID_CAP[22]) and only for a final translation: the guest paging rights of
   * the linear address (U/S, R/W and XD combined over the guest paging levels).
   */
  readonly guestRights?: { readonly user: boolean; readonly writable: boolean; readonly executeDisable: boolean };
}

/** Options of the qualification. */
export interface QualificationOptions {
  /** Undefined when no linear address was being translated (bit 7 = 0), e.g. PAE PDPTE loads by MOV to CR. */
  readonly linear?: LinearContext;
  /** "Mode-based execute control for EPT": bit 6 reports user-mode execute; otherwise bit 6 is 0. */
  readonly mbec?: boolean;
  /** IA32_VMX_EPT_VPID_CAP[22]: bits 9-11 are defined. */
  readonly advancedInfo?: boolean;
}

/** Builds the exit qualification of an EPT violation (Table 28-7), bit 12 left 0. */
export function eptViolationQualification(v: EptViolation, opts: QualificationOptions = {}): bigint {
  let q = 0n;
  if (v.access.read) q |= EPT_QUAL.READ;
  if (v.access.write) q |= EPT_QUAL.WRITE;
  if (v.access.fetch) q |= EPT_QUAL.FETCH;
  if (v.allowed.read) q |= EPT_QUAL.READABLE;
  if (v.allowed.write) q |= EPT_QUAL.WRITABLE;
  if (v.allowed.execute) q |= EPT_QUAL.EXECUTABLE;
  if (opts.mbec === true && v.allowed.userExecute) q |= EPT_QUAL.USER_EXECUTABLE;
  const lin = opts.linear;
  if (lin !== undefined) {
    q |= EPT_QUAL.LINEAR_VALID;
    if (lin.finalTranslation) {
      q |= EPT_QUAL.FINAL_TRANSLATION;
      // Bits 9-11 are defined only for final translations with advanced information; 0 otherwise.
      if (opts.advancedInfo === true && lin.guestRights !== undefined) {
        if (lin.guestRights.user) q |= EPT_QUAL.LINEAR_USER;
        if (lin.guestRights.writable) q |= EPT_QUAL.LINEAR_WRITABLE;
        if (lin.guestRights.executeDisable) q |= EPT_QUAL.LINEAR_XD;
      }
    }
  }
  return q;
}

/** Names of the set bits, lowest first, for the Explain panel and the CLI. */
export function describeEptQualification(q: bigint): string[] {
  return Object.entries(EPT_QUAL).filter(([, m]) => (q & m) !== 0n).map(([n]) => n);
}
