import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PhysicalMemory, PAGE_SIZE } from './memory.ts';

describe('PhysicalMemory', () => {
  it('reads zero from RAM never written and 0xFF outside RAM', () => {
    const m = new PhysicalMemory(1 << 20);
    expect(m.read8(0x1234)).toBe(0);
    expect(m.read32(0x1000)).toBe(0);
    expect(m.read8(1 << 20)).toBe(0xff);
    expect(m.read32((1 << 20) - 2)).toBe(0xffff0000);
    expect(m.read64(1 << 20)).toBe(0xffffffffffffffffn);
    expect(m.pageCount).toBe(0);
  });

  it('drops writes outside RAM', () => {
    const m = new PhysicalMemory(PAGE_SIZE);
    m.write32(PAGE_SIZE - 2, 0x11223344);
    expect(m.read16(PAGE_SIZE - 2)).toBe(0x3344);
    expect(m.read8(PAGE_SIZE)).toBe(0xff);
    expect(m.pageCount).toBe(1);
  });

  it('stores little-endian values, across page boundaries too', () => {
    const m = new PhysicalMemory(1 << 20);
    m.write64(0x1ffc, 0x0102030405060708n);
    expect(m.read8(0x1ffc)).toBe(0x08);
    expect(m.read8(0x2003)).toBe(0x01);
    expect(m.read32(0x1ffe)).toBe(0x03040506);
    expect(m.read64(0x1ffc)).toBe(0x0102030405060708n);
    m.write16(0x2fff, 0xabcd);
    expect(m.read16(0x2fff)).toBe(0xabcd);
    expect(m.read8(0x3000)).toBe(0xab);
  });

  it('writeBytes/readBytes round-trip over several pages', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 * PAGE_SIZE }), fc.uint8Array({ maxLength: 3 * PAGE_SIZE }), (addr, bytes) => {
        const m = new PhysicalMemory(8 * PAGE_SIZE);
        m.writeBytes(addr, bytes);
        expect(m.readBytes(addr, bytes.length)).toEqual(bytes);
      }),
      { numRuns: 50 },
    );
  });

  it('a snapshot is not changed by later writes (copy on write) and can be restored twice', () => {
    const m = new PhysicalMemory(1 << 20);
    m.write32(0x5000, 1);
    m.write32(0x6000, 2);
    const s = m.snapshot();
    m.write32(0x5000, 99);
    m.write32(0x7000, 3);
    expect(m.read32(0x5000)).toBe(99);
    m.restore(s);
    expect(m.read32(0x5000)).toBe(1);
    expect(m.read32(0x6000)).toBe(2);
    expect(m.read32(0x7000)).toBe(0);
    m.write32(0x6000, 42);
    m.restore(s);
    expect(m.read32(0x6000)).toBe(2);
  });

  it('two snapshots in a row each keep their own contents', () => {
    const m = new PhysicalMemory(1 << 20);
    m.write8(0x10, 1);
    const a = m.snapshot();
    m.write8(0x10, 2);
    const b = m.snapshot();
    m.write8(0x10, 3);
    m.restore(a);
    expect(m.read8(0x10)).toBe(1);
    m.restore(b);
    expect(m.read8(0x10)).toBe(2);
  });

  it('writes after a snapshot copy only the touched page', () => {
    const m = new PhysicalMemory(1 << 20);
    for (let i = 0; i < 10; i++) m.write8(i * PAGE_SIZE, i);
    const s = m.snapshot();
    m.write8(3 * PAGE_SIZE, 0xee);
    expect(s.pages.get(3)![0]).toBe(3);
    expect(s.pages.get(4)).toBe((m as unknown as { pages: Map<number, Uint8Array> }).pages.get(4));
  });

  it('addresses above 4 GiB work (sparse)', () => {
    const m = new PhysicalMemory(2 ** 36);
    m.write64(2 ** 35 + 8, 0xdeadbeefcafef00dn);
    expect(m.read64(2 ** 35 + 8)).toBe(0xdeadbeefcafef00dn);
    expect(m.read64(8)).toBe(0n);
    expect(m.pageCount).toBe(1);
  });

  it('refuses a size that is not a multiple of 4 KiB', () => {
    expect(() => new PhysicalMemory(1000)).toThrow(RangeError);
  });
});
