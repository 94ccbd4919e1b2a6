// Linear -> physical translation (SDM Vol. 3A ch. 4 "Paging"): 4-level and 5-level paging
// (§4.5), PAE paging (§4.4) and 32-bit paging (§4.3) walks, access rights (§4.6), A/D bits
// (§4.8), #PF error codes (§4.7), and the TLB (§4.10, `tlb.ts`) that MOV CR3, INVLPG, paging-mode
// changes and VM transitions invalidate; after a flush a walk whose entries are unchanged in
// memory is reused instead of repeated (decision 0085). CR3.PCD/PWT and the entries'
// PCD/PWT/PAT only select memory types, which the lab does not model: they are ignored.

import { C0, C4, EF, F, PFE, PTEB } from './archbits.ts';
import { pf } from './fault.ts';
import type { GuestPhysicalAccess, X86Env } from './env.ts';
import type { CpuState } from './state.ts';
import { Tlb, TlbSlot, type TlbEntry } from './tlb.ts';

export { Tlb, TlbSlot, type TlbEntry };

/** Access kinds. */
export const ACC_READ = 0;
export const ACC_WRITE = 1;
export const ACC_EXEC = 2;
export type AccessKind = 0 | 1 | 2;

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
  if (e === undefined || e.gen !== tlb.gen) e = refill(s, env, tlb, e, lp, linear, acc, user, ept);
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

/**
 * A TLB miss: reuses the slot's recorded walk when it is still exact (`reusable`), otherwise walks
 * (into the slot, which a faulting walk leaves unusable). The result is a current translation.
 */
function refill(s: CpuState, env: X86Env, tlb: Tlb, e: TlbSlot | undefined, lp: number, linear: number, acc: AccessKind, user: boolean, ept: EptTranslate | null): TlbSlot {
  if (e !== undefined && ept === null && tlb.reuseWalks && reusable(s, env, e)) {
    // Exactly what walking again would build (`dirty` already matches the recorded leaf's D).
    e.dirty = (e.lo[e.levels - 1]! & PTEB.D) !== 0;
  } else {
    if (e === undefined) {
      if (tlb.entries.size >= TLB_LIMIT) tlb.clear();
      e = new TlbSlot();
      tlb.entries.set(lp, e);
    }
    e.levels = 0;
    walk(s, env, linear, acc, user, ept, tlb, e);
    e.cr3 = s.cr3;
    e.key = walkKey(s, env);
    if (ept !== null) e.levels = 0; // EPT walks have effects of their own (EPT A/D flags, violations): never reused.
  }
  e.gen = tlb.gen;
  if (e.large) tlb.hasLarge = true;
  return e;
}

/**
 * Everything besides CR3 and the entries in memory that a walk's result depends on: the paging
 * mode (CR4.PAE, CR4.PSE, CR4.LA57, EFER.LMA), EFER.NXE (XD bits: rights or reserved), the A20
 * gate, MAXPHYADDR (reserved bits) and 1-GiB-page support.
 */
function walkKey(s: CpuState, env: X86Env): number {
  return ((s.cr4 & (C4.PAE | C4.PSE | C4.LA57)) | (s.efer & (EF.LMA | EF.NXE)) | (env.platform.a20Enabled ? 1 << 20 : 0)
    | (env.config.features.page1gb ? 1 << 21 : 0) | (env.config.maxPhysAddr << 22)) >>> 0;
}

/**
 * Whether a walk now would read exactly the entries `e` recorded (same CR3 and key, every entry
 * unchanged in memory, A already set in each): it would then set no flag and build the same
 * translation (decision 0085).
 */
function reusable(s: CpuState, env: X86Env, e: TlbSlot): boolean {
  const n = e.levels;
  if (n === 0 || e.cr3 !== s.cr3 || e.key !== walkKey(s, env)) return false;
  const mem = env.memory;
  const wide = e.leaf64;
  for (let i = 0; i < n; i++) {
    const a = e.addr[i]!;
    if (mem.read32(a) >>> 0 !== e.lo[i]) return false;
    if (wide && mem.read32(a + 4) >>> 0 !== e.hi[i]) return false;
  }
  return true;
}

/** Records entry `i` of the walk in progress (its value once the walk has set A where it does). */
function record(e: TlbSlot, i: number, addr: number, lo: number, hi: number): void {
  e.addr[i] = addr;
  e.lo[i] = lo >>> 0;
  e.hi[i] = hi >>> 0;
}

