// Every instruction-caused VM exit of SDM Vol. 3C §26.1.3 "Instructions That Cause VM Exits
// Conditionally": on every profile where the control exists, the instruction exits with the
// control set and the right reason and qualification (written here as literal numbers from
// the formats of §28.2.1 "Basic VM-Exit Information"), and does not exit with it clear.
import { describe, expect, it } from 'vitest';
import type { DecodedInstruction } from '../../x86/isa/decoded.ts';
import { makeReg, RegKind } from '../../x86/isa/registers.ts';
import { X86Fault } from '../../x86/fault.ts';
import { SegIndex } from '../../x86/state.ts';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import type { FieldName } from '../vmcs-fields.ts';
import { allows, asmInsn, primary, secondary, vmcsWith } from '../testing/exits.ts';
import { insn, makeRig, mem } from '../testing/rig.ts';
import { instructionExit, ioPortsExit, msrExits } from './intercept.ts';

const RAX = 0, RCX = 1, RDX = 2, RBX = 3;
const IO_A = 0x4_0000, IO_B = 0x4_1000, MSR_MAP = 0x4_2000;

interface Case {
  readonly name: string;
  readonly insn: () => DecodedInstruction;
  readonly word: 'primary' | 'secondary';
  readonly control: string;
  readonly fields?: Partial<Record<FieldName, bigint>>;
  readonly regs?: Readonly<Record<number, bigint>>;
  readonly reason: number;
  readonly qualification?: bigint;
  readonly info?: bigint;
}

