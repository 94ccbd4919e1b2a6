// Test helper: builds EPT paging structures in a sparse 8-byte-entry memory, the way a
// hypervisor would, so walk/cache/hook tests read like the seed's setup code.

import type { EptMemory } from './types.ts';

/** R, W, X and WB memory type: a typical leaf (0x37). */
export const RWX_WB = 0x7n | (6n << 3n);
/** Permissions of an intermediate entry that allows everything. */
export const TABLE_RWX = 0x7n;
/** Page-size bit (bit 7). */
export const PS = 1n << 7n;

/** A sparse physical memory of 8-byte words with a write log. */
export class EptTestMemory implements EptMemory {
  readonly words = new Map<number, bigint>();
  readonly writes: { addr: number; value: bigint }[] = [];
  readPhys64(addr: number): bigint {
    return this.words.get(addr) ?? 0n;
  }
  writePhys64(addr: number, value: bigint): void {
    this.words.set(addr, value);
    this.writes.push({ addr, value });
  }
}

/** EPT tables for one root, allocated from 0x10000 upward. */
export class EptBuilder {
  readonly root: number;
  private next: number;

  /** Tables go from `base` upward in `mem` (a second hierarchy can share the memory of a first). */
  constructor(readonly levels: 4 | 5 = 4, readonly mem = new EptTestMemory(), base = 0x10000) {
    this.next = base;
    this.root = this.alloc();
  }

  /** EPTP: WB, this walk length, A/D flags when `ad`. */
  eptp(ad = false): bigint {
    return BigInt(this.root) | 6n | (BigInt(this.levels - 1) << 3n) | (ad ? 1n << 6n : 0n);
  }

  /** A fresh zeroed 4 KiB table. */
  alloc(): number {
    const a = this.next;
    this.next += 0x1000;
    return a;
  }

  /** Address of the entry of `level` for `gpa`, creating tables above it (with `tableBits`) as needed. */
  entryAddr(level: number, gpa: number, tableBits = TABLE_RWX): number {
    let table = this.root;
    for (let l = this.levels; l > level; l--) {
      const a = table + (Math.floor(gpa / 2 ** (12 + 9 * (l - 1))) % 512) * 8;
      let e = this.mem.readPhys64(a);
      if ((e & 7n) === 0n) {
        e = BigInt(this.alloc()) | tableBits;
        this.mem.words.set(a, e);
      }
      table = Number(e & 0xffff_ffff_f000n);
    }
    return table + (Math.floor(gpa / 2 ** (12 + 9 * (level - 1))) % 512) * 8;
  }

  /** Maps the page of `gpa` at `level` (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB) to `hpa` with `bits`. */
  map(gpa: number, hpa: number, bits = RWX_WB, level = 1): this {
    this.set(level, gpa, BigInt(hpa) | bits | (level > 1 ? PS : 0n));
    return this;
  }

  /** Writes the raw entry of `level` for `gpa` (as software does: no cache is told). */
  set(level: number, gpa: number, value: bigint): this {
    this.mem.words.set(this.entryAddr(level, gpa), value);
    return this;
  }

  /** The raw entry of `level` for `gpa`. */
  get(level: number, gpa: number): bigint {
    return this.mem.readPhys64(this.entryAddr(level, gpa));
  }
}
