import { describe, expect, it } from 'vitest';
import { FEATURE_CONTROL } from '../arch/feature-control.ts';
import { ARB, C0, C4, EF } from './archbits.ts';
import { NO_VMX_MODEL_MESSAGE } from './env.ts';
import { X86Fault } from './fault.ts';
import { ALL_FEATURES, makeRig, reg, run1, setReg, T, testConfig, type TestRig } from './testing.ts';
import { SegIndex } from './state.ts';

const RAX = 0;
const RCX = 1;
const RDX = 2;
const RBX = 3;

function fault(f: () => unknown): X86Fault {
  try {
    f();
  } catch (e) {
    if (e instanceof X86Fault) return e;
    throw e;
  }
  throw new Error('expected an X86Fault');
}

/** Runs at CPL 3 (CS = user code selector, SS = user data). */
function toUser(rig: TestRig): void {
  const s = rig.cpu.state;
  s.segSel[SegIndex.CS] = T.CS3;
  s.segAr[SegIndex.CS] |= 3 << ARB.DPL_SHIFT;
  s.segSel[SegIndex.SS] = T.DS3;
  s.segAr[SegIndex.SS] |= 3 << ARB.DPL_SHIFT;
  rig.cpu.stateChanged();
}

describe('MOV to control registers (SDM Vol. 2B "MOV—Move to/from Control Registers")', () => {
  it('CR0: PG without PE, NW without CD, bits 63:32 and clearing PG in 64-bit mode are #GP(0)', () => {
    const rig = makeRig();
    const cr0 = BigInt(rig.cpu.state.cr0);
    for (const bad of [cr0 & ~BigInt(C0.PE), cr0 | BigInt(C0.NW), cr0 | (1n << 32n), cr0 & ~BigInt(C0.PG)]) {
      setReg(rig, RAX, bad);
      const f = fault(() => run1(rig, '0f 22 c0'));
      expect([f.vector, f.errorCode]).toEqual([13, 0]);
    }
    setReg(rig, RAX, cr0 & ~BigInt(C0.WP));
    run1(rig, '0f 22 c0');
    expect(rig.cpu.state.cr0 & C0.WP).toBe(0);
  });
  it('CR4: clearing PAE in long mode, a reserved bit, or a feature the profile lacks is #GP(0)', () => {
    const rig = makeRig(testConfig({ features: { ...ALL_FEATURES, smap: false } }));
    const cr4 = BigInt(rig.cpu.state.cr4);
    for (const bad of [cr4 & ~BigInt(C4.PAE), cr4 | (1n << 15n), cr4 | BigInt(C4.SMAP), cr4 | BigInt(C4.LA57)]) {
      setReg(rig, RAX, bad);
      expect(fault(() => run1(rig, '0f 22 e0')).vector).toBe(13);
    }
    setReg(rig, RAX, cr4 | BigInt(C4.VMXE));
    run1(rig, '0f 22 e0');
    expect(rig.cpu.state.cr4 & C4.VMXE).toBe(C4.VMXE);
    setReg(rig, RAX, cr4);
    run1(rig, '0f 22 e0');
    expect(rig.cpu.state.cr4 & C4.VMXE).toBe(0);
  });
  it('CR4.PCIDE needs CR3[11:0] = 0', () => {
    const rig = makeRig();
    rig.cpu.state.cr3 = T.PML4 | 0x8;
    setReg(rig, RAX, BigInt(rig.cpu.state.cr4 | C4.PCIDE));
    expect(fault(() => run1(rig, '0f 22 e0')).vector).toBe(13);
  });
  it('CR3 bits at or above MAXPHYADDR; CR8 bits above 3', () => {
    const rig = makeRig();
    setReg(rig, RAX, 1n << 39n);
    expect(fault(() => run1(rig, '0f 22 d8')).vector).toBe(13);
    setReg(rig, RAX, 0x10n);
    expect(fault(() => run1(rig, '44 0f 22 c0')).vector).toBe(13);
    setReg(rig, RAX, 0xfn);
    run1(rig, '44 0f 22 c0');
    run1(rig, '44 0f 20 c3'); // mov rbx, cr8
    expect(reg(rig, RBX)).toBe(0xfn);
  });
  it('VMX hooks see CR writes and can refuse them', () => {
    const rig = makeRig();
    rig.env.vmx = {
      execute: () => undefined,
      checkCrWrite: (_c, cr, v) => {
        if (cr === 4 && (v & C4.VMXE) === 0) throw new X86Fault(13, 0, 'clearing CR4.VMXE in VMX operation');
      },
    };
    rig.cpu.state.cr4 |= C4.VMXE;
    setReg(rig, RAX, BigInt(rig.cpu.state.cr4 & ~C4.VMXE));
    expect(fault(() => run1(rig, '0f 22 e0')).reason).toMatch(/VMXE/);
  });
  it('privileged at CPL 3: MOV CR, HLT, RDMSR, LGDT are #GP(0)', () => {
    const rig = makeRig();
    toUser(rig);
    for (const b of ['0f 20 c0', 'f4', '0f 32', '0f 01 10', '0f 01 f8']) expect(fault(() => run1(rig, b)).vector).toBe(13);
  });
  it('DR4 with CR4.DE is #UD; without it, DR4 aliases DR6', () => {
    const rig = makeRig();
    run1(rig, '0f 21 e0'); // mov rax, dr4
    expect(reg(rig, RAX)).toBe(0xffff0ff0n);
    rig.cpu.state.cr4 |= C4.DE;
    expect(fault(() => run1(rig, '0f 21 e0')).vector).toBe(6);
    setReg(rig, RAX, 1n << 32n);
    expect(fault(() => run1(rig, '0f 23 f8')).vector).toBe(13);
  });
});

