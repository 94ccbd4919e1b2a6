import { describe, expect, it } from 'vitest';
import { ARB, F } from './archbits.ts';
import { X86Fault } from './fault.ts';
import { deliverException } from './interrupts.ts';
import { makeRig, reg, run1, setReg, T, type TestRig } from './testing.ts';
import { SegIndex } from './state.ts';

const RSP = 4;
const HANDLER = 0x40000;

function gate(rig: TestRig, vector: number, opts: { dpl?: number; ist?: number; type?: number; present?: boolean; handler?: number } = {}): void {
  const off = BigInt(opts.handler ?? HANDLER + vector * 0x10);
  const lo = (off & 0xffffn) | (BigInt(T.CS) << 16n) | (BigInt(opts.ist ?? 0) << 32n) | (BigInt(opts.type ?? 0xe) << 40n) |
    (BigInt(opts.dpl ?? 0) << 45n) | ((opts.present ?? true) ? 1n << 47n : 0n) | (((off >> 16n) & 0xffffn) << 48n);
  rig.mem.write64(T.IDT + vector * 16, lo);
  rig.mem.write64(T.IDT + vector * 16 + 8, off >> 32n);
}

function caught(f: () => unknown): X86Fault {
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

describe('64-bit IDT delivery (SDM Vol. 3A §6.14)', () => {
  it('INT3 pushes SS, RSP, RFLAGS, CS and the next RIP on a 16-byte aligned stack; IRETQ returns', () => {
    const rig = makeRig();
    gate(rig, 3);
    setReg(rig, RSP, BigInt(T.STACK_TOP - 8));
    rig.cpu.state.rflags |= F.IF;
    const f = caught(() => run1(rig, 'cc'));
    expect([f.vector, f.kind, f.nextRip]).toEqual([3, 'software', T.CODE + 1]);
    expect(deliverException(rig.cpu, f)).toEqual({ kind: 'delivered', vector: 3 });
    const s = rig.cpu.state;
    expect(s.rip).toBe(HANDLER + 0x30);
    expect(s.rflags & F.IF).toBe(0);
    const sp = T.STACK_TOP - 16 - 40;
    expect(reg(rig, RSP)).toBe(BigInt(sp));
    expect(rig.mem.read64(sp)).toBe(BigInt(T.CODE + 1));
    expect(rig.mem.read64(sp + 8)).toBe(BigInt(T.CS));
    expect(rig.mem.read64(sp + 24)).toBe(BigInt(T.STACK_TOP - 8));
    rig.mem.write8(HANDLER + 0x30, 0x48);
    rig.mem.write8(HANDLER + 0x31, 0xcf);
    rig.cpu.flushDecodeCache();
    rig.cpu.step(); // iretq
    expect(s.rip).toBe(T.CODE + 1);
    expect(reg(rig, RSP)).toBe(BigInt(T.STACK_TOP - 8));
    expect(s.rflags & F.IF).toBe(F.IF);
  });
  it('#PF pushes its error code and sets CR2; the return RIP is the faulting instruction', () => {
    const rig = makeRig();
    gate(rig, 14);
    rig.mem.write64(T.PD + 8, 0n); // unmap [2 MiB, 4 MiB)
    rig.cpu.flushTlb();
    setReg(rig, 0, 0x200010n);
    const f = caught(() => run1(rig, '48 8b 00'));
    deliverException(rig.cpu, f);
    const sp = Number(reg(rig, RSP));
    expect(rig.cpu.state.cr2).toBe(0x200010);
    expect(rig.mem.read64(sp)).toBe(0n); // error code: not present, read, supervisor
    expect(rig.mem.read64(sp + 8)).toBe(BigInt(T.CODE));
  });
  it('from CPL 3: stack switch to TSS.RSP0, SS becomes null with RPL 0; IST overrides', () => {
    const rig = makeRig();
    gate(rig, 0x80, { dpl: 3 });
    rig.mem.write64(T.TSS + 4, 0x70000n);
    toUser(rig);
    const f = caught(() => run1(rig, 'cd 80'));
    deliverException(rig.cpu, f);
    expect(reg(rig, RSP)).toBe(BigInt(0x70000 - 40));
    expect(rig.mem.read64(0x70000 - 8)).toBe(BigInt(T.DS3));
    expect(rig.cpu.state.segSel[SegIndex.SS]).toBe(0);
    expect(rig.cpu.state.cpl).toBe(0);
    gate(rig, 0x81, { ist: 2 });
    rig.mem.write64(T.TSS + 36 + 8, 0x60008n);
    deliverException(rig.cpu, new X86Fault(0x81, undefined, 'test', 'software', 0x1234));
    expect(reg(rig, RSP)).toBe(BigInt(0x60000 - 40));
  });
  it('INT n through a DPL-0 gate from CPL 3 is #GP(vector*8+2)', () => {
    const rig = makeRig();
    gate(rig, 0x80, { dpl: 0 });
    gate(rig, 13);
    rig.mem.write64(T.TSS + 4, 0x70000n);
    toUser(rig);
    const f = caught(() => run1(rig, 'cd 80'));
    expect(deliverException(rig.cpu, f)).toEqual({ kind: 'delivered', vector: 13 });
    expect(rig.mem.read64(Number(reg(rig, RSP)))).toBe(BigInt(0x80 * 8 + 2));
  });
  it('a contributory fault while delivering #GP gives #DF (error code 0); a fault delivering #DF shuts down', () => {
    const rig = makeRig();
    gate(rig, 13, { present: false });
    gate(rig, 8);
    const gpf = new X86Fault(13, 0, 'test #GP');
    expect(deliverException(rig.cpu, gpf)).toEqual({ kind: 'delivered', vector: 8 });
    expect(rig.mem.read64(Number(reg(rig, RSP)))).toBe(0n);
    const r2 = makeRig();
    gate(r2, 13, { present: false });
    const res = deliverException(r2.cpu, gpf);
    expect(res.kind).toBe('shutdown');
    expect(r2.cpu.state.activity).toBe('shutdown');
    expect(r2.cpu.step().kind).toBe('shutdown');
  });
  it('a #PF while delivering #BP is handled serially (benign first event)', () => {
    const rig = makeRig();
    gate(rig, 3);
    gate(rig, 14);
    rig.cpu.state.idtrBase = T.IDT;
    setReg(rig, RSP, 0x200100n);
    rig.mem.write64(T.PD + 8, 0n); // the stack page is unmapped
    rig.cpu.flushTlb();
    const res = deliverException(rig.cpu, new X86Fault(3, undefined, 'int3', 'software', T.CODE + 1));
    // #PF delivery also needs the stack: #PF during #PF delivery is a double fault; no #DF gate -> shutdown.
    expect(res.kind).toBe('shutdown');
  });
});

describe('RF', () => {
  it('a fault pushes RF = 1; IRETQ restores it; the next instruction clears it', () => {
    const rig = makeRig();
    gate(rig, 6);
    const f = caught(() => run1(rig, '0f 0b'));
    deliverException(rig.cpu, f);
    const sp = Number(reg(rig, RSP));
    expect(Number(rig.mem.read64(sp + 16)) & F.RF).toBe(F.RF);
    rig.mem.write64(sp, BigInt(T.CODE + 0x100)); // return past the ud2, to a nop
    rig.mem.write8(T.CODE + 0x100, 0x90);
    rig.mem.write8(HANDLER + 0x60, 0x48);
    rig.mem.write8(HANDLER + 0x61, 0xcf);
    rig.cpu.flushDecodeCache();
    rig.cpu.step(); // iretq
    expect(rig.cpu.state.rflags & F.RF).toBe(F.RF);
    rig.cpu.step(); // nop
    expect(rig.cpu.state.rflags & F.RF).toBe(0);
  });
});

describe('external interrupts (kind "interrupt")', () => {
  it('deliver without an error code, to the current RIP, through a DPL-0 gate even from CPL 3', () => {
    const rig = makeRig();
    gate(rig, 0x40, { dpl: 0 });
    rig.mem.write64(T.TSS + 4, 0x70000n);
    const s = rig.cpu.state;
    s.segSel[SegIndex.CS] = T.CS3;
    s.segAr[SegIndex.CS] |= 3 << ARB.DPL_SHIFT;
    s.segSel[SegIndex.SS] = T.DS3;
    s.segAr[SegIndex.SS] |= 3 << ARB.DPL_SHIFT;
    rig.cpu.stateChanged();
    expect(deliverException(rig.cpu, new X86Fault(0x40, undefined, 'timer', 'interrupt'))).toEqual({ kind: 'delivered', vector: 0x40 });
    expect(reg(rig, RSP)).toBe(BigInt(0x70000 - 40));
    expect(rig.mem.read64(0x70000 - 40)).toBe(BigInt(T.CODE));
    expect(Number(rig.mem.read64(0x70000 - 24)) & F.RF).toBe(0);
  });
});
