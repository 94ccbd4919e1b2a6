import { describe, expect, it } from 'vitest';
import { ARB, C4, EF, F } from '../archbits.ts';
import { X86Fault } from '../fault.ts';
import { SegIndex } from '../state.ts';
import { makeRig, reg, run1, setReg, T, type TestRig } from '../testing.ts';

const RAX = 0;
const RCX = 1;
const RDX = 2;
const R11 = 11;

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

describe('SYSCALL / SYSRET / SWAPGS', () => {
  it('SYSCALL saves RIP in RCX and RFLAGS in R11, masks RFLAGS, loads CS/SS from STAR; SYSRET returns to CPL 3', () => {
    const rig = makeRig();
    const s = rig.cpu.state;
    s.msrs.set(0xc0000081, (0x10n << 48n) | (BigInt(T.CS) << 32n));
    s.msrs.set(0xc0000082, 0x40000n);
    s.msrs.set(0xc0000084, BigInt(F.IF | F.DF));
    s.rflags |= F.IF | F.DF;
    toUser(rig);
    run1(rig, '0f 05');
    expect([s.rip, s.cpl, s.segSel[SegIndex.SS]]).toEqual([0x40000, 0, T.CS + 8]);
    expect(reg(rig, RCX)).toBe(BigInt(T.CODE + 2));
    expect(Number(reg(rig, R11)) & (F.IF | F.DF)).toBe(F.IF | F.DF);
    expect(s.rflags & (F.IF | F.DF)).toBe(0);
    run1(rig, '48 0f 07'); // sysretq
    expect([s.rip, s.cpl, s.segSel[SegIndex.CS], s.segSel[SegIndex.SS]]).toEqual([T.CODE + 2, 3, 0x23, 0x1b]);
    expect(s.rflags & F.IF).toBe(F.IF);
  });
  it('SYSCALL with EFER.SCE = 0 is #UD; SWAPGS exchanges the GS bases', () => {
    const rig = makeRig();
    rig.cpu.state.efer &= ~EF.SCE;
    expect(fault(() => run1(rig, '0f 05')).vector).toBe(6);
    rig.cpu.state.segBase[SegIndex.GS] = 0x1000;
    rig.cpu.state.kernelGsBase = 0x2000;
    run1(rig, '0f 01 f8');
    expect([rig.cpu.state.segBase[SegIndex.GS], rig.cpu.state.kernelGsBase]).toEqual([0x2000, 0x1000]);
  });
});

describe('counters and extended state', () => {
  it('RDTSC counts retired instructions from the TSC value; CR4.TSD blocks CPL 3', () => {
    const rig = makeRig();
    rig.cpu.state.tscOffset = 1000n;
    rig.cpu.state.icount = 5;
    run1(rig, '0f 31');
    expect((reg(rig, RDX) << 32n) | reg(rig, RAX)).toBe(1005n);
    setReg(rig, RCX, 0x10n);
    setReg(rig, RAX, 0n);
    setReg(rig, RDX, 1n);
    run1(rig, '0f 30'); // wrmsr TSC := 2^32
    run1(rig, '0f 31');
    expect((reg(rig, RDX) << 32n) | reg(rig, RAX)).toBe((1n << 32n) + 1n);
    rig.cpu.state.cr4 |= C4.TSD;
    toUser(rig);
    expect(fault(() => run1(rig, '0f 31')).vector).toBe(13);
  });
  it('XSETBV/XGETBV: XCR0 bit 0 must stay set, AVX needs SSE', () => {
    const rig = makeRig();
    setReg(rig, RCX, 0n);
    setReg(rig, RDX, 0n);
    setReg(rig, RAX, 4n | 1n);
    expect(fault(() => run1(rig, '0f 01 d1')).vector).toBe(13);
    setReg(rig, RAX, 7n);
    run1(rig, '0f 01 d1');
    setReg(rig, RAX, 0n);
    run1(rig, '0f 01 d0');
    expect(reg(rig, RAX)).toBe(7n);
    rig.cpu.state.cr4 &= ~C4.OSXSAVE;
    expect(fault(() => run1(rig, '0f 01 d0')).vector).toBe(6);
  });
});

describe('privilege rules for flags', () => {
  it('CLI at CPL 3 with IOPL 0 is #GP(0); POPF at CPL 3 keeps IF and IOPL', () => {
    const rig = makeRig();
    rig.cpu.state.rflags |= F.IF;
    toUser(rig);
    expect(fault(() => run1(rig, 'fa')).vector).toBe(13);
    rig.mem.write64(T.STACK_TOP - 8, BigInt(F.IOPL | F.CF));
    setReg(rig, 4, BigInt(T.STACK_TOP - 8));
    run1(rig, '9d');
    expect(rig.cpu.state.rflags & (F.IF | F.IOPL | F.CF)).toBe(F.IF | F.CF);
  });
  it('IRETQ to CPL 3 nulls a data segment whose DPL is 0', () => {
    const rig = makeRig();
    const sp = 0x70000;
    for (const [i, v] of [T.CODE, T.CS3, F.FIXED, 0x60000, T.DS3].entries()) rig.mem.write64(sp + i * 8, BigInt(v));
    setReg(rig, 4, BigInt(sp));
    run1(rig, '48 cf');
    const s = rig.cpu.state;
    expect([s.cpl, s.rip, Number(reg(rig, 4))]).toEqual([3, T.CODE, 0x60000]);
    expect(s.segSel[SegIndex.DS]).toBe(0);
    expect(s.segAr[SegIndex.DS]! & ARB.UNUSABLE).toBe(ARB.UNUSABLE);
  });
});
