import { describe, expect, it } from 'vitest';
import { bitfieldProblems } from './check.ts';
import { EPTP, EPT_LINUX_CONSTANTS, EPT_PDE_2M, EPT_PDPTE_1G, EPT_PTE, EPT_TABLE_ENTRY, INVALIDATION_TYPES, MEMORY_TYPES } from './ept.ts';
import {
  ENTRY_INTR_INFO, EXIT_INTR_INFO, GUEST_INTERRUPTIBILITY, INTERRUPTION_TYPES, PENDING_DEBUG_EXCEPTIONS, QUAL_APIC_ACCESS,
  QUAL_CR_ACCESS, QUAL_DEBUG, QUAL_EPT_VIOLATION, QUAL_IO, QUAL_MOV_DR, QUAL_TASK_SWITCH, VMX_INSTRUCTION_INFO,
} from './vmx-info.ts';

describe('EPT formats (SDM Vol. 3C §25.6.11, §29.2.2)', () => {
  it('are sound bitfields', () => {
    for (const bf of [EPTP, EPT_TABLE_ENTRY, EPT_PDPTE_1G, EPT_PDE_2M, EPT_PTE]) expect(bitfieldProblems(bf)).toEqual([]);
  });
  it('typical EPTP values: root | 0x1E (WB, 4-level), | 0x5E with A/D', () => {
    const v = 0x12_3000n | 0x5en;
    expect(EPTP.get(v, 'MEMORY_TYPE')).toBe(6n);
    expect(EPTP.get(v, 'PAGE_WALK_LENGTH')).toBe(3n);
    expect(EPTP.has(v, 'AD_ENABLE')).toBe(true);
    expect(EPTP.get(v, 'ROOT') << 12n).toBe(0x12_3000n);
  });
  it('Linux constants', () => {
    const c = Object.fromEntries(EPT_LINUX_CONSTANTS.map((x) => [x.name, x.value]));
    expect(c.VMX_EPTP_PWL_4).toBe(0x18n);
    expect(c.VMX_EPTP_PWL_5).toBe(0x20n);
    expect(c.VMX_EPT_RWX_MASK).toBe(7n);
    expect(c.VMX_EPT_LARGE_PAGE_MASK).toBe(0x80n);
  });
  it('memory types and invalidation types', () => {
    expect(MEMORY_TYPES.filter((m) => m.validInEpt).map((m) => m.value)).toEqual([0, 1, 4, 5, 6]);
    expect(INVALIDATION_TYPES.map((t) => `${t.instruction}${t.type}:${t.capabilityBit}`)).toEqual(['INVEPT1:25', 'INVEPT2:26', 'INVVPID0:40', 'INVVPID1:41', 'INVVPID2:42', 'INVVPID3:43']);
  });
});

describe('event and exit-information formats', () => {
  it('are sound bitfields', () => {
    for (const bf of [ENTRY_INTR_INFO, EXIT_INTR_INFO, GUEST_INTERRUPTIBILITY, PENDING_DEBUG_EXCEPTIONS, QUAL_CR_ACCESS, QUAL_MOV_DR, QUAL_IO, QUAL_TASK_SWITCH, QUAL_DEBUG, QUAL_APIC_ACCESS, QUAL_EPT_VIOLATION, VMX_INSTRUCTION_INFO]) {
      expect(bitfieldProblems(bf)).toEqual([]);
    }
  });
  it('injecting #GP with error code: 0x80000B0D', () => {
    let v = ENTRY_INTR_INFO.set(0n, 'VECTOR', 13n);
    v = ENTRY_INTR_INFO.set(v, 'TYPE', 3n);
    v = ENTRY_INTR_INFO.set(v, 'DELIVER_ERROR_CODE', true);
    expect(ENTRY_INTR_INFO.set(v, 'VALID', true)).toBe(0x8000_0b0dn);
    expect(INTERRUPTION_TYPES.map((t) => t.type)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
  it('CR access qualification of mov cr4, rbx', () => {
    const q = QUAL_CR_ACCESS.set(QUAL_CR_ACCESS.set(0n, 'CR', 4n), 'GPR', 3n);
    expect(q).toBe(0x304n);
    expect(QUAL_IO.get(0x0060_0008n, 'PORT')).toBe(0x60n);
  });
});
