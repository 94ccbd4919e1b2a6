import { describe, expect, it } from 'vitest';
import { ARB } from '../archbits.ts';
import { VmExitUnwind } from '../env.ts';
import type { X86Fault } from '../fault.ts';
import { SegIndex } from '../state.ts';
import { descriptor, makeRig, reg, run1, setDescriptor, setReg, to32, toReal, T, type TestRig } from '../testing.ts';

function fault(rig: TestRig, bytes: string): X86Fault | null {
  try { run1(rig, bytes); } catch (e) { return e as X86Fault; }
  return null;
}
function hexAt(rig: TestRig, at: number, bytes: string): void {
  bytes.split(' ').forEach((b, i) => rig.mem.write8(at + i, parseInt(b, 16)));
  rig.cpu.flushDecodeCache();
  rig.cpu.step();
}
const cs = (rig: TestRig): number => rig.cpu.state.segSel[SegIndex.CS]!;
const le = (v: number, n: number): string => Array.from({ length: n }, (_, i) => ((v >>> (8 * i)) & 0xff).toString(16).padStart(2, '0')).join(' ');

// Extra GDT entries of these tests.
const CODE32_DPL0 = 0x48; // 32-bit code, DPL 0
const CODE32_DPL3 = 0x50; // 32-bit code, DPL 3
const CONF32_DPL0 = 0x58; // conforming 32-bit code, DPL 0
const DATA = 0x60; // data, DPL 0
const GATE = 0x68; // call gate
const NOT_PRESENT = 0x70;
const DATA3 = 0x78; // data, DPL 3 (ring-3 stack)
const TSS32 = 0x80; // available 32-bit TSS
const TASK_GATE = 0x88;

function legacyGdt(rig: TestRig): void {
  setDescriptor(rig, CODE32_DPL0, descriptor(0, 0xfffff, 0x9b, 0xc));
  setDescriptor(rig, CODE32_DPL3, descriptor(0, 0xfffff, 0xfb, 0xc));
  setDescriptor(rig, CONF32_DPL0, descriptor(0, 0xfffff, 0x9f, 0xc));
  setDescriptor(rig, DATA, descriptor(0, 0xfffff, 0x93, 0xc));
  setDescriptor(rig, NOT_PRESENT, descriptor(0, 0xfffff, 0x1b, 0xc));
  setDescriptor(rig, DATA3, descriptor(0, 0xfffff, 0xf3, 0xc));
  setDescriptor(rig, TSS32, descriptor(0x9000, 0x67, 0x89, 0));
  setDescriptor(rig, TASK_GATE, BigInt(TSS32) << 16n | 0x85n << 40n);
}

/** A 32-bit (or, in IA-32e mode, the low half of a 64-bit) call gate with `dpl` and `params`. */
function callGate(sel: number, off: number, dpl: number, params = 0, type = 0xc): bigint {
  return BigInt(off & 0xffff) | (BigInt(sel) << 16n) | (BigInt(params & 0x1f) << 32n) |
    (BigInt(0x80 | (dpl << 5) | type) << 40n) | (BigInt(off >>> 16) << 48n);
}

/** Drops the test processor to CPL 3 in 32-bit code (CS 0x50|3, SS 0x78|3). */
function toRing3(rig: TestRig): void {
  const s = rig.cpu.state;
  s.segSel[SegIndex.CS] = CODE32_DPL3 | 3;
  s.segAr[SegIndex.CS] = 0xfb | ARB.DB | ARB.G;
  s.segSel[SegIndex.SS] = DATA3 | 3;
  s.segAr[SegIndex.SS] = 0xf3 | ARB.DB | ARB.G;
  rig.cpu.stateChanged();
}

