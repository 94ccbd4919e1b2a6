// VMCALL, INVEPT, INVVPID and VMFUNC outcomes (SDM Vol. 3C §31.3; §26.5.6 "VM Functions"), and
// MOV to CR0/CR4 in VMX operation (§24.8 "Restrictions on VMX Operation"), on every profile.
import { describe, expect, it } from 'vitest';
import { CR0, CR4 } from '../../arch/cr.ts';
import { SegIndex } from '../../x86/state.ts';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { VmxCaps } from '../caps.ts';
import { instructionError, OPERAND, outcomeOf, rootWithVmcs, vmxon } from '../testing/flow.ts';
import { insn, makeRig, mem, r64, RIG_CR0, RIG_CR4, type Rig } from '../testing/rig.ts';

function caps(p: { msrs: Readonly<Record<number, bigint>>; maxPhysAddr: number }): VmxCaps {
  return new VmxCaps((i) => p.msrs[i] ?? 0n, p.maxPhysAddr);
}

function inv(rig: Rig, m: 'invept' | 'invvpid', type: bigint, lo: bigint, hi: bigint) {
  rig.cpu.state.setGpr64(0, type);
  rig.write(OPERAND.desc, 8, lo);
  rig.write(OPERAND.desc + 8, 8, hi);
  return rig.exec(insn(m, [r64(0), mem(null, BigInt(OPERAND.desc), 16)], 5));
}

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('other VMX instructions on %s', (_id, p) => {
  const c = caps(p);

  describe('VMCALL in VMX root operation', () => {
    it('#UD outside VMX operation, #GP(0) at CPL 3', () => {
      const rig = makeRig(p);
      expect(rig.exec(insn('vmcall', [], 3))?.shortName).toBe('#UD');
      vmxon(rig, p);
      rig.cpu.state.segSel[SegIndex.CS] = 0x0b;
      expect(rig.exec(insn('vmcall', [], 3))?.shortName).toBe('#GP');
    });
    it('VMfail(1): VMfailInvalid without a current VMCS, VMfailValid(1) with one', () => {
      const rig = makeRig(p);
      vmxon(rig, p);
      rig.exec(insn('vmcall', [], 3));
      expect(outcomeOf(rig)).toBe('VMfailInvalid');
      const r2 = makeRig(p);
      rootWithVmcs(r2, p);
      r2.exec(insn('vmcall', [], 3));
      expect(instructionError(r2)).toBe(1n);
    });
  });

  describe('INVEPT', () => {
    if (!c.ept || !c.invept) {
      it('#UD: the processor has no EPT or no INVEPT', () => {
        const rig = makeRig(p);
        rootWithVmcs(rig, p);
        expect(inv(rig, 'invept', 2n, 0n, 0n)?.shortName).toBe('#UD');
      });
      return;
    }
    const goodEptp = (c.eptCap('EPTP_WB') ? 6n : 0n) | (3n << 3n) | 0x5000n;
    it.each([0n, 1n, 2n, 3n, 1n << 32n])('type %s: VMfailValid(28) exactly when IA32_VMX_EPT_VPID_CAP lacks it', (type) => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      expect(inv(rig, 'invept', type, goodEptp, 0n)).toBeUndefined();
      expect(outcomeOf(rig)).toBe(c.inveptTypeSupported(type) ? 'VMsucceed' : 'VMfailValid');
      if (!c.inveptTypeSupported(type)) expect(instructionError(rig)).toBe(28n);
    });
    it('single-context with an EPTP VM entry would reject: VMfailValid(28)', () => {
      if (!c.inveptTypeSupported(1n)) return;
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      inv(rig, 'invept', 1n, 0x5000n | (3n << 3n) | 1n /* memory type 1 (WC) */, 0n);
      expect(instructionError(rig)).toBe(28n);
    });
  });

  describe('INVVPID', () => {
    if (!c.vpid || !c.invvpid) {
      it('#UD: the processor has no VPID or no INVVPID', () => {
        const rig = makeRig(p);
        rootWithVmcs(rig, p);
        expect(inv(rig, 'invvpid', 2n, 0n, 0n)?.shortName).toBe('#UD');
      });
      return;
    }
    it.each([0n, 1n, 2n, 3n, 4n])('type %s with VPID 1 and a canonical address', (type) => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      inv(rig, 'invvpid', type, 1n, 0x1000n);
      expect(outcomeOf(rig)).toBe(c.invvpidTypeSupported(type) ? 'VMsucceed' : 'VMfailValid');
    });
    it.each([
      ['VPID 0 for an individual address', 0n, 0n, 0x1000n],
      ['VPID 0 for single-context', 1n, 0n, 0n],
      ['reserved descriptor bits 63:16', 2n, 1n << 16n, 0n],
      ['a non-canonical address', 0n, 1n, 0x0000_8000_0000_0000n],
    ])('VMfailValid(28) for %s', (_w, type, lo, hi) => {
      if (!c.invvpidTypeSupported(type)) return;
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      inv(rig, 'invvpid', type, lo, hi);
      expect(instructionError(rig)).toBe(28n);
    });
  });

  describe('VMFUNC', () => {
    it('#UD in VMX root operation', () => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      expect(rig.exec(insn('vmfunc', [], 3))?.shortName).toBe('#UD');
    });
  });

  describe('MOV to CR0/CR4 in VMX operation', () => {
    it('#GP(0) when clearing CR0.NE, CR0.PG or CR4.VMXE; allowed before VMXON', () => {
      const rig = makeRig(p);
      const check = (cr: 0 | 4, v: number) => () => rig.model.hooks.checkCrWrite?.(rig.cpu, cr, v);
      expect(check(4, RIG_CR4 & ~Number(CR4.mask.VMXE))).not.toThrow();
      vmxon(rig, p);
      expect(check(0, RIG_CR0)).not.toThrow();
      expect(check(0, RIG_CR0 & ~Number(CR0.mask.NE))).toThrow(/CR0.NE/);
      expect(check(0, RIG_CR0 & ~Number(CR0.mask.PG))).toThrow(/CR0.PG/);
      expect(check(4, RIG_CR4 & ~Number(CR4.mask.VMXE))).toThrow(/CR4.VMXE/);
      rig.exec(insn('vmxoff', [], 3));
      expect(check(4, RIG_CR4 & ~Number(CR4.mask.VMXE))).not.toThrow();
    });
  });
});
