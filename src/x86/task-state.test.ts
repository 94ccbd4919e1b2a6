// The 32-bit TSS task switch in root operation (SDM Vol. 3A §8.3 "Task Switching"): JMP, CALL
// with nesting and the IRET back, an exception through an IDT task gate with its error code,
// and a fault after the commit point raised in the new task.
import { describe, expect, it } from 'vitest';
import { C0, F } from './archbits.ts';
import { X86Fault } from './fault.ts';
import { deliverException } from './interrupts.ts';
import { SegIndex } from './state.ts';
import { descriptor, makeRig, reg, run1, setDescriptor, setReg, to32, T, type TestRig } from './testing.ts';

const NEW_TSS = 0x80;
const GATE = 0x88;
const NEW_BASE = 0x9000;
const le = (v: number, n: number): string => Array.from({ length: n }, (_, i) => ((v >>> (8 * i)) & 0xff).toString(16).padStart(2, '0')).join(' ');

/** 32-bit protected mode, the current task in the rig's TSS (0x28), a second task ready at 0x80. */
function twoTasks(): TestRig {
  const rig = makeRig();
  to32(rig);
  setDescriptor(rig, T.TSS_SEL, descriptor(T.TSS, 0x67, 0x8b, 0)); // current task: busy 32-bit TSS
  rig.cpu.state.segLimit[SegIndex.TR] = 0x67;
  setDescriptor(rig, NEW_TSS, descriptor(NEW_BASE, 0x67, 0x89, 0));
  setDescriptor(rig, GATE, BigInt(NEW_TSS) << 16n | 0x85n << 40n);
  const w = (off: number, v: number) => rig.mem.write32(NEW_BASE + off, v);
  w(0x20, 0x30000); // EIP
  w(0x24, F.FIXED | F.IF | F.CF); // EFLAGS
  for (let i = 0; i < 8; i++) w(0x28 + 4 * i, 0x1000 * (i + 1));
  w(0x38, 0x60000); // ESP
  [T.DS, T.CS, T.DS, T.DS, 0, 0].forEach((sel, i) => rig.mem.write16(NEW_BASE + 0x48 + 4 * i, sel));
  rig.mem.write16(NEW_BASE + 0x60, 0); // no LDT
  for (let i = 0; i < 8; i++) if (i !== 4) setReg(rig, i, BigInt(0x11 * (i + 1)));
  return rig;
}

const busy = (rig: TestRig, sel: number): boolean => (rig.mem.read32(T.GDT + sel + 4) & 0x200) !== 0;

