import { describe, expect, it } from 'vitest';
import { findProfile } from '../profiles/index.ts';
import { adjustControls, controlCapability, controlsValid, vmxFixedBits } from './capabilities.ts';

const core2 = findProfile('core2-conroe')!.msrs;
const skl = findProfile('skylake-client')!.msrs;

describe('control capabilities (SDM Vol. 3D Appendix A.2-A.5)', () => {
  it('uses TRUE MSRs only when IA32_VMX_BASIC[55] = 1', () => {
    expect(controlCapability(core2, 'primary')).toEqual({ allowed0: 0x0401_e172n, allowed1: 0x77b9_fffen, msr: 0x482 });
    expect(controlCapability(skl, 'primary')).toEqual({ allowed0: 0x0400_6172n, allowed1: 0xfff9_fffen, msr: 0x48e });
  });
  it('a word without its MSR allows nothing', () => {
    expect(controlCapability(core2, 'secondary')).toBeNull();
    expect(controlCapability(skl, 'tertiary')).toBeNull();
    expect(controlCapability(skl, 'vmfunc')).toEqual({ allowed0: 0n, allowed1: 1n, msr: 0x491 });
  });
  it('adjusting a wish gives a valid value; the seeds\' HLT-exiting-only wish keeps default1 bits', () => {
    const cap = controlCapability(core2, 'primary')!;
    const v = adjustControls(0x80n | (1n << 31n), cap);
    expect(controlsValid(v, cap)).toBe(true);
    expect(v & (1n << 31n)).toBe(0n);
    expect(v & 0x0401_e172n).toBe(0x0401_e172n);
    expect(controlsValid(0x80n, cap)).toBe(false);
  });
  it('CR0/CR4 fixed bits', () => {
    expect(vmxFixedBits(skl, 'cr0')).toEqual({ fixed0: 0x8000_0021n, fixed1: 0xffff_ffffn });
    expect(vmxFixedBits(skl, 'cr4').fixed0).toBe(0x2000n);
  });
});
