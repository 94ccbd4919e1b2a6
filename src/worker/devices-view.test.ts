import { describe, expect, it } from 'vitest';
import { LabSession } from './session.ts';

const SETTINGS = { profile: '', msrEdits: {}, breakpoints: [] };
// Unmasks IRQ 3 at the master 8259A (vector 0x23 after boot) and enables interrupts; the boot
// IDT has no gate 0x23, so an accepted IRQ 3 stops the machine with a fault naming the vector.
const UNMASK_IRQ3 = ['mov al, 0xf7', 'out 0x21, al', 'sti', 'spin:', 'jmp spin'].join('\n');

function session(source: string): LabSession {
  const s = new LabSession();
  expect(s.load(source, SETTINGS).ok).toBe(true);
  return s;
}

describe('Devices panel view and Raise IRQ / Raise NMI', () => {
  it('shows the power-on PIC pair: vectors 0x20 and 0x28, every input masked, PIT idle, pins low', () => {
    const d = session('hlt').snapshot().devices;
    expect(d.pic.map((c) => [c.name, c.base, c.imr])).toEqual([['master', 0x20, 0xff], ['slave', 0x28, 0xff]]);
    expect(d.pic[1].inputs[2]).toMatchObject({ irq: 10, vector: 0x2a, masked: true, requested: false });
    expect(d.pit.counting).toBe(false);
    expect([d.intr, d.nmi, d.pending]).toEqual([false, false, []]);
  });

  it('an unmasked IRQ raised from the panel arrives before the next step and is accepted through the IDT', () => {
    const s = session(UNMASK_IRQ3);
    s.step(3);
    const raised = s.raiseInterrupt(3);
    expect(raised.ok).toBe(true);
    expect(raised.message).toContain('vector 0x23');
    expect(raised.message).not.toContain('masked');
    expect(raised.snapshot.devices.pending).toEqual(['IRQ 3']);
    expect(raised.snapshot.devices.pic[0].imr).toBe(0xf7);
    // The step after STI runs in its interrupt shadow: the request waits in IRR with INTR high.
    const shadow = s.step(1);
    expect(shadow.devices.pending).toEqual([]);
    expect(shadow.devices.pic[0].inputs[3]).toMatchObject({ requested: true, inService: false });
    expect(shadow.devices.intr).toBe(true);
    const after = s.step(1);
    // Acknowledged (IRR -> ISR), then delivery finds no gate 0x23 in the boot IDT.
    expect(after.devices.pic[0].inputs[3]).toMatchObject({ requested: false, inService: true });
    expect(after.stopped).not.toBeNull();
    expect(after.stopMessage ?? '').toMatch(/0x23|35/);
  });

  it('step back before the step the IRQ arrived at shows it pending again, and stepping forward repeats it', () => {
    const s = session(UNMASK_IRQ3);
    s.step(3);
    s.raiseInterrupt(3);
    const first = s.step(2);
    const back = s.stepBack(2);
    expect(back.ok).toBe(true);
    expect(back.snapshot.devices.pic[0].isr).toBe(0);
    expect(back.snapshot.devices.pending).toEqual(['IRQ 3']);
    const again = s.step(2);
    expect(again.devices).toEqual(first.devices);
    expect(again.stopMessage).toBe(first.stopMessage);
  });

  it('step back to the step an IRQ was raised at (a checkpoint step) shows it pending, not yet in IRR', () => {
    const s = session('spin:\njmp spin');
    s.raiseInterrupt(5);
    expect(s.step(1).devices.pic[0].irr).toBe(1 << 5);
    const back = s.stepBack(1);
    expect(back.snapshot.steps).toBe(0);
    expect(back.snapshot.devices.pic[0].irr).toBe(0);
    expect(back.snapshot.devices.pending).toEqual(['IRQ 5']);
    expect(s.step(1).devices.pic[0].irr).toBe(1 << 5);
  });

  it('an input raised after a step back keeps those raised at the same step and drops later ones', () => {
    const s = session('spin:\njmp spin');
    s.raiseInterrupt(5);
    s.step(2);
    s.raiseInterrupt(6);
    s.step(1);
    s.stepBack(3);
    expect(s.raiseInterrupt(7).snapshot.devices.pending).toEqual(['IRQ 5', 'IRQ 7']);
    expect(s.step(3).devices.pic[0].irr).toBe((1 << 5) | (1 << 7));
  });

  it('a masked IRQ waits in IRR with INTR low; the message says why', () => {
    const s = session('spin:\njmp spin');
    const raised = s.raiseInterrupt(5);
    expect(raised.message).toContain('masked');
    const after = s.step(1);
    expect(after.devices.pic[0].inputs[5]).toMatchObject({ requested: true, inService: false, masked: true });
    expect(after.devices.intr).toBe(false);
    expect(after.stopped).toBeNull();
  });

  it('an NMI is latched before the next step and taken at it', () => {
    const s = session('spin:\njmp spin');
    expect(s.raiseInterrupt('nmi').snapshot.devices.pending).toEqual(['NMI']);
    const after = s.step(1);
    expect(after.devices.pending).toEqual([]);
    expect(after.devices.nmi).toBe(false);
  });

  it('refuses a line that is not 0-15 and changes nothing', () => {
    const s = session('hlt');
    for (const bad of [16, -1, 2.5]) {
      const r = s.raiseInterrupt(bad);
      expect(r.ok).toBe(false);
      expect(r.message).toContain('not 0-15');
      expect(r.snapshot.devices.pending).toEqual([]);
    }
  });
});