/** Completes the walk into `e`: the translation and the number of entries recorded. */
function fill(e: TlbSlot, ppage: number, user: boolean, writable: boolean, nx: boolean, dirty: boolean, leafAddr: number, leaf64: boolean, large: boolean, levels: number): void {
  e.ppage = ppage;
  e.user = user;
  e.writable = writable;
  e.nx = nx;
  e.dirty = dirty;
  e.leafAddr = leafAddr;
  e.leaf64 = leaf64;
  e.large = large;
  e.levels = levels;
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

function setDirty(env: X86Env, tlb: Tlb, e: TlbSlot, ept: EptTranslate | null, linear: number): void {
  setEntryBits(env, tlb, ept, e.leafAddr, e.leafAddr, PTEB.D | PTEB.A, linear);
  e.dirty = true;
  // The kept walk now expects the leaf with D (and A) set: the translation it stands for is the
  // same, and a walk reading that value would set nothing.
  const n = e.levels;
  if (n !== 0) e.lo[n - 1] = (e.lo[n - 1]! | PTEB.D | PTEB.A) >>> 0;
}

/** Bits 51:MAXPHYADDR of an entry's high half: reserved (§4.5 tables, "Reserved (must be 0)"). */
function reservedHigh(maxPhysAddr: number): number {
  if (maxPhysAddr >= 52) return 0;
  return (0xfffff & ~((1 << (maxPhysAddr - 32)) - 1)) >>> 0;
}

/** Walks the paging structures for `linear` into `e` (translation and record); throws #PF on a missing or malformed entry. */
function walk(s: CpuState, env: X86Env, linear: number, acc: AccessKind, user: boolean, ept: EptTranslate | null, tlb: Tlb, e: TlbSlot): void {
  if ((s.cr4 & C4.PAE) === 0) { walk32(s, env, linear, acc, user, ept, tlb, e); return; }
  if ((s.efer & EF.LMA) === 0) { walkPae(s, env, linear, acc, user, ept, tlb, e); return; }
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
  const top = la57 ? 5 : 4;
  for (let level = top; level >= 1; level--) {
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
    record(e, top - level, ha, lo | PTEB.A, hi);
    const addr = (hi & PTEB.ADDR_HI) * TWO32 + ((lo & PTEB.ADDR_LO) >>> 0);
    if (level === 1 || ps) {
      const pageSize = 2 ** shift;
      const base = Math.floor(addr / pageSize) * pageSize;
      const ppage = base + Math.floor((ulinear % pageSize) / 4096) * 4096;
      fill(e, ppage, isUser, writable, nx, (lo & PTEB.D) !== 0, ea, true, ps, top - level + 1);
      return;
    }
    table = addr;
  }
  throw new Error('unreachable: paging walk ended without a leaf');
}

function levelName(level: number): string {
  return ['', 'PT', 'PD', 'PDPT', 'PML4', 'PML5'][level] ?? `level ${level}`;
}

/** PAE paging (SDM Vol. 3A §4.4): PDPTEs from CR3, then 8-byte PD and PT entries. */
function walkPae(s: CpuState, env: X86Env, linear: number, acc: AccessKind, user: boolean, ept: EptTranslate | null, tlb: Tlb, e: TlbSlot): void {
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
  record(e, 0, pdpteHost, plo, phi);
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
    record(e, 3 - level, ha, lo | PTEB.A, hi);
    const addr = (hi & PTEB.ADDR_HI) * TWO32 + ((lo & PTEB.ADDR_LO) >>> 0);
    if (level === 1 || ps) {
      const pageSize = 2 ** shift;
      const ppage = Math.floor(addr / pageSize) * pageSize + Math.floor((ul % pageSize) / 4096) * 4096;
      fill(e, ppage, isUser, writable, nx, (lo & PTEB.D) !== 0, ea, true, ps, 4 - level);
      return;
    }
    table = addr;
  }
  throw new Error('unreachable: PAE walk ended without a leaf');
}

/** 32-bit paging (SDM Vol. 3A §4.3): 4-byte entries, 4 MiB pages with CR4.PSE. */
function walk32(s: CpuState, env: X86Env, linear: number, acc: AccessKind, user: boolean, ept: EptTranslate | null, tlb: Tlb, e: TlbSlot): void {
  const mem = env.memory;
  const ul = ((linear % TWO32) + TWO32) % TWO32;
  const code = errorCode(s, acc, user);
  const pdeAddr = a20(env, ((s.cr3 & 0xfffff000) >>> 0) + (ul >>> 22) * 4);
  const pdeHost = entryHost(ept, pdeAddr, linear);
  const pde = mem.read32(pdeHost);
  if ((pde & PTEB.P) === 0) throw pf(`page not present: PD entry ${ul >>> 22} has P = 0`, code, linear);
  if ((pde & PTEB.A) === 0) setEntryBits(env, tlb, ept, pdeAddr, pdeHost, PTEB.A, linear);
  record(e, 0, pdeHost, pde | PTEB.A, 0);
  if ((pde & PTEB.PS) !== 0 && (s.cr4 & C4.PSE) !== 0) {
    // 4 MiB page; PSE-36 high address bits (20:13) are taken as zero (bit 21 reserved).
    const base = (pde & 0xffc00000) >>> 0;
    const ppage = base + (ul & 0x3ff000);
    fill(e, ppage, (pde & PTEB.US) !== 0, (pde & PTEB.RW) !== 0, false, (pde & PTEB.D) !== 0, pdeAddr, false, true, 1);
    return;
  }
  const pteAddr = a20(env, ((pde & 0xfffff000) >>> 0) + ((ul >>> 12) & 0x3ff) * 4);
  const pteHost = entryHost(ept, pteAddr, linear);
  const pte = mem.read32(pteHost);
  if ((pte & PTEB.P) === 0) throw pf(`page not present: PT entry ${(ul >>> 12) & 0x3ff} has P = 0`, code, linear);
  if ((pte & PTEB.A) === 0) setEntryBits(env, tlb, ept, pteAddr, pteHost, PTEB.A, linear);
  record(e, 1, pteHost, pte | PTEB.A, 0);
  fill(e, (pte & 0xfffff000) >>> 0, (pde & pte & PTEB.US) !== 0, (pde & pte & PTEB.RW) !== 0, false, (pte & PTEB.D) !== 0, pteAddr, false, false, 2);
}
