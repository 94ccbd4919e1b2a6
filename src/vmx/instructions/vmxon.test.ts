// VMXON, every outcome of its operation section (SDM Vol. 3C §31.3), on every profile.
import { describe, expect, it } from 'vitest';
import { CR0, CR4 } from '../../arch/cr.ts';
import { RFLAGS } from '../../arch/rflags.ts';
import { SegIndex } from '../../x86/state.ts';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { instructionError, outcomeOf, REGION, rootWithVmcs, vmxon } from '../testing/flow.ts';
import { makeRig } from '../testing/rig.ts';

/** Lowest CR4 bit below 32 that IA32_VMX_CR4_FIXED1 reports as fixed to 0. */
function cr4BitFixedTo0(fixed1: bigint): number {
  for (let b = 0; b < 32; b++) if (((fixed1 >> BigInt(b)) & 1n) === 0n) return b;
  throw new Error('no fixed-0 CR4 bit');
}

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('VMXON on %s', (_id, p) => {
  it('succeeds from the lab starting state and enters VMX root operation with no current VMCS', () => {
    const rig = makeRig(p);
    expect(vmxon(rig, p)).toBeUndefined();
    expect(outcomeOf(rig)).toBe('VMsucceed');
    expect(rig.model.mode()).toBe('root');
    expect(rig.model.vmxonPointer()).toBe(BigInt(REGION.vmxon));
    expect(rig.model.currentPointer()).toBe(0xffff_ffff_ffff_ffffn);
  });

  describe('#UD', () => {
    it('when CR4.VMXE = 0', () => {
      const rig = makeRig(p);
      rig.cpu.state.cr4 &= ~Number(CR4.mask.VMXE);
      expect(vmxon(rig, p)?.shortName).toBe('#UD');
      expect(rig.model.mode()).toBe('off');
    });
    it('in real-address mode (CR0.PE = 0)', () => {
      const rig = makeRig(p);
      rig.cpu.state.cr0 &= ~Number(CR0.mask.PE);
      expect(vmxon(rig, p)?.shortName).toBe('#UD');
    });
    it('in virtual-8086 mode', () => {
      const rig = makeRig(p);
      rig.cpu.state.rflags |= Number(RFLAGS.mask.VM);
      expect(vmxon(rig, p)?.shortName).toBe('#UD');
    });
    it('in compatibility mode (LMA = 1, CS.L = 0)', () => {
      const rig = makeRig(p);
      rig.cpu.state.segAr[SegIndex.CS] = 0xc09b;
      expect(vmxon(rig, p)?.shortName).toBe('#UD');
    });
  });

  describe('#GP(0) outside VMX operation', () => {
    it('at CPL 3', () => {
      const rig = makeRig(p);
      rig.cpu.state.segSel[SegIndex.CS] = 0x0b;
      expect(vmxon(rig, p)).toMatchObject({ vector: 13, errorCode: 0 });
    });
    it('in A20M mode', () => {
      const rig = makeRig(p);
      rig.env.platform.a20Enabled = false;
      expect(vmxon(rig, p)?.shortName).toBe('#GP');
    });
    it('with CR0.NE = 0 (IA32_VMX_CR0_FIXED0)', () => {
      const rig = makeRig(p);
      rig.cpu.state.cr0 &= ~Number(CR0.mask.NE);
      const f = vmxon(rig, p);
      expect(f?.shortName).toBe('#GP');
      expect(f?.reason).toContain('CR0.NE');
    });
    it('with a CR4 bit that IA32_VMX_CR4_FIXED1 fixes to 0', () => {
      const rig = makeRig(p);
      rig.cpu.state.cr4 |= 1 << cr4BitFixedTo0(p.msrs[0x489]!);
      expect(vmxon(rig, p)?.shortName).toBe('#GP');
    });
    it('with IA32_FEATURE_CONTROL unlocked', () => {
      const rig = makeRig(p, { featureControl: 0x4n });
      expect(vmxon(rig, p)?.reason).toContain('lock');
    });
    it('with VMX outside SMX disabled in IA32_FEATURE_CONTROL', () => {
      const rig = makeRig(p, { featureControl: 0x1n });
      expect(vmxon(rig, p)?.reason).toContain('outside SMX');
    });
  });

  describe('VMfailInvalid', () => {
    it.each([
      ['not 4-KByte aligned', BigInt(REGION.vmxon) + 0x800n],
      ['one byte past a page boundary', BigInt(REGION.vmxon) + 1n],
      ['at MAXPHYADDR', 1n << BigInt(p.maxPhysAddr)],
      ['with bit 63 set', 1n << 63n],
    ])('when the VMXON pointer is %s', (_what, addr) => {
      const rig = makeRig(p);
      expect(vmxon(rig, p, addr)).toBeUndefined();
      expect(outcomeOf(rig)).toBe('VMfailInvalid');
      expect(rig.model.mode()).toBe('off');
    });
    it('accepts the last page below MAXPHYADDR', () => {
      const rig = makeRig(p);
      expect(vmxon(rig, p, (1n << BigInt(p.maxPhysAddr)) - 0x1000n)).toBeUndefined();
      expect(outcomeOf(rig)).toBe('VMsucceed');
    });
    it('when the revision identifier differs from IA32_VMX_BASIC[30:0]', () => {
      const rig = makeRig(p);
      vmxon(rig, p, BigInt(REGION.vmxon), 0x1234n);
      expect(outcomeOf(rig)).toBe('VMfailInvalid');
    });
    it('when bit 31 of the revision dword is set', () => {
      const rig = makeRig(p);
      vmxon(rig, p, BigInt(REGION.vmxon), (p.msrs[0x480]! & 0x7fff_ffffn) | 0x8000_0000n);
      expect(outcomeOf(rig)).toBe('VMfailInvalid');
    });
  });

  describe('in VMX root operation', () => {
    it('VMfailInvalid (VMfail(15) without a current VMCS)', () => {
      const rig = makeRig(p);
      vmxon(rig, p);
      vmxon(rig, p);
      expect(outcomeOf(rig)).toBe('VMfailInvalid');
    });
    it('VMfailValid(15) with a current VMCS', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      vmxon(rig, p);
      expect(outcomeOf(rig)).toBe('VMfailValid');
      expect(instructionError(rig)).toBe(15n);
    });
    it('#GP(0) at CPL 3', () => {
      const rig = makeRig(p);
      vmxon(rig, p);
      rig.cpu.state.segSel[SegIndex.CS] = 0x0b;
      expect(vmxon(rig, p)?.shortName).toBe('#GP');
    });
  });
});
