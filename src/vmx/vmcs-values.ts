// The values of one VMCS, as the model holds them (docs/decisions/0060-vmcs-typed-store.md).
// Every full-access field of src/arch/vmcs/fields.ts has a small index (its position in that
// table); a field's 64 bits are kept as two Uint32 halves at that index, with a stamp that
// changes whenever the value changes. The SDM leaves the VMCS's in-processor format to the
// implementation (SDM Vol. 3C §25.2 "Format of the VMCS Region": "VMCS data
// (implementation-specific format)"); software reaches it only through VMREAD/VMWRITE.
//
// `VmcsValues` implements `Map<number, bigint>` (keys: full encodings; a field never written is
// absent), so code that knew the VMCS as a Map keeps working; the model's hot paths use the
// number accessors by index instead.

import { VMCS_FIELDS } from '../arch/vmcs/fields.ts';

/** Full (bit 0 = 0) encodings of every field, in table order: the field index is the position here. */
export const FIELD_ENCODINGS: readonly number[] = VMCS_FIELDS.filter((f) => !f.high).map((f) => f.encoding);
/** Number of field indices. */
export const FIELD_COUNT = FIELD_ENCODINGS.length;

// Index by full encoding >> 1 (full encodings have bit 0 clear and fit in 16 bits); -1 = none.
const INDEX = new Int16Array(0x8000).fill(-1);
FIELD_ENCODINGS.forEach((enc, i) => {
  INDEX[enc >>> 1] = i;
});

/** The field index of a full encoding, or -1 when the field table has no such field. */
export function fieldIndex(encoding: number): number {
  if ((encoding & 1) !== 0 || encoding < 0 || encoding > 0xffff) return -1;
  return INDEX[encoding >>> 1]!;
}

const TWO32 = 4294967296;

// One 64-bit scratch word seen as a bigint and as two 32-bit halves: converts between them
// without bigint arithmetic (a store into a BigUint64Array takes the value modulo 2^64).
const WORD64 = new BigUint64Array(1);
const WORD32 = new Uint32Array(WORD64.buffer);
WORD64[0] = 1n;
/** Index of bits 31:0 and of bits 63:32 in WORD32 (the platform's byte order). */
const LO = WORD32[0] === 1 ? 0 : 1;
const HI = 1 - LO;
const MAX64 = 0xffff_ffff_ffff_ffffn;

// One clock for every store: a stamp names one write of one value, so two stores (a VMCS and its
// snapshot copy) holding the same stamp for a field hold the same value there. 0 = never written.
let clock = 0;

/** Field indices a store's change log holds (a power of two): the changes of the last few VM transitions. */
const LOG_SIZE = 64;

/**
 * The indices of the fields whose stamps changed, in order, the last `LOG_SIZE` of them: entry
 * `k` (0 <= k < `count`) is at `ring[k % LOG_SIZE]`. A reader that remembers `count` learns which
 * fields changed since without comparing every stamp, while no more than `LOG_SIZE` changes
 * happened in between (else it compares them all).
 */
export class ChangeLog {
  readonly ring = new Int32Array(LOG_SIZE);
  count = 0;
  static readonly SIZE = LOG_SIZE;
}

/**
 * The field values of one VMCS. Values are unsigned 64-bit; a field never written reads 0 and
 * has stamp 0. Writes that leave the value unchanged keep the stamp (except the first write of a
 * field, which makes it present).
 */
export class VmcsValues implements Map<number, bigint> {
  /** Bits 31:0 of each field, by field index. */
  readonly lo = new Uint32Array(FIELD_COUNT);
  /** Bits 63:32 of each field, by field index. */
  readonly hi = new Uint32Array(FIELD_COUNT);
  /** Stamp of each field's value (0 = never written). */
  readonly stamps = new Float64Array(FIELD_COUNT);
  /** Values of encodings the field table does not know (only reachable through the Map API). */
  private readonly extra = new Map<number, bigint>();
  /** The fields whose stamps changed, latest last (a clone starts its own). */
  readonly changes = new ChangeLog();