describe('task switch in root operation (32-bit TSS)', () => {
  it('JMP to a TSS: the old task is saved and freed, the new one loaded and marked busy; CR0.TS set; no nesting', () => {
    const rig = twoTasks();
    const s = rig.cpu.state;
    run1(rig, `ea 00 00 00 00 ${le(NEW_TSS, 2)}`);
    expect(s.segSel[SegIndex.TR]).toBe(NEW_TSS);
    expect([busy(rig, NEW_TSS), busy(rig, T.TSS_SEL)]).toEqual([true, false]);
    expect(s.rip).toBe(0x30000);
    expect(reg(rig, 0)).toBe(0x1000n);
    expect(reg(rig, 4)).toBe(0x60000n);
    expect(s.rflags & (F.NT | F.CF)).toBe(F.CF);
    expect(s.cr0 & C0.TS).toBe(C0.TS);
    expect(rig.mem.read32(T.TSS + 0x20)).toBe(T.CODE + 7); // saved EIP: after the JMP
    expect(rig.mem.read32(T.TSS + 0x28)).toBe(0x11); // saved EAX
    expect(rig.mem.read16(T.TSS + 0x4c)).toBe(T.CS);
  });

  it('CALL through a task gate nests (back link, NT); IRET returns to the caller and frees the called TSS', () => {
    const rig = twoTasks();
    const s = rig.cpu.state;
    run1(rig, `9a 00 00 00 00 ${le(GATE, 2)}`);
    expect(s.segSel[SegIndex.TR]).toBe(NEW_TSS);
    expect(rig.mem.read16(NEW_BASE)).toBe(T.TSS_SEL);
    expect(s.rflags & F.NT).toBe(F.NT);
    expect([busy(rig, NEW_TSS), busy(rig, T.TSS_SEL)]).toEqual([true, true]);
    run1(rig, 'cf'); // iretd with NT = 1, at 0x30000
    expect(s.segSel[SegIndex.TR]).toBe(T.TSS_SEL);
    expect(s.rip).toBe(T.CODE + 7);
    expect(reg(rig, 0)).toBe(0x11n);
    expect([busy(rig, NEW_TSS), busy(rig, T.TSS_SEL)]).toEqual([false, true]);
    expect(rig.mem.read32(NEW_BASE + 0x24) & F.NT).toBe(0); // the saved image has NT cleared
    expect(rig.mem.read32(NEW_BASE + 0x20)).toBe(0x30001);
  });

  it('an exception through an IDT task gate switches with nesting and pushes its error code on the new stack', () => {
    const rig = twoTasks();
    rig.mem.write32(T.IDT + 13 * 8, NEW_TSS << 16);
    rig.mem.write32(T.IDT + 13 * 8 + 4, 0x8500);
    const r = deliverException(rig.cpu, new X86Fault(13, 0x18, 'test'));
    expect(r).toEqual({ kind: 'delivered', vector: 13 });
    const s = rig.cpu.state;
    expect([s.segSel[SegIndex.TR], s.rip]).toEqual([NEW_TSS, 0x30000]);
    expect(reg(rig, 4)).toBe(0x60000n - 4n);
    expect(rig.mem.read32(0x60000 - 4)).toBe(0x18);
    expect(rig.mem.read32(T.TSS + 0x20)).toBe(T.CODE); // a fault saves the faulting EIP
    expect(s.rflags & F.NT).toBe(F.NT);
  });

  it('a bad CS in the new TSS is #TS(CS) raised after the commit point, in the new task', () => {
    const rig = twoTasks();
    rig.mem.write16(NEW_BASE + 0x4c, T.DS); // CS names a data segment
    let f: X86Fault | null = null;
    try { run1(rig, `ea 00 00 00 00 ${le(NEW_TSS, 2)}`); } catch (e) { f = e as X86Fault; }
    expect(f).toMatchObject({ vector: 10, errorCode: T.DS });
    expect(rig.cpu.state.segSel[SegIndex.TR]).toBe(NEW_TSS);
  });

  it('a 16-bit TSS: CALL loads IP, FLAGS, AX-DI (upper words FFFFh), ES CS SS DS, FS/GS null; IRET saves the 16-bit layout', () => {
    const rig = twoTasks();
    const T16 = 0x90;
    const B16 = 0xa000;
    setDescriptor(rig, T16, descriptor(B16, 0x2b, 0x81, 0)); // available 16-bit TSS
    const w = (off: number, v: number) => rig.mem.write16(B16 + off, v);
    w(0x0e, 0x4000); // IP
    w(0x10, F.FIXED | F.ZF); // FLAGS
    for (let i = 0; i < 8; i++) w(0x12 + 2 * i, 0x100 + i);
    [T.DS, T.CS, T.DS, T.DS].forEach((sel, i) => w(0x22 + 2 * i, sel));
    const s = rig.cpu.state;
    run1(rig, `9a 00 00 00 00 ${le(T16, 2)}`); // call T16:0
    expect([s.segSel[SegIndex.TR], s.rip, s.segSel[SegIndex.FS], s.segSel[SegIndex.GS]]).toEqual([T16, 0x4000, 0, 0]);
    expect(reg(rig, 0)).toBe(0xffff0100n);
    expect(reg(rig, 7)).toBe(0xffff0107n);
    expect(s.rflags & (F.ZF | F.NT)).toBe(F.ZF | F.NT);
    expect(rig.mem.read16(B16)).toBe(T.TSS_SEL); // back link
    setReg(rig, 3, 0x1234_5678n);
    run1(rig, 'cf'); // iretd with NT = 1, at 0x4000: back to the 32-bit task
    expect([s.segSel[SegIndex.TR], s.rip]).toEqual([T.TSS_SEL, T.CODE + 7]);
    expect(rig.mem.read16(B16 + 0x0e)).toBe(0x4001); // IP saved in the 16-bit layout
    expect(rig.mem.read16(B16 + 0x18)).toBe(0x5678); // BX
    expect(rig.mem.read16(B16 + 0x10) & F.NT).toBe(0);
  });

  it('a new TSS with a limit below 0x67 is #TS before anything changes', () => {
    const rig = twoTasks();
    setDescriptor(rig, NEW_TSS, descriptor(NEW_BASE, 0x40, 0x89, 0));
    let f: X86Fault | null = null;
    try { run1(rig, `ea 00 00 00 00 ${le(NEW_TSS, 2)}`); } catch (e) { f = e as X86Fault; }
    expect(f).toMatchObject({ vector: 10, errorCode: NEW_TSS });
    expect(rig.cpu.state.segSel[SegIndex.TR]).toBe(T.TSS_SEL);
    expect(busy(rig, T.TSS_SEL)).toBe(true);
  });
});
