import { describe, expect, it } from 'vitest';
import { DeviceBus } from './bus.ts';
import { PitChannel0 } from './pit.ts';

function program(p: PitChannel0, now: number, control: number, count: number): void {
  p.writeControl(now, control);
  p.writeCounter(now, count & 0xff);
  p.writeCounter(now, count >>> 8);
}

describe('8254 channel 0', () => {
  it('mode 2 (rate generator): counts N..1, OUT low on 1, a rising edge every N steps', () => {
    const p = new PitChannel0();
    program(p, 100, 0x34, 10);
    expect(p.counter(100)).toBe(10);
    expect(p.counter(103)).toBe(7);
    expect(p.out(108)).toBe(true);
    expect(p.out(109)).toBe(false);
    expect(p.out(110)).toBe(true);
    expect(p.nextEdge(100)).toBe(110);
    expect(p.nextEdge(110)).toBe(120);
    expect(p.nextEdge(115)).toBe(120);
  });

  it('mode 3 (square wave): high for the first half of each period, edges every N steps, counts by two', () => {
    const p = new PitChannel0();
    program(p, 0, 0x36, 8);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((e) => p.out(e))).toEqual([true, true, true, true, false, false, false, false]);
    expect(p.counter(1)).toBe(6);
    expect(p.nextEdge(0)).toBe(8);
    expect(p.nextEdge(8)).toBe(16);
  });

  it('mode 0 (interrupt on terminal count): OUT low until the count expires, one edge only', () => {
    const p = new PitChannel0();
    program(p, 5, 0x30, 3);
    expect(p.out(7)).toBe(false);
    expect(p.out(8)).toBe(true);
    expect(p.nextEdge(5)).toBe(8);
    expect(p.nextEdge(8)).toBe(Infinity);
    expect(p.counter(9)).toBe(0xffff);
  });

  it('a control word stops the channel until a count is written; count 0 means 65536', () => {
    const p = new PitChannel0();
    p.writeControl(0, 0x34);
    expect(p.nextEdge(0)).toBe(Infinity);
    p.writeCounter(1, 0);
    p.writeCounter(1, 0);
    expect(p.nextEdge(1)).toBe(1 + 65536);
  });

  it('LSB-only and MSB-only access modes', () => {
    const p = new PitChannel0();
    p.writeControl(0, 0x14); // LSB only, mode 2
    p.writeCounter(0, 50);
    expect(p.nextEdge(0)).toBe(50);
    expect(p.read(10)).toBe(40);
    p.writeControl(0, 0x24); // MSB only
    p.writeCounter(0, 1);
    expect(p.nextEdge(0)).toBe(256);
  });

  it('the counter latch command holds the value until both bytes are read', () => {
    const p = new PitChannel0();
    program(p, 0, 0x34, 0x1234);
    p.writeControl(0x10, 0x00);
    expect(p.read(0x200)).toBe((0x1234 - 0x10) & 0xff);
    expect(p.read(0x300)).toBe((0x1234 - 0x10) >>> 8);
    expect(p.read(0x20)).toBe((0x1234 - 0x20) & 0xff);
  });
});

describe('device bus', () => {
  it('the PIT\'s edges latch IRQ0 at the steps the count says; INTR needs IRQ0 unmasked', () => {
    const bus = new DeviceBus();
    bus.sync(1);
    bus.out(0x43, 1, 0x34);
    bus.out(0x40, 1, 5);
    bus.out(0x40, 1, 0);
    for (let s = 2; s < 6; s++) {
      bus.sync(s);
      expect(bus.pic.master.irr).toBe(0);
    }
    bus.sync(6);
    expect(bus.pic.master.irr).toBe(1);
    expect(bus.attention).toBe(false);
    expect(bus.eventExpected()).toBe(false);
    bus.out(0x21, 1, 0xfe);
    expect(bus.attention).toBe(true);
    expect(bus.acknowledge()).toBe(0x20);
    expect(bus.attention).toBe(false);
    expect(bus.eventExpected()).toBe(true);
  });

  it('NMI is latched once until taken; unknown ports float high', () => {
    const bus = new DeviceBus();
    bus.raiseNmi();
    bus.raiseNmi();
    expect(bus.nmi && bus.attention).toBe(true);
    bus.takeNmi();
    expect(bus.attention).toBe(false);
    expect(bus.in(0x60, 1)).toBe(0xff);
    expect(bus.in(0x21, 2)).toBe(0xffff);
  });

  it('a snapshot restores the counters, requests and clock exactly', () => {
    const bus = new DeviceBus();
    bus.sync(1);
    bus.out(0x43, 1, 0x34);
    bus.out(0x40, 1, 7);
    bus.out(0x40, 1, 0);
    bus.out(0x21, 1, 0xfe);
    const snap = bus.snapshot();
    for (let s = 2; s <= 9; s++) bus.sync(s);
    const after = JSON.stringify(bus.snapshot());
    bus.restore(snap);
    expect(bus.attention).toBe(false);
    for (let s = 2; s <= 9; s++) bus.sync(s);
    expect(JSON.stringify(bus.snapshot())).toBe(after);
    expect(bus.attention).toBe(true);
  });
});
