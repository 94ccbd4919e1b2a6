// The translation cache of VMX operation (SDM Vol. 3C §29.4 "Caching Translation Information"):
// guest-physical mappings (guest-physical page -> host-physical page, tagged by EP4TA) and
// linear/combined mappings (linear page -> host-physical page, tagged by VPID and, for combined
// mappings, EP4TA). Writes to EPT entries do NOT touch it: a changed entry keeps its old
// translation until INVEPT (or an EPT violation on that address) removes it, as on hardware.
// Implementation choice (docs/decisions/0030-ept-translation-cache.md): the lab caches every
// translation it may cache and drops none on its own, so stale behaviour is deterministic.

import { SDM_INVALIDATE } from './refs.ts';
import type { EptPerms, EptTranslation } from './types.ts';

/** Tag of linear mappings, created while EPT is not in use (§29.4.1). */
export const NO_EPT = -1;

/** A cached guest-physical mapping for one 4 KiB guest-physical page. */
export interface GuestPhysicalMapping {
  readonly ep4ta: number;
  readonly gpaPage: number;
  readonly hpaPage: number;
  /** Page size of the EPT leaf the mapping came from. */
  readonly pageSize: number;
  readonly perms: EptPerms;
  readonly memType: number;
  /** The leaf's dirty flag was set (or A/D flags are off): a write may use the mapping. */
  readonly dirty: boolean;
}

/** A cached linear (ep4ta = NO_EPT) or combined mapping for one 4 KiB linear page. */
export interface CombinedMapping {
  readonly vpid: number;
  readonly ep4ta: number;
  readonly linearPage: number;
  readonly hpaPage: number;
  /** Guest paging rights of the linear page. */
  readonly guest: { readonly user: boolean; readonly writable: boolean; readonly executeDisable: boolean };
  /** EPT rights (all true for linear mappings). */
  readonly ept: EptPerms;
  /** Global translation (G = 1 with CR4.PGE = 1): kept by INVVPID type 3. */
  readonly global: boolean;
}

/** The cache as plain data (mappings are immutable records). */
export interface EptCacheSnapshot {
  readonly guestPhysical: readonly GuestPhysicalMapping[];
  readonly combined: readonly CombinedMapping[];
}

/** INVEPT types (SDM Vol. 3C §31.3 "INVEPT"; §29.4.3.1). */
export type InveptType = 1 | 2;
/** INVVPID types (SDM Vol. 3C §31.3 "INVVPID"; §29.4.3.1). */
export type InvvpidType = 0 | 1 | 2 | 3;

const page = (addr: number): number => Math.floor(addr / 4096);

/** The cache of one logical processor. */
export class EptTranslationCache {
  private readonly gpa = new Map<number, Map<number, GuestPhysicalMapping>>();
  private readonly combined = new Map<number, Map<string, CombinedMapping>>();

  // ---- guest-physical mappings ---------------------------------------------------------------

  /** The cached guest-physical mapping of `gpa` under `ep4ta`, if any (§29.4.2). */
  lookupGuestPhysical(ep4ta: number, gpa: number): GuestPhysicalMapping | undefined {
    return this.gpa.get(ep4ta)?.get(page(gpa));
  }

  /** Caches the result of a successful walk for the 4 KiB guest-physical page of `gpa`. */
  fillGuestPhysical(ep4ta: number, gpa: number, t: EptTranslation): GuestPhysicalMapping {
    const m: GuestPhysicalMapping = {
      ep4ta, gpaPage: page(gpa), hpaPage: page(t.hpa), pageSize: t.pageSize, perms: t.perms, memType: t.memType, dirty: t.dirty,
    };
    let tagged = this.gpa.get(ep4ta);
    if (tagged === undefined) this.gpa.set(ep4ta, (tagged = new Map()));
    tagged.set(m.gpaPage, m);
    return m;
  }

  // ---- linear and combined mappings ------------------------------------------------------------

  /** The cached linear/combined mapping of `linear` for `vpid` and `ep4ta` (NO_EPT for linear mappings). */
  lookupCombined(vpid: number, ep4ta: number, linear: number): CombinedMapping | undefined {
    return this.combined.get(vpid)?.get(`${ep4ta}:${page(linear)}`);
  }

  /** Caches a linear/combined mapping (the executor's guest paging walk plus the EPT walks it made). */
  fillCombined(m: Omit<CombinedMapping, 'linearPage' | 'hpaPage'> & { linear: number; hpa: number }): CombinedMapping {
    const entry: CombinedMapping = {
      vpid: m.vpid, ep4ta: m.ep4ta, linearPage: page(m.linear), hpaPage: page(m.hpa), guest: m.guest, ept: m.ept, global: m.global,
    };
    let tagged = this.combined.get(m.vpid);
    if (tagged === undefined) this.combined.set(m.vpid, (tagged = new Map()));
    tagged.set(`${m.ep4ta}:${entry.linearPage}`, entry);
    return entry;
  }

  // ---- invalidation (SDM Vol. 3C §29.4.3.1 "Operations that Invalidate Cached Mappings") -------

