// Linear -> physical translation (SDM Vol. 3A ch. 4 "Paging"): 4-level and 5-level paging
// (§4.5), PAE paging (§4.4) and 32-bit paging (§4.3) walks, access rights (§4.6), A/D bits
// (§4.8), #PF error codes (§4.7), and a small TLB (§4.10) that MOV CR3, INVLPG and paging-mode
// changes invalidate. CR3.PCD/PWT and the entries' PCD/PWT/PAT only select memory types,
// which the lab does not model: they are ignored.

import { C0, C4, EF, F, PFE, PTEB } from './archbits.ts';
import { pf } from './fault.ts';
import type { GuestPhysicalAccess, X86Env } from './env.ts';
import type { CpuState } from './state.ts';

/** Access kinds. */
export const ACC_READ = 0;
export const ACC_WRITE = 1;
export const ACC_EXEC = 2;
export type AccessKind = 0 | 1 | 2;

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

const TWO32 = 4294967296;
const TLB_LIMIT = 8192;

/**
 * Guest-physical to host-physical translation (EPT) while the VMX layer has one active: the
 * `VmxHooks.translateGuestPhysical` hook bound to the processor, or null. It may throw
 * `VmExitUnwind` (the VM exit is done; the instruction does not complete).
 */
export type EptTranslate = (gpa: number, access: GuestPhysicalAccess) => number;

/** Reads a guest paging entry (4 or 8 bytes) through EPT; returns the host address of the entry. */
function entryHost(ept: EptTranslate | null, gpa: number, linear: number): number {
  return ept === null ? gpa : ept(gpa, { read: true, guestPaging: true, linear, finalTranslation: false });
}

/**
 * Sets bits in a guest paging entry (A/D flags): a write through EPT. The processor's own write
 * is reported to the TLB's owner (`onEntryWrite`), which drops decodes of that physical page
 * (decision 0041: the decode cache is keyed by physical page; decision 0074).
 */
function setEntryBits(env: X86Env, tlb: Tlb, ept: EptTranslate | null, gpa: number, hostAddr: number, bits: number, linear: number): void {
  const host = ept === null ? hostAddr : ept(gpa, { write: true, guestPaging: true, linear, finalTranslation: false });
  env.memory.write32(host, (env.memory.read32(host) | bits) >>> 0);
  tlb.onEntryWrite?.(host);
}

/** A20M: forces physical address bit 20 to 0 when the gate is disabled (SDM Vol. 3A ch. 23 "Architecture Compatibility", section "A20M# Signal"). */
export function a20(env: X86Env, pa: number): number {
  if (env.platform.a20Enabled) return pa;
  return Math.floor(pa / 0x100000) % 2 === 1 ? pa - 0x100000 : pa;
}

/** The translation cache and the walker. One per logical processor. */
export class Tlb {
  readonly entries = new Map<number, TlbEntry>();
  hasLarge = false;
  /** Told the physical address of every A/D-flag write the walker makes (the processor drops decodes there). */
  onEntryWrite: ((physAddr: number) => void) | null = null;

  /** Drops every cached translation (MOV CR3, CR0.PG/WP, CR4 paging bits, EFER.NXE changes). */
  flush(): void {
    this.entries.clear();
    this.hasLarge = false;
  }

  /** INVLPG: drops the translation of one page (all of them if a large page might cover it). */
  invalidate(linear: number): void {
    if (this.hasLarge) this.flush();
    else this.entries.delete(Math.floor(linear / 4096));
  }
}

/** Whether paging is on. */
export function pagingEnabled(s: CpuState): boolean {
  return (s.cr0 & C0.PG) !== 0;
}

/**
 * Translates a linear address for an access of kind `acc`, as a user-mode access when `user`.
 * Returns the physical address (A20 applied). Throws #PF on a failed translation.
 */