describe('far JMP/CALL/RETF in real-address mode', () => {
  it('loads CS with base selector * 16; CALL pushes CS:IP and RETF pops them', () => {
    const rig = makeRig();
    toReal(rig);
    run1(rig, '9a 10 00 00 20'); // call 0x2000:0x0010
    expect(cs(rig)).toBe(0x2000);
    expect(rig.cpu.state.segBase[SegIndex.CS]).toBe(0x20000);
    expect(rig.cpu.state.rip).toBe(0x10);
    expect(reg(rig, 4)).toBe(0x7ffcn);
    expect(rig.mem.read16(0x7ffc)).toBe(0x1005);
    expect(rig.mem.read16(0x7ffe)).toBe(0);
    rig.mem.write8(0x20010, 0xcb); // retf, at CS.base + IP
    rig.cpu.flushDecodeCache();
    rig.cpu.step();
    expect(cs(rig)).toBe(0);
    expect(rig.cpu.state.rip).toBe(0x1005);
    expect(reg(rig, 4)).toBe(0x8000n);
    rig.cpu.state.rip = 0x1005;
    hexAt(rig, 0x1005, 'ea 34 12 00 30'); // jmp 0x3000:0x1234
    expect(rig.cpu.state.segBase[SegIndex.CS]).toBe(0x30000);
    expect(rig.cpu.state.rip).toBe(0x1234);
  });
  it('RETF imm16 releases the parameters', () => {
    const rig = makeRig();
    toReal(rig);
    rig.mem.write16(0x8000, 0x0100);
    rig.mem.write16(0x8002, 0x0040);
    run1(rig, 'ca 06 00'); // retf 6
    expect(rig.cpu.state.segBase[SegIndex.CS]).toBe(0x400);
    expect(rig.cpu.state.rip).toBe(0x100);
    expect(reg(rig, 4)).toBe(0x800an);
  });
});

describe('far JMP/CALL/RETF in protected mode (SDM Vol. 3A §5.8)', () => {
  it('same-privilege far CALL to a nonconforming segment and RETF back; the mode follows CS.D', () => {
    const rig = makeRig(); to32(rig); legacyGdt(rig);
    run1(rig, `9a ${le(0x20000, 4)} ${le(CODE32_DPL0, 2)}`); // call CODE32_DPL0:0x20000
    expect(cs(rig)).toBe(CODE32_DPL0);
    expect(rig.cpu.state.rip).toBe(0x20000);
    expect(rig.mem.read32(T.STACK_TOP - 4)).toBe(T.CS);
    expect(rig.mem.read32(T.STACK_TOP - 8)).toBe(T.CODE + 7);
    // The accessed bit of the descriptor is set.
    expect(Number((rig.mem.read64(T.GDT + CODE32_DPL0) >> 40n) & 1n)).toBe(1);
    run1(rig, 'ca 00 00'); // retf 0
    expect(cs(rig)).toBe(T.CS);
    expect(rig.cpu.state.rip).toBe(T.CODE + 7);
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP));
  });
  it('the privilege rules of §5.8.1: nonconforming needs DPL = CPL and RPL <= CPL; conforming DPL <= CPL; data, not present', () => {
    const rig = makeRig(); to32(rig); legacyGdt(rig);
    const jmp = (sel: number) => `ea 00 00 02 00 ${le(sel, 2)}`;
    expect(fault(rig, jmp(CODE32_DPL3))).toMatchObject({ vector: 13, errorCode: CODE32_DPL3 });
    expect(fault(rig, jmp(DATA))).toMatchObject({ vector: 13, errorCode: DATA });
    expect(fault(rig, jmp(NOT_PRESENT))).toMatchObject({ vector: 11, errorCode: NOT_PRESENT });
    expect(fault(rig, jmp(0))).toMatchObject({ vector: 13, errorCode: 0 });
    expect(rig.cpu.state.rip).toBe(T.CODE);
    toRing3(rig);
    expect(fault(rig, jmp(CODE32_DPL0 | 3))).toMatchObject({ vector: 13, errorCode: CODE32_DPL0 });
    run1(rig, jmp(CONF32_DPL0 | 3)); // conforming, DPL 0 <= CPL 3: CPL stays 3
    expect(cs(rig)).toBe(CONF32_DPL0 | 3);
    expect(rig.cpu.state.cpl).toBe(3);
  });
  it('a target beyond the new segment limit is #GP(0) and nothing changes', () => {
    const rig = makeRig(); to32(rig); legacyGdt(rig);
    setDescriptor(rig, CODE32_DPL0, descriptor(0, 0xfff, 0x9b, 0x4));
    expect(fault(rig, `ea 00 20 00 00 ${le(CODE32_DPL0, 2)}`)).toMatchObject({ vector: 13, errorCode: 0 });
    expect(cs(rig)).toBe(T.CS);
  });
  it('16-bit far pointer in memory (66 FF /5: m16:16)', () => {
    const rig = makeRig(); to32(rig); legacyGdt(rig);
    rig.mem.write16(0x9100, 0x3000);
    rig.mem.write16(0x9102, CODE32_DPL0);
    setReg(rig, 3, 0x9100n);
    run1(rig, '66 ff 2b'); // jmp word far [ebx]
    expect(cs(rig)).toBe(CODE32_DPL0);
    expect(rig.cpu.state.rip).toBe(0x3000);
  });
});

