// The model's own access to fields of a VMCS (VM entry, VM exit, interception), by encoding,
// with no VMREAD/VMWRITE checks: the processor reads and writes its VMCS directly
// (SDM Vol. 3C §25.11.2 "VMREAD, VMWRITE, and Encodings of VMCS Fields"). `vmcsGet`/`vmcsSet`
// take encodings and bigints; hot paths use the store's number accessors by field index
// (`valuesOf(vmcs)`, `X` of vmcs-fields.ts).

import { PRIMARY_CTLS } from './local-arch.ts';
import { X } from './vmcs-fields.ts';
import { fieldIndex, valuesOf, type VmcsValues } from './vmcs-values.ts';
import type { ActiveVmcs } from './vmx-state.ts';

export { valuesOf, type VmcsValues } from './vmcs-values.ts';

/** A field's stored value (0 when never written). */
export function vmcsGet(vmcs: ActiveVmcs, encoding: number): bigint {
  const store = valuesOf(vmcs);
  const i = fieldIndex(encoding);
  return i < 0 ? (store.get(encoding) ?? 0n) : store.big(i);
}

/** Stores a field value, truncated to 64 bits. */
export function vmcsSet(vmcs: ActiveVmcs, encoding: number, value: bigint): void {
  const store = valuesOf(vmcs);
  const i = fieldIndex(encoding);
  if (i < 0) store.set(encoding, BigInt.asUintN(64, value));
  else store.setBig(i, value);
}

/** "Activate secondary controls", bit 31 of the primary processor-based controls (from the arch table). */
const ACTIVATE_SECONDARY = Number(PRIMARY_CTLS.mask.CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);

/**
 * The secondary processor-based controls in effect: the field's value when "activate secondary
 * controls" is 1, else 0 (SDM Vol. 3C §25.6.2 "Processor-Based VM-Execution Controls": with bit 31
 * of the primary controls 0, the processor operates as if all secondary controls were 0).
 */
export function secondaryControls(vmcs: ActiveVmcs): bigint {
  return BigInt(secondaryControlsNum(valuesOf(vmcs)));
}

/** `secondaryControls` as a number (the field is 32 bits), from the store. */
export function secondaryControlsNum(store: VmcsValues): number {
  return (store.u32(X.CPU_BASED_VM_EXEC_CONTROL) & ACTIVATE_SECONDARY) !== 0 ? store.u32(X.SECONDARY_VM_EXEC_CONTROL) : 0;
}
