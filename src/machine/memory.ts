// Sparse physical memory of 4 KiB pages with copy-on-write snapshots (DESIGN sections 2 and 5).
// RAM covers physical addresses [0, size); a page is allocated on its first write and reads as
// zero before that. Addresses at or above `size` behave as on a PC with no device decoding them:
// reads return all ones (0xFF bytes) and writes are dropped. The SDM does not define this: it is
// the platform's (chipset's) behaviour for unclaimed memory cycles, which hardware and QEMU both
// show as 0xFF.

/** Page size and shift of the physical page store (SDM Vol. 3A §4.5 "4-Level Paging": 4-KByte pages). */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;

/** A frozen view of memory taken by `snapshot()`; restore it with `restore()`. */
export interface MemorySnapshot {
  readonly pages: ReadonlyMap<number, Uint8Array>;
  readonly size: number;
}

/**
 * Physical memory. Pages are shared with every snapshot taken while they were current; the first
 * write after a snapshot copies the page (`owned` tracks which pages this memory may write in place).
 */
export class PhysicalMemory {
  /** RAM size in bytes (from the CPU profile). */
  readonly size: number;
  private pages = new Map<number, Uint8Array>();
  /** Pages written since the last snapshot/restore: safe to modify in place. */
  private owned = new Set<number>();
  // One-entry caches for the hot paths (the executor reads the same page again and again).
  private readPn = -1;
  private readPage: Uint8Array | undefined;
  private writePn = -1;
  private writePage: Uint8Array | undefined;

  /** Creates empty RAM of `size` bytes (a multiple of 4 KiB, at most 2^52). */
  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size <= 0 || size % PAGE_SIZE !== 0) {
      throw new RangeError(`memory size must be a positive multiple of 4 KiB, not ${size}`);
    }
    this.size = size;
  }

  /** Whether a physical address falls inside RAM. */
  isRam(addr: number): boolean {
    return addr >= 0 && addr < this.size;
  }

  /** Number of pages allocated (for the memory-cost figures of history.ts). */
  get pageCount(): number {
    return this.pages.size;
  }

  private pageForRead(pn: number): Uint8Array | undefined {
    if (pn === this.readPn) return this.readPage;
    const p = this.pages.get(pn);
    this.readPn = pn;
    this.readPage = p;
    return p;
  }

  private pageForWrite(pn: number): Uint8Array {
    if (pn === this.writePn && this.writePage) return this.writePage;
    let p = this.pages.get(pn);
    if (!p) {
      p = new Uint8Array(PAGE_SIZE);
      this.pages.set(pn, p);
      this.owned.add(pn);
    } else if (!this.owned.has(pn)) {
      p = p.slice();
      this.pages.set(pn, p);
      this.owned.add(pn);
    }
    this.writePn = pn;
    this.writePage = p;
    if (this.readPn === pn) this.readPage = p;
    return p;
  }

  /** Reads one byte. Outside RAM: 0xFF. */
  read8(addr: number): number {
    if (addr >= this.size || addr < 0) return 0xff;
    const p = this.pageForRead(Math.floor(addr / PAGE_SIZE));
    return p ? p[addr & PAGE_MASK] : 0;
  }

  /** Writes one byte (the low 8 bits of `value`). Outside RAM: dropped. */
  write8(addr: number, value: number): void {
    if (addr >= this.size || addr < 0) return;
    this.pageForWrite(Math.floor(addr / PAGE_SIZE))[addr & PAGE_MASK] = value;
  }

  /** Reads a little-endian 16-bit value. */
  read16(addr: number): number {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 2 && addr >= 0 && addr + 2 <= this.size) {
      const p = this.pageForRead(Math.floor(addr / PAGE_SIZE));
      return p ? p[off] | (p[off + 1] << 8) : 0;
    }
    return this.read8(addr) | (this.read8(addr + 1) << 8);
  }

  /** Reads a little-endian 32-bit value (unsigned). */
  read32(addr: number): number {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 4 && addr >= 0 && addr + 4 <= this.size) {
      const p = this.pageForRead(Math.floor(addr / PAGE_SIZE));
      return p ? (p[off] | (p[off + 1] << 8) | (p[off + 2] << 16) | (p[off + 3] << 24)) >>> 0 : 0;
    }
    return (this.read16(addr) | (this.read16(addr + 2) << 16)) >>> 0;
  }

  /** Reads a little-endian 64-bit value. */
  read64(addr: number): bigint {
    return BigInt(this.read32(addr)) | (BigInt(this.read32(addr + 4)) << 32n);
  }

  /** Writes a little-endian 16-bit value. */
  write16(addr: number, value: number): void {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 2 && addr >= 0 && addr + 2 <= this.size) {
      const p = this.pageForWrite(Math.floor(addr / PAGE_SIZE));
      p[off] = value;
      p[off + 1] = value >>> 8;
      return;
    }
    this.write8(addr, value);
    this.write8(addr + 1, value >>> 8);
  }

  /** Writes a little-endian 32-bit value. */
  write32(addr: number, value: number): void {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 4 && addr >= 0 && addr + 4 <= this.size) {
      const p = this.pageForWrite(Math.floor(addr / PAGE_SIZE));
      p[off] = value;
      p[off + 1] = value >>> 8;
      p[off + 2] = value >>> 16;
      p[off + 3] = value >>> 24;
      return;
    }
    this.write16(addr, value & 0xffff);
    this.write16(addr + 2, value >>> 16);
  }

  /** Writes a little-endian 64-bit value (taken modulo 2^64). */
  write64(addr: number, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.write32(addr, Number(v & 0xffffffffn));
    this.write32(addr + 4, Number(v >> 32n));
  }

  /** Copies bytes out of memory (0xFF for bytes outside RAM). */
  readBytes(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.read8(addr + i);
    return out;
  }

  /** Copies bytes into memory, page by page. */
  writeBytes(addr: number, bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      const a = addr + i;
      const off = a & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, bytes.length - i);
      if (a >= 0 && a + n <= this.size) {
        this.pageForWrite(Math.floor(a / PAGE_SIZE)).set(bytes.subarray(i, i + n), off);
      } else {
        for (let j = 0; j < n; j++) this.write8(a + j, bytes[i + j]);
      }
      i += n;
    }
  }

  /**
   * Freezes the current contents. O(number of allocated pages) for the map copy; no page is
   * copied until it is next written.
   */
  snapshot(): MemorySnapshot {
    this.owned = new Set();
    this.writePn = -1;
    this.writePage = undefined;
    return { pages: new Map(this.pages), size: this.size };
  }

  /** Returns memory to a snapshot's contents. The snapshot stays valid and may be restored again. */
  restore(snap: MemorySnapshot): void {
    if (snap.size !== this.size) throw new RangeError('snapshot of a memory of another size');
    this.pages = new Map(snap.pages);
    this.owned = new Set();
    this.readPn = -1;
    this.readPage = undefined;
    this.writePn = -1;
    this.writePage = undefined;
  }

  /** Drops every page (all RAM reads zero again). */
  clear(): void {
    this.pages.clear();
    this.owned.clear();
    this.readPn = -1;
    this.readPage = undefined;
    this.writePn = -1;
    this.writePage = undefined;
  }
}
