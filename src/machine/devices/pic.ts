// The 8259A programmable interrupt controller pair of the PC: master at ports 0x20/0x21, slave at
// 0xA0/0xA1 cascaded on the master's IR2 (Intel 8259A datasheet, order no. 231468: "Programming
// the 8259A", ICW1-ICW4, OCW1-OCW3, "Interrupt Sequence", "Fully Nested Mode", "Automatic
// Rotation"). Edge-triggered inputs latch into IRR; IMR masks IRR at the output; the INTA cycle
// moves the highest-priority request to ISR and answers ICW2's base plus the level; EOI clears ISR.

/** Everything one 8259A holds; plain numbers, so a snapshot is a copy. */
export interface PicChipState {
  /** Interrupt request register: latched edges not yet acknowledged. */
  irr: number;
  /** In-service register: acknowledged and not yet ended by an EOI. */
  isr: number;
  /** Interrupt mask register (OCW1). */
  imr: number;
  /** Input levels last seen (for edge detection). */
  lines: number;
  /** ICW2: vector of IR0 (bits 7:3; bits 2:0 are the level). */
  base: number;
  /** ICW3: master: which inputs have a slave; slave: its cascade identity. */
  cascade: number;
  /** The level with the lowest priority (7 after ICW1; rotation commands move it). */
  lowest: number;
  /** Next data-port write is ICW2, ICW3 or ICW4 (2, 3, 4), or an OCW1 (0). */
  icwStep: number;
  /** ICW1 bit 1 (SNGL): no ICW3. */
  single: boolean;
  /** ICW1 bit 0 (IC4): an ICW4 follows. */
  needIcw4: boolean;
  /** ICW4 bit 1 (AEOI): the INTA cycle ends the interrupt at once. */
  autoEoi: boolean;
  /** OCW2 "rotate in automatic EOI mode". */
  rotateOnAutoEoi: boolean;
  /** OCW3 RIS: a command-port read returns ISR (else IRR). */
  readIsr: boolean;
  /** OCW3 P: the next read is a poll. */
  poll: boolean;
  /** OCW3 ESMM/SMM: special mask mode (masked levels do not block lower ones in service). */
  specialMask: boolean;
}

function freshChip(base: number, cascade: number, imr: number): PicChipState {
  return {
    irr: 0, isr: 0, imr, lines: 0, base, cascade, lowest: 7, icwStep: 0, single: false, needIcw4: true,
    autoEoi: false, rotateOnAutoEoi: false, readIsr: false, poll: false, specialMask: false,
  };
}

/** The vector a chip answers for input `level`: ICW2's bits 7:3 with the level in bits 2:0 ("Interrupt Sequence"). */
export function vectorOf(c: PicChipState, level: number): number {
  return (c.base & 0xf8) | level;
}

/** The level of highest priority set in `mask`, or -1 (priority runs from lowest + 1 upward, wrapping). */
function highest(c: PicChipState, mask: number): number {
  for (let i = 1; i <= 8; i++) {
    const level = (c.lowest + i) & 7;
    if ((mask & (1 << level)) !== 0) return level;
  }
  return -1;
}

/** Rank of a level: 0 is the highest priority. */
function rank(c: PicChipState, level: number): number {
  return (level - c.lowest - 1) & 7;
}

/**
 * The level this chip would ask the processor (or the master) for: the highest-priority unmasked
 * request, if it outranks everything in service ("Fully Nested Mode"; in special mask mode only
 * unmasked in-service levels count). -1 when INT is low.
 */
export function pendingLevel(c: PicChipState): number {
  const req = c.irr & ~c.imr & 0xff;
  const level = highest(c, req);
  if (level < 0) return -1;
  const inService = c.specialMask ? c.isr & ~c.imr : c.isr;
  const serving = highest(c, inService);
  return serving < 0 || rank(c, level) < rank(c, serving) ? level : -1;
}

/** Drives one input; a rising edge latches the request into IRR. */
function setLine(c: PicChipState, level: number, high: boolean): void {
  const bit = 1 << level;
  if (high && (c.lines & bit) === 0) c.irr |= bit;
  c.lines = high ? c.lines | bit : c.lines & ~bit;
}

/** The INTA cycle on one chip for `level`: IRR to ISR (or straight through with automatic EOI). */
function acknowledgeLevel(c: PicChipState, level: number): void {
  const bit = 1 << level;
  c.irr &= ~bit;
  if (!c.autoEoi) c.isr |= bit;
  else if (c.rotateOnAutoEoi) c.lowest = level;
}

/** ICW1 (command port, bit 4 = 1): starts initialisation. */
function writeIcw1(c: PicChipState, v: number): void {
  c.single = (v & 0x02) !== 0;
  c.needIcw4 = (v & 0x01) !== 0;
  // Datasheet, "Initialization Command Words": the mask is cleared, IR7 gets the lowest priority,
  // special mask mode is cleared, reads return IRR, and without IC4 every ICW4 function is zero.
  // Implementation choice (decision 0065): IRR, ISR and the edge memory are cleared too, as most
  // emulators do, so a re-initialised controller starts with no stale request.
  c.imr = 0;
  c.isr = 0;
  c.irr = 0;
  c.lines = 0;
  c.lowest = 7;
  c.specialMask = false;
  c.readIsr = false;
  c.poll = false;
  if (!c.needIcw4) c.autoEoi = false;
  c.rotateOnAutoEoi = false;
  c.icwStep = 2;
}