export function translate(s: CpuState, env: X86Env, tlb: Tlb, linear: number, acc: AccessKind, user: boolean, implicitSupervisor = false, ept: EptTranslate | null = null): number {
  if ((s.cr0 & C0.PG) === 0) {
    const pa = a20(env, linear >= 0 ? linear % TWO32 : (linear % TWO32) + TWO32);
    return ept === null ? pa : ept(pa, { ...ACCESS[acc], linear, finalTranslation: true, userMode: user });
  }
  const lp = Math.floor(linear / 4096);
  let e = tlb.entries.get(lp);
  if (e === undefined) {
    e = walk(s, env, linear, acc, user, ept, tlb);
    if (tlb.entries.size >= TLB_LIMIT) tlb.flush();
    tlb.entries.set(lp, e);
    if (e.large) tlb.hasLarge = true;
  }
  const denied = checkRights(s, e, acc, user, implicitSupervisor);
  if (denied !== null) throw pf(denied, errorCode(s, acc, user) | PFE.P, linear);
  if (acc === ACC_WRITE && !e.dirty) setDirty(env, tlb, e, ept, linear);
  const pa = a20(env, e.ppage + (linear - lp * 4096));
  if (ept === null) return pa;
  return ept(pa, {
    ...ACCESS[acc], linear, finalTranslation: true, userMode: user,
    guestRights: { user: e.user, writable: e.writable, executeDisable: e.nx },
  });
}

const ACCESS: readonly GuestPhysicalAccess[] = [{ read: true }, { write: true }, { fetch: true }];

/** #PF error-code bits that describe the access (SDM Vol. 3A §4.7 "Page-Fault Exceptions"). */
function errorCode(s: CpuState, acc: AccessKind, user: boolean): number {
  let code = 0;
  if (acc === ACC_WRITE) code |= PFE.WR;
  if (user) code |= PFE.US;
  // I/D is reported for fetches only when NX (PAE-based paging with EFER.NXE) or SMEP could forbid them (§4.7).
  if (acc === ACC_EXEC && (((s.efer & EF.NXE) !== 0 && (s.cr4 & C4.PAE) !== 0) || (s.cr4 & C4.SMEP) !== 0)) code |= PFE.ID;
  return code;
}

/**
 * Access rights (SDM Vol. 3A §4.6.1 "Determination of Access Rights"). Returns a reason
 * string when the access is denied, null when allowed.
 */
function checkRights(s: CpuState, e: TlbEntry, acc: AccessKind, user: boolean, implicit: boolean): string | null {
  if (user) {
    if (!e.user) return 'user-mode access to a supervisor-mode page (U/S = 0 in a paging entry)';
    if (acc === ACC_WRITE && !e.writable) return 'user-mode write to a read-only page (R/W = 0 in a paging entry)';
    if (acc === ACC_EXEC && e.nx) return 'instruction fetch from an execute-disable page (XD = 1)';
    return null;
  }
  if (acc === ACC_EXEC) {
    if (e.nx) return 'instruction fetch from an execute-disable page (XD = 1)';
    if (e.user && (s.cr4 & C4.SMEP) !== 0) return 'supervisor-mode fetch from a user-mode page with CR4.SMEP = 1';
    return null;
  }
  if (e.user && (s.cr4 & C4.SMAP) !== 0 && (implicit || (s.rflags & F.AC) === 0)) {
    return 'supervisor-mode data access to a user-mode page with CR4.SMAP = 1 and RFLAGS.AC = 0';
  }
  if (acc === ACC_WRITE && !e.writable && (s.cr0 & C0.WP) !== 0) {
    return 'supervisor-mode write to a read-only page with CR0.WP = 1';
  }
  return null;
}

function setDirty(env: X86Env, tlb: Tlb, e: TlbEntry, ept: EptTranslate | null, linear: number): void {
  setEntryBits(env, tlb, ept, e.leafAddr, e.leafAddr, PTEB.D | PTEB.A, linear);
  e.dirty = true;
}

/** Bits 51:MAXPHYADDR of an entry's high half: reserved (§4.5 tables, "Reserved (must be 0)"). */
function reservedHigh(maxPhysAddr: number): number {
  if (maxPhysAddr >= 52) return 0;
  return (0xfffff & ~((1 << (maxPhysAddr - 32)) - 1)) >>> 0;
}

