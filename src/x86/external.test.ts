import { describe, expect, it } from 'vitest';
import { C0, F, IOPL_SHIFT } from './archbits.ts';
import type { InterruptPins } from './external.ts';
import { X86Fault } from './fault.ts';
import { deliverException } from './interrupts.ts';
import { SegIndex } from './state.ts';
import { makeRig, run1, setReg, T, type TestRig } from './testing.ts';
import { loadV8086Segment } from './v8086.ts';

/** Pins with one pending vector (or none) and an NMI latch; counts acknowledges. */
class FakePins implements InterruptPins {
  acks = 0;
  constructor(public vector: number | null, public nmi = false) {}
  get intr(): boolean {
    return this.vector !== null;
  }
  get attention(): boolean {
    return this.intr || this.nmi;
  }
  takeNmi(): void {
    this.nmi = false;
  }
  acknowledge(): number {
    this.acks++;
    const v = this.vector ?? 0x27;
    this.vector = null;
    return v;
  }
}

function rigWith(pins: FakePins): TestRig {
  const rig = makeRig();
  rig.platform.interrupts = pins;
  return rig;
}

/** One step; returns the external event it raised (as the machine's catch would see it), or null. */
function stepEvent(rig: TestRig, bytes = '90'): X86Fault | null {
  try {
    run1(rig, bytes);
    return null;
  } catch (e) {
    if (e instanceof X86Fault) return e;
    throw e;
  }
}

function gate64(rig: TestRig, vector: number, handler: number): void {
  const lo = BigInt(handler & 0xffff) | (BigInt(T.CS) << 16n) | (0x8en << 40n) | (BigInt((handler >>> 16) & 0xffff) << 48n);
  rig.mem.write64(T.IDT + vector * 16, lo);
  rig.mem.write64(T.IDT + vector * 16 + 8, 0n);
}

describe('maskable interrupts at instruction boundaries (SDM Vol. 3A §6.8)', () => {
  it('RFLAGS.IF = 0 holds INTR off: the instruction runs and nothing is acknowledged', () => {
    const pins = new FakePins(0x30);
    const rig = rigWith(pins);
    expect(stepEvent(rig)).toBeNull();
    expect(rig.cpu.state.rip).toBe(T.CODE + 1);
    expect(pins.acks).toBe(0);
  });

  it('IF = 1: the INTA cycle gives the vector; the event is an interrupt returning to the current RIP', () => {
    const pins = new FakePins(0x30);
    const rig = rigWith(pins);
    rig.cpu.state.rflags |= F.IF;
    const f = stepEvent(rig);
    expect([f?.vector, f?.kind, f?.errorCode]).toEqual([0x30, 'interrupt', undefined]);
    expect(rig.cpu.state.rip).toBe(T.CODE);
    gate64(rig, 0x30, 0x40000);
    expect(deliverException(rig.cpu, f!)).toEqual({ kind: 'delivered', vector: 0x30 });
    expect(rig.cpu.state.rip).toBe(0x40000);
    expect(rig.mem.read64(T.STACK_TOP - 40)).toBe(BigInt(T.CODE));
    expect(rig.cpu.state.rflags & F.IF).toBe(0);
  });

  it('STI: blocking for one instruction after it (§6.8.3; Vol. 2B "STI")', () => {
    const pins = new FakePins(0x30);
    const rig = rigWith(pins);
    expect(stepEvent(rig, 'fb')).toBeNull(); // sti
    expect(stepEvent(rig, '90')).toBeNull(); // the nop after STI runs
    expect(stepEvent(rig, '90')?.vector).toBe(0x30);
  });

  it('MOV SS: blocking for one instruction after it, for NMIs too', () => {
    const pins = new FakePins(0x30, true);
    const rig = rigWith(pins);
    rig.cpu.state.rflags |= F.IF;
    rig.platform.interrupts = undefined;
    run1(rig, '8e d0'); // mov ss, ax (ax = 0 would be null: load the data selector)
    rig.platform.interrupts = pins;
    expect(stepEvent(rig, '90')).toBeNull();
    expect(stepEvent(rig, '90')?.vector).toBe(2);
  });

  it('HLT: the processor stays halted with IF = 0; an interrupt with IF = 1 wakes it after the HLT', () => {
    const pins = new FakePins(null);
    const rig = rigWith(pins);
    rig.cpu.state.rflags |= F.IF;
    expect(run1(rig, 'f4').kind).toBe('halted');
    expect(rig.cpu.state.activity).toBe('halted');
    pins.vector = 0x31;
    gate64(rig, 0x31, 0x40000);
    const f = stepEvent(rig);
    deliverException(rig.cpu, f!);
    expect(rig.cpu.state.activity).toBe('active');
    expect(rig.mem.read64(T.STACK_TOP - 40)).toBe(BigInt(T.CODE + 1));
  });
});