const CASES: readonly Case[] = [
  { name: 'HLT', insn: () => asmInsn('hlt'), word: 'primary', control: 'CPU_BASED_HLT_EXITING', reason: 12 },
  { name: 'INVLPG (qualification: the linear address)', insn: () => asmInsn('invlpg [rax+8]'), word: 'primary', control: 'CPU_BASED_INVLPG_EXITING', regs: { [RAX]: 0xffff_8880_0010_0000n }, reason: 14, qualification: 0xffff_8880_0010_0008n },
  { name: 'MWAIT', insn: () => asmInsn('mwait'), word: 'primary', control: 'CPU_BASED_MWAIT_EXITING', reason: 36 },
  { name: 'MONITOR', insn: () => asmInsn('monitor'), word: 'primary', control: 'CPU_BASED_MONITOR_EXITING', reason: 39 },
  { name: 'RDPMC', insn: () => asmInsn('rdpmc'), word: 'primary', control: 'CPU_BASED_RDPMC_EXITING', reason: 15 },
  { name: 'RDTSC', insn: () => asmInsn('rdtsc'), word: 'primary', control: 'CPU_BASED_RDTSC_EXITING', reason: 16 },
  { name: 'MOV from CR3 (rbx)', insn: () => asmInsn('mov rbx, cr3'), word: 'primary', control: 'CPU_BASED_CR3_STORE_EXITING', reason: 28, qualification: 0x313n },
  { name: 'MOV to CR3 (rax), no CR3-target value', insn: () => asmInsn('mov cr3, rax'), word: 'primary', control: 'CPU_BASED_CR3_LOAD_EXITING', regs: { [RAX]: 0x5000n }, fields: { CR3_TARGET_COUNT: 1n, CR3_TARGET_VALUE0: 0x6000n }, reason: 28, qualification: 0x3n },
  { name: 'MOV to CR8 (rcx)', insn: () => asmInsn('mov cr8, rcx'), word: 'primary', control: 'CPU_BASED_CR8_LOAD_EXITING', reason: 28, qualification: 0x108n },
  { name: 'MOV from CR8 (rcx)', insn: () => asmInsn('mov rcx, cr8'), word: 'primary', control: 'CPU_BASED_CR8_STORE_EXITING', reason: 28, qualification: 0x118n },
  { name: 'MOV to DR7 (rax)', insn: () => asmInsn('mov dr7, rax'), word: 'primary', control: 'CPU_BASED_MOV_DR_EXITING', reason: 29, qualification: 0x7n },
  { name: 'MOV from DR6 (rdx)', insn: () => asmInsn('mov rdx, dr6'), word: 'primary', control: 'CPU_BASED_MOV_DR_EXITING', reason: 29, qualification: 0x216n },
  { name: 'IN al, 0x60 (unconditional I/O exiting)', insn: () => asmInsn('in al, 0x60'), word: 'primary', control: 'CPU_BASED_UNCOND_IO_EXITING', reason: 30, qualification: 0x0060_0048n },
  { name: 'OUT dx, eax (unconditional I/O exiting)', insn: () => asmInsn('out dx, eax'), word: 'primary', control: 'CPU_BASED_UNCOND_IO_EXITING', regs: { [RDX]: 0x1234n }, reason: 30, qualification: 0x1234_0003n },
  { name: 'IN ax, dx', insn: () => asmInsn('in ax, dx'), word: 'primary', control: 'CPU_BASED_UNCOND_IO_EXITING', regs: { [RDX]: 0xcf8n }, reason: 30, qualification: 0x0cf8_0009n },
  { name: 'REP OUTSB (string, REP)', insn: () => ({ ...insn('outsb', [], 2), prefixes: { ...insn('outsb').prefixes, rep: 'rep' as const } }), word: 'primary', control: 'CPU_BASED_UNCOND_IO_EXITING', regs: { [RDX]: 0x3f8n }, reason: 30, qualification: 0x03f8_0030n },
  { name: 'INSD (string, in)', insn: () => insn('insd', [], 1), word: 'primary', control: 'CPU_BASED_UNCOND_IO_EXITING', regs: { [RDX]: 0x80n }, reason: 30, qualification: 0x0080_001bn },
  { name: 'RDMSR without MSR bitmaps', insn: () => asmInsn('rdmsr'), word: 'primary', control: 'CPU_BASED_USE_MSR_BITMAPS', regs: { [RCX]: 0x10n }, reason: 31 },
  { name: 'PAUSE', insn: () => asmInsn('pause'), word: 'primary', control: 'CPU_BASED_PAUSE_EXITING', reason: 40 },
  { name: 'WBINVD', insn: () => asmInsn('wbinvd'), word: 'secondary', control: 'SECONDARY_EXEC_WBINVD_EXITING', reason: 54 },
  { name: 'RDRAND (instruction information: register, size)', insn: () => ({ ...insn('rdrand', [{ kind: 'reg', reg: makeReg(RegKind.GPR32, RBX) }], 3), opSize: 4 as const }), word: 'secondary', control: 'SECONDARY_EXEC_RDRAND_EXITING', reason: 57, info: (3n << 3n) | (1n << 11n) },
  { name: 'RDSEED', insn: () => insn('rdseed', [{ kind: 'reg', reg: makeReg(RegKind.GPR64, RCX) }], 4), word: 'secondary', control: 'SECONDARY_EXEC_RDSEED_EXITING', reason: 61, info: (1n << 3n) | (2n << 11n) },
  { name: 'SGDT [rax] (descriptor-table exiting)', insn: () => asmInsn('sgdt [rax]'), word: 'secondary', control: 'SECONDARY_EXEC_DESC', reason: 46, info: (2n << 7n) | (3n << 15n) | (1n << 22n) | (1n << 11n) },
  { name: 'STR ax (descriptor-table exiting)', insn: () => asmInsn('str ax'), word: 'secondary', control: 'SECONDARY_EXEC_DESC', reason: 47, info: (1n << 10n) | (1n << 28n) },
];