  /** A store holding `entries` (full encoding, value). */
  constructor(entries?: Iterable<readonly [number, bigint]>) {
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  /** A copy with the same values and stamps. */
  clone(): VmcsValues {
    const c = new VmcsValues();
    c.lo.set(this.lo);
    c.hi.set(this.hi);
    c.stamps.set(this.stamps);
    for (const [k, v] of this.extra) c.extra.set(k, v);
    return c;
  }

  // -- number accessors by field index (the model's hot paths) ---------------------------------

  /** Bits 31:0 of field `i` (a 16- or 32-bit field's whole value). */
  u32(i: number): number {
    return this.lo[i]!;
  }

  /** The value of field `i` as a number (exact below 2^53). */
  num(i: number): number {
    return this.hi[i]! * TWO32 + this.lo[i]!;
  }

  /** The value of field `i` as a signed 64-bit number (a canonical linear address as the executor keeps it). */
  signed(i: number): number {
    return (this.hi[i]! | 0) * TWO32 + this.lo[i]!;
  }

  /** The value of field `i` as a bigint. */
  big(i: number): bigint {
    WORD32[LO] = this.lo[i]!;
    WORD32[HI] = this.hi[i]!;
    return WORD64[0]!;
  }

  /** Whether field `i` holds the unsigned 64-bit value `b` (0 <= b < 2^64), without bigint arithmetic. */
  holds(i: number, b: bigint): boolean {
    WORD64[0] = b;
    return WORD32[LO] === this.lo[i] && WORD32[HI] === this.hi[i] && b >= 0n && b <= MAX64;
  }

  /** Stamp of field `i`'s value: changes whenever the value does; 0 while never written. */
  stamp(i: number): number {
    return this.stamps[i]!;
  }

  /** Whether field `i` was ever written. */
  present(i: number): boolean {
    return this.stamps[i]! !== 0;
  }

  /** Sets field `i` from its two halves (each 0..2^32-1). */
  setHalves(i: number, lo: number, hi: number): void {
    if (this.lo[i] === lo && this.hi[i] === hi && this.stamps[i] !== 0) return;
    this.lo[i] = lo;
    this.hi[i] = hi;
    this.stamps[i] = ++clock;
    const log = this.changes;
    log.ring[log.count++ & (LOG_SIZE - 1)] = i;
  }

  /** Sets field `i` to an unsigned 32-bit number (bits 63:32 cleared). */
  setU32(i: number, v: number): void {
    this.setHalves(i, v >>> 0, 0);
  }

  /**
   * Sets field `i` from an integer number: a signed one (a canonical linear address) is stored
   * as its 64-bit two's complement, a non-negative one as is.
   */
  setNum(i: number, v: number): void {
    this.setHalves(i, v >>> 0, Math.floor(v / TWO32) >>> 0);
  }

  /** Sets field `i` to a bigint, truncated to 64 bits. */
  setBig(i: number, v: bigint): void {
    WORD64[0] = v;
    this.setHalves(i, WORD32[LO]!, WORD32[HI]!);
  }

  /** Sets field `i` to bits 31:0 of a bigint (bits 63:32 cleared). */
  setBigLow32(i: number, v: bigint): void {
    WORD64[0] = v;
    this.setHalves(i, WORD32[LO]!, 0);
  }

  /** Makes field `i` never-written (reads 0). */
  private forget(i: number): void {
    this.lo[i] = 0;
    this.hi[i] = 0;
    this.stamps[i] = 0;
    const log = this.changes;
    log.ring[log.count++ & (LOG_SIZE - 1)] = i;
  }

  // -- Map<number, bigint> by full encoding ---------------------------------------------------

  get size(): number {
    let n = this.extra.size;
    for (let i = 0; i < FIELD_COUNT; i++) if (this.stamps[i] !== 0) n++;
    return n;
  }

  get(encoding: number): bigint | undefined {
    const i = fieldIndex(encoding);
    if (i < 0) return this.extra.get(encoding);
    return this.stamps[i] === 0 ? undefined : this.big(i);
  }

  has(encoding: number): boolean {
    const i = fieldIndex(encoding);
    return i < 0 ? this.extra.has(encoding) : this.stamps[i] !== 0;
  }

  /** Stores a value (truncated to 64 bits for fields of the table). */
  set(encoding: number, value: bigint): this {
    const i = fieldIndex(encoding);
    if (i < 0) this.extra.set(encoding, value);
    else this.setBig(i, value);
    return this;
  }

  delete(encoding: number): boolean {
    const i = fieldIndex(encoding);
    if (i < 0) return this.extra.delete(encoding);
    const had = this.stamps[i] !== 0;
    this.forget(i);
    return had;
  }

  clear(): void {
    for (let i = 0; i < FIELD_COUNT; i++) this.forget(i);
    this.extra.clear();
  }

  /** The present fields as a plain Map, in field-table order, then the unknown encodings. */
  toMap(): Map<number, bigint> {
    const m = new Map<number, bigint>();
    for (let i = 0; i < FIELD_COUNT; i++) if (this.stamps[i] !== 0) m.set(FIELD_ENCODINGS[i]!, this.big(i));
    for (const [k, v] of this.extra) m.set(k, v);
    return m;
  }

  forEach(fn: (value: bigint, key: number, map: Map<number, bigint>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.toMap()) fn.call(thisArg, v, k, this);
  }

  entries(): ReturnType<Map<number, bigint>['entries']> {
    return this.toMap().entries();
  }

  keys(): ReturnType<Map<number, bigint>['keys']> {
    return this.toMap().keys();
  }

  values(): ReturnType<Map<number, bigint>['values']> {
    return this.toMap().values();
  }

  [Symbol.iterator](): ReturnType<Map<number, bigint>['entries']> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'VmcsValues';
  }
}

/**
 * The store of a VMCS whose `fields` is a plain Map (built by a test or a panel): replaced in
 * place by a `VmcsValues` holding the same entries, so the model's accessors work on any VMCS.
 */
export function valuesOf(vmcs: { fields: Map<number, bigint> }): VmcsValues {
  const f = vmcs.fields;
  if (f instanceof VmcsValues) return f;
  const v = new VmcsValues(f);
  vmcs.fields = v;
  return v;
}
