// The one helper for declaring hardware bitfields (STYLE rule 10): a register is a
// table of named bits and multi-bit fields; masks, getters, reserved bits and the
// names panels show all come from that table. Values are bigint so 64-bit registers
// (EFER, IA32_VMX_*, EPT entries) are exact.

import type { SdmRef } from './sdm.ts';

/** One named bit or bit range of a register. */
export interface FieldSpec {
  /** Lowest bit. */
  readonly bit: number;
  /** Width in bits (1 for a flag). */
  readonly width?: number;
  /** One-line explanation shown in panels and hover docs. */
  readonly doc: string;
  /** Longer name as the SDM writes it ("Protection Enable"). */
  readonly sdmName?: string;
  readonly sdm?: SdmRef;
}

export interface BitfieldDecl<K extends string> {
  /** Register name, e.g. "CR0". */
  readonly name: string;
  /** Width of the whole register in bits (32 or 64). */
  readonly size: 32 | 64;
  readonly fields: { readonly [P in K]: FieldSpec };
  /**
   * Bits that are reserved (must be zero) whatever the CPU supports. Bits neither
   * declared nor listed here are simply unnamed. Profile-dependent reservation
   * (e.g. CR4 bits for features a CPU lacks) is computed elsewhere from the profile.
   */
  readonly reserved?: bigint;
  readonly sdm?: SdmRef;
}

/** A declared field with its mask and position, ready to use. */
export interface Field {
  readonly name: string;
  readonly bit: number;
  readonly width: number;
  readonly mask: bigint;
  readonly doc: string;
  readonly sdmName?: string;
  readonly sdm?: SdmRef;
}

export interface Bitfield<K extends string> {
  readonly name: string;
  readonly size: 32 | 64;
  /** Where the SDM describes the register as a whole. */
  readonly sdm?: SdmRef;
  /** Every field by name. */
  readonly fields: { readonly [P in K]: Field };
  /** Fields in bit order, lowest first. */
  readonly list: readonly Field[];
  /** Mask of each single field: `CR0.mask.PG`. */
  readonly mask: { readonly [P in K]: bigint };
  /** Bit number of each field: `CR0.bit.PG` (= 31). */
  readonly bit: { readonly [P in K]: number };
  /** Union of every declared field. */
  readonly definedMask: bigint;
  /** Architecturally reserved bits (must be zero). */
  readonly reservedMask: bigint;
  /** Value of a field in a register value. */
  get(value: bigint, field: K): bigint;
  /** Whether a one-bit field (or any bit of a wider one) is set. */
  has(value: bigint, field: K): boolean;
  /** Register value with a field replaced. */
  set(value: bigint, field: K, fieldValue: bigint | boolean): bigint;
  /** Names of set one-bit fields, lowest first (for panels and messages). */
  names(value: bigint): string[];
  /** Composes a value from named one-bit fields. */
  of(...names: K[]): bigint;
}

/** Declares a register's bit layout. Throws at module load if two fields overlap. */
export function bitfield<K extends string>(decl: BitfieldDecl<K>): Bitfield<K> {
  const fields = {} as { [P in K]: Field };
  const mask = {} as { [P in K]: bigint };
  const bit = {} as { [P in K]: number };
  let defined = 0n;
  for (const name of Object.keys(decl.fields) as K[]) {
    const spec = decl.fields[name];
    const width = spec.width ?? 1;
    if (spec.bit < 0 || spec.bit + width > decl.size) {
      throw new Error(`${decl.name}.${name}: bits ${spec.bit}+${width} outside a ${decl.size}-bit register`);
    }
    const m = ((1n << BigInt(width)) - 1n) << BigInt(spec.bit);
    if ((defined & m) !== 0n) throw new Error(`${decl.name}.${name} overlaps another field`);
    defined |= m;
    fields[name] = { name, bit: spec.bit, width, mask: m, doc: spec.doc, sdmName: spec.sdmName, sdm: spec.sdm };
    mask[name] = m;
    bit[name] = spec.bit;
  }
  const reservedMask = decl.reserved ?? 0n;
  if ((reservedMask & defined) !== 0n) throw new Error(`${decl.name}: a reserved bit is also declared as a field`);
  const list = Object.values<Field>(fields).sort((a, b) => a.bit - b.bit);
  return {
    name: decl.name,
    size: decl.size,
    sdm: decl.sdm,
    fields,
    list,
    mask,
    bit,
    definedMask: defined,
    reservedMask,
    get: (value, f) => (value & fields[f].mask) >> BigInt(fields[f].bit),
    has: (value, f) => (value & fields[f].mask) !== 0n,
    set: (value, f, v) => {
      const fv = typeof v === 'boolean' ? (v ? 1n : 0n) : v;
      const { mask: m, bit: b } = fields[f];
      return (value & ~m) | ((fv << BigInt(b)) & m);
    },
    names: (value) => list.filter((f) => f.width === 1 && (value & f.mask) !== 0n).map((f) => f.name),
    of: (...names) => names.reduce((acc, n) => acc | fields[n].mask, 0n),
  };
}