describe('far branches in IA-32e mode', () => {
  it('JMP m16:64 to 64-bit code; JMP m16:32 to a compatibility-mode segment switches to 32-bit code', () => {
    const rig = makeRig(); legacyGdt(rig);
    rig.mem.write64(0x9100, 0x123456n);
    rig.mem.write16(0x9108, T.CS);
    setReg(rig, 3, 0x9100n);
    run1(rig, '48 ff 2b'); // jmp qword far [rbx]
    expect(rig.cpu.mode).toBe(64);
    expect(rig.cpu.state.rip).toBe(0x123456);
    rig.mem.write32(0x9200, 0x20000);
    rig.mem.write16(0x9204, CODE32_DPL0);
    setReg(rig, 3, 0x9200n);
    run1(rig, 'ff 2b'); // jmp dword far [rbx]
    expect(rig.cpu.mode).toBe(32);
    expect(rig.cpu.state.rip).toBe(0x20000);
  });
  it('RETFQ back to 64-bit code pops 8-byte RIP and CS', () => {
    const rig = makeRig();
    rig.mem.write64(T.STACK_TOP - 16, 0xffff800000001000n);
    rig.mem.write64(T.STACK_TOP - 8, BigInt(T.CS));
    setReg(rig, 4, BigInt(T.STACK_TOP - 16));
    run1(rig, '48 cb');
    expect(BigInt.asUintN(64, BigInt(rig.cpu.state.rip))).toBe(0xffff800000001000n);
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP));
  });
  it('a 64-bit call gate from CPL 3 switches to RSP0 with a null SS and pushes SS, RSP, CS, RIP (8 bytes each)', () => {
    const rig = makeRig(); legacyGdt(rig);
    setDescriptor(rig, GATE, callGate(T.CS, 0x40000, 3));
    setDescriptor(rig, GATE + 8, 0n);
    rig.mem.write64(T.TSS + 4, 0x70000n); // RSP0
    const s = rig.cpu.state;
    s.segSel[SegIndex.CS] = T.CS3; s.segAr[SegIndex.CS] = s.segAr[SegIndex.CS]! | (3 << ARB.DPL_SHIFT);
    s.segSel[SegIndex.SS] = T.DS3; s.segAr[SegIndex.SS] = s.segAr[SegIndex.SS]! | (3 << ARB.DPL_SHIFT);
    rig.cpu.stateChanged();
    rig.mem.write64(0x9100, 0n);
    rig.mem.write16(0x9108, GATE | 3);
    setReg(rig, 3, 0x9100n);
    run1(rig, '48 ff 1b'); // call qword far [rbx]: the offset is ignored for a gate
    expect(rig.cpu.state.cpl).toBe(0);
    expect(rig.cpu.state.rip).toBe(0x40000);
    expect(s.segSel[SegIndex.SS]).toBe(0);
    expect(reg(rig, 4)).toBe(0x70000n - 32n);
    expect(rig.mem.read64(0x70000 - 8)).toBe(BigInt(T.DS3));
    expect(rig.mem.read64(0x70000 - 16)).toBe(BigInt(T.STACK_TOP));
    expect(rig.mem.read64(0x70000 - 24)).toBe(BigInt(T.CS3));
    expect(rig.mem.read64(0x70000 - 32)).toBe(BigInt(T.CODE + 3));
    run1(rig, '48 cb'); // retfq to the outer level: SS:RSP come back
    expect(rig.cpu.state.cpl).toBe(3);
    expect(s.segSel[SegIndex.SS]).toBe(T.DS3);
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP));
    expect(rig.cpu.state.rip).toBe(T.CODE + 3);
  });
});

