// The typed VMCS store (docs/decisions/0060-vmcs-typed-store.md): one index per full-access
// field of the arch table, 64-bit values in two halves, stamps that change exactly when a value
// does, and the Map<number, bigint> view older callers use.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VMCS, VMCS_FIELDS } from '../arch/vmcs/fields.ts';
import { FIELD_COUNT, FIELD_ENCODINGS, fieldIndex, valuesOf, VmcsValues } from './vmcs-values.ts';

const RIP = fieldIndex(VMCS.GUEST_RIP!);
const u64 = fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn });

describe('field index', () => {
  it('covers every full-access field once, and nothing else', () => {
    const full = VMCS_FIELDS.filter((f) => !f.high);
    expect(FIELD_COUNT).toBe(full.length);
    full.forEach((f, i) => expect(fieldIndex(f.encoding)).toBe(i));
    expect(new Set(FIELD_ENCODINGS).size).toBe(FIELD_COUNT);
    for (const f of VMCS_FIELDS.filter((x) => x.high)) expect(fieldIndex(f.encoding)).toBe(-1);
    expect(fieldIndex(0x7ffe)).toBe(-1);
    expect(fieldIndex(-2)).toBe(-1);
    expect(fieldIndex(0x1_0000)).toBe(-1);
  });
});

describe('VmcsValues', () => {
  it('keeps 64-bit values exactly through bigint, halves and numbers', () => {
    fc.assert(fc.property(u64, (v) => {
      const s = new VmcsValues();
      s.setBig(RIP, v);
      expect(s.big(RIP)).toBe(v);
      expect(s.hi[RIP]! * 2 ** 32 + s.lo[RIP]!).toBe(Number(v));
      expect(s.signed(RIP)).toBe(Number(BigInt.asIntN(64, v)));
      expect(s.get(VMCS.GUEST_RIP!)).toBe(v);
    }));
  });

  it('holds compares with a bigint exactly; setBigLow32 keeps bits 31:0', () => {
    fc.assert(fc.property(u64, u64, (a, b) => {
      const s = new VmcsValues();
      s.setBig(RIP, a);
      expect(s.holds(RIP, a)).toBe(true);
      expect(s.holds(RIP, b)).toBe(a === b);
      expect(s.holds(RIP, a + (1n << 64n))).toBe(false);
      s.setBigLow32(RIP, b);
      expect(s.big(RIP)).toBe(b & 0xffff_ffffn);
    }));
  });

  it('setNum stores a signed canonical number as its two\'s complement, as the executor keeps linear addresses', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 47), max: 2 ** 47 - 1 }), (n) => {
      const s = new VmcsValues();
      s.setNum(RIP, n);
      expect(s.big(RIP)).toBe(BigInt.asUintN(64, BigInt(n)));
      expect(s.signed(RIP)).toBe(n);
    }));
  });

  it('a stamp changes when the value changes and only then; the first write makes a field present', () => {
    const s = new VmcsValues();
    expect(s.stamp(RIP)).toBe(0);
    expect(s.has(VMCS.GUEST_RIP!)).toBe(false);
    s.setU32(RIP, 0);
    const first = s.stamp(RIP);
    expect(first).toBeGreaterThan(0);
    expect(s.has(VMCS.GUEST_RIP!)).toBe(true);
    s.setBig(RIP, 0n);
    expect(s.stamp(RIP)).toBe(first);
    s.setNum(RIP, 5);
    expect(s.stamp(RIP)).toBeGreaterThan(first);
    const second = s.stamp(RIP);
    s.set(VMCS.GUEST_RIP!, 5n);
    expect(s.stamp(RIP)).toBe(second);
  });

  it('a copy holds the same values and stamps, and the two change apart', () => {
    const s = new VmcsValues([[VMCS.GUEST_RIP!, 7n], [VMCS.HOST_RSP!, 0xffff_8880_0000_1000n], [0x7ff0, 3n]]);
    const c = s.clone();
    expect([...c]).toEqual([...s]);
    expect(c.stamp(RIP)).toBe(s.stamp(RIP));
    c.setU32(RIP, 8);
    expect(s.big(RIP)).toBe(7n);
    expect(c.stamp(RIP)).not.toBe(s.stamp(RIP));
  });

  it('behaves as a Map of the written fields by encoding, unknown encodings included', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...FIELD_ENCODINGS, 0x7ff0, 0x7ff2), u64), { maxLength: 40 }), (writes) => {
      const s = new VmcsValues();
      const m = new Map<number, bigint>();
      for (const [k, v] of writes) {
        s.set(k, v);
        m.set(k, v);
      }
      expect(s.size).toBe(m.size);
      expect(new Map(s)).toEqual(m);
      for (const k of m.keys()) expect(s.get(k)).toBe(m.get(k));
      const k0 = writes[0]?.[0];
      if (k0 !== undefined) {
        expect(s.delete(k0)).toBe(true);
        expect(s.has(k0)).toBe(false);
        expect(s.size).toBe(m.size - 1);
      }
      s.clear();
      expect(s.size).toBe(0);
    }));
  });

  it('valuesOf turns a VMCS built with a plain Map into a store with the same entries', () => {
    const vmcs = { fields: new Map<number, bigint>([[VMCS.GUEST_RIP!, 0x1234n]]) };
    const s = valuesOf(vmcs);
    expect(vmcs.fields).toBe(s);
    expect(s.big(RIP)).toBe(0x1234n);
    expect(valuesOf(vmcs)).toBe(s);
  });
});
