// VM exits caused by events (SDM Vol. 3C §26.2 "Other Causes of VM Exits": exceptions and the
// exception bitmap with the page-fault error-code mask/match rule) and the interruption-
// information values they record (§25.9.2 "Information for VM Exits Due to Vectored Events",
// §28.2.2 "Information for VM Exits Due to Vectored Events", §28.2.4 "Information for VM Exits
// That Occur During Event Delivery"; types: §25.8.3 "VM-Entry Controls for Event Injection").

import { exceptionInfo } from '../../arch/exceptions.ts';
import { EXIT_INTR_INFO, INTERRUPTION_TYPES } from '../../arch/vmx-info.ts';
import { vmcsGet } from '../vmcs-access.ts';
import { F } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import type { EventInfo } from './vm-exit.ts';

function typeOf(linux: string): number {
  const t = INTERRUPTION_TYPES.find((x) => x.linux === linux);
  if (!t) throw new Error(`interruption type ${linux} is missing from src/arch/vmx-info.ts`);
  return t.type;
}

/** Interruption types (Table 25-17), from the arch table. */
export const INTR_TYPE = {
  EXTERNAL: typeOf('INTR_TYPE_EXT_INTR'),
  NMI: typeOf('INTR_TYPE_NMI_INTR'),
  HARDWARE_EXCEPTION: typeOf('INTR_TYPE_HARD_EXCEPTION'),
  SOFTWARE_INTERRUPT: typeOf('INTR_TYPE_SOFT_INTR'),
  PRIVILEGED_SOFTWARE_EXCEPTION: typeOf('INTR_TYPE_PRIV_SW_EXCEPTION'),
  SOFTWARE_EXCEPTION: typeOf('INTR_TYPE_SOFT_EXCEPTION'),
  OTHER: typeOf('INTR_TYPE_OTHER_EVENT'),
} as const;

const PF = 14;

/**
 * Whether an exception causes a VM exit (§26.2): its bit in the exception bitmap decides, except
 * for #PF, where bit 14 = 1 makes a page fault exit when (error code AND PFEC_MASK) = PFEC_MATCH,
 * and bit 14 = 0 makes it exit when they differ. Only vectors 0-31 are exceptions.
 */
export function exceptionExits(vmcs: ActiveVmcs, vector: number, errorCode: number | undefined): boolean {
  if (vector > 31) return false;
  const bit = ((vmcsGet(vmcs, F.EXCEPTION_BITMAP) >> BigInt(vector)) & 1n) === 1n;
  if (vector !== PF) return bit;
  const ec = BigInt((errorCode ?? 0) >>> 0);
  const matches = (ec & vmcsGet(vmcs, F.PAGE_FAULT_ERROR_CODE_MASK)) === (vmcsGet(vmcs, F.PAGE_FAULT_ERROR_CODE_MATCH) & 0xffff_ffffn);
  return bit ? matches : !matches;
}

/**
 * The interruption type of an event the executor raised: `kind` is the executor's, `mnemonic`
 * that of the instruction that raised it. INT3 and INTO are software exceptions (type 6), INT1
 * (ICEBP) a privileged software exception (type 5), INT n a software interrupt (type 4); every
 * other exception is a hardware exception (type 3), an interrupt an external interrupt (0) or,
 * for vector 2, an NMI (2). SDM Vol. 3C §25.8.3, Table 25-17.
 */
export function eventType(vector: number, kind: string, mnemonic: string | undefined): number {
  if (kind === 'interrupt') return vector === 2 ? INTR_TYPE.NMI : INTR_TYPE.EXTERNAL;
  if ((mnemonic === 'int3' && vector === 3) || (mnemonic === 'into' && vector === 4)) return INTR_TYPE.SOFTWARE_EXCEPTION;
  if (mnemonic === 'int1' && vector === 1 && kind !== 'fault') return INTR_TYPE.PRIVILEGED_SOFTWARE_EXCEPTION;
  if (kind === 'software') return INTR_TYPE.SOFTWARE_INTERRUPT;
  return INTR_TYPE.HARDWARE_EXCEPTION;
}

/** Whether an event of this type and vector delivers an error code (hardware exceptions with one, protected mode only). */
export function deliversErrorCode(type: number, vector: number, errorCode: number | undefined, protectedMode: boolean): boolean {
  return protectedMode && type === INTR_TYPE.HARDWARE_EXCEPTION && vector < 32 && errorCode !== undefined && exceptionInfo(vector).errorCode;
}

/** An interruption-information value (valid, vector, type, error-code-valid) with its error code. */
export function eventInfo(vector: number, type: number, errorCode: number | undefined, withErrorCode: boolean): EventInfo {
  let info = EXIT_INTR_INFO.set(0n, 'VECTOR', BigInt(vector & 0xff));
  info = EXIT_INTR_INFO.set(info, 'TYPE', BigInt(type));
  info = EXIT_INTR_INFO.set(info, 'VALID', true);
  if (!withErrorCode) return { info };
  return { info: EXIT_INTR_INFO.set(info, 'ERROR_CODE_VALID', true), errorCode: errorCode ?? 0 };
}