describe('call gates in legacy protected mode (§5.8.4, §5.8.5)', () => {
  it('same privilege: CALL pushes CS:EIP at the gate size and jumps to the gate offset; JMP pushes nothing', () => {
    const rig = makeRig(); to32(rig); legacyGdt(rig);
    setDescriptor(rig, GATE, callGate(CODE32_DPL0, 0x30000, 0));
    run1(rig, `9a 00 00 00 00 ${le(GATE, 2)}`);
    expect(cs(rig)).toBe(CODE32_DPL0);
    expect(rig.cpu.state.rip).toBe(0x30000);
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP - 8));
    rig.cpu.state.rip = T.CODE;
    run1(rig, `ea 00 00 00 00 ${le(GATE, 2)}`);
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP - 8));
    expect(rig.cpu.state.rip).toBe(0x30000);
  });
  it('CPL 3 -> 0: SS0:ESP0 from the TSS, the old SS:ESP and two parameters copied; RETF 8 returns to ring 3', () => {
    const rig = makeRig(); to32(rig); legacyGdt(rig);
    setDescriptor(rig, GATE, callGate(CODE32_DPL0, 0x30000, 3, 2));
    rig.mem.write32(T.TSS + 4, 0x60000); // ESP0
    rig.mem.write16(T.TSS + 8, DATA); // SS0
    toRing3(rig);
    setReg(rig, 4, 0x50000n - 8n);
    rig.mem.write32(0x50000 - 8, 0x1111);
    rig.mem.write32(0x50000 - 4, 0x2222);
    run1(rig, `9a 00 00 00 00 ${le(GATE | 3, 2)}`);
    const s = rig.cpu.state;
    expect(s.cpl).toBe(0);
    expect(s.segSel[SegIndex.SS]).toBe(DATA);
    expect(rig.cpu.state.rip).toBe(0x30000);
    const top = 0x60000;
    expect(rig.mem.read32(top - 4)).toBe(DATA3 | 3);
    expect(rig.mem.read32(top - 8)).toBe(0x50000 - 8);
    expect(rig.mem.read32(top - 12)).toBe(0x2222);
    expect(rig.mem.read32(top - 16)).toBe(0x1111);
    expect(rig.mem.read32(top - 20)).toBe(CODE32_DPL3 | 3);
    expect(rig.mem.read32(top - 24)).toBe(T.CODE + 7);
    expect(reg(rig, 4)).toBe(BigInt(top - 24));
    run1(rig, 'ca 08 00'); // retf 8
    expect(s.cpl).toBe(3);
    expect(s.segSel[SegIndex.SS]).toBe(DATA3 | 3);
    expect(reg(rig, 4)).toBe(0x50000n);
    expect(rig.cpu.state.rip).toBe(T.CODE + 7);
  });
  it('a JMP through a call gate cannot raise privilege; a gate DPL below CPL is #GP(gate)', () => {
    const rig = makeRig(); to32(rig); legacyGdt(rig);
    setDescriptor(rig, GATE, callGate(CODE32_DPL0, 0x30000, 3));
    toRing3(rig);
    expect(fault(rig, `ea 00 00 00 00 ${le(GATE | 3, 2)}`)).toMatchObject({ vector: 13, errorCode: CODE32_DPL0 });
    setDescriptor(rig, GATE, callGate(CODE32_DPL0, 0x30000, 0));
    expect(fault(rig, `9a 00 00 00 00 ${le(GATE | 3, 2)}`)).toMatchObject({ vector: 13, errorCode: GATE });
  });
});

describe('far JMP/CALL to a TSS or task gate', () => {
  it('in VMX non-root operation: the taskSwitch hook gets the TSS selector and the source (JMP 2, CALL 0); the step unwinds', () => {
    const rig = makeRig(); to32(rig); legacyGdt(rig);
    const seen: [number, number, string | undefined][] = [];
    rig.env.vmx = {
      execute: () => undefined,
      inNonRoot: () => true,
      taskSwitch: (_c, sel, source, insn) => { seen.push([sel, source, insn?.mnemonic]); return true; },
    };
    rig.cpu.stateChanged();
    expect(() => run1(rig, `ea 00 00 00 00 ${le(TSS32, 2)}`)).toThrow(VmExitUnwind);
    expect(() => run1(rig, `9a 00 00 00 00 ${le(TASK_GATE, 2)}`)).toThrow(VmExitUnwind);
    expect(seen).toEqual([[TSS32, 2, 'jmp'], [TSS32, 0, 'call']]);
    expect(rig.cpu.state.rip).toBe(T.CODE);
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP));
  });
  it('the checks before the switch come first: a busy TSS or a TSS DPL below CPL is #GP(selector)', () => {
    const rig = makeRig(); to32(rig); legacyGdt(rig);
    let calls = 0;
    rig.env.vmx = { execute: () => undefined, inNonRoot: () => true, taskSwitch: () => { calls++; return true; } };
    setDescriptor(rig, TSS32, descriptor(0x9000, 0x67, 0x8b, 0)); // busy
    expect(fault(rig, `ea 00 00 00 00 ${le(TSS32, 2)}`)).toMatchObject({ vector: 13, errorCode: TSS32 });
    setDescriptor(rig, TSS32, descriptor(0x9000, 0x67, 0x89, 0));
    toRing3(rig);
    expect(fault(rig, `ea 00 00 00 00 ${le(TSS32 | 3, 2)}`)).toMatchObject({ vector: 13, errorCode: TSS32 });
    expect(calls).toBe(0);
  });
});
