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

describe('VMX predefined symbols', () => {
  const byName = new Map(predefinedSymbols().map((s) => [s.name, s.value]));
  it('VMCS fields, controls with seed aliases, exit reasons, errors, EPT constants', () => {
    expect(byName.get('GUEST_RIP')).toBe(0x681en);
    expect(byName.get('IO_BITMAP_A_HIGH')).toBe(0x2001n);
    expect(byName.get('HOST_EFER')).toBe(0x2c02n);
    expect(byName.get('GUEST_EFER')).toBe(0x2806n);
    expect(byName.get('VM_INSTRUCTION_ERROR')).toBe(0x4400n);
    expect(byName.get('CPU_BASED_HLT_EXITING')).toBe(0x80n);
    expect(byName.get('CPU_BASED_CTL2_ENABLE_EPT')).toBe(0x2n);
    expect(byName.get('SECONDARY_EXEC_ENABLE_EPT')).toBe(0x2n);
    expect(byName.get('VM_EXIT_HOST_ADDR_SPACE_SIZE')).toBe(0x200n);
    expect(byName.get('VM_ENTRY_IA32E_MODE')).toBe(0x200n);
    expect(byName.get('EXIT_REASON_HLT')).toBe(12n);
    expect(byName.get('EXIT_REASON_VMCALL')).toBe(18n);
    expect(byName.get('EXIT_REASON_INVALID_STATE')).toBe(33n);
    expect(byName.get('EXIT_REASON_INVALID_GUEST_STATE')).toBe(33n);
    expect(byName.get('VMXERR_VMPTRLD_INCORRECT_VMCS_REVISION_ID')).toBe(11n);
    expect(byName.get('VMX_EPTP_PWL_4')).toBe(0x18n);
    expect(byName.get('VMX_EPT_AD_BIT')).toBe(1n << 21n);
    expect(byName.get('VMX_VPID_INVVPID_BIT')).toBe(1n);
    expect(byName.get('VMX_EPT_EXTENT_CONTEXT')).toBe(1n);
    expect(byName.get('INTR_TYPE_HARD_EXCEPTION')).toBe(0x300n);
    expect(byName.get('INTR_INFO_VALID_MASK')).toBe(0x8000_0000n);
    expect(byName.get('CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR')).toBe(0x0401_e172n);
    expect(byName.get('VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR')).toBe(0x0003_6dffn);
  });
});
