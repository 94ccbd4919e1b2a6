// VMREAD/VMWRITE semantics over an active VMCS (SDM Vol. 3C §25.11.2 "VMREAD, VMWRITE, and
// Encodings of VMCS Fields") and the implementation-defined part of the VMCS region that
// VMCLEAR writes and VMPTRLD reads back (SDM Vol. 3C §25.2 "Format of the VMCS Region").

import type { ActiveVmcs } from './vmx-state.ts';
import { VMCS_ENCODING } from '../arch/vmcs/encoding.ts';
import { encodingByteWidth } from './field-encoding.ts';
import { FIELD_COUNT, FIELD_ENCODINGS, fieldIndex, valuesOf, VmcsValues } from './vmcs-values.ts';

/** Width of a VMCS field as the field table declares it. */
export type VmcsFieldWidth = 16 | 32 | 64 | 'natural';

/** What the store needs to know about one field that exists on this processor. */
export interface FieldShape {
  readonly width: VmcsFieldWidth;
  /** A read-only VM-exit information field (encoding type 1). */
  readonly readOnly: boolean;
}

/**
 * Resolves a full-access encoding (bit 0 clear) to the field it names on this processor, or
 * undefined when no supported field has that encoding (the profile lacks the feature that
 * makes it exist, or the encoding names nothing).
 */
export type FieldResolver = (fullEncoding: number) => FieldShape | undefined;

/** VM-instruction error numbers these operations produce (SDM Vol. 3C §31.4 "VM Instruction Error Numbers"). */
export const ERR_UNSUPPORTED_COMPONENT = 12;
export const ERR_READ_ONLY_COMPONENT = 13;

export type VmcsReadResult = { readonly ok: true; readonly value: bigint } | { readonly ok: false; readonly error: 12 };
export type VmcsWriteResult = { readonly ok: true } | { readonly ok: false; readonly error: 12 | 13 };

const LOW32 = 0xffff_ffffn;
/** Bit 0 of an encoding: access type high (SDM Vol. 3C §25.11.2), from the arch table. */
const ACCESS_HIGH = Number(VMCS_ENCODING.mask.ACCESS_HIGH);

/**
 * The store index of the field an encoding operand names, with the HIGH-access flag in bit 16
 * (`index | HIGH_FLAG`; its shape in `resolved`), or -1 when it names none. In 64-bit mode the operand is 64 bits and
 * any bit in 63:32 makes the encoding unsupported (SDM Vol. 3C §25.11.2 "VMREAD, VMWRITE, and
 * Encodings of VMCS Fields": "fail if the register operand sets bits beyond bit 31";
 * Implementation choice: Bochs `vmx.cc` VMREAD/VMWRITE does the same, after the current-VMCS check).
 * HIGH access (bit 0 = 1) exists only for 64-bit fields.
 * @param encLo bits 31:0 of the operand
 * @param encHi bits 63:32 of the operand
 */
function resolveOperand(encLo: number, encHi: number, resolve: FieldResolver): number {
  if (encHi !== 0) return -1;
  const full = (encLo & ~ACCESS_HIGH) >>> 0;
  const shape = resolve(full);
  if (!shape) return -1;
  const high = (encLo & ACCESS_HIGH) !== 0;
  if (high && shape.width !== 64) return -1;
  const i = fieldIndex(full);
  if (i < 0) return -1;
  resolved = shape;
  return high ? i | HIGH_FLAG : i;
}

/** The shape of the field the last successful `resolveOperand` found. */
let resolved: FieldShape;

const HIGH_FLAG = 1 << 16;

/**
 * VMREAD's data step on 32-bit halves: writes the value a read returns into `out` (bits 31:0,
 * bits 63:32) and returns 0, or returns error 12. Width rules (SDM Vol. 3C §25.11.2): 16- and
 * 32-bit fields zero-extend; a 64-bit or natural-width field read with a 32-bit operand outside
 * IA-32e mode returns bits 31:0; HIGH access returns bits 63:32.
 * @param longMode the instruction executes in 64-bit mode (64-bit operands)
 */