function controlsFor(c: Case, on: boolean): Partial<Record<FieldName, bigint>> {
  if (c.word === 'primary') return { CPU_BASED_VM_EXEC_CONTROL: on ? primary(c.control) : 0n };
  return { CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_ACTIVATE_SECONDARY_CONTROLS'), SECONDARY_VM_EXEC_CONTROL: on ? secondary(c.control) : 0n };
}

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('instruction exits on %s', (_id, profile) => {
  const rigWith = (regs: Readonly<Record<number, bigint>> = {}) => {
    const rig = makeRig(profile);
    for (const [i, v] of Object.entries(regs)) rig.cpu.state.setGpr64(Number(i), v);
    return rig;
  };

  it.each(CASES.map((c) => [c.name, c] as const))('%s: exits exactly when its control is 1', (_n, c) => {
    const rig = rigWith(c.regs);
    if (!allows(profile, c.word, c.control)) {
      // The control does not exist here (VM entry refuses it); its bit without "activate
      // secondary controls" has no effect.
      const vmcs = vmcsWith({ ...c.fields, SECONDARY_VM_EXEC_CONTROL: c.word === 'secondary' ? secondary(c.control) : 0n });
      expect(instructionExit(rig.cpu, c.insn(), vmcs)).toBeNull();
      return;
    }
    const on = instructionExit(rig.cpu, c.insn(), vmcsWith({ ...c.fields, ...controlsFor(c, true) }));
    if (c.control === 'CPU_BASED_USE_MSR_BITMAPS') {
      // Inverted sense: without MSR bitmaps every RDMSR exits; with an empty bitmap none does.
      expect(on).toBeNull();
      expect(instructionExit(rig.cpu, c.insn(), vmcsWith({ ...c.fields, ...controlsFor(c, false) }))).toMatchObject({ reason: c.reason, qualification: 0n });
      return;
    }
    expect(on).toMatchObject({ reason: c.reason, qualification: c.qualification ?? 0n });
    if (c.info !== undefined) expect(on?.info).toBe(c.info);
    expect(instructionExit(rig.cpu, c.insn(), vmcsWith({ ...c.fields, ...controlsFor(c, false) }))).toBeNull();
  });

  it.each(['cpuid', 'invd', 'xsetbv'].map((m) => [m] as const))('%s exits unconditionally', (m) => {
    const rig = rigWith();
    expect(instructionExit(rig.cpu, insn(m, [], 2), vmcsWith())).toMatchObject({ qualification: 0n });
  });

  it('privileged instructions at CPL 3 leave the #GP to the executor (§26.1.1); MOV DR still exits', () => {
    const rig = rigWith();
    rig.cpu.state.segSel[SegIndex.CS] = 0x2b;
    const all = vmcsWith({ CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_HLT_EXITING', 'CPU_BASED_CR3_STORE_EXITING', 'CPU_BASED_MOV_DR_EXITING') });
    expect(instructionExit(rig.cpu, asmInsn('hlt'), all)).toBeNull();
    expect(instructionExit(rig.cpu, asmInsn('mov rax, cr3'), all)).toBeNull();
    expect(instructionExit(rig.cpu, asmInsn('rdmsr'), all)).toBeNull();
    expect(instructionExit(rig.cpu, asmInsn('mov dr7, rax'), all)).toMatchObject({ reason: 29 });
  });

  it('MOV to CR3 with a CR3-target value among the first CR3_TARGET_COUNT does not exit', () => {
    const rig = rigWith({ [RAX]: 0x6000n });
    const fields = { CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_CR3_LOAD_EXITING'), CR3_TARGET_VALUE1: 0x6000n };
    expect(instructionExit(rig.cpu, asmInsn('mov cr3, rax'), vmcsWith({ ...fields, CR3_TARGET_COUNT: 2n }))).toBeNull();
    expect(instructionExit(rig.cpu, asmInsn('mov cr3, rax'), vmcsWith({ ...fields, CR3_TARGET_COUNT: 1n }))).toMatchObject({ reason: 28 });
  });

  it('MOV to CR0/CR4 exits when an owned bit differs from the read shadow, not otherwise', () => {
    const rig = rigWith({ [RAX]: 0x8000_0031n }); // PG NE ET PE
    const cr0 = (mask: bigint, shadow: bigint) => instructionExit(rig.cpu, asmInsn('mov cr0, rax'), vmcsWith({ CR0_GUEST_HOST_MASK: mask, CR0_READ_SHADOW: shadow }));
    expect(cr0(0n, 0n)).toBeNull();
    expect(cr0(0x20n, 0x20n)).toBeNull(); // NE owned, shadow NE = value NE
    expect(cr0(0x20n, 0n)).toMatchObject({ reason: 28, qualification: 0x0n });
    expect(cr0(0x8n, 0x8n)).toMatchObject({ reason: 28 }); // TS owned, shadow 1, value 0
    const cr4 = instructionExit(rig.cpu, asmInsn('mov cr4, rbx'), vmcsWith({ CR4_GUEST_HOST_MASK: 0x2000n, CR4_READ_SHADOW: 0n }));
    expect(cr4).toBeNull(); // rbx = 0: VMXE clear, like the shadow
    rig.cpu.state.setGpr64(RBX, 0x2020n);
    expect(instructionExit(rig.cpu, asmInsn('mov cr4, rbx'), vmcsWith({ CR4_GUEST_HOST_MASK: 0x2000n, CR4_READ_SHADOW: 0n }))).toMatchObject({ reason: 28, qualification: 0x304n });
  });

  it('CLTS exits when CR0.TS is set in both the mask and the shadow (qualification: access type 2)', () => {
    const rig = rigWith();
    expect(instructionExit(rig.cpu, asmInsn('clts'), vmcsWith({ CR0_GUEST_HOST_MASK: 0x8n, CR0_READ_SHADOW: 0x8n }))).toMatchObject({ reason: 28, qualification: 0x20n });
    expect(instructionExit(rig.cpu, asmInsn('clts'), vmcsWith({ CR0_GUEST_HOST_MASK: 0x8n, CR0_READ_SHADOW: 0n }))).toBeNull();
    expect(instructionExit(rig.cpu, asmInsn('clts'), vmcsWith({ CR0_GUEST_HOST_MASK: 0n, CR0_READ_SHADOW: 0x8n }))).toBeNull();
  });

  it('LMSW exits on setting an owned PE that the shadow has clear, or changing an owned MP/EM/TS', () => {
    const rig = rigWith({ [RAX]: 0x0001n });
    const lmswReg = insn('lmsw', [{ kind: 'reg', reg: makeReg(RegKind.GPR16, RAX) }], 3);
    const at = (mask: bigint, shadow: bigint) => instructionExit(rig.cpu, lmswReg, vmcsWith({ CR0_GUEST_HOST_MASK: mask, CR0_READ_SHADOW: shadow }));
    expect(at(0x1n, 0n)).toMatchObject({ reason: 28, qualification: (1n << 16n) | 0x30n });
    expect(at(0x1n, 0x1n)).toBeNull();
    expect(at(0x8n, 0x0n)).toBeNull();
    expect(at(0x8n, 0x8n)).toMatchObject({ reason: 28 });
    // From memory: operand type 1 and the guest-linear address.
    rig.write(0x7000, 2, 0x0009n);
    const lmswMem = insn('lmsw', [mem(null, 0x7000n, 2)], 8);
    const r = instructionExit(rig.cpu, lmswMem, vmcsWith({ CR0_GUEST_HOST_MASK: 0x8n, CR0_READ_SHADOW: 0n }));
    expect(r).toMatchObject({ reason: 28, qualification: (9n << 16n) | 0x70n, guestLinear: 0x7000n });
  });

  it('I/O bitmaps: A for ports 0-7FFF, B for 8000-FFFF; any port of the access; a wrap past FFFF always exits', () => {
    const rig = rigWith();
    const vmcs = vmcsWith({ CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_USE_IO_BITMAPS', 'CPU_BASED_UNCOND_IO_EXITING'), IO_BITMAP_A: BigInt(IO_A), IO_BITMAP_B: BigInt(IO_B) });
    expect(ioPortsExit(rig.cpu, vmcs, 0x60, 1)).toBe(false); // bitmaps override unconditional I/O exiting
    rig.write(IO_A + (0x60 >> 3), 1, 1n << BigInt(0x60 & 7));
    expect(ioPortsExit(rig.cpu, vmcs, 0x60, 1)).toBe(true);
    expect(ioPortsExit(rig.cpu, vmcs, 0x5e, 2)).toBe(false);
    expect(ioPortsExit(rig.cpu, vmcs, 0x5f, 2)).toBe(true); // spans 5F-60
    rig.write(IO_B + (0x0001 >> 3), 1, 1n << 1n); // port 8001
    expect(ioPortsExit(rig.cpu, vmcs, 0x7fff, 4)).toBe(true); // 7FFF in A, 8000-8002 in B
    expect(ioPortsExit(rig.cpu, vmcs, 0x7ffc, 4)).toBe(false);
    expect(ioPortsExit(rig.cpu, vmcs, 0xfffe, 4)).toBe(true); // wraps to 0000
    rig.cpu.state.setGpr64(RDX, 0x8001n);
    expect(instructionExit(rig.cpu, asmInsn('in al, dx'), vmcs)).toMatchObject({ reason: 30, qualification: 0x8001_0008n });
  });

  it('MSR bitmaps: all four quarters, and MSRs outside both ranges always exit', () => {
    const rig = rigWith();
    const vmcs = vmcsWith({ CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_USE_MSR_BITMAPS'), MSR_BITMAP: BigInt(MSR_MAP) });
    const setBit = (offset: number, msr: number) => rig.write(MSR_MAP + offset + ((msr & 0x1fff) >> 3), 1, 1n << BigInt(msr & 7));
    expect([msrExits(rig.cpu, vmcs, 0x1b, false), msrExits(rig.cpu, vmcs, 0x1b, true)]).toEqual([false, false]);
    setBit(0, 0x1b);
    expect([msrExits(rig.cpu, vmcs, 0x1b, false), msrExits(rig.cpu, vmcs, 0x1b, true)]).toEqual([true, false]);
    setBit(2048, 0x10);
    expect([msrExits(rig.cpu, vmcs, 0x10, false), msrExits(rig.cpu, vmcs, 0x10, true)]).toEqual([false, true]);
    setBit(1024, 0xc000_0080);
    expect([msrExits(rig.cpu, vmcs, 0xc000_0080, false), msrExits(rig.cpu, vmcs, 0xc000_0080, true)]).toEqual([true, false]);
    setBit(3072, 0xc000_0100);
    expect([msrExits(rig.cpu, vmcs, 0xc000_0100, false), msrExits(rig.cpu, vmcs, 0xc000_0100, true)]).toEqual([false, true]);
    expect(msrExits(rig.cpu, vmcs, 0x2000, false)).toBe(true);
    expect(msrExits(rig.cpu, vmcs, 0x4000_0000, true)).toBe(true);
    expect(msrExits(rig.cpu, vmcs, 0xc000_2000, false)).toBe(true);
    rig.cpu.state.setGpr64(RCX, 0xc000_0100n);
    expect(instructionExit(rig.cpu, asmInsn('wrmsr'), vmcs)).toMatchObject({ reason: 32, qualification: 0n });
    expect(instructionExit(rig.cpu, asmInsn('rdmsr'), vmcs)).toBeNull();
  });

  it('RDTSCP and INVPCID raise #UD unless enabled (§26.3); enabled, they exit with their controls', () => {
    const rig = rigWith();
    const none = vmcsWith({ CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_RDTSC_EXITING', 'CPU_BASED_INVLPG_EXITING') });
    const ud = (i: DecodedInstruction) => {
      try {
        instructionExit(rig.cpu, i, none);
      } catch (e) {
        return e instanceof X86Fault ? e.vector : 'other';
      }
      return 'no fault';
    };
    expect(ud(asmInsn('rdtscp'))).toBe(6);
    expect(ud(asmInsn('invpcid rax, [rbx]'))).toBe(6);
    if (allows(profile, 'secondary', 'SECONDARY_EXEC_ENABLE_RDTSCP')) {
      const v = vmcsWith({ CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_RDTSC_EXITING', 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS'), SECONDARY_VM_EXEC_CONTROL: secondary('SECONDARY_EXEC_ENABLE_RDTSCP') });
      expect(instructionExit(rig.cpu, asmInsn('rdtscp'), v)).toMatchObject({ reason: 51 });
    }
    if (allows(profile, 'secondary', 'SECONDARY_EXEC_ENABLE_INVPCID')) {
      const base = { CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_INVLPG_EXITING', 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS'), SECONDARY_VM_EXEC_CONTROL: secondary('SECONDARY_EXEC_ENABLE_INVPCID') };
      // Table 28-9: register 0 (RAX) in bits 31:28, base RBX, no index, 64-bit addressing, DS.
      expect(instructionExit(rig.cpu, asmInsn('invpcid rax, [rbx]'), vmcsWith(base))).toMatchObject({ reason: 58, qualification: 0n, info: (2n << 7n) | (3n << 15n) | (1n << 22n) | (3n << 23n) });
      expect(instructionExit(rig.cpu, asmInsn('invpcid rax, [rbx]'), vmcsWith({ ...base, CPU_BASED_VM_EXEC_CONTROL: primary('CPU_BASED_ACTIVATE_SECONDARY_CONTROLS') }))).toBeNull();
    }
  });

  it('instructions without a control never exit', () => {
    const rig = rigWith();
    const everything = vmcsWith({ CPU_BASED_VM_EXEC_CONTROL: 0xffff_ffffn, SECONDARY_VM_EXEC_CONTROL: 0xffff_ffffn });
    for (const t of ['add rax, rbx', 'mov rax, [rbx]', 'push rax', 'jmp $', 'int3', 'ud2', 'mov rax, cr2']) {
      expect(instructionExit(rig.cpu, asmInsn(t), everything), t).toBeNull();
    }
  });
});
