import { describe, expect, it } from 'vitest';
import { PicPair, pendingLevel } from './pic.ts';

/** The classic initialisation: ICW1 0x11 (edge, cascade, ICW4), ICW2 base, ICW3, ICW4 0x01 (8086). */
function init(p: PicPair, masterBase = 0x20, slaveBase = 0x28, icw4 = 0x01): void {
  p.write(0x20, 0x11);
  p.write(0x21, masterBase);
  p.write(0x21, 0x04);
  p.write(0x21, icw4);
  p.write(0xa0, 0x11);
  p.write(0xa1, slaveBase);
  p.write(0xa1, 0x02);
  p.write(0xa1, icw4);
}

describe('8259A pair', () => {
  it('starts initialised (0x20/0x28) with every input masked: a request latches but INTR stays low', () => {
    const p = new PicPair();
    p.pulse(0);
    expect(p.master.irr).toBe(1);
    expect(p.intr).toBe(false);
    p.write(0x21, 0xfe);
    expect(p.intr).toBe(true);
    expect(p.acknowledge()).toBe(0x20);
  });

  it('ICW1 clears the mask; ICW2 sets the vector base; the INTA cycle moves IRR to ISR', () => {
    const p = new PicPair();
    init(p, 0x30, 0x38);
    expect(p.read(0x21)).toBe(0);
    p.pulse(3);
    expect(p.intr).toBe(true);
    expect(p.acknowledge()).toBe(0x33);
    expect(p.master.irr).toBe(0);
    expect(p.master.isr).toBe(1 << 3);
    expect(p.intr).toBe(false);
  });

  it('fully nested: a lower-priority request waits for the EOI, a higher one preempts', () => {
    const p = new PicPair();
    init(p);
    p.pulse(3);
    expect(p.acknowledge()).toBe(0x23);
    p.pulse(5);
    expect(p.intr).toBe(false);
    p.pulse(1);
    expect(p.acknowledge()).toBe(0x21);
    p.write(0x20, 0x20); // non-specific EOI: ends IR1, the highest in service
    expect(p.master.isr).toBe(1 << 3);
    expect(p.intr).toBe(false);
    p.write(0x20, 0x63); // specific EOI for IR3
    expect(p.acknowledge()).toBe(0x25);
  });

  it('cascade: a slave request (IRQ 10) comes through IR2 with the slave\'s vector, and both chips hold it in service', () => {
    const p = new PicPair();
    init(p);
    p.pulse(10);
    expect(p.master.irr & 4).toBe(4);
    expect(p.acknowledge()).toBe(0x2a);
    expect(p.master.isr).toBe(4);
    expect(p.slave.isr).toBe(4);
    p.pulse(12);
    expect(p.intr).toBe(false);
    p.write(0xa0, 0x20);
    p.write(0x20, 0x20);
    expect(p.intr).toBe(true);
    expect(p.acknowledge()).toBe(0x2c);
  });

  it('the mask (OCW1) holds requests back without losing them; edges are latched once', () => {
    const p = new PicPair();
    init(p);
    p.write(0x21, 0x01);
    p.setIrq(0, true);
    p.setIrq(0, true);
    expect(p.intr).toBe(false);
    p.write(0x21, 0x00);
    expect(p.acknowledge()).toBe(0x20);
    p.write(0x20, 0x20);
    expect(p.intr).toBe(false); // still high, no new edge
    p.setIrq(0, false);
    p.setIrq(0, true);
    expect(p.intr).toBe(true);
  });

  it('OCW3 selects IRR or ISR for command-port reads; poll acknowledges', () => {
    const p = new PicPair();
    init(p);
    p.pulse(6);
    expect(p.read(0x20)).toBe(0x40);
    p.write(0x20, 0x0b);
    expect(p.read(0x20)).toBe(0);
    p.write(0x20, 0x0c);
    expect(p.read(0x20)).toBe(0x86);
    expect(p.master.isr).toBe(0x40);
    p.write(0x20, 0x0c);
    expect(p.read(0x20)).toBe(0);
  });

  it('automatic EOI (ICW4 bit 1): nothing stays in service', () => {
    const p = new PicPair();
    init(p, 0x20, 0x28, 0x03);
    p.pulse(4);
    expect(p.acknowledge()).toBe(0x24);
    expect(p.master.isr).toBe(0);
  });

  it('a request that vanishes before INTA gives the spurious IR7 vector with nothing in service', () => {
    const p = new PicPair();
    init(p);
    p.pulse(2 + 1);
    p.write(0x21, 0xff);
    expect(p.acknowledge()).toBe(0x27);
    expect(p.master.isr).toBe(0);
  });

  it('rotation: "rotate on non-specific EOI" makes the ended level the lowest priority', () => {
    const p = new PicPair();
    init(p);
    p.pulse(1);
    expect(p.acknowledge()).toBe(0x21);
    p.write(0x20, 0xa0);
    expect(p.master.lowest).toBe(1);
    p.pulse(0);
    p.pulse(4);
    // Priority now runs 2,3,4,...,7,0,1: IR4 outranks IR0.
    expect(pendingLevel(p.master)).toBe(4);
    p.write(0x20, 0xc7); // set priority: IR7 lowest again
    expect(pendingLevel(p.master)).toBe(0);
  });
});