describe('MSRs', () => {
  it('unknown MSR and read-only capability MSR writes are #GP(0); capability MSRs read the profile', () => {
    const rig = makeRig();
    setReg(rig, RCX, 0x12345n);
    expect(fault(() => run1(rig, '0f 32')).vector).toBe(13);
    setReg(rig, RCX, 0x480n);
    run1(rig, '0f 32');
    expect([reg(rig, RAX), reg(rig, RDX)]).toEqual([4n, 0xda04n]);
    expect(fault(() => run1(rig, '0f 30')).vector).toBe(13);
  });
  it('IA32_FEATURE_CONTROL: writable until locked, then #GP(0)', () => {
    const rig = makeRig();
    setReg(rig, RCX, 0x3an);
    setReg(rig, RAX, FEATURE_CONTROL.of('LOCKED', 'VMX_ENABLED_OUTSIDE_SMX'));
    setReg(rig, RDX, 0n);
    run1(rig, '0f 30');
    run1(rig, '0f 32');
    expect(reg(rig, RAX)).toBe(5n);
    expect(fault(() => run1(rig, '0f 30')).reason).toMatch(/lock/);
  });
  it('EFER: reserved bits #GP, LMA is read-only; FS_BASE must be canonical', () => {
    const rig = makeRig();
    setReg(rig, RCX, 0xc0000080n);
    setReg(rig, RAX, BigInt(rig.cpu.state.efer | 0x1000));
    expect(fault(() => run1(rig, '0f 30')).vector).toBe(13);
    setReg(rig, RAX, BigInt(EF.LME | EF.SCE | EF.NXE));
    run1(rig, '0f 30');
    expect(rig.cpu.state.efer & EF.LMA).toBe(EF.LMA);
    setReg(rig, RCX, 0xc0000100n);
    setReg(rig, RAX, 0n);
    setReg(rig, RDX, 0x8000n);
    expect(fault(() => run1(rig, '0f 30')).vector).toBe(13);
    setReg(rig, RDX, 0xffff_8000n);
    run1(rig, '0f 30');
    expect(rig.cpu.state.segBase[SegIndex.FS]).toBe(-(2 ** 47));
  });
});

