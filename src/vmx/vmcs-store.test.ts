// The VMCS store's width rules outside 64-bit mode and the region layout VMCLEAR writes
// (SDM Vol. 3C §25.11.2; §25.2 "Format of the VMCS Region").
import { describe, expect, it } from 'vitest';
import { flushToRegion, loadFromRegion, readField, REGION_MAGIC, writeField, type FieldResolver } from './vmcs-store.ts';
import type { ActiveVmcs } from './vmx-state.ts';
import { PROFILES } from '../arch/profiles/index.ts';
import { supportedFields } from '../arch/vmcs/exists.ts';

const resolve: FieldResolver = (e) => ({ 0x0800: { width: 16 as const, readOnly: false }, 0x2000: { width: 64 as const, readOnly: false }, 0x681e: { width: 'natural' as const, readOnly: false }, 0x4402: { width: 32 as const, readOnly: true } })[e];
const vmcs = (): ActiveVmcs => ({ addr: 0x1000, launch: 'clear', shadow: false, fields: new Map() });

function memory() {
  const bytes = new Map<number, number>();
  return {
    readPhys(a: number, size: number) {
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes.get(a + i) ?? 0);
      return v;
    },
    writePhys(a: number, size: number, v: bigint) {
      for (let i = 0; i < size; i++) bytes.set(a + i, Number((v >> BigInt(8 * i)) & 0xffn));
    },
  };
}

describe('width rules with 32-bit operands (outside IA-32e mode)', () => {
  it('a 64-bit or natural-width write sets bits 31:0 and clears 63:32; a read returns bits 31:0', () => {
    const v = vmcs();
    writeField(v, 0x2000n, 0xffff_ffff_ffff_ffffn, resolve, false, true);
    writeField(v, 0x2000n, 0x1234_5678n, resolve, false, false);
    expect(readField(v, 0x2000n, resolve, true)).toEqual({ ok: true, value: 0x1234_5678n });
    writeField(v, 0x681en, 0xaaaa_bbbb_cccc_ddddn, resolve, false, true);
    expect(readField(v, 0x681en, resolve, false)).toEqual({ ok: true, value: 0xcccc_ddddn });
  });
  it('read-only fields refuse writes unless IA32_VMX_MISC[29]', () => {
    const v = vmcs();
    expect(writeField(v, 0x4402n, 1n, resolve, false, true)).toEqual({ ok: false, error: 13 });
    expect(writeField(v, 0x4402n, 1n, resolve, true, true)).toEqual({ ok: true });
  });
});

describe('region layout', () => {
  it('round-trips every non-zero field through VMCLEAR and VMPTRLD, leaving offsets 0-7 alone', () => {
    const mem = memory();
    mem.writePhys(0x1000, 4, 0x12n);
    mem.writePhys(0x1004, 4, 0x99n);
    const v = vmcs();
    v.fields.set(0x0800, 0x10n);
    v.fields.set(0x2000, 0x1_2345_6000n);
    v.fields.set(0x681e, 0xffff_8880_0010_0000n);
    v.fields.set(0x4402, 0n);
    expect(flushToRegion(v, mem, 4096)).toBe(0);
    expect(mem.readPhys(0x1000, 4)).toBe(0x12n);
    expect(mem.readPhys(0x1004, 4)).toBe(0x99n);
    expect(mem.readPhys(0x1008, 4)).toBe(REGION_MAGIC);
    expect([...loadFromRegion(0x1000, mem, 4096)]).toEqual([[0x0800, 0x10n], [0x2000, 0x1_2345_6000n], [0x681e, 0xffff_8880_0010_0000n]]);
  });
  it('a region never cleared by the processor reads as all zero', () => {
    expect(loadFromRegion(0x1000, memory(), 4096).size).toBe(0);
  });
  it.each(PROFILES.map((p) => [p.id, p] as const))('every field of %s, all non-zero, fits in its IA32_VMX_BASIC region size', (_id, p) => {
    const size = Number((p.msrs[0x480]! >> 32n) & 0x1fffn);
    const v = vmcs();
    for (const f of supportedFields(p)) if (!f.high) v.fields.set(f.encoding, 0xffff_ffff_ffff_ffffn);
    const mem = memory();
    expect(flushToRegion(v, mem, size)).toBe(0);
    expect(loadFromRegion(0x1000, mem, size).size).toBe(v.fields.size);
  });
});
