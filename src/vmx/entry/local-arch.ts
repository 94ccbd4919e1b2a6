// The hardware tables the VM-entry checks read, in one place: re-exported from src/arch
// where the table exists, and TEMPORARY local declarations (marked below) for what
// src/arch does not hold yet (IA32_VMX_BASIC/MISC/EPT_VPID_CAP bitfields, EPTP, the
// VM-entry interruption-information, interruptibility and pending-debug formats).
// Each local declaration uses the one bitfield helper, so moving it to src/arch is a
// change of import, not of use sites (STYLE rules 1 and 10).
// Sources: SDM Vol. 3C ch. 25 "Virtual Machine Control Structures" and Vol. 3D App. A
// "VMX Capability Reporting Facility" (bit positions checked against
// ../shared/reference/vmx-reference.md sections 4 and 5).

import { bitfield } from '../../arch/bitfield.ts';
import { MSR as ARCH_MSR, msrInfo } from '../../arch/msrs.ts';

export { PIN_BASED as PIN, PRIMARY as PROC, SECONDARY as PROC2, EXIT, ENTRY } from '../../arch/controls/index.ts';
export { CR0, CR4 } from '../../arch/cr.ts';
export { EFER } from '../../arch/efer.ts';
export { RFLAGS } from '../../arch/rflags.ts';
export { ACCESS_RIGHTS as AR, SELECTOR } from '../../arch/segments.ts';

/** MSR indices by SDM name (src/arch/msrs.ts). */
export const MSR = ARCH_MSR;

/** SDM name of an MSR index (for messages). */
export function msrName(index: number): string {
  return msrInfo(index)?.sdmName ?? `MSR 0x${index.toString(16)}`;
}

// --- TEMPORARY: until src/arch/vmx-msrs.ts lands ----------------------------------

export const VMX_BASIC = bitfield({
  name: 'IA32_VMX_BASIC',
  size: 64,
  fields: {
    REVISION_ID: { bit: 0, width: 31, doc: 'VMCS revision identifier' },
    PA_32BIT: { bit: 48, doc: 'Addresses of VMX structures limited to 32 bits' },
    TRUE_CTLS: { bit: 55, doc: 'TRUE capability MSRs exist; default1 controls may be 0' },
    NO_HW_ERROR_CODE_CC: { bit: 56, doc: 'No deliver-error-code consistency check on injection' },
  },
});

export const VMX_MISC = bitfield({
  name: 'IA32_VMX_MISC',
  size: 64,
  fields: {
    ACTIVITY_HLT: { bit: 6, doc: 'Activity state HLT supported' },
    ACTIVITY_SHUTDOWN: { bit: 7, doc: 'Activity state shutdown supported' },
    ACTIVITY_WAIT_SIPI: { bit: 8, doc: 'Activity state wait-for-SIPI supported' },
    CR3_TARGETS: { bit: 16, width: 9, doc: 'Number of CR3-target values supported' },
    ZERO_LEN_INJECTION: { bit: 30, doc: 'Software-event injection with instruction length 0' },
  },
});

export const EPT_VPID_CAP = bitfield({
  name: 'IA32_VMX_EPT_VPID_CAP',
  size: 64,
  fields: {
    PAGE_WALK_4: { bit: 6, doc: 'Page-walk length 4 supported' },
    PAGE_WALK_5: { bit: 7, doc: 'Page-walk length 5 supported' },
    EPTP_UC: { bit: 8, doc: 'EPT paging-structure memory type UC allowed' },
    EPTP_WB: { bit: 14, doc: 'EPT paging-structure memory type WB allowed' },
    AD: { bit: 21, doc: 'EPT accessed and dirty flags supported' },
  },
});

export const EPTP = bitfield({
  name: 'EPT pointer',
  size: 64,
  fields: {
    MEMORY_TYPE: { bit: 0, width: 3, doc: 'EPT paging-structure memory type' },
    WALK_LENGTH_MINUS_1: { bit: 3, width: 3, doc: 'EPT page-walk length minus 1' },
    AD_ENABLE: { bit: 6, doc: 'Enable accessed and dirty flags' },
  },
});

/** Bits 31:17 of the access rights, reserved. */
export const AR_RESERVED_HIGH = 0xfffe_0000n;
/** Bits 11:8 of the access rights, reserved. */
export const AR_RESERVED_LOW = 0x0f00n;

/** VM-entry interruption-information field (SDM Vol. 3C §25.8.3, Table 25-17). */
export const INTR_INFO = bitfield({
  name: 'VM-entry interruption information',
  size: 32,
  fields: {
    VECTOR: { bit: 0, width: 8, doc: 'Vector of interrupt or exception' },
    TYPE: { bit: 8, width: 3, doc: 'Interruption type' },
    DELIVER_ERROR_CODE: { bit: 11, doc: 'Deliver error code' },
    VALID: { bit: 31, doc: 'Valid' },
  },
  reserved: 0x7fff_f000n,
});

/** Interruption types of INTR_INFO.TYPE. */
export const INTR_TYPE = {
  EXT_INTR: 0n,
  RESERVED: 1n,
  NMI: 2n,
  HARD_EXCEPTION: 3n,
  SOFT_INTR: 4n,
  PRIV_SW_EXCEPTION: 5n,
  SOFT_EXCEPTION: 6n,
  OTHER_EVENT: 7n,
} as const;

/** Guest interruptibility state (SDM Vol. 3C §25.4.2, Table 25-3). */
export const INTERRUPTIBILITY = bitfield({
  name: 'Guest interruptibility state',
  size: 32,
  fields: {
    STI: { bit: 0, doc: 'Blocking by STI' },
    MOV_SS: { bit: 1, doc: 'Blocking by MOV SS' },
    SMI: { bit: 2, doc: 'Blocking by SMI' },
    NMI: { bit: 3, doc: 'Blocking by NMI' },
    ENCLAVE: { bit: 4, doc: 'Enclave interruption' },
  },
  reserved: 0xffff_ffe0n,
});

/** Guest pending debug exceptions (SDM Vol. 3C §25.4.2, Table 25-4). */
export const PENDING_DBG = bitfield({
  name: 'Pending debug exceptions',
  size: 64,
  fields: {
    B: { bit: 0, width: 4, doc: 'B3-B0: breakpoint conditions met' },
    ENABLED_BP: { bit: 12, doc: 'An enabled breakpoint condition was met' },
    BS: { bit: 14, doc: 'Single-step trap pending' },
    RTM: { bit: 16, doc: 'Debug exception inside an RTM region' },
  },
  // Bits 11:4, 13, 15, 63:17 (SDM Vol. 3C §27.3.1.5 Checks on Guest Non-Register State).
  reserved: 0xffff_ffff_fffe_0000n | 0x0ff0n | (1n << 13n) | (1n << 15n),
});

/** Guest activity states (SDM Vol. 3C §25.4.2). */
export const ACTIVITY = { ACTIVE: 0n, HLT: 1n, SHUTDOWN: 2n, WAIT_SIPI: 3n } as const;

/** IA32_DEBUGCTL.BTF (bit 1): single-step on branches. */
export const DEBUGCTL_BTF = 1n << 1n;