/** OCW2 (command port, bits 4:3 = 00): EOI and rotation commands, by bits 7:5 (R, SL, EOI). */
function writeOcw2(c: PicChipState, v: number): void {
  const level = v & 7;
  switch (v >>> 5) {
    case 0b001: { // non-specific EOI
      const l = highest(c, c.isr);
      if (l >= 0) c.isr &= ~(1 << l);
      return;
    }
    case 0b011: c.isr &= ~(1 << level); return; // specific EOI
    case 0b101: { // rotate on non-specific EOI
      const l = highest(c, c.isr);
      if (l >= 0) {
        c.isr &= ~(1 << l);
        c.lowest = l;
      }
      return;
    }
    case 0b111: c.isr &= ~(1 << level); c.lowest = level; return; // rotate on specific EOI
    case 0b100: c.rotateOnAutoEoi = true; return;
    case 0b000: c.rotateOnAutoEoi = false; return;
    case 0b110: c.lowest = level; return; // set priority
    default: return; // 010: no operation
  }
}

/** OCW3 (command port, bits 4:3 = 01): read register select, poll, special mask mode. */
function writeOcw3(c: PicChipState, v: number): void {
  if ((v & 0x02) !== 0) c.readIsr = (v & 0x01) !== 0;
  c.poll = (v & 0x04) !== 0;
  if ((v & 0x40) !== 0) c.specialMask = (v & 0x20) !== 0;
}

/** What the pair holds: the two chips. */
export interface PicPairState {
  readonly master: PicChipState;
  readonly slave: PicChipState;
}

/**
 * The PC's cascaded 8259A pair. Implementation choice (decision 0065): the machine starts with both
 * chips initialised as a protected-mode kernel leaves them (master vectors 0x20-0x27, slave
 * 0x28-0x2F, slave on IR2, ICW4 8086 mode, normal EOI) and every input masked, so a program that
 * never touches the controller sees no interrupt.
 */
export class PicPair {
  master: PicChipState;
  slave: PicChipState;

  constructor() {
    this.master = freshChip(0x20, 0x04, 0xff);
    this.slave = freshChip(0x28, 0x02, 0xff);
  }

  /** INT of the master: the processor's INTR pin. */
  get intr(): boolean {
    return pendingLevel(this.master) >= 0;
  }

  /** Drives IRQ `irq` (0-15) to a level; a rising edge latches a request. */
  setIrq(irq: number, high: boolean): void {
    if (irq >= 8) setLine(this.slave, irq - 8, high);
    else setLine(this.master, irq, high);
    this.cascadeUpdate();
  }

  /** A rising and a falling edge on IRQ `irq`: one request (how the PIT's output and the lab's API raise lines). */
  pulse(irq: number): void {
    this.setIrq(irq, true);
    this.setIrq(irq, false);
  }

  // The slave's INT drives the master's cascade input.
  private cascadeUpdate(): void {
    for (let l = 0; l < 8; l++) {
      if ((this.master.cascade & (1 << l)) !== 0 && !this.master.single) setLine(this.master, l, pendingLevel(this.slave) >= 0);
    }
  }

  private isCascade(level: number): boolean {
    return !this.master.single && (this.master.cascade & (1 << level)) !== 0;
  }

  /**
   * The INTA cycle: the master resolves its highest request; a cascade input hands the cycle to
   * the slave. With no request left (it went away, or the mask changed) the chip answers its IR7
   * vector without setting ISR: a spurious interrupt ("Interrupt Sequence").
   */
  acknowledge(): number {
    const level = pendingLevel(this.master);
    let vector: number;
    if (level < 0) vector = vectorOf(this.master, 7);
    else {
      acknowledgeLevel(this.master, level);
      if (this.isCascade(level)) {
        const sl = pendingLevel(this.slave);
        if (sl < 0) vector = vectorOf(this.slave, 7);
        else {
          acknowledgeLevel(this.slave, sl);
          vector = vectorOf(this.slave, sl);
        }
      } else vector = vectorOf(this.master, level);
    }
    this.cascadeUpdate();
    return vector;
  }

  /** A read of port 0x20, 0x21, 0xA0 or 0xA1. */
  read(port: number): number {
    const c = (port & 0x80) !== 0 ? this.slave : this.master;
    if (c.poll) {
      // Poll (OCW3 P): the read is the acknowledge; bit 7 says whether a request was there.
      c.poll = false;
      const level = pendingLevel(c);
      if (level < 0) return 0;
      acknowledgeLevel(c, level);
      this.cascadeUpdate();
      return 0x80 | level;
    }
    if ((port & 1) !== 0) return c.imr;
    return c.readIsr ? c.isr : c.irr;
  }

  /** A write of port 0x20, 0x21, 0xA0 or 0xA1. */
  write(port: number, value: number): void {
    const c = (port & 0x80) !== 0 ? this.slave : this.master;
    const v = value & 0xff;
    if ((port & 1) === 0) {
      if ((v & 0x10) !== 0) writeIcw1(c, v);
      else if ((v & 0x08) !== 0) writeOcw3(c, v);
      else writeOcw2(c, v);
    } else if (c.icwStep === 2) {
      c.base = v & 0xf8;
      c.icwStep = c.single ? (c.needIcw4 ? 4 : 0) : 3;
    } else if (c.icwStep === 3) {
      c.cascade = v;
      c.icwStep = c.needIcw4 ? 4 : 0;
    } else if (c.icwStep === 4) {
      // ICW4: bit 0 (uPM, 8086 mode) is assumed; bit 1 AEOI; buffered and SFNM modes are not modelled.
      c.autoEoi = (v & 0x02) !== 0;
      c.icwStep = 0;
    } else c.imr = v;
    this.cascadeUpdate();
  }

  /** A copy of both chips. */
  snapshot(): PicPairState {
    return { master: { ...this.master }, slave: { ...this.slave } };
  }

  /** Back to a snapshot. */
  restore(s: PicPairState): void {
    this.master = { ...s.master };
    this.slave = { ...s.slave };
  }
}
