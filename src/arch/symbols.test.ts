import { describe, expect, it } from 'vitest';
import { duplicates } from './check.ts';
import { NASM_IDENTIFIER, predefinedSymbols } from './symbols.ts';

describe('predefined symbols', () => {
  const syms = predefinedSymbols();
  const byName = new Map(syms.map((s) => [s.name, s.value]));
  it('names are unique valid NASM identifiers, values fit 64 bits, docs present', () => {
    expect(duplicates(syms.map((s) => s.name))).toEqual([]);
    for (const s of syms) {
      expect(s.name, s.name).toMatch(NASM_IDENTIFIER);
      expect(s.value >= 0n && s.value < 1n << 64n, s.name).toBe(true);
      expect(s.doc.length, s.name).toBeGreaterThan(3);
    }
  });
  it('contains the names DESIGN section 4 promises', () => {
    expect(byName.get('LAB_BASE')).toBe(0xffff_8880_0010_0000n);
    expect(byName.get('PHYS_OFFSET')).toBe(0xffff_8880_0000_0000n);
    expect(byName.get('X86_CR4_VMXE')).toBe(1n << 13n);
    expect(byName.get('X86_CR4_VMXE_BIT')).toBe(13n);
    expect(byName.get('X86_CR0_PG')).toBe(1n << 31n);
    expect(byName.get('MSR_IA32_FEATURE_CONTROL')).toBe(0x3an);
    expect(byName.get('IA32_FEATURE_CONTROL')).toBe(0x3an);
    expect(byName.get('MSR_IA32_VMX_BASIC')).toBe(0x480n);
    expect(byName.get('IA32_VMX_BASIC')).toBe(0x480n);
    expect(byName.get('FEAT_CTL_LOCKED')).toBe(1n);
    expect(byName.get('FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX')).toBe(4n);
    expect(byName.get('FEAT_CTL_VMX_ENABLED_INSIDE_SMX')).toBe(2n);
    expect(byName.get('X86_EFLAGS_CF')).toBe(1n);
    expect(byName.get('X86_EFLAGS_ZF')).toBe(0x40n);
    expect(byName.get('EFER_NX')).toBe(0x800n);
    expect(byName.get('X86_TRAP_GP')).toBe(13n);
  });
});