/** Walks the paging structures for `linear` and builds a TLB entry; throws #PF on a missing or malformed entry. */
function walk(s: CpuState, env: X86Env, linear: number, acc: AccessKind, user: boolean, ept: EptTranslate | null, tlb: Tlb): TlbEntry {
  if ((s.cr4 & C4.PAE) === 0) return walk32(s, env, linear, acc, user, ept, tlb);
  if ((s.efer & EF.LMA) === 0) return walkPae(s, env, linear, acc, user, ept, tlb);
  const mem = env.memory;
  const la57 = (s.cr4 & C4.LA57) !== 0;
  const bits = la57 ? 57 : 48;
  const ulinear = linear < 0 ? linear + 2 ** bits : linear;
  const rsvHi = reservedHigh(env.config.maxPhysAddr);
  const nxe = (s.efer & EF.NXE) !== 0;
  let table = Math.floor(s.cr3 / 4096) * 4096 % 2 ** 52;
  let isUser = true;
  let writable = true;
  let nx = false;
  const code = errorCode(s, acc, user);
  for (let level = la57 ? 5 : 4; level >= 1; level--) {
    const shift = 12 + 9 * (level - 1);
    const idx = Math.floor(ulinear / 2 ** shift) % 512;
    const ea = a20(env, table + idx * 8);
    const ha = entryHost(ept, ea, linear);
    const lo = mem.read32(ha);
    const hi = mem.read32(ha + 4);
    if ((lo & PTEB.P) === 0) throw pf(`page not present: ${levelName(level)} entry ${idx} has P = 0`, code, linear);
    const ps = level <= 3 && level >= 2 && (lo & PTEB.PS) !== 0;
    let rsvd = (hi & rsvHi) !== 0 || (!nxe && (hi & PTEB.XD_HI) !== 0);
    if (level >= 4 && (lo & PTEB.PS) !== 0) rsvd = true;
    if (ps && level === 3 && (!env.config.features.page1gb || (lo & PTEB.RSVD_1G) !== 0)) rsvd = true;
    if (ps && level === 2 && (lo & PTEB.RSVD_2M) !== 0) rsvd = true;
    if (rsvd) throw pf(`reserved bit set in the ${levelName(level)} entry ${idx}`, code | PFE.P | PFE.RSVD, linear);
    isUser &&= (lo & PTEB.US) !== 0;
    writable &&= (lo & PTEB.RW) !== 0;
    nx ||= nxe && (hi & PTEB.XD_HI) !== 0;
    if ((lo & PTEB.A) === 0) setEntryBits(env, tlb, ept, ea, ha, PTEB.A, linear);
    const addr = (hi & PTEB.ADDR_HI) * TWO32 + ((lo & PTEB.ADDR_LO) >>> 0);
    if (level === 1 || ps) {
      const pageSize = 2 ** shift;
      const base = Math.floor(addr / pageSize) * pageSize;
      const ppage = base + Math.floor((ulinear % pageSize) / 4096) * 4096;
      return { ppage, user: isUser, writable, nx, dirty: (lo & PTEB.D) !== 0, leafAddr: ea, leaf64: true, large: ps };
    }
    table = addr;
  }
  throw new Error('unreachable: paging walk ended without a leaf');
}

function levelName(level: number): string {
  return ['', 'PT', 'PD', 'PDPT', 'PML4', 'PML5'][level] ?? `level ${level}`;
}

