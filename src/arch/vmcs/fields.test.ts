import { describe, expect, it } from 'vitest';
import { duplicates, sdmRefProblems } from '../check.ts';
import { findControl } from '../controls/index.ts';
import { PROFILES, findProfile } from '../profiles/index.ts';
import { NASM_IDENTIFIER } from '../symbols.ts';
import { decodeEncoding, makeEncoding } from './encoding.ts';
import { fieldExists, supportedFields } from './exists.ts';
import { VMCS, VMCS_FIELDS, fieldByEncoding } from './fields.ts';

describe('VMCS field table (SDM Vol. 3D Appendix B)', () => {
  it('encodings and names are unique; names are NASM identifiers', () => {
    expect(duplicates(VMCS_FIELDS.map((f) => f.encoding))).toEqual([]);
    expect(duplicates(VMCS_FIELDS.map((f) => f.name))).toEqual([]);
    for (const f of VMCS_FIELDS) expect(f.name).toMatch(NASM_IDENTIFIER);
  });

  it.each(VMCS_FIELDS.map((f) => [f.name, f] as const))('%s: encoding bits agree with width, area and access type', (_n, f) => {
    const d = decodeEncoding(f.encoding);
    expect(d.width).toBe(f.width);
    expect(d.area).toBe(f.area);
    expect(d.high).toBe(f.high);
    expect(d.reservedBits).toBe(false);
    expect(d.badHighAccess).toBe(false);
    expect(makeEncoding(f.width, f.area, d.index, f.high)).toBe(f.encoding);
    expect(f.doc.length).toBeGreaterThan(5);
    expect(sdmRefProblems(f.name, f.sdm)).toEqual([]);
  });

  it('every 64-bit field has its HIGH alias at encoding | 1', () => {
    for (const f of VMCS_FIELDS.filter((x) => x.width === '64' && !x.high)) {
      const h = fieldByEncoding(f.encoding | 1);
      expect(h?.name).toBe(`${f.name}_HIGH`);
      expect(h?.high).toBe(true);
    }
    expect(VMCS_FIELDS.filter((f) => f.high).every((h) => fieldByEncoding(h.encoding & ~1)?.width === '64')).toBe(true);
  });

  it('every required feature is a known control', () => {
    for (const f of VMCS_FIELDS) {
      if (f.requires === null || f.requires === 'seam') continue;
      for (const c of f.requires) expect(findControl(c), `${f.name} requires ${c}`).toBeDefined();
    }
  });

  it('well-known encodings (Linux vmx.h)', () => {
    expect(VMCS.GUEST_RIP).toBe(0x681e);
    expect(VMCS.HOST_CR3).toBe(0x6c02);
    expect(VMCS.CPU_BASED_VM_EXEC_CONTROL).toBe(0x4002);
    expect(VMCS.VM_INSTRUCTION_ERROR).toBe(0x4400);
    expect(VMCS.IO_BITMAP_A_HIGH).toBe(0x2001);
    expect(VMCS.EPT_POINTER).toBe(0x201a);
    expect(VMCS.VMCS_LINK_POINTER).toBe(0x2800);
    expect(VMCS.GUEST_TR_AR_BYTES).toBe(0x4822);
    expect(VMCS.HOST_TR_SELECTOR).toBe(0x0c0c);
    expect(VMCS.GUEST_INTR_SSP_TABLE).toBe(0x682c);
  });

  it('decodes reserved and malformed encodings', () => {
    expect(decodeEncoding(0x1000).reservedBits).toBe(true);
    expect(decodeEncoding(0x8000).reservedBits).toBe(true);
    expect(decodeEncoding(0x4001).badHighAccess).toBe(true);
    expect(fieldByEncoding(0x482c)).toBeUndefined();
  });
});

describe('which fields a processor implements', () => {
  it('always-present fields exist on every profile', () => {
    for (const p of PROFILES) for (const f of VMCS_FIELDS.filter((x) => x.requires === null)) expect(fieldExists(f, p.msrs)).toBe(true);
  });
  it('Skylake has EPT, PML and shadowing fields but no tertiary or CET fields', () => {
    const names = new Set(supportedFields(findProfile('skylake-client')!).map((f) => f.name));
    for (const n of ['EPT_POINTER', 'GUEST_PML_INDEX', 'VMREAD_BITMAP', 'EPTP_LIST_ADDRESS', 'XSS_EXIT_BITMAP', 'GUEST_PDPTR0']) expect(names.has(n), n).toBe(true);
    for (const n of ['TERTIARY_VM_EXEC_CONTROL', 'GUEST_S_CET', 'SHARED_EPT_POINTER', 'HOST_IA32_FRED_CONFIG', 'TSC_MULTIPLIER']) expect(names.has(n), n).toBe(false);
  });
});
