// VMREAD and VMWRITE: outcomes and width rules (SDM Vol. 3C §31.3; §25.11.2 "VMREAD, VMWRITE,
// and Encodings of VMCS Fields"), on every profile.
import { describe, expect, it } from 'vitest';
import { SegIndex } from '../../x86/state.ts';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { fieldExists } from '../../arch/vmcs/exists.ts';
import { VMCS_FIELDS } from '../../arch/vmcs/fields.ts';
import { instructionError, outcomeOf, rootWithVmcs, vmxon } from '../testing/flow.ts';
import { insn, makeRig, mem, r64, type Rig } from '../testing/rig.ts';
import { makeReg, RegKind } from '../../x86/isa/registers.ts';

const GUEST_RIP = 0x681en, GUEST_ES_SELECTOR = 0x0800n, VM_EXIT_REASON = 0x4402n, VM_INSTRUCTION_ERROR = 0x4400n;
const IO_BITMAP_A = 0x2000n, IO_BITMAP_A_HIGH = 0x2001n, CPU_BASED = 0x4002n, GUEST_CR0 = 0x6800n;

function vmwrite(rig: Rig, enc: bigint, v: bigint) {
  rig.cpu.state.setGpr64(0, enc);
  rig.cpu.state.setGpr64(1, v);
  return rig.exec(insn('vmwrite', [r64(0), r64(1)]));
}
function vmread(rig: Rig, enc: bigint): bigint {
  rig.cpu.state.setGpr64(0, enc);
  rig.cpu.state.setGpr64(2, 0xdead_beef_dead_beefn);
  rig.exec(insn('vmread', [r64(2), r64(0)]));
  return rig.cpu.state.getGpr64(2);
}

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('VMREAD/VMWRITE on %s', (_id, p) => {
  const writeAny = ((p.msrs[0x485] ?? 0n) >> 29n & 1n) === 1n;

  it('round-trip every field the processor supports (read-only ones when IA32_VMX_MISC[29] = 1)', () => {
    const rig = makeRig(p);
    rootWithVmcs(rig, p);
    for (const f of VMCS_FIELDS) {
      if (f.high || !fieldExists(f, p.msrs)) continue;
      if (f.area === 'exit-info' && !writeAny) continue;
      const v = 0x0123_4567_89ab_cdefn;
      vmwrite(rig, BigInt(f.encoding), v);
      expect(outcomeOf(rig), f.name).toBe('VMsucceed');
      const mask = f.width === '16' ? 0xffffn : f.width === '32' ? 0xffff_ffffn : 0xffff_ffff_ffff_ffffn;
      expect(vmread(rig, BigInt(f.encoding)), f.name).toBe(v & mask);
    }
  });

  it('VMfailValid(12) for encodings of fields the processor lacks, and only for those', () => {
    const rig = makeRig(p);
    rootWithVmcs(rig, p);
    for (const f of VMCS_FIELDS) {
      if (f.high) continue;
      vmread(rig, BigInt(f.encoding));
      const expected = fieldExists(f, p.msrs) ? 'VMsucceed' : 'VMfailValid';
      expect(outcomeOf(rig), f.name).toBe(expected);
      if (expected === 'VMfailValid') expect(instructionError(rig), f.name).toBe(12n);
    }
  });

  it.each([
    ['bit 12 set', 0x1000n | GUEST_RIP],
    ['bit 15 set', 0x8000n | GUEST_RIP],
    ['bits 63:32 set', (1n << 32n) | GUEST_RIP],
    ['HIGH access to a natural-width field', GUEST_RIP | 1n],
    ['HIGH access to a 16-bit field', GUEST_ES_SELECTOR | 1n],
  ])('VMfailValid(12) for an encoding with %s', (_w, enc) => {
    const rig = makeRig(p);
    rootWithVmcs(rig, p);
    vmread(rig, enc);
    expect(instructionError(rig)).toBe(12n);
    vmwrite(rig, enc, 1n);
    expect(instructionError(rig)).toBe(12n);
  });

  it(`VMWRITE to a read-only field: ${writeAny ? 'allowed (IA32_VMX_MISC[29] = 1)' : 'VMfailValid(13)'}`, () => {
    const rig = makeRig(p);
    rootWithVmcs(rig, p);
    vmwrite(rig, VM_EXIT_REASON, 5n);
    if (writeAny) {
      expect(outcomeOf(rig)).toBe('VMsucceed');
      expect(vmread(rig, VM_EXIT_REASON)).toBe(5n);
    } else {
      expect(instructionError(rig)).toBe(13n);
      expect(vmread(rig, VM_EXIT_REASON)).toBe(0n);
    }
  });

  it('truncates 16- and 32-bit writes and zero-extends reads', () => {
    const rig = makeRig(p);
    rootWithVmcs(rig, p);
    vmwrite(rig, GUEST_ES_SELECTOR, 0xffff_ffff_ffff_1234n);
    expect(vmread(rig, GUEST_ES_SELECTOR)).toBe(0x1234n);
    vmwrite(rig, CPU_BASED, 0xffff_ffff_8000_0001n);
    expect(vmread(rig, CPU_BASED)).toBe(0x8000_0001n);
  });

  it('HIGH access reads and writes bits 63:32 of a 64-bit field only', () => {
    const rig = makeRig(p);
    rootWithVmcs(rig, p);
    vmwrite(rig, IO_BITMAP_A, 0x1111_2222_3333_4000n);
    expect(vmread(rig, IO_BITMAP_A_HIGH)).toBe(0x1111_2222n);
    vmwrite(rig, IO_BITMAP_A_HIGH, 0xffff_ffff_aaaa_bbbbn);
    expect(vmread(rig, IO_BITMAP_A)).toBe(0xaaaa_bbbb_3333_4000n);
  });

  it('VMREAD to memory and VMWRITE from memory', () => {
    const rig = makeRig(p);
    rootWithVmcs(rig, p);
    rig.write(0x9000, 8, 0x8005_0033n);
    rig.cpu.state.setGpr64(0, GUEST_CR0);
    rig.exec(insn('vmwrite', [r64(0), mem(null, 0x9000n)]));
    rig.exec(insn('vmread', [mem(null, 0x9008n), r64(0)]));
    expect(rig.read(0x9008, 8)).toBe(0x8005_0033n);
  });

  it('VMfailInvalid without a current VMCS; the error field is not written', () => {
    const rig = makeRig(p);
    vmxon(rig, p);
    vmread(rig, GUEST_RIP);
    expect(outcomeOf(rig)).toBe('VMfailInvalid');
    vmwrite(rig, GUEST_RIP, 1n);
    expect(outcomeOf(rig)).toBe('VMfailInvalid');
  });

  it('a successful VMREAD leaves the VM-instruction error of an earlier failure in place', () => {
    const rig = makeRig(p);
    rootWithVmcs(rig, p);
    vmread(rig, 0x7fffn);
    expect(instructionError(rig)).toBe(12n);
    vmread(rig, VM_INSTRUCTION_ERROR);
    expect(outcomeOf(rig)).toBe('VMsucceed');
    expect(rig.cpu.state.getGpr64(2)).toBe(12n);
  });

  it('outside IA-32e mode the operands are 32 bits: a 64-bit field write clears bits 63:32', () => {
    const rig = makeRig(p);
    rootWithVmcs(rig, p);
    vmwrite(rig, IO_BITMAP_A, 0xffff_ffff_0000_0000n);
    // 32-bit protected mode with paging: IA32_EFER.LMA = 0, CS.D = 1.
    rig.cpu.state.efer = 0;
    rig.cpu.state.segAr[SegIndex.CS] = 0xc09b;
    rig.cpu.state.setGpr64(0, (1n << 32n) | IO_BITMAP_A); // bits 63:32 of the register are ignored
    rig.cpu.state.setGpr64(1, 0xaaaa_bbbb_1234_5000n);
    rig.exec(insn('vmwrite', [{ kind: 'reg', reg: makeReg(RegKind.GPR32, 0) }, { kind: 'reg', reg: makeReg(RegKind.GPR32, 1) }]));
    expect(outcomeOf(rig)).toBe('VMsucceed');
    rig.cpu.state.efer = 0xd01;
    rig.cpu.state.segAr[SegIndex.CS] = 0xa09b;
    expect(vmread(rig, IO_BITMAP_A)).toBe(0x1234_5000n);
  });

  it('a learner\'s edit of IA32_VMX_MISC[29] takes effect at the next VMWRITE', () => {
    const rig = makeRig(p);
    rootWithVmcs(rig, p);
    const misc = rig.env.config.readOnlyMsrs.get(0x485)!;
    rig.env.config.readOnlyMsrs.set(0x485, misc | (1n << 29n));
    vmwrite(rig, VM_EXIT_REASON, 7n);
    expect(outcomeOf(rig)).toBe('VMsucceed');
    rig.env.config.readOnlyMsrs.set(0x485, misc & ~(1n << 29n));
    vmwrite(rig, VM_EXIT_REASON, 8n);
    expect(instructionError(rig)).toBe(13n);
  });

  it('#UD outside VMX operation, #GP(0) at CPL 3', () => {
    const rig = makeRig(p);
    expect(rig.exec(insn('vmread', [r64(2), r64(0)]))?.shortName).toBe('#UD');
    vmxon(rig, p);
    rig.cpu.state.segSel[SegIndex.CS] = 0x0b;
    expect(rig.exec(insn('vmwrite', [r64(0), r64(1)]))?.shortName).toBe('#GP');
  });
});
