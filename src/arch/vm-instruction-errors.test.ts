import { describe, expect, expectTypeOf, it } from 'vitest';
import { VMX_ERROR, VM_INSTRUCTION_ERRORS, vmInstructionError, type VmxErrorName } from './vm-instruction-errors.ts';

describe('VM-instruction errors (SDM Vol. 3C §31.4)', () => {
  it('VMX_ERROR maps every short name to its number', () => {
    expect(Object.keys(VMX_ERROR)).toHaveLength(VM_INSTRUCTION_ERRORS.length);
    expect(VMX_ERROR.VMPTRLD_INCORRECT_VMCS_REVISION_ID).toBe(11);
    expect(VMX_ERROR.ENTRY_INVALID_HOST_STATE_FIELD).toBe(8);
    expect(VMX_ERROR.INVALID_OPERAND_TO_INVEPT_INVVPID).toBe(28);
    for (const [name, n] of Object.entries(VMX_ERROR)) expect(vmInstructionError(n)?.linux).toBe(`VMXERR_${name}`);
  });
  it('is typed by name (not {}), so a misspelt name does not compile', () => {
    expectTypeOf(VMX_ERROR).toHaveProperty('VMCALL_IN_VMX_ROOT_OPERATION');
    expectTypeOf<'VMLAUNCH_NONCLEAR_VMCS'>().toMatchTypeOf<VmxErrorName>();
    expectTypeOf<'NOT_AN_ERROR'>().not.toMatchTypeOf<VmxErrorName>();
    // @ts-expect-error: no such error
    expect(VMX_ERROR.NOT_AN_ERROR).toBeUndefined();
  });
});
