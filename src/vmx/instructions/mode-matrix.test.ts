// The #UD and #GP(0) conditions every VMX instruction shares (SDM Vol. 3C §31.3 operation
// sections): outside VMX operation, real-address / virtual-8086 / compatibility mode, CPL > 0;
// each instruction x each condition, on every profile.
import { describe, expect, it } from 'vitest';
import { CR0 } from '../../arch/cr.ts';
import { RFLAGS } from '../../arch/rflags.ts';
import { SegIndex } from '../../x86/state.ts';
import type { DecodedInstruction } from '../../x86/isa/decoded.ts';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { VmxCaps } from '../caps.ts';
import { OPERAND, rootWithVmcs } from '../testing/flow.ts';
import { insn, makeRig, mem, r64, type Rig } from '../testing/rig.ts';

const M = (slot: number) => mem(null, BigInt(slot));
const INSNS: Readonly<Record<string, DecodedInstruction>> = {
  vmxon: insn('vmxon', [M(OPERAND.vmxon)]),
  vmxoff: insn('vmxoff', [], 3),
  vmclear: insn('vmclear', [M(OPERAND.vmclear)]),
  vmptrld: insn('vmptrld', [M(OPERAND.vmptrld)]),
  vmptrst: insn('vmptrst', [M(OPERAND.vmptrst)]),
  vmread: insn('vmread', [r64(2), r64(0)]),
  vmwrite: insn('vmwrite', [r64(0), r64(1)]),
  vmlaunch: insn('vmlaunch', [], 3),
  vmresume: insn('vmresume', [], 3),
  vmcall: insn('vmcall', [], 3),
  invept: insn('invept', [r64(0), mem(null, BigInt(OPERAND.desc), 16)], 5),
  invvpid: insn('invvpid', [r64(0), mem(null, BigInt(OPERAND.desc), 16)], 5),
  vmfunc: insn('vmfunc', [], 3),
};

const CONDITIONS: Readonly<Record<string, (rig: Rig) => void>> = {
  'CPL 3': (rig) => { rig.cpu.state.segSel[SegIndex.CS] = 0x0b; },
  'compatibility mode': (rig) => { rig.cpu.state.segAr[SegIndex.CS] = 0xc09b; },
  'virtual-8086 mode': (rig) => { rig.cpu.state.rflags |= Number(RFLAGS.mask.VM); },
  'real-address mode': (rig) => { rig.cpu.state.cr0 &= ~Number(CR0.mask.PE); },
};

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('#UD and #GP(0) of every VMX instruction on %s', (_id, p) => {
  const caps = new VmxCaps((i) => p.msrs[i] ?? 0n, p.maxPhysAddr);
  const unsupported = (m: string) => (m === 'invept' && !(caps.ept && caps.invept)) || (m === 'invvpid' && !(caps.vpid && caps.invvpid));

  it.each(Object.keys(INSNS).filter((m) => m !== 'vmxon'))('%s outside VMX operation: #UD', (m) => {
    expect(makeRig(p).exec(INSNS[m]!)?.shortName).toBe('#UD');
  });

  for (const [cond, apply] of Object.entries(CONDITIONS)) {
    it.each(Object.keys(INSNS))(`%s in VMX root operation at ${cond}`, (m) => {
      const rig = makeRig(p);
      rootWithVmcs(rig, p);
      apply(rig);
      // VMFUNC is #UD outside non-root operation; INVEPT/INVVPID without the feature are #UD;
      // CPL > 0 is the only #GP(0); every mode condition is #UD.
      // VMCALL's pseudo-code has no CR0.PE test (root operation fixes PE to 1): it goes on to VMfail(1).
      if (m === 'vmcall' && cond === 'real-address mode') {
        expect(rig.exec(INSNS[m]!)).toBeUndefined();
        return;
      }
      const expected = m === 'vmfunc' || unsupported(m) || cond !== 'CPL 3' ? '#UD' : '#GP';
      const f = rig.exec(INSNS[m]!);
      expect(f?.shortName).toBe(expected);
      if (expected === '#GP') expect(f?.errorCode).toBe(0);
    });
  }
});
