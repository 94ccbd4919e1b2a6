import { describe, expect, it } from 'vitest';
import {
  ACCESS_RIGHTS, CODE_DATA_TYPES, SELECTOR, SYSTEM_TYPE, SYSTEM_TYPES, TSS64, TSS64_SIZE, accessRightsOf,
  effectiveLimit, packDescriptor, packGate64, packSystemDescriptorHigh, unpackDescriptor, unpackGate64,
} from './segments.ts';

describe('segment selectors (SDM Vol. 3A §3.4.2)', () => {
  it('splits RPL, TI and index', () => {
    expect(SELECTOR.get(0x2bn, 'RPL')).toBe(3n);
    expect(SELECTOR.get(0x2bn, 'TI')).toBe(0n);
    expect(SELECTOR.get(0x2bn, 'INDEX')).toBe(5n);
    expect(SELECTOR.get(0x0cn, 'TI')).toBe(1n);
  });
});

describe('descriptors (SDM Vol. 3A §3.4.5)', () => {
  it('unpacks the flat 64-bit code descriptor 0x00AF9B000000FFFF', () => {
    const d = unpackDescriptor(0x00af_9b00_0000_ffffn);
    expect(d).toEqual({ base: 0n, limit: 0xfffff, type: 0xb, s: true, dpl: 0, p: true, avl: false, l: true, db: false, g: true });
    expect(effectiveLimit(d)).toBe(0xffff_ffffn);
    expect(accessRightsOf(0x00af_9b00_0000_ffffn)).toBe(0xa09bn);
    expect(ACCESS_RIGHTS.get(0xa09bn, 'L')).toBe(1n);
  });
  it('round-trips arbitrary descriptors', () => {
    for (const raw of [0x00cf_9300_0000_ffffn, 0x1234_5678_9abc_def0n & ~(1n << 52n), 0x0000_8900_1000_0067n]) {
      expect(packDescriptor(unpackDescriptor(raw))).toBe(raw);
    }
  });
  it('16-byte TSS descriptor carries base 63:32 in the upper half', () => {
    const base = 0xffff_8880_0012_3000n;
    const low = packDescriptor({ base, limit: 0x67, type: SYSTEM_TYPE.TSS_AVAILABLE, s: false, dpl: 0, p: true, avl: false, l: false, db: false, g: false });
    const d = unpackDescriptor(low, packSystemDescriptorHigh(base));
    expect(d.base).toBe(base);
    expect(d.type).toBe(9);
  });
  it('type tables are complete and ordered', () => {
    expect(CODE_DATA_TYPES.map((t) => t.type)).toEqual([...Array(16).keys()]);
    expect(SYSTEM_TYPES.map((t) => t.type)).toEqual([...Array(16).keys()]);
    expect(SYSTEM_TYPES.filter((t) => t.ia32e !== null).map((t) => t.type)).toEqual([2, 9, 0xb, 0xc, 0xe, 0xf]);
    expect(new Set(SYSTEM_TYPES.map((t) => t.id)).size).toBe(16);
  });
});

describe('64-bit gates and TSS (SDM Vol. 3A §6.14.1, §8.7)', () => {
  it('round-trips an interrupt gate', () => {
    const gate = { offset: 0xffff_8880_0010_1234n, selector: 8, ist: 1, type: SYSTEM_TYPE.INTERRUPT_GATE, dpl: 0, p: true };
    const [lo, hi] = packGate64(gate);
    expect(hi).toBe(0xffff_8880n);
    expect(lo).toBe(0x0010_8e01_0008_1234n);
    expect(unpackGate64(lo, hi)).toEqual(gate);
  });
  it('TSS layout: fields do not overlap and fit in 104 bytes', () => {
    let end = 0;
    for (const f of TSS64) {
      expect(f.offset).toBeGreaterThanOrEqual(end);
      end = f.offset + f.size;
    }
    expect(end).toBe(TSS64_SIZE);
  });
});