describe('CPUID', () => {
  it('leaf 0 vendor, leaf 1 VMX bit from the profile, 0x80000008 MAXPHYADDR', () => {
    const rig = makeRig();
    setReg(rig, RAX, 0n);
    run1(rig, '0f a2');
    const vendor = [reg(rig, RBX), reg(rig, RDX), reg(rig, RCX)].map((v) => String.fromCharCode(...[0, 8, 16, 24].map((s) => Number((v >> BigInt(s)) & 0xffn)))).join('');
    expect(vendor).toBe('GenuineIntel');
    setReg(rig, RAX, 1n);
    run1(rig, '0f a2');
    expect((reg(rig, RCX) >> 5n) & 1n).toBe(1n);
    setReg(rig, RAX, 0x80000008n);
    run1(rig, '0f a2');
    expect(reg(rig, RAX) & 0xffffn).toBe(0x3027n);
    const novmx = makeRig(testConfig({ features: { ...ALL_FEATURES, vmx: false } }));
    setReg(novmx, RAX, 1n);
    run1(novmx, '0f a2');
    expect((reg(novmx, RCX) >> 5n) & 1n).toBe(0n);
  });
});

describe('I/O, A20 and HLT', () => {
  it('port 0x92 bit 1 drives the A20 gate, bit 0 requests a reset; other ports go to the bus', () => {
    const rig = makeRig();
    setReg(rig, RAX, 0n);
    run1(rig, 'e6 92'); // out 0x92, al
    expect(rig.platform.a20Enabled).toBe(false);
    run1(rig, 'e4 92'); // in al, 0x92
    expect(reg(rig, RAX)).toBe(0n);
    setReg(rig, RAX, 3n);
    run1(rig, 'e6 92');
    expect(rig.platform.a20Enabled).toBe(true);
    expect(rig.platform.resets).toBe(1);
    setReg(rig, RDX, 0x3f8n);
    setReg(rig, RAX, 0x41n);
    run1(rig, 'ee'); // out dx, al
    expect(rig.io.outs).toEqual([[0x3f8, 1, 0x41]]);
  });
  it('IN at CPL 3 with IOPL 0 and no I/O bitmap bit clear is #GP(0)', () => {
    const rig = makeRig();
    rig.mem.write16(T.TSS + 102, 0x68);
    rig.mem.write8(T.TSS + 0x68 + (0x3f8 >> 3), 0x01); // port 0x3f8 denied, 0x3f9 allowed
    toUser(rig);
    setReg(rig, RDX, 0x3f8n);
    expect(fault(() => run1(rig, 'ec')).vector).toBe(13);
    setReg(rig, RDX, 0x3f9n);
    run1(rig, 'ec');
    expect(reg(rig, RAX) & 0xffn).toBe(0xffn);
  });
  it('HLT returns halted and leaves RIP after the instruction', () => {
    const rig = makeRig();
    expect(run1(rig, 'f4').kind).toBe('halted');
    expect(rig.cpu.state.rip).toBe(T.CODE + 1);
    expect(rig.cpu.step().kind).toBe('halted');
  });
  it('a VMX instruction without a VT-x model stops the machine at the instruction', () => {
    const rig = makeRig();
    const r = run1(rig, 'f3 0f c7 30'); // vmxon [rax]
    expect(r).toEqual({ kind: 'stop', message: NO_VMX_MODEL_MESSAGE });
    expect(rig.cpu.state.rip).toBe(T.CODE);
  });
  it('UD2 and an undefined opcode are #UD', () => {
    const rig = makeRig();
    expect(fault(() => run1(rig, '0f 0b')).vector).toBe(6);
    expect(fault(() => run1(rig, '0f 04')).vector).toBe(6);
  });
});

