// Channel 0 of the 8254 programmable interval timer (ports 0x40 and 0x43; its OUT drives IRQ0),
// after the Intel 8254 datasheet (order no. 231164): "Control Word Format", "Read Operations"
// (counter latch command), "Mode 0: Interrupt on Terminal Count", "Mode 2: Rate Generator", "Mode
// 3: Square Wave Mode", "Mode 4: Software Triggered Strobe". The counter's clock is the machine's
// step: one input clock per Machine step, retired instruction or idle halted step (decision 0065),
// so every run, replay and step back sees the same counts. State is evaluated lazily from the step
// at which the count was loaded: nothing runs per step except one comparison with the next edge.

/** Everything channel 0 holds; plain data for snapshots. */
export interface PitState {
  /** Operating mode 0-5 (6 and 7 read as 2 and 3). */
  mode: number;
  /** Read/write access: 1 LSB only, 2 MSB only, 3 LSB then MSB. */
  access: number;
  /** Reload value, 1..65536 (a written 0 means 65536). */
  count: number;
  /** The machine step at which the count was loaded, or -1 while the channel waits for a count. */
  loadStep: number;
  /** With access 3: the LSB of a count being written, or -1. */
  pendingLsb: number;
  /** Next read returns the MSB (access 3). */
  readMsb: boolean;
  /** Value held by a counter latch command, or -1. */
  latched: number;
  /** Whether the BCD bit was set (counting stays binary: decision 0065). */
  bcd: boolean;
}

/** The 8254's operating modes by number (datasheet, "Control Word Format": M2-M0; 6 and 7 act as 2 and 3). */
export const PIT_MODE_NAMES: readonly string[] = [
  'mode 0: interrupt on terminal count', 'mode 1: hardware retriggerable one-shot', 'mode 2: rate generator',
  'mode 3: square wave', 'mode 4: software triggered strobe', 'mode 5: hardware triggered strobe',
];

/** Port of counter 0 and of the control word. */
export const PIT_PORT_COUNTER0 = 0x40;
export const PIT_PORT_CONTROL = 0x43;

/** Channel 0 of the 8254. */
export class PitChannel0 {
  st: PitState = { mode: 0, access: 3, count: 65536, loadStep: -1, pendingLsb: -1, readMsb: false, latched: -1, bcd: false };

  /** Counter value at machine step `now` (what a read returns). */
  counter(now: number): number {
    const s = this.st;
    if (s.loadStep < 0) return s.count & 0xffff;
    const e = now - s.loadStep;
    const n = s.count;
    switch (s.mode) {
      case 2:
        return (n - (e % n)) & 0xffff;
      case 3: {
        // The counter runs down by two each clock over each half of the period.
        const half = Math.ceil(n / 2);
        const inPeriod = e % n;
        const inHalf = inPeriod < half ? inPeriod : inPeriod - half;
        return (n - 2 * inHalf) & 0xfffe;
      }
      default:
        // Modes 0 and 4 (and 1/5, never triggered here) count down through zero and wrap.
        return (((n - e) % 65536) + 65536) % 65536;
    }
  }

  /** OUT at machine step `now` (mode 0: low until terminal count; modes 2/3/4 as the datasheet draws them). */
  out(now: number): boolean {
    const s = this.st;
    if (s.loadStep < 0) return s.mode !== 0;
    const e = now - s.loadStep;
    const n = s.count;
    switch (s.mode) {
      case 0: return e >= n;
      case 2: return n === 1 || e % n !== n - 1;
      case 3: return e % n < Math.ceil(n / 2);
      case 4: return e !== n;
      default: return true;
    }
  }

  /**
   * The first step after `after` at which OUT rises (the edge that latches IRQ0), or Infinity.
   * Mode 2 and 3: every `count` steps from the load; mode 0: once, at terminal count; mode 4: once,
   * one clock after terminal count. Modes 1 and 5 wait for a gate trigger channel 0 never gets.
   */
  nextEdge(after: number): number {
    const s = this.st;
    if (s.loadStep < 0) return Infinity;
    const n = s.count;
    switch (s.mode) {
      case 2:
      case 3: {
        const k = Math.max(1, Math.floor((after - s.loadStep) / n) + 1);
        return s.loadStep + k * n;
      }
      case 0: return s.loadStep + n > after ? s.loadStep + n : Infinity;
      case 4: return s.loadStep + n + 1 > after ? s.loadStep + n + 1 : Infinity;
      default: return Infinity;
    }
  }

  /** A read of port 0x40 at step `now`: the latched value if any, else the live counter, LSB/MSB per the access mode. */
  read(now: number): number {
    const s = this.st;
    const v = s.latched >= 0 ? s.latched : this.counter(now);
    let byte: number;
    if (s.access === 1) byte = v & 0xff;
    else if (s.access === 2) byte = v >>> 8;
    else {
      byte = s.readMsb ? v >>> 8 : v & 0xff;
      s.readMsb = !s.readMsb;
      if (s.readMsb) return byte;
    }
    s.latched = -1;
    return byte;
  }

  /** A write of port 0x40 at step `now`: the count, LSB/MSB per the access mode; counting starts when it is complete. */
  writeCounter(now: number, value: number): void {
    const s = this.st;
    const v = value & 0xff;
    let count: number;
    if (s.access === 1) count = v;
    else if (s.access === 2) count = v << 8;
    else if (s.pendingLsb < 0) {
      s.pendingLsb = v;
      return;
    } else {
      count = s.pendingLsb | (v << 8);
      s.pendingLsb = -1;
    }
    s.count = count === 0 ? 65536 : count;
    s.loadStep = now;
  }

  /** A write of port 0x43 at step `now`: a control word for counter 0, or its counter latch command. */
  writeControl(now: number, value: number): void {
    const v = value & 0xff;
    // Bits 7:6 select the counter: only counter 0 is modelled; 3 is the read-back command (not modelled).
    if ((v >>> 6) !== 0) return;
    const s = this.st;
    const access = (v >>> 4) & 3;
    if (access === 0) {
      // Counter latch command: the first one holds until read.
      if (s.latched < 0) s.latched = this.counter(now);
      return;
    }
    const mode = (v >>> 1) & 7;
    s.mode = mode > 5 ? mode - 4 : mode;
    s.access = access;
    s.bcd = (v & 1) !== 0;
    s.loadStep = -1;
    s.pendingLsb = -1;
    s.readMsb = false;
    s.latched = -1;
  }

  snapshot(): PitState {
    return { ...this.st };
  }

  restore(s: PitState): void {
    this.st = { ...s };
  }
}
