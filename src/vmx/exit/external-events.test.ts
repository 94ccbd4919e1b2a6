// External interrupts and NMIs in VMX non-root operation, on every profile: the pin-based controls
// decide exits (SDM Vol. 3C §26.2 "Other Causes of VM Exits"), RFLAGS.IF does not matter under
// external-interrupt exiting (§26.3), "acknowledge interrupt on exit" records the vector (§28.2.2),
// IRET and NMI blocking (§26.3), and the order among boundary events (§26.7).
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../arch/controls/index.ts';
import type { ExternalEventHooks, InterruptPins } from '../../x86/external.ts';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { allows, asmInsn, fieldOf, launchedRig, pin, primary } from '../testing/exits.ts';
import { insn, type Rig } from '../testing/rig.ts';

class Pins implements InterruptPins {
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
    const v = this.vector!;
    this.vector = null;
    return v;
  }
}

const IF = 0x200;
const hooksOf = (rig: Rig) => rig.model.hooks as typeof rig.model.hooks & ExternalEventHooks;

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('external events in the guest on %s', (_id, p) => {
  const guest = (pins: string[], opts: { ack?: boolean; procs?: string[]; rflags?: bigint; interruptibility?: bigint; bitmap?: bigint } = {}) =>
    launchedRig(p, (f) => {
      f.set('PIN_BASED_VM_EXEC_CONTROL', f.get('PIN_BASED_VM_EXEC_CONTROL')! | pin(...pins));
      if (opts.ack) f.set('VM_EXIT_CONTROLS', f.get('VM_EXIT_CONTROLS')! | EXIT.mask.VM_EXIT_ACK_INTR_ON_EXIT!);
      if (opts.procs) f.set('CPU_BASED_VM_EXEC_CONTROL', f.get('CPU_BASED_VM_EXEC_CONTROL')! | primary(...opts.procs));
      if (opts.rflags !== undefined) f.set('GUEST_RFLAGS', opts.rflags);
      if (opts.interruptibility !== undefined) f.set('GUEST_INTERRUPTIBILITY_INFO', opts.interruptibility);
      if (opts.bitmap !== undefined) f.set('EXCEPTION_BITMAP', opts.bitmap);
    });

  it('no external-interrupt exiting: the interrupt is left to the processor (guest IDT), nothing acknowledged', () => {
    const rig = guest([], { rflags: 0x2n | BigInt(IF) });
    const pins = new Pins(0x30);
    expect(hooksOf(rig).externalEvent!(rig.cpu, pins)).toBe('native');
    expect(rig.model.mode()).toBe('non-root');
    expect(pins.acks).toBe(0);
  });

  it('external-interrupt exiting without acknowledge: reason 1 even with IF = 0, no interruption info, the request stays pending', () => {
    const rig = guest(['PIN_BASED_EXT_INTR_MASK'], { rflags: 0x2n });
    const rip = rig.cpu.state.rip;
    const pins = new Pins(0x30);
    expect(hooksOf(rig).externalEvent!(rig.cpu, pins)).toBe('exit');
    expect(rig.model.mode()).toBe('root');
    expect([fieldOf(rig, 'VM_EXIT_REASON'), fieldOf(rig, 'VM_EXIT_INTR_INFO'), fieldOf(rig, 'EXIT_QUALIFICATION')]).toEqual([1n, 0n, 0n]);
    expect(fieldOf(rig, 'GUEST_RIP')).toBe(BigInt(rip));
    expect(pins.acks).toBe(0);
    expect(pins.intr).toBe(true);
    expect(rig.model.takeReports()).toMatchObject([{ kind: 'vmexit', reason: 1, name: 'EXTERNAL_INTERRUPT' }]);
  });

  it('"acknowledge interrupt on exit": the INTA cycle runs and the vector is recorded (valid, type 0)', () => {
    const rig = guest(['PIN_BASED_EXT_INTR_MASK'], { ack: true });
    const pins = new Pins(0x31);
    expect(hooksOf(rig).externalEvent!(rig.cpu, pins)).toBe('exit');
    expect([fieldOf(rig, 'VM_EXIT_REASON'), fieldOf(rig, 'VM_EXIT_INTR_INFO')]).toEqual([1n, 0x8000_0031n]);
    expect(pins.acks).toBe(1);
  });

  it('blocking by STI or MOV SS holds the interrupt exit off (decision 0066)', () => {
    const rig = guest(['PIN_BASED_EXT_INTR_MASK'], { rflags: 0x2n | BigInt(IF), interruptibility: 1n });
    expect(hooksOf(rig).externalEvent!(rig.cpu, new Pins(0x30))).toBe('native');
    expect(rig.model.mode()).toBe('non-root');
  });

  it('NMI exiting: reason 0 with NMI information (vector 2, type 2); the host starts with NMIs blocked', () => {
    const rig = guest(['PIN_BASED_NMI_EXITING']);
    const pins = new Pins(null, true);
    expect(hooksOf(rig).externalEvent!(rig.cpu, pins)).toBe('exit');
    expect([fieldOf(rig, 'VM_EXIT_REASON'), fieldOf(rig, 'VM_EXIT_INTR_INFO')]).toEqual([0n, 0x8000_0202n]);
    expect(pins.nmi).toBe(false);
    expect(rig.cpu.state.nmiBlocked).toBe(true);
  });

  it('no NMI exiting: the NMI is delivered through the guest IDT; an NMI blocked in the guest state waits', () => {
    expect(hooksOf(guest([])).externalEvent!(guest([]).cpu, new Pins(null, true))).toBe('native');
    const blocked = guest(['PIN_BASED_NMI_EXITING'], { interruptibility: 8n });
    expect(blocked.cpu.state.nmiBlocked).toBe(true);
    expect(hooksOf(blocked).externalEvent!(blocked.cpu, new Pins(null, true))).toBe('native');
    expect(blocked.model.mode()).toBe('non-root');
  });

  it('an NMI comes before an external interrupt when both exit', () => {
    const rig = guest(['PIN_BASED_EXT_INTR_MASK', 'PIN_BASED_NMI_EXITING'], { ack: true });
    const pins = new Pins(0x30, true);
    hooksOf(rig).externalEvent!(rig.cpu, pins);
    expect(fieldOf(rig, 'VM_EXIT_REASON')).toBe(0n);
    expect(pins.acks).toBe(0);
  });

  it('interrupt-window exiting comes before an external interrupt, after an NMI (§26.7.5)', () => {
    const rig = guest(['PIN_BASED_EXT_INTR_MASK'], { procs: ['CPU_BASED_INTR_WINDOW_EXITING'], rflags: 0x2n | BigInt(IF), ack: true });
    const pins = new Pins(0x30);
    hooksOf(rig).externalEvent!(rig.cpu, pins);
    expect(fieldOf(rig, 'VM_EXIT_REASON')).toBe(7n);
    expect(pins.acks).toBe(0);
    const nmiFirst = guest(['PIN_BASED_NMI_EXITING'], { procs: ['CPU_BASED_INTR_WINDOW_EXITING'], rflags: 0x2n | BigInt(IF) });
    hooksOf(nmiFirst).externalEvent!(nmiFirst.cpu, new Pins(0x30, true));
    expect(fieldOf(nmiFirst, 'VM_EXIT_REASON')).toBe(0n);
  });

  it('a guest in the HLT state is woken by the exit; the activity state saved is HLT', () => {
    const rig = guest(['PIN_BASED_EXT_INTR_MASK'], { ack: true });
    rig.cpu.state.activity = 'halted';
    expect(hooksOf(rig).externalEvent!(rig.cpu, new Pins(0x40))).toBe('exit');
    expect(fieldOf(rig, 'GUEST_ACTIVITY_STATE')).toBe(1n);
    expect(rig.cpu.state.activity).toBe('active');
  });

  it('IRET: unblocks NMIs without NMI exiting; with NMI exiting it does not; with virtual NMIs it clears virtual-NMI blocking', () => {
    const plain = guest([]);
    expect(hooksOf(plain).iretUnblocksNmi!(plain.cpu)).toBe(true);
    const exiting = guest(['PIN_BASED_NMI_EXITING']);
    expect(hooksOf(exiting).iretUnblocksNmi!(exiting.cpu)).toBe(false);
    if (!allows(p, 'pin', 'PIN_BASED_VIRTUAL_NMIS')) return;
    const virt = guest(['PIN_BASED_NMI_EXITING', 'PIN_BASED_VIRTUAL_NMIS'], { interruptibility: 8n });
    expect(virt.cpu.state.nmiBlocked).toBe(false);
    // Virtual-NMI blocking does not hold real NMIs off: the NMI exits.
    expect(hooksOf(virt).externalEvent!(virt.cpu, new Pins(null, true))).toBe('exit');
    if (!allows(p, 'primary', 'CPU_BASED_NMI_WINDOW_EXITING')) return;
    // NMI-window exiting waits for the guest's IRET to end virtual-NMI blocking.
    const w = guest(['PIN_BASED_NMI_EXITING', 'PIN_BASED_VIRTUAL_NMIS'], { procs: ['CPU_BASED_NMI_WINDOW_EXITING'], interruptibility: 8n });
    expect(w.step(insn('nop', [], 1))).toBeUndefined();
    expect(w.model.mode()).toBe('non-root');
    expect(hooksOf(w).iretUnblocksNmi!(w.cpu)).toBe(false);
    expect(w.step(insn('nop', [], 1))).toBe('intercepted');
    expect(fieldOf(w, 'VM_EXIT_REASON')).toBe(8n);
  });

  it('"NMI unblocking due to IRET" (bit 12): a #GP of an IRET that unblocked NMIs exits with it; one that found them unblocked does not (§28.2.3)', () => {
    const iretq = asmInsn('iretq');
    const blocked = guest([], { interruptibility: 8n, bitmap: 1n << 13n });
    expect(blocked.model.hooks.intercept!(blocked.cpu, iretq)).toBe(false);
    expect(hooksOf(blocked).iretUnblocksNmi!(blocked.cpu)).toBe(true);
    expect(blocked.model.hooks.interceptEvent!(blocked.cpu, 13, 0, 'fault')).toBe(true);
    expect(fieldOf(blocked, 'VM_EXIT_INTR_INFO')).toBe(0x8000_1b0dn);
    const open = guest([], { bitmap: 1n << 13n });
    open.model.hooks.intercept!(open.cpu, iretq);
    hooksOf(open).iretUnblocksNmi!(open.cpu);
    open.model.hooks.interceptEvent!(open.cpu, 13, 0, 'fault');
    expect(fieldOf(open, 'VM_EXIT_INTR_INFO')).toBe(0x8000_0b0dn);
  });
});
