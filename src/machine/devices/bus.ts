// The machine's devices behind the executor's I/O ports and interrupt pins: the 8259A pair
// (src/machine/devices/pic.ts) and channel 0 of the 8254 (pit.ts), whose OUT drives IRQ0, plus the
// NMI line. The bus keeps the device clock (the machine step, decision 0065), answers port reads
// and writes (`env.io`) and drives INTR/NMI (`env.platform.interrupts`, src/x86/external.ts).

import type { InterruptPins } from '../../x86/external.ts';
import type { IoPorts } from '../../x86/env.ts';
import { PicPair, type PicPairState } from './pic.ts';
import { PIT_PORT_CONTROL, PIT_PORT_COUNTER0, PitChannel0, type PitState } from './pit.ts';

/** The ports each device decodes. */
export const DEVICE_PORTS = {
  PIC_MASTER_COMMAND: 0x20, PIC_MASTER_DATA: 0x21, PIC_SLAVE_COMMAND: 0xa0, PIC_SLAVE_DATA: 0xa1,
  PIT_COUNTER0: PIT_PORT_COUNTER0, PIT_CONTROL: PIT_PORT_CONTROL,
} as const;

/** The PIT's output goes to IRQ0 of the master PIC (the PC wiring). */
export const PIT_IRQ = 0;

/** What a snapshot of the devices holds. */
export interface DeviceBusSnapshot {
  readonly pic: PicPairState;
  readonly pit: PitState;
  readonly now: number;
  readonly nmi: boolean;
}

/** The PC's interrupt controller and timer, as one I/O port and interrupt-pin provider. */
export class DeviceBus implements IoPorts, InterruptPins {
  readonly pic = new PicPair();
  readonly pit = new PitChannel0();
  /** INTR asserted or an NMI latched (kept current after every change; read by the stepper each step). */
  attention = false;
  private nmiLatched = false;
  /** The step being executed (the device clock). */
  private now = 0;
  /** Step of the PIT's next rising OUT edge, or Infinity. */
  private nextEdge = Infinity;

  /** INTR: the master PIC's INT output. */
  get intr(): boolean {
    return this.pic.intr;
  }

  /** An NMI is latched. */
  get nmi(): boolean {
    return this.nmiLatched;
  }

  /** The device clock: the machine step being executed. */
  get clock(): number {
    return this.now;
  }

  /**
   * Advances the clock to step `now` (the machine calls this before each step): a PIT edge due by
   * then latches IRQ0. One comparison when nothing is due.
   */
  sync(now: number): void {
    this.now = now;
    if (now < this.nextEdge) return;
    this.pic.pulse(PIT_IRQ);
    this.nextEdge = this.pit.nextEdge(now);
    this.refresh();
  }

  /** Latches an NMI (the NMI pin is edge-triggered: a second one before delivery is the same one). */
  raiseNmi(): void {
    this.nmiLatched = true;
    this.refresh();
  }

  /** Pulses IRQ `irq` (0-15): one edge-triggered request. */
  raiseIrq(irq: number): void {
    this.pic.pulse(irq);
    this.refresh();
  }

  /** Drives IRQ `irq` (0-15) to a level. */
  setIrq(irq: number, high: boolean): void {
    this.pic.setIrq(irq, high);
    this.refresh();
  }

  takeNmi(): void {
    this.nmiLatched = false;
    this.refresh();
  }

  acknowledge(): number {
    const v = this.pic.acknowledge();
    this.refresh();
    return v;
  }

  /**
   * Whether an event will reach the processor without anything else happening: an NMI latched, INTR
   * asserted, or the PIT counting towards an edge on an unmasked IRQ0 (the machine keeps a halted
   * processor waiting only then).
   */
  eventExpected(): boolean {
    if (this.attention) return true;
    return this.nextEdge !== Infinity && (this.pic.master.imr & (1 << PIT_IRQ)) === 0;
  }

  in(port: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readByte((port + i) & 0xffff) << (8 * i);
    return v >>> 0;
  }

  out(port: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) this.writeByte((port + i) & 0xffff, (value >>> (8 * i)) & 0xff);
  }

  private readByte(port: number): number {
    switch (port) {
      case DEVICE_PORTS.PIC_MASTER_COMMAND:
      case DEVICE_PORTS.PIC_MASTER_DATA:
      case DEVICE_PORTS.PIC_SLAVE_COMMAND:
      case DEVICE_PORTS.PIC_SLAVE_DATA: {
        const v = this.pic.read(port);
        this.refresh();
        return v;
      }
      case DEVICE_PORTS.PIT_COUNTER0: return this.pit.read(this.now);
      // No device decodes the port (or the control word is write-only): the bus floats high.
      default: return 0xff;
    }
  }

  private writeByte(port: number, v: number): void {
    switch (port) {
      case DEVICE_PORTS.PIC_MASTER_COMMAND:
      case DEVICE_PORTS.PIC_MASTER_DATA:
      case DEVICE_PORTS.PIC_SLAVE_COMMAND:
      case DEVICE_PORTS.PIC_SLAVE_DATA:
        this.pic.write(port, v);
        this.refresh();
        return;
      case DEVICE_PORTS.PIT_COUNTER0:
        this.pit.writeCounter(this.now, v);
        this.nextEdge = this.pit.nextEdge(this.now);
        return;
      case DEVICE_PORTS.PIT_CONTROL:
        this.pit.writeControl(this.now, v);
        this.nextEdge = this.pit.nextEdge(this.now);
        return;
      default:
        return;
    }
  }

  private refresh(): void {
    this.attention = this.nmiLatched || this.pic.intr;
  }

  /** Back to the power-on state of the lab's PC (see PicPair). */
  reset(): void {
    this.restore(new DeviceBus().snapshot());
  }

  snapshot(): DeviceBusSnapshot {
    return { pic: this.pic.snapshot(), pit: this.pit.snapshot(), now: this.now, nmi: this.nmiLatched };
  }

  restore(s: DeviceBusSnapshot): void {
    this.pic.restore(s.pic);
    this.pit.restore(s.pit);
    this.now = s.now;
    this.nmiLatched = s.nmi;
    this.nextEdge = this.pit.nextEdge(s.now);
    this.refresh();
  }
}