export function readFieldHalves(
  vmcs: ActiveVmcs, encLo: number, encHi: number, resolve: FieldResolver, longMode: boolean, out: Uint32Array,
): 0 | typeof ERR_UNSUPPORTED_COMPONENT {
  const slot = resolveOperand(encLo, encHi, resolve);
  if (slot < 0) return ERR_UNSUPPORTED_COMPONENT;
  const store = valuesOf(vmcs);
  const i = slot & ~HIGH_FLAG;
  if (slot !== i) {
    out[0] = store.hi[i]!;
    out[1] = 0;
    return 0;
  }
  const width = resolved.width;
  out[0] = width === 16 ? store.lo[i]! & 0xffff : store.lo[i]!;
  out[1] = width === 16 || width === 32 || !longMode ? 0 : store.hi[i]!;
  return 0;
}

/**
 * VMWRITE's data step on 32-bit halves; returns 0 or the error. A read-only (exit-information)
 * field is writable only when IA32_VMX_MISC bit 29 is 1 (SDM Vol. 3D §A.6 "Miscellaneous
 * Data"). A 64-bit or natural-width field written with a 32-bit operand gets bits 63:32 cleared;
 * HIGH access writes bits 63:32 only (SDM Vol. 3C §25.11.2).
 * @param writeAnyField IA32_VMX_MISC[29]
 * @param longMode the instruction executes in 64-bit mode (64-bit operands)
 */
export function writeFieldHalves(
  vmcs: ActiveVmcs, encLo: number, encHi: number, valueLo: number, valueHi: number,
  resolve: FieldResolver, writeAnyField: boolean, longMode: boolean,
): 0 | typeof ERR_UNSUPPORTED_COMPONENT | typeof ERR_READ_ONLY_COMPONENT {
  const slot = resolveOperand(encLo, encHi, resolve);
  if (slot < 0) return ERR_UNSUPPORTED_COMPONENT;
  if (resolved.readOnly && !writeAnyField) return ERR_READ_ONLY_COMPONENT;
  const store = valuesOf(vmcs);
  const i = slot & ~HIGH_FLAG;
  const width = resolved.width;
  if (slot !== i) store.setHalves(i, store.lo[i]!, valueLo >>> 0);
  else if (width === 16) store.setHalves(i, valueLo & 0xffff, 0);
  else if (width === 32 || !longMode) store.setHalves(i, valueLo >>> 0, 0);
  else store.setHalves(i, valueLo >>> 0, valueHi >>> 0);
  return 0;
}

// A bigint operand as halves: bits 63:32 of a value beyond 64 bits (or negative) never read as 0.
function halvesOf(v: bigint, out: Uint32Array): void {
  if (v < 0n || v > 0xffff_ffff_ffff_ffffn) {
    out[0] = 0;
    out[1] = 0xffff_ffff;
    return;
  }
  out[0] = Number(v & LOW32);
  out[1] = Number(v >> 32n);
}

const ENC = new Uint32Array(2);
const VAL = new Uint32Array(2);

/**
 * VMREAD's data step: the value a read of `encoding` returns, width rules applied (as
 * `readFieldHalves`).
 * @param longMode the instruction executes in 64-bit mode (64-bit operands)
 */
export function readField(vmcs: ActiveVmcs, encoding: bigint, resolve: FieldResolver, longMode: boolean): VmcsReadResult {
  halvesOf(encoding, ENC);
  const error = readFieldHalves(vmcs, ENC[0]!, ENC[1]!, resolve, longMode, VAL);
  if (error !== 0) return { ok: false, error };
  return { ok: true, value: (BigInt(VAL[1]!) << 32n) | BigInt(VAL[0]!) };
}

/**
 * VMWRITE's data step (as `writeFieldHalves`).
 * @param writeAnyField IA32_VMX_MISC[29]
 * @param longMode the instruction executes in 64-bit mode (64-bit operands)
 */
export function writeField(
  vmcs: ActiveVmcs,
  encoding: bigint,
  value: bigint,
  resolve: FieldResolver,
  writeAnyField: boolean,
  longMode: boolean,
): VmcsWriteResult {
  halvesOf(encoding, ENC);
  const v = BigInt.asUintN(64, value);
  const error = writeFieldHalves(vmcs, ENC[0]!, ENC[1]!, Number(v & LOW32), Number(v >> 32n), resolve, writeAnyField, longMode);
  return error === 0 ? { ok: true } : { ok: false, error };
}

