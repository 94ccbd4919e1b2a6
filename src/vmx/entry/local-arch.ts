// The hardware tables the VM-entry checks read, in one place, all from src/arch (STYLE
// rules 1 and 10): control bits, CR/EFER/RFLAGS, segment formats, capability-MSR
// bitfields, EPTP and the event/interruptibility formats, plus a few named constants
// for values the tables hold as lists (interruption types, activity states).
import { MSR as ARCH_MSR, msrInfo } from '../../arch/msrs.ts';
import { ACTIVITY_STATES, INTERRUPTION_TYPES } from '../../arch/vmx-info.ts';

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

export { VMX_BASIC, VMX_MISC, VMX_EPT_VPID_CAP as EPT_VPID_CAP } from '../../arch/vmx-msrs.ts';
export { EPTP } from '../../arch/ept.ts';
export {
  ENTRY_INTR_INFO as INTR_INFO, GUEST_INTERRUPTIBILITY as INTERRUPTIBILITY, PENDING_DEBUG_EXCEPTIONS as PENDING_DBG,
} from '../../arch/vmx-info.ts';

/**
 * Bits 30:12 of the VM-entry interruption-information field, reserved (§27.2.1.3); bit 13
 * (FRED nested exception) becomes usable only where IA32_VMX_BASIC[58] reports it, so
 * the table's reserved mask (which excludes bit 13) is not the whole rule.
 */
export const INTR_INFO_RESERVED_30_12 = 0x7fff_f000n;

/** The value of a row of a src/arch list by its Linux name (throws at load on a typo). */
function listValue<R extends { readonly linux: string }>(rows: readonly R[], linux: string, pick: (r: R) => number): bigint {
  const row = rows.find((r) => r.linux === linux);
  if (row === undefined) throw new Error(`no ${linux} in src/arch`);
  return BigInt(pick(row));
}

/** Interruption types of the interruption-information TYPE field (src/arch/vmx-info.ts INTERRUPTION_TYPES). */
export const INTR_TYPE = {
  EXT_INTR: listValue(INTERRUPTION_TYPES, 'INTR_TYPE_EXT_INTR', (r) => r.type),
  RESERVED: listValue(INTERRUPTION_TYPES, 'INTR_TYPE_RESERVED', (r) => r.type),
  NMI: listValue(INTERRUPTION_TYPES, 'INTR_TYPE_NMI_INTR', (r) => r.type),
  HARD_EXCEPTION: listValue(INTERRUPTION_TYPES, 'INTR_TYPE_HARD_EXCEPTION', (r) => r.type),
  SOFT_INTR: listValue(INTERRUPTION_TYPES, 'INTR_TYPE_SOFT_INTR', (r) => r.type),
  PRIV_SW_EXCEPTION: listValue(INTERRUPTION_TYPES, 'INTR_TYPE_PRIV_SW_EXCEPTION', (r) => r.type),
  SOFT_EXCEPTION: listValue(INTERRUPTION_TYPES, 'INTR_TYPE_SOFT_EXCEPTION', (r) => r.type),
  OTHER_EVENT: listValue(INTERRUPTION_TYPES, 'INTR_TYPE_OTHER_EVENT', (r) => r.type),
} as const;

/** Guest activity states (src/arch/vmx-info.ts ACTIVITY_STATES). */
export const ACTIVITY = {
  ACTIVE: listValue(ACTIVITY_STATES, 'GUEST_ACTIVITY_ACTIVE', (r) => r.value),
  HLT: listValue(ACTIVITY_STATES, 'GUEST_ACTIVITY_HLT', (r) => r.value),
  SHUTDOWN: listValue(ACTIVITY_STATES, 'GUEST_ACTIVITY_SHUTDOWN', (r) => r.value),
  WAIT_SIPI: listValue(ACTIVITY_STATES, 'GUEST_ACTIVITY_WAIT_SIPI', (r) => r.value),
} as const;

/** Bits 31:17 of the segment access rights, reserved. */
export const AR_RESERVED_HIGH = 0xfffe_0000n;
/** Bits 11:8 of the segment access rights, reserved. */
export const AR_RESERVED_LOW = 0x0f00n;

export { DEBUGCTL, LBR_CTL, RTIT_CTL, isValidPat } from '../../arch/msr-fields.ts';
