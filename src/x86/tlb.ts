// The TLB (SDM Vol. 3A §4.10 "Caching Translation Information"): cached translations of 4 KiB
// linear pages, invalidated by MOV CR3, INVLPG, paging-mode changes and every VM entry and exit
// with VPID off (Vol. 3C §29.4.3.1 "Operations that Invalidate Cached Mappings").
//
// A flush is a generation number: a slot filled in an earlier generation is not a translation
// any more. It still holds the walk that produced it (the paging-structure entries read, as
// memory held them after the walk's accessed-flag writes, and the control state the walk
// depended on), and `paging.ts` reuses it instead of walking again only when every one of those
// entries is unchanged in memory: a walk would then read the same values, set no flags (A is
// already set at every level) and build the same translation, so the reuse is invisible
// (decision 0085). Architecturally the TLB is empty after the flush either way.

/** One cached translation, for a 4 KiB linear page (large pages are cached per 4 KiB piece). */
export interface TlbEntry {
  /** Physical address of the 4 KiB page. */
  readonly ppage: number;
  /** U/S = 1 at every level. */
  readonly user: boolean;
  /** R/W = 1 at every level. */
  readonly writable: boolean;
  /** XD = 1 at some level (with EFER.NXE). */
  readonly nx: boolean;
  /** Dirty flag of the mapping entry already set. */
  dirty: boolean;
  /** Physical address of the entry that maps the page (for setting D). */
  readonly leafAddr: number;
  /** Whether the leaf entry is 8 bytes (PAE/4-level/5-level) or 4 (32-bit paging). */
  readonly leaf64: boolean;
  /** Mapped by a 2 MiB, 4 MiB or 1 GiB page. */
  readonly large: boolean;
}

/** Paging-structure entries one walk reads at most: PML5E, PML4E, PDPTE, PDE, PTE. */
export const WALK_MAX_LEVELS = 5;

/** A TLB slot: a translation, the generation it belongs to, and the walk that produced it. */
export class TlbSlot implements TlbEntry {
  ppage = 0;
  user = false;
  writable = false;
  nx = false;
  dirty = false;
  leafAddr = 0;
  leaf64 = false;
  large = false;
  /** The TLB generation this translation was cached in (-1: none). */
  gen = -1;
  /** CR3 the walk started from. */
  cr3 = 0;
  /** The other state the walk depended on (`walkKey`). */
  key = 0;
  /** Entries the walk read; 0 when the record cannot be reused (faulted, EPT, changed behind it). */
  levels = 0;
  /** Physical address of each entry read, outermost first. */
  readonly addr: number[] = [0, 0, 0, 0, 0];
  /** Low 32 bits of each entry as memory held them after the walk (A set). */
  readonly lo: number[] = [0, 0, 0, 0, 0];
  /** High 32 bits of each 8-byte entry (unused with 32-bit paging). */
  readonly hi: number[] = [0, 0, 0, 0, 0];
}

/** The translation cache. One per logical processor; the walker is `paging.ts`. */
export class Tlb {
  /** Slots by linear page number: current translations (`gen` equal to `this.gen`) and older walks. */
  readonly entries = new Map<number, TlbSlot>();
  /** The current generation: slots of other generations are not translations. */
  gen = 0;
  /** A current translation maps a large page (INVLPG then drops everything). */
  hasLarge = false;
  /** Reuse of unchanged walks after a flush (off: every miss walks; tests compare the two). */
  reuseWalks = true;
  /** Told the physical address of every A/D-flag write the walker makes (the processor drops decodes there). */
  onEntryWrite: ((physAddr: number) => void) | null = null;

  /** Drops every cached translation (MOV CR3, CR0.PG/WP, CR4 paging bits, EFER.NXE changes, VM transitions). */
  flush(): void {
    this.gen++;
    this.hasLarge = false;
  }

  /** Drops the translations and the walks kept for reuse. */
  clear(): void {
    this.entries.clear();
    this.flush();
  }

  /** INVLPG: drops the translation of one page (all of them if a large page might cover it). */
  invalidate(linear: number): void {
    if (this.hasLarge) this.flush();
    else this.entries.delete(Math.floor(linear / 4096));
  }

  /** The current translation of linear page `lp`, if cached. */
  lookup(lp: number): TlbEntry | undefined {
    const e = this.entries.get(lp);
    return e !== undefined && e.gen === this.gen ? e : undefined;
  }
}