// ---------------------------------------------------------------------------------------------
// The VMCS region in memory (SDM Vol. 3C §25.2 "Format of the VMCS Region"): bytes 0-3 hold the
// revision identifier (bits 30:0) and the shadow-VMCS indicator (bit 31), bytes 4-7 the VMX-abort
// indicator; both belong to software and the processor and are never touched here. The rest is
// "VMCS data (implementation-specific format)". VMX Lab's format, written by VMCLEAR and read by
// VMPTRLD of a VMCS that is not active (docs/decisions/0010-vmcs-region-layout.md):
//   +8   dword  0x42414C56 ("VLAB"): the region holds data in this format
//   +12  a bitmap with one bit per field of src/arch/vmcs/fields.ts (full-access entries, in
//        table order): 1 = the field's value is not zero and follows
//   then the values of the marked fields, in table order, in 2, 4 or 8 bytes by width.
// Every field of every profile fits in the region size its IA32_VMX_BASIC[44:32] reports.
// ---------------------------------------------------------------------------------------------

/** Byte offset of the layout marker. */
export const REGION_MAGIC_OFFSET = 8;
/** "VLAB", little-endian. */
export const REGION_MAGIC = 0x42414c56n;
const BITMAP_OFFSET = 12;
/** The layout's fields are the store's field indices (src/vmx/vmcs-values.ts), in table order. */
const BITMAP_BYTES = Math.ceil(FIELD_COUNT / 8);
const BYTE_WIDTHS: readonly (2 | 4 | 8)[] = FIELD_ENCODINGS.map(encodingByteWidth);
const VALUES_OFFSET = BITMAP_OFFSET + BITMAP_BYTES;

/** Physical-memory accessors (the executor's `CpuHandle.readPhys` / `writePhys`). */
export interface PhysAccess {
  readPhys(addr: number, size: 1 | 2 | 4 | 8): bigint;
  writePhys(addr: number, size: 1 | 2 | 4 | 8, value: bigint): void;
}

/**
 * Writes a VMCS's field values into its region (the data step of VMCLEAR, SDM Vol. 3C §31.3
 * "VMCLEAR—Clear Virtual-Machine Control Structure": "ensure that data for VMCS referenced by the
 * operand is in memory"). Returns the number of values that did not fit in `regionSize`.
 */
export function flushToRegion(vmcs: ActiveVmcs, mem: PhysAccess, regionSize: number): number {
  const base = vmcs.addr;
  mem.writePhys(base + REGION_MAGIC_OFFSET, 4, REGION_MAGIC);
  const bitmap = new Uint8Array(BITMAP_BYTES);
  let at = VALUES_OFFSET;
  let dropped = 0;
  const store = valuesOf(vmcs);
  for (let i = 0; i < FIELD_COUNT; i++) {
    if (store.lo[i] === 0 && store.hi[i] === 0) continue;
    const size = BYTE_WIDTHS[i]!;
    if (at + size > regionSize) {
      dropped++;
      continue;
    }
    bitmap[i >> 3]! |= 1 << (i & 7);
    mem.writePhys(base + at, size, store.big(i));
    at += size;
  }
  bitmap.forEach((b, i) => mem.writePhys(base + BITMAP_OFFSET + i, 1, BigInt(b)));
  return dropped;
}

/**
 * Reads field values back from a region written by `flushToRegion` (VMPTRLD of a VMCS that is
 * not active). A region without the marker (never cleared by this processor) reads as all fields
 * zero: Implementation choice, as the SDM leaves the contents of such a VMCS undefined
 * (SDM Vol. 3C §25.11.3 "Initializing a VMCS": software must VMCLEAR a region before VMPTRLD).
 */
export function loadFromRegion(addr: number, mem: PhysAccess, regionSize: number): VmcsValues {
  const fields = new VmcsValues();
  if (mem.readPhys(addr + REGION_MAGIC_OFFSET, 4) !== REGION_MAGIC) return fields;
  let at = VALUES_OFFSET;
  for (let i = 0; i < FIELD_COUNT; i++) {
    const byte = Number(mem.readPhys(addr + BITMAP_OFFSET + (i >> 3), 1));
    if (((byte >> (i & 7)) & 1) === 0) continue;
    const size = BYTE_WIDTHS[i]!;
    if (at + size > regionSize) continue;
    fields.setBig(i, mem.readPhys(addr + at, size));
    at += size;
  }
  return fields;
}