/** PAE paging (SDM Vol. 3A §4.4): PDPTEs from CR3, then 8-byte PD and PT entries. */
function walkPae(s: CpuState, env: X86Env, linear: number, acc: AccessKind, user: boolean, ept: EptTranslate | null, tlb: Tlb): TlbEntry {
  const mem = env.memory;
  const ul = ((linear % TWO32) + TWO32) % TWO32;
  const code = errorCode(s, acc, user);
  const rsvHi = reservedHigh(env.config.maxPhysAddr);
  const nxe = (s.efer & EF.NXE) !== 0;
  const pdpteAddr = a20(env, ((s.cr3 & 0xffffffe0) >>> 0) + Math.floor(ul / 2 ** 30) * 8);
  const pdpteHost = entryHost(ept, pdpteAddr, linear);
  const plo = mem.read32(pdpteHost);
  const phi = mem.read32(pdpteHost + 4);
  if ((plo & PTEB.P) === 0) throw pf('page not present: PDPTE has P = 0', code, linear);
  let table = (phi & PTEB.ADDR_HI) * TWO32 + ((plo & PTEB.ADDR_LO) >>> 0);
  let isUser = true;
  let writable = true;
  let nx = false;
  for (let level = 2; level >= 1; level--) {
    const shift = 12 + 9 * (level - 1);
    const idx = Math.floor(ul / 2 ** shift) % 512;
    const ea = a20(env, table + idx * 8);
    const ha = entryHost(ept, ea, linear);
    const lo = mem.read32(ha);
    const hi = mem.read32(ha + 4);
    if ((lo & PTEB.P) === 0) throw pf(`page not present: ${levelName(level)} entry ${idx} has P = 0`, code, linear);
    const ps = level === 2 && (lo & PTEB.PS) !== 0;
    const rsvd = (hi & rsvHi) !== 0 || (!nxe && (hi & PTEB.XD_HI) !== 0) || (ps && (lo & PTEB.RSVD_2M) !== 0);
    if (rsvd) throw pf(`reserved bit set in the ${levelName(level)} entry ${idx}`, code | PFE.P | PFE.RSVD, linear);
    isUser &&= (lo & PTEB.US) !== 0;
    writable &&= (lo & PTEB.RW) !== 0;
    nx ||= nxe && (hi & PTEB.XD_HI) !== 0;
    if ((lo & PTEB.A) === 0) setEntryBits(env, tlb, ept, ea, ha, PTEB.A, linear);
    const addr = (hi & PTEB.ADDR_HI) * TWO32 + ((lo & PTEB.ADDR_LO) >>> 0);
    if (level === 1 || ps) {
      const pageSize = 2 ** shift;
      const ppage = Math.floor(addr / pageSize) * pageSize + Math.floor((ul % pageSize) / 4096) * 4096;
      return { ppage, user: isUser, writable, nx, dirty: (lo & PTEB.D) !== 0, leafAddr: ea, leaf64: true, large: ps };
    }
    table = addr;
  }
  throw new Error('unreachable: PAE walk ended without a leaf');
}

/** 32-bit paging (SDM Vol. 3A §4.3): 4-byte entries, 4 MiB pages with CR4.PSE. */
function walk32(s: CpuState, env: X86Env, linear: number, acc: AccessKind, user: boolean, ept: EptTranslate | null, tlb: Tlb): TlbEntry {
  const mem = env.memory;
  const ul = ((linear % TWO32) + TWO32) % TWO32;
  const code = errorCode(s, acc, user);
  const pdeAddr = a20(env, ((s.cr3 & 0xfffff000) >>> 0) + (ul >>> 22) * 4);
  const pdeHost = entryHost(ept, pdeAddr, linear);
  const pde = mem.read32(pdeHost);
  if ((pde & PTEB.P) === 0) throw pf(`page not present: PD entry ${ul >>> 22} has P = 0`, code, linear);
  if ((pde & PTEB.A) === 0) setEntryBits(env, tlb, ept, pdeAddr, pdeHost, PTEB.A, linear);
  if ((pde & PTEB.PS) !== 0 && (s.cr4 & C4.PSE) !== 0) {
    // 4 MiB page; PSE-36 high address bits (20:13) are taken as zero (bit 21 reserved).
    const base = (pde & 0xffc00000) >>> 0;
    const ppage = base + (ul & 0x3ff000);
    return { ppage, user: (pde & PTEB.US) !== 0, writable: (pde & PTEB.RW) !== 0, nx: false, dirty: (pde & PTEB.D) !== 0, leafAddr: pdeAddr, leaf64: false, large: true };
  }
  const pteAddr = a20(env, ((pde & 0xfffff000) >>> 0) + ((ul >>> 12) & 0x3ff) * 4);
  const pteHost = entryHost(ept, pteAddr, linear);
  const pte = mem.read32(pteHost);
  if ((pte & PTEB.P) === 0) throw pf(`page not present: PT entry ${(ul >>> 12) & 0x3ff} has P = 0`, code, linear);
  if ((pte & PTEB.A) === 0) setEntryBits(env, tlb, ept, pteAddr, pteHost, PTEB.A, linear);
  return {
    ppage: (pte & 0xfffff000) >>> 0, user: (pde & pte & PTEB.US) !== 0, writable: (pde & pte & PTEB.RW) !== 0,
    nx: false, dirty: (pte & PTEB.D) !== 0, leafAddr: pteAddr, leaf64: false, large: false,
  };
}