describe('NMI (SDM Vol. 3A §6.7)', () => {
  it('comes before INTR, ignores IF, and blocks NMIs until IRET', () => {
    const pins = new FakePins(0x30, true);
    const rig = rigWith(pins);
    gate64(rig, 2, 0x40000);
    const f = stepEvent(rig);
    expect([f?.vector, f?.kind]).toEqual([2, 'interrupt']);
    expect(pins.acks).toBe(0);
    deliverException(rig.cpu, f!);
    expect(rig.cpu.state.nmiBlocked).toBe(true);
    pins.nmi = true;
    // In the handler: the second NMI waits; IF = 0 holds INTR too.
    expect(stepEvent(rig, '90')).toBeNull();
    expect(stepEvent(rig, '48 cf')).toBeNull(); // iretq
    expect(rig.cpu.state.nmiBlocked).toBe(false);
    expect(rig.cpu.state.rip).toBe(T.CODE);
    expect(stepEvent(rig)?.vector).toBe(2);
  });

  it('real-address mode: delivered through the IVT', () => {
    const pins = new FakePins(0x08);
    const rig = rigWith(pins);
    const s = rig.cpu.state;
    s.cr0 = C0.ET;
    s.efer = 0;
    for (let i = 0; i < 6; i++) {
      s.segSel[i] = 0;
      s.segBase[i] = 0;
      s.segLimit[i] = 0xffff;
      s.segAr[i] = i === SegIndex.CS ? 0x9b : 0x93;
    }
    s.idtrBase = 0;
    s.idtrLimit = 0x3ff;
    s.rip = 0x1000;
    s.setGpr64(4, 0x8000n);
    s.rflags |= F.IF;
    rig.cpu.stateChanged();
    rig.mem.write32(0x08 * 4, 0x0200_0010);
    const f = stepEvent(rig);
    expect(deliverException(rig.cpu, f!)).toEqual({ kind: 'delivered', vector: 8 });
    expect(s.segBase[SegIndex.CS]).toBe(0x2000);
    expect(s.rip).toBe(0x10);
    expect(rig.mem.read16(0x8000 - 6)).toBe(0x1000);
  });

  it('virtual-8086 mode: an external interrupt leaves to the protected-mode IDT at CPL 0, IOPL not consulted, the v8086 frame pushed', () => {
    const pins = new FakePins(0x21);
    const rig = rigWith(pins);
    const s = rig.cpu.state;
    // 32-bit ring-0 code at 0x48; the TSS gives SS0:ESP0 = 0x10:0x70000 (as v8086.test.ts sets up).
    rig.mem.write64(T.GDT + 0x48, 0xffffn | (0x9bn << 40n) | (0xfn << 48n) | (0xcn << 52n));
    s.gdtrLimit = 0x4f;
    rig.mem.write32(T.TSS + 4, 0x70000);
    rig.mem.write32(T.TSS + 8, T.DS);
    s.cr0 = (C0.PE | C0.ET | C0.NE) >>> 0;
    s.cr4 = 0;
    s.efer = 0;
    s.rflags = (F.FIXED | F.VM | F.IF | (0 << IOPL_SHIFT)) >>> 0;
    loadV8086Segment(rig.cpu, SegIndex.CS, 0x100);
    loadV8086Segment(rig.cpu, SegIndex.SS, 0x200);
    for (const seg of [SegIndex.DS, SegIndex.ES, SegIndex.FS, SegIndex.GS]) loadV8086Segment(rig.cpu, seg, 0x300);
    s.rip = 0x10;
    setReg(rig, 4, 0xffe0n);
    s.idtrLimit = 0x7ff;
    rig.cpu.stateChanged();
    // A 32-bit interrupt gate for 0x21, DPL 0 (an external interrupt has no gate-DPL check).
    const handler = 0x40000;
    rig.mem.write64(T.IDT + 0x21 * 8, BigInt(handler & 0xffff) | (0x48n << 16n) | ((BigInt(0x8e00) | (BigInt(handler >>> 16) << 16n)) << 32n));
    rig.mem.write8(0x1010, 0x90);
    rig.cpu.flushDecodeCache();
    let f: X86Fault | null = null;
    try {
      rig.cpu.step();
    } catch (e) {
      f = e as X86Fault;
    }
    expect([f?.vector, f?.kind]).toEqual([0x21, 'interrupt']);
    expect(deliverException(rig.cpu, f!)).toEqual({ kind: 'delivered', vector: 0x21 });
    expect(s.rflags & F.VM).toBe(0);
    expect(s.cpl).toBe(0);
    expect(s.rip).toBe(handler);
    // The frame on the ring-0 stack: EIP, CS, EFLAGS (VM = 1), ESP, SS, ES, DS, FS, GS.
    expect(rig.mem.read32(0x70000 - 36)).toBe(0x10);
    expect(rig.mem.read32(0x70000 - 32)).toBe(0x100);
    expect(rig.mem.read32(0x70000 - 28) & F.VM).toBe(F.VM);
  });
});
