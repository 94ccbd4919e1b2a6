// The model's own access to fields of a VMCS (VM entry, VM exit, interception), by encoding,
// with no VMREAD/VMWRITE checks: the processor reads and writes its VMCS directly
// (SDM Vol. 3C §25.11.2 "VMREAD, VMWRITE, and Encodings of VMCS Fields").

import { PRIMARY_CTLS } from './local-arch.ts';
import { F } from './vmcs-fields.ts';
import type { ActiveVmcs } from './vmx-state.ts';

/** A field's stored value (0 when never written). */
export function vmcsGet(vmcs: ActiveVmcs, encoding: number): bigint {
  return vmcs.fields.get(encoding) ?? 0n;
}

/** Stores a field value, truncated to 64 bits. */
export function vmcsSet(vmcs: ActiveVmcs, encoding: number, value: bigint): void {
  vmcs.fields.set(encoding, BigInt.asUintN(64, value));
}

/**
 * The secondary processor-based controls in effect: the field's value when "activate secondary
 * controls" is 1, else 0 (SDM Vol. 3C §25.6.2 "Processor-Based VM-Execution Controls": with bit 31
 * of the primary controls 0, the processor operates as if all secondary controls were 0).
 */
export function secondaryControls(vmcs: ActiveVmcs): bigint {
  const primary = vmcsGet(vmcs, F.CPU_BASED_VM_EXEC_CONTROL);
  return PRIMARY_CTLS.has(primary, 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS') ? vmcsGet(vmcs, F.SECONDARY_VM_EXEC_CONTROL) : 0n;
}