  /**
   * INVEPT. Type 1 (single-context): guest-physical and combined mappings of EP4TA =
   * `eptp`[51:12], for every VPID. Type 2 (all-context): those of every EP4TA. Linear mappings
   * (no EPT) are untouched.
   */
  invept(type: InveptType, eptp = 0n): void {
    if (type === 2) {
      this.gpa.clear();
      this.dropCombined(() => true, (m) => m.ep4ta !== NO_EPT);
      return;
    }
    const tag = Number(eptp & (((1n << 52n) - 1n) & ~0xfffn));
    this.gpa.delete(tag);
    this.dropCombined(() => true, (m) => m.ep4ta === tag);
  }

  /**
   * INVVPID. Type 0 (individual-address): mappings of `vpid` for the page of `linear`, every
   * EP4TA. Type 1 (single-context): every mapping of `vpid`. Type 2 (all-context): every mapping
   * of every VPID except 0000H. Type 3 (single-context-retaining-globals): those of `vpid` that
   * are not global. Guest-physical mappings are untouched (INVVPID need not invalidate them).
   */
  invvpid(type: InvvpidType, vpid: number, linear = 0): void {
    switch (type) {
      case 0: this.dropCombined((v) => v === vpid, (m) => m.linearPage === page(linear)); return;
      case 1: this.combined.delete(vpid); return;
      case 2: this.dropCombined((v) => v !== 0, () => true); return;
      case 3: this.dropCombined((v) => v === vpid, (m) => !m.global); return;
    }
  }

  /**
   * VM entry or VM exit. With "enable VPID" = 0 both invalidate the linear and combined mappings
   * of VPID 0000H (every EP4TA); with VPID on they invalidate nothing. Neither touches
   * guest-physical mappings.
   */
  onVmTransition(vpidEnabled: boolean): void {
    if (!vpidEnabled) this.combined.delete(0);
  }

  /**
   * INVLPG or INVPCID for one address, or an EPT violation on a linear access: the current
   * VPID's linear and combined mappings of that page, every EP4TA.
   */
  invalidateLinear(vpid: number, linear: number): void {
    this.dropCombined((v) => v === vpid, (m) => m.linearPage === page(linear));
  }

  /**
   * MOV to CR3 (without PCID no-flush) and other whole-context flushes of guest paging: the
   * current VPID's non-global linear/combined mappings, every EP4TA (all of them when `globals`).
   */
  flushVpid(vpid: number, globals: boolean): void {
    this.dropCombined((v) => v === vpid, (m) => globals || !m.global);
  }

  /**
   * An EPT violation: the guest-physical mappings of the current EP4TA that would translate
   * `gpa`, and (when it translated a linear address) the combined mappings of that linear page.
   */
  onEptViolation(ep4ta: number, gpa: number, vpid: number, linear?: number): void {
    this.gpa.get(ep4ta)?.delete(page(gpa));
    if (linear !== undefined) this.dropCombined((v) => v === vpid, (m) => m.ep4ta === ep4ta && m.linearPage === page(linear));
  }

  /** Power-up, reset, or a machine restore: everything. */
  clear(): void {
    this.gpa.clear();
    this.combined.clear();
  }

  // ---- inspection ----------------------------------------------------------------------------

  /** Every cached guest-physical mapping (for the UI and tests), by EP4TA then page. */
  guestPhysicalMappings(): GuestPhysicalMapping[] {
    return [...this.gpa.values()].flatMap((m) => [...m.values()]);
  }

  /** Every cached linear/combined mapping. */
  combinedMappings(): CombinedMapping[] {
    return [...this.combined.values()].flatMap((m) => [...m.values()]);
  }

  /** Plain-data copy for machine snapshots (time travel must restore stale mappings too). */
  snapshot(): EptCacheSnapshot {
    return { guestPhysical: this.guestPhysicalMappings(), combined: this.combinedMappings() };
  }

  /** Replaces the contents with a snapshot's. */
  restore(snap: EptCacheSnapshot): void {
    this.clear();
    for (const m of snap.guestPhysical) {
      let tagged = this.gpa.get(m.ep4ta);
      if (tagged === undefined) this.gpa.set(m.ep4ta, (tagged = new Map()));
      tagged.set(m.gpaPage, m);
    }
    for (const m of snap.combined) {
      let tagged = this.combined.get(m.vpid);
      if (tagged === undefined) this.combined.set(m.vpid, (tagged = new Map()));
      tagged.set(`${m.ep4ta}:${m.linearPage}`, m);
    }
  }

  /** Where the SDM lists the operations above. */
  static readonly sdm = SDM_INVALIDATE;

  private dropCombined(vpidMatch: (vpid: number) => boolean, drop: (m: CombinedMapping) => boolean): void {
    for (const [vpid, tagged] of this.combined) {
      if (!vpidMatch(vpid)) continue;
      for (const [k, m] of tagged) if (drop(m)) tagged.delete(k);
      if (tagged.size === 0) this.combined.delete(vpid);
    }
  }
}
