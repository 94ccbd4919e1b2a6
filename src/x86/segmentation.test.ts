import { describe, expect, it } from 'vitest';
import { ARB, C4, F } from './archbits.ts';
import { X86Fault } from './fault.ts';
import { makeRig, reg, run1, setReg, T, type TestRig } from './testing.ts';
import { SegIndex } from './state.ts';

const RAX = 0;
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

function toUser(rig: TestRig): void {
  const s = rig.cpu.state;
  s.segSel[SegIndex.CS] = T.CS3;
  s.segAr[SegIndex.CS] |= 3 << ARB.DPL_SHIFT;
  s.segSel[SegIndex.SS] = T.DS3;
  s.segAr[SegIndex.SS] |= 3 << ARB.DPL_SHIFT;
  rig.cpu.stateChanged();
}

describe('segment loads at CPL 3 (SDM Vol. 3A §5.6 "Privilege Level Checking When Accessing Data Segments")', () => {
  it('a DPL-0 data segment is #GP(sel); a DPL-3 one loads and sets the accessed bit', () => {
    const rig = makeRig();
    toUser(rig);
    setReg(rig, RAX, BigInt(T.DS));
    const f = fault(() => run1(rig, '8e d8'));
    expect([f.vector, f.errorCode]).toEqual([13, T.DS]);
    rig.mem.write64(T.GDT + 0x20, rig.mem.read64(T.GDT + 0x20) & ~(1n << 40n));
    setReg(rig, RAX, BigInt(T.DS3));
    run1(rig, '8e d8');
    expect(rig.cpu.state.segSel[SegIndex.DS]).toBe(T.DS3);
    expect((rig.mem.read64(T.GDT + 0x20) >> 40n) & 1n).toBe(1n);
  });
  it('a null SS at CPL 3 is #GP(0)', () => {
    const rig = makeRig();
    toUser(rig);
    setReg(rig, RAX, 3n);
    const f = fault(() => run1(rig, '8e d0'));
    expect([f.vector, f.errorCode]).toEqual([13, 0]);
  });
  it('a not-present data segment is #NP(sel)', () => {
    const rig = makeRig();
    rig.mem.write64(T.GDT + 0x10, rig.mem.read64(T.GDT + 0x10) & ~(1n << 47n));
    setReg(rig, RAX, BigInt(T.DS));
    const f = fault(() => run1(rig, '8e e0')); // mov fs, ax
    expect([f.vector, f.errorCode]).toEqual([11, T.DS]);
  });
  it('pop fs loads the selector from the stack', () => {
    const rig = makeRig();
    rig.mem.write64(T.STACK_TOP - 8, BigInt(T.DS));
    setReg(rig, 4, BigInt(T.STACK_TOP - 8));
    run1(rig, '0f a1');
    expect(rig.cpu.state.segSel[SegIndex.FS]).toBe(T.DS);
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP));
  });
});

describe('LTR, LLDT, LAR, LSL', () => {
  it('LLDT of a non-LDT descriptor is #GP(sel); LTR of a data descriptor is #GP(sel)', () => {
    const rig = makeRig();
    setReg(rig, RAX, BigInt(T.DS));
    expect(fault(() => run1(rig, '0f 00 d0')).errorCode).toBe(T.DS);
    expect(fault(() => run1(rig, '0f 00 d8')).errorCode).toBe(T.DS);
  });
  it('LTR of a 16-byte descriptor whose upper half lies beyond the GDT limit is #GP(sel)', () => {
    const rig = makeRig();
    rig.cpu.state.gdtrLimit = T.TSS_SEL + 7;
    setReg(rig, RAX, BigInt(T.TSS_SEL));
    expect(fault(() => run1(rig, '0f 00 d8')).errorCode).toBe(T.TSS_SEL);
  });
  it('LAR at CPL 3 of a DPL-0 segment clears ZF; LSL of the TSS reports its limit', () => {
    const rig = makeRig();
    setReg(rig, RBX, BigInt(T.TSS_SEL));
    run1(rig, '0f 03 c3'); // lsl eax, ebx
    expect(reg(rig, RAX)).toBe(0x2067n);
    expect(rig.cpu.state.rflags & F.ZF).toBe(F.ZF);
    toUser(rig);
    setReg(rig, RBX, BigInt(T.DS));
    setReg(rig, RAX, 0x55n);
    run1(rig, '0f 02 c3');
    expect(rig.cpu.state.rflags & F.ZF).toBe(0);
    expect(reg(rig, RAX)).toBe(0x55n);
  });
  it('STR and SLDT: UMIP makes them #GP at CPL 3', () => {
    const rig = makeRig();
    run1(rig, '0f 00 c8'); // str eax
    expect(reg(rig, RAX)).toBe(BigInt(T.TSS_SEL));
    rig.cpu.state.cr4 |= C4.UMIP;
    toUser(rig);
    expect(fault(() => run1(rig, '0f 00 c8')).vector).toBe(13);
  });
});
