// VMXOFF, VMCLEAR, VMPTRLD and VMPTRST: every outcome (SDM Vol. 3C §31.3), on every profile,
// and several VMCSes with their own launch states.
import { describe, expect, it } from 'vitest';
import { SegIndex } from '../../x86/state.ts';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { REGION_MAGIC, REGION_MAGIC_OFFSET } from '../vmcs-store.ts';
import { instructionError, OPERAND, outcomeOf, REGION, revisionOf, rootWithVmcs, vmclear, vmptrld, vmxon, withPointer } from '../testing/flow.ts';
import { insn, makeRig, mem, r64 } from '../testing/rig.ts';

const PROC2 = 0x48b;

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('VMCS pointer instructions on %s', (_id, p) => {
  const VMCS = BigInt(REGION.vmcs);
  const beyond = 1n << BigInt(p.maxPhysAddr);

  describe('outside VMX operation', () => {
    it.each(['vmxoff', 'vmclear', 'vmptrld', 'vmptrst'])('%s raises #UD', (m) => {
      const rig = makeRig(p);
      const f = m === 'vmxoff' ? rig.exec(insn(m)) : withPointer(rig, m, OPERAND.vmclear, VMCS);
      expect(f?.shortName).toBe('#UD');
    });
  });

  describe('VMCLEAR', () => {
    it('succeeds, writes the lab layout marker, and leaves no current VMCS when it clears the current one', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      expect(rig.model.currentPointer()).toBe(VMCS);
      vmclear(rig, VMCS);
      expect(outcomeOf(rig)).toBe('VMsucceed');
      expect(rig.model.currentPointer()).toBe(0xffff_ffff_ffff_ffffn);
      expect(rig.read(REGION.vmcs + REGION_MAGIC_OFFSET, 4)).toBe(REGION_MAGIC);
      expect(rig.read(REGION.vmcs, 4)).toBe(revisionOf(p));
    });
    it.each([
      ['unaligned', VMCS + 8n],
      ['beyond MAXPHYADDR', beyond],
    ])('VMfailInvalid with an %s operand and no current VMCS', (_w, addr) => {
      const rig = makeRig(p);
      vmxon(rig, p);
      vmclear(rig, addr);
      expect(outcomeOf(rig)).toBe('VMfailInvalid');
    });
    it('VMfailValid(2) for an invalid address, reported in the current VMCS', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      vmclear(rig, beyond);
      expect(outcomeOf(rig)).toBe('VMfailValid');
      expect(instructionError(rig)).toBe(2n);
    });
    it('VMfailValid(3) for the VMXON pointer', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      vmclear(rig, BigInt(REGION.vmxon));
      expect(instructionError(rig)).toBe(3n);
    });
    it('#GP(0) at CPL 3', () => {
      const rig = makeRig(p);
      vmxon(rig, p);
      rig.cpu.state.segSel[SegIndex.CS] = 0x0b;
      expect(vmclear(rig, VMCS)?.shortName).toBe('#GP');
    });
    it('#UD in compatibility mode', () => {
      const rig = makeRig(p);
      vmxon(rig, p);
      rig.cpu.state.segAr[SegIndex.CS] = 0xc09b;
      expect(vmclear(rig, VMCS)?.shortName).toBe('#UD');
    });
  });

  describe('VMPTRLD', () => {
    it('makes the VMCS current and active, launch state clear', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      expect(rig.model.vmcses()).toEqual([{ addr: VMCS, launch: 'clear', shadow: false, current: true }]);
    });
    it('VMfailValid(9) for an unaligned operand, VMfailInvalid without a current VMCS', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      vmptrld(rig, p, VMCS + 0x10n, null);
      expect(instructionError(rig)).toBe(9n);
      const fresh = makeRig(p);
      vmxon(fresh, p);
      vmptrld(fresh, p, beyond, null);
      expect(outcomeOf(fresh)).toBe('VMfailInvalid');
    });
    it('VMfailValid(10) for the VMXON pointer', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      vmptrld(rig, p, BigInt(REGION.vmxon), null);
      expect(instructionError(rig)).toBe(10n);
    });
    it('VMfailValid(11) for a wrong revision identifier, reported in the previous current VMCS', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      vmptrld(rig, p, BigInt(REGION.vmcs2), revisionOf(p) ^ 1n);
      expect(outcomeOf(rig)).toBe('VMfailValid');
      expect(instructionError(rig)).toBe(11n);
      expect(rig.model.currentPointer()).toBe(VMCS);
    });
    it('accepts the shadow-VMCS indicator only when the processor supports VMCS shadowing', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      vmptrld(rig, p, BigInt(REGION.vmcs2), revisionOf(p) | 0x8000_0000n);
      const shadowing = ((p.msrs[0x482] ?? 0n) >> 63n) === 1n && (((p.msrs[PROC2] ?? 0n) >> 46n) & 1n) === 1n;
      if (shadowing) {
        expect(outcomeOf(rig)).toBe('VMsucceed');
        expect(rig.model.vmcses().find((v) => v.current)?.shadow).toBe(true);
      } else {
        expect(instructionError(rig)).toBe(11n);
      }
    });
  });

  describe('VMPTRST', () => {
    it('stores FFFFFFFF_FFFFFFFFH without a current VMCS and the pointer with one; never fails', () => {
      const rig = makeRig(p);
      vmxon(rig, p);
      rig.exec(insn('vmptrst', [mem(null, BigInt(OPERAND.vmptrst))]));
      expect(outcomeOf(rig)).toBe('VMsucceed');
      expect(rig.read(OPERAND.vmptrst, 8)).toBe(0xffff_ffff_ffff_ffffn);
      vmclear(rig, VMCS);
      vmptrld(rig, p, VMCS);
      rig.exec(insn('vmptrst', [mem(null, BigInt(OPERAND.vmptrst))]));
      expect(rig.read(OPERAND.vmptrst, 8)).toBe(VMCS);
    });
  });

  describe('VMXOFF', () => {
    it('leaves VMX operation; a second VMXOFF raises #UD', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      expect(rig.exec(insn('vmxoff'))).toBeUndefined();
      expect(outcomeOf(rig)).toBe('VMsucceed');
      expect(rig.model.mode()).toBe('off');
      expect(rig.exec(insn('vmxoff'))?.shortName).toBe('#UD');
    });
    it('#GP(0) at CPL 3', () => {
      const rig = makeRig(p);
      vmxon(rig, p);
      rig.cpu.state.segSel[SegIndex.CS] = 0x0b;
      expect(rig.exec(insn('vmxoff'))?.shortName).toBe('#GP');
    });
  });

  describe('several VMCSes', () => {
    it('keep their own field values across VMPTRLD switches and through VMCLEAR + VMPTRLD', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      const write = (enc: bigint, v: bigint) => {
        rig.cpu.state.setGpr64(0, enc);
        rig.cpu.state.setGpr64(1, v);
        rig.exec(insn('vmwrite', [r64(0), r64(1)]));
        expect(outcomeOf(rig)).toBe('VMsucceed');
      };
      const read = (enc: bigint): bigint => {
        rig.cpu.state.setGpr64(0, enc);
        rig.exec(insn('vmread', [r64(2), r64(0)]));
        return rig.cpu.state.getGpr64(2);
      };
      write(0x681en, 0x1111n); // GUEST_RIP
      vmclear(rig, BigInt(REGION.vmcs2));
      vmptrld(rig, p, BigInt(REGION.vmcs2));
      write(0x681en, 0x2222n);
      vmptrld(rig, p, VMCS);
      expect(read(0x681en)).toBe(0x1111n);
      vmclear(rig, VMCS);
      expect(rig.model.vmcses().map((v) => v.addr)).toEqual([BigInt(REGION.vmcs2)]);
      vmptrld(rig, p, VMCS);
      expect(read(0x681en)).toBe(0x1111n);
      vmptrld(rig, p, BigInt(REGION.vmcs2));
      expect(read(0x681en)).toBe(0x2222n);
    });
  });
});