describe('descriptor loads (SDM Vol. 3A §3.4.3, §5.5)', () => {
  it('mov ds: null is allowed, beyond the GDT is #GP(sel), a code segment that is not readable is #GP(sel)', () => {
    const rig = makeRig();
    setReg(rig, RAX, 0n);
    run1(rig, '8e d8');
    expect(rig.cpu.state.segAr[SegIndex.DS]! & ARB.UNUSABLE).toBe(ARB.UNUSABLE);
    setReg(rig, RAX, 0x50n);
    const f = fault(() => run1(rig, '8e d8'));
    expect([f.vector, f.errorCode]).toEqual([13, 0x50]);
    rig.mem.write64(T.GDT + 0x08, rig.mem.read64(T.GDT + 0x08) & ~(2n << 40n)); // make code execute-only
    setReg(rig, RAX, 0x08n);
    expect(fault(() => run1(rig, '8e d8')).errorCode).toBe(0x08);
  });
  it('mov ss: null SS at CPL 0 in 64-bit mode is allowed; RPL != CPL is #GP(sel); not present is #SS(sel)', () => {
    const rig = makeRig();
    setReg(rig, RAX, 0n);
    run1(rig, '8e d0');
    setReg(rig, RAX, 0x13n);
    expect(fault(() => run1(rig, '8e d0')).errorCode).toBe(0x10);
    rig.mem.write64(T.GDT + 0x10, rig.mem.read64(T.GDT + 0x10) & ~(1n << 47n));
    setReg(rig, RAX, 0x10n);
    const f = fault(() => run1(rig, '8e d0'));
    expect([f.vector, f.errorCode]).toEqual([12, 0x10]);
  });
  it('ltr marks the TSS busy; a second ltr of the busy TSS is #GP(sel)', () => {
    const rig = makeRig();
    setReg(rig, RAX, BigInt(T.TSS_SEL));
    run1(rig, '0f 00 d8');
    expect(Number((rig.mem.read64(T.GDT + T.TSS_SEL) >> 40n) & 0xfn)).toBe(0xb);
    expect(rig.cpu.state.segBase[SegIndex.TR]).toBe(T.TSS);
    const f = fault(() => run1(rig, '0f 00 d8'));
    expect([f.vector, f.errorCode]).toEqual([13, T.TSS_SEL]);
    setReg(rig, RAX, 0n);
    expect(fault(() => run1(rig, '0f 00 d8')).errorCode).toBe(0);
  });
  it('lldt loads an LDT; lar/lsl report a visible descriptor and clear ZF otherwise', () => {
    const rig = makeRig();
    setReg(rig, RAX, BigInt(T.LDT_SEL));
    run1(rig, '0f 00 d0');
    expect(rig.cpu.state.segBase[SegIndex.LDTR]).toBe(0x5800);
    setReg(rig, RBX, BigInt(T.DS));
    run1(rig, '0f 02 c3'); // lar eax, ebx
    expect(reg(rig, RAX)).toBe(0x00c0_9300n);
    expect(rig.cpu.state.rflags & 0x40).toBe(0x40);
    run1(rig, '0f 03 c3'); // lsl eax, ebx
    expect(reg(rig, RAX)).toBe(0xffff_ffffn);
    setReg(rig, RBX, 0x1000n);
    run1(rig, '0f 03 c3');
    expect(rig.cpu.state.rflags & 0x40).toBe(0);
  });
  it('lgdt then sgdt round-trips; lgdt with a non-canonical base is #GP(0)', () => {
    const rig = makeRig();
    rig.mem.write16(0x20000, 0x1234);
    rig.mem.write64(0x20002, 0xffff_8000_0000_1000n);
    setReg(rig, RAX, 0x20000n);
    run1(rig, '0f 01 10');
    expect(rig.cpu.state.gdtrBase).toBe(-(2 ** 47) + 0x1000);
    setReg(rig, RAX, 0x21000n);
    run1(rig, '0f 01 00');
    expect(rig.mem.read16(0x21000)).toBe(0x1234);
    expect(rig.mem.read64(0x21002)).toBe(0xffff_8000_0000_1000n);
    rig.mem.write64(0x20002, 0x8000_0000_0000_0000n);
    setReg(rig, RAX, 0x20000n);
    expect(fault(() => run1(rig, '0f 01 10')).vector).toBe(13);
  });
});
