// The Devices panel's view of the machine's interrupt sources (src/machine/devices): the 8259A
// pair's request, in-service and mask registers with the vector each input delivers, channel 0
// of the 8254, and the INTR and NMI pins. Computed here so the UI only draws it.

import type { Machine } from '../machine/machine.ts';
import { vectorOf, type PicChipState } from '../machine/devices/pic.ts';
import { PIT_MODE_NAMES } from '../machine/devices/pit.ts';
import type { DevicesView, PicChipView } from './types.ts';

function chip(name: 'master' | 'slave', c: PicChipState, firstIrq: number): PicChipView {
  const inputs = Array.from({ length: 8 }, (_, level) => ({
    irq: firstIrq + level,
    vector: vectorOf(c, level),
    requested: ((c.irr >> level) & 1) === 1,
    inService: ((c.isr >> level) & 1) === 1,
    masked: ((c.imr >> level) & 1) === 1,
  }));
  return { name, base: vectorOf(c, 0), irr: c.irr, isr: c.isr, imr: c.imr, initialising: c.icwStep !== 0, inputs };
}

/** What the Devices panel shows for machine `m` at its current step. */
export function devicesView(m: Machine): DevicesView {
  const bus = m.devices;
  const pit = bus.pit.st;
  const counting = pit.loadStep >= 0;
  return {
    pic: [chip('master', bus.pic.master, 0), chip('slave', bus.pic.slave, 8)],
    pit: {
      mode: PIT_MODE_NAMES[pit.mode] ?? `mode ${pit.mode}`,
      reload: pit.count,
      counting,
      counter: counting ? bus.pit.counter(m.steps) : undefined,
    },
    intr: bus.intr,
    nmi: bus.nmi,
    pending: m.pendingInputs().map((i) => (i === 'nmi' ? 'NMI' : `IRQ ${i}`)),
  };
}
