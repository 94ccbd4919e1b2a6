import { describe, expect, it } from 'vitest';
import { bitfieldProblems, duplicates, sdmRefProblems } from './check.ts';
import { EXIT_REASONS, EXIT_REASON_FIELD, exitReasonInfo } from './exit-reasons.ts';
import { VMX_ERROR, VM_INSTRUCTION_ERRORS, vmInstructionError } from './vm-instruction-errors.ts';

describe('exit reasons (SDM Vol. 3D Appendix C)', () => {
  it('numbers and names unique, ascending, documented', () => {
    const nums = EXIT_REASONS.map((e) => e.reason);
    expect(duplicates(nums)).toEqual([]);
    expect([...nums].sort((a, b) => a - b)).toEqual(nums);
    expect(duplicates(EXIT_REASONS.map((e) => e.name))).toEqual([]);
    for (const e of EXIT_REASONS) {
      expect(e.doc.length).toBeGreaterThan(5);
      expect(sdmRefProblems(e.name, e.sdm)).toEqual([]);
    }
  });
  it('SDM 2016 reasons 0-64 are all present except the unused 35, 38, 42', () => {
    const have = new Set(EXIT_REASONS.map((e) => e.reason));
    for (let i = 0; i <= 64; i++) expect(have.has(i), String(i)).toBe(![35, 38, 42].includes(i));
  });
  it('entry failures and unconditional exits', () => {
    expect(EXIT_REASONS.filter((e) => e.entryFailure).map((e) => e.reason)).toEqual([33, 34, 41]);
    for (const n of [10, 11, 13, 18, 55]) expect(exitReasonInfo(n)?.unconditional).toBe(true);
    expect(exitReasonInfo(12)?.unconditional).toBe(false);
    expect(exitReasonInfo(0x8000_0021)?.name).toBe('INVALID_GUEST_STATE');
  });
  it('exit-reason field', () => {
    expect(bitfieldProblems(EXIT_REASON_FIELD)).toEqual([]);
    expect(EXIT_REASON_FIELD.get(0x8000_0021n, 'BASIC')).toBe(33n);
    expect(EXIT_REASON_FIELD.has(0x8000_0021n, 'ENTRY_FAILURE')).toBe(true);
  });
});

describe('VM-instruction errors (SDM Vol. 3C §31.4)', () => {
  it('1-28 without 14, 21, 27; names unique', () => {
    expect(VM_INSTRUCTION_ERRORS.map((e) => e.number)).toEqual([...Array(28).keys()].map((i) => i + 1).filter((n) => ![14, 21, 27].includes(n)));
    expect(duplicates(VM_INSTRUCTION_ERRORS.map((e) => e.linux))).toEqual([]);
    for (const e of VM_INSTRUCTION_ERRORS) expect(sdmRefProblems(e.linux, e.sdm)).toEqual([]);
  });
  it('lookups', () => {
    expect(VMX_ERROR.ENTRY_INVALID_CONTROL_FIELD).toBe(7);
    expect(VMX_ERROR.UNSUPPORTED_VMCS_COMPONENT).toBe(12);
    expect(vmInstructionError(14)).toBeUndefined();
    expect(vmInstructionError(28)?.text).toMatch(/INVEPT/);
  });
});
