// The EPT walk: guest-physical -> host-physical through 4 or 5 levels of EPT paging structures
// (SDM Vol. 3C §29.3.2 "EPT Translation Mechanism"), deciding EPT misconfigurations
// (§29.3.3.1) before EPT violations (§29.3.3.2), and setting accessed and dirty flags when
// EPTP[6] enables them (§29.3.4). Pure: memory comes in as two functions, the outcome is a value.

import { EPTP, EPT_PDE_2M, EPT_PDPTE_1G, EPT_PTE, EPT_TABLE_ENTRY, MEMORY_TYPES } from '../../arch/ept.ts';
import { VMX_EPT_VPID_CAP } from '../../arch/vmx-msrs.ts';
import type {
  EptAccess, EptEntryRole, EptMemory, EptPerms, EptWalkLevel, EptWalkOptions, EptWalkRecord, EptWalkResult,
} from './types.ts';

const LEVEL_NAMES: readonly EptWalkLevel['name'][] = ['EPT PTE', 'EPT PTE', 'EPT PDE', 'EPT PDPTE', 'EPT PML4E', 'EPT PML5E'];
const ADDR_51_12 = ((1n << 52n) - 1n) & ~0xfffn;
const BIT_R = EPT_PTE.mask.R;
const BIT_W = EPT_PTE.mask.W;
const BIT_X = EPT_PTE.mask.X;
const BIT_PS = EPT_PDE_2M.mask.PS;
const BIT_A = EPT_PTE.mask.A;
const BIT_D = EPT_PTE.mask.D;
const BIT_UX = EPT_PTE.mask.UX;
const BIT_IPAT = EPT_PTE.mask.IPAT;
const RWX = EPT_PTE.of('R', 'W', 'X');
const ALL_PERMS: EptPerms = { read: true, write: true, execute: true, userExecute: true };

/**
 * The page-walk length an EPTP selects, if the processor supports it: 4 (EPTP[5:3] = 3,
 * EPT_VPID_CAP[6]) or 5 (EPTP[5:3] = 4, EPT_VPID_CAP[7]); undefined otherwise (VM entry
 * refuses such an EPTP: SDM Vol. 3C §27.2.1.1 "VM-Execution Control Fields").
 */
export function eptWalkLevels(eptp: bigint, caps: bigint): 4 | 5 | undefined {
  const pwl = EPTP.get(eptp, 'PAGE_WALK_LENGTH');
  if (pwl === 3n && VMX_EPT_VPID_CAP.has(caps, 'PAGE_WALK_4')) return 4;
  if (pwl === 4n && VMX_EPT_VPID_CAP.has(caps, 'PAGE_WALK_5')) return 5;
  return undefined;
}

/** Whether EPTP[6] enables accessed and dirty flags for EPT (§29.3.4). */
export function eptAdEnabled(eptp: bigint): boolean {
  return EPTP.has(eptp, 'AD_ENABLE');
}

/** EP4TA: EPTP bits 51:12, the tag of EPT-derived cached mappings (§29.4.1). */
export function ep4ta(eptp: bigint): number {
  return Number(eptp & ADDR_51_12);
}

/** Bits 51:MAXPHYADDR, reserved in every EPT entry (§29.3.2 tables, "Reserved (must be 0)"). */
export function eptHighReserved(maxPhysAddr: number): bigint {
  return ((1n << 52n) - 1n) & ~((1n << BigInt(maxPhysAddr)) - 1n);
}

/**
 * The access as EPT judges it: with EPTP[6] = 1, accesses to guest paging-structure entries
 * are treated as writes (except PAE PDPTE loads), and then both qualification bits 0 and 1 are
 * set (§29.3.3.2; Table 28-7 "Exit Qualification for EPT Violations", bits 0 and 1).
 */
export function effectiveAccess(access: EptAccess, adEnabled: boolean): { read: boolean; write: boolean; fetch: boolean } {
  const paging = access.guestPaging === true;
  const asWrite = paging && adEnabled && access.pdpteLoad !== true;
  return {
    read: access.read === true || paging,
    write: access.write === true || asWrite,
    fetch: access.fetch === true,
  };
}

/** Why a present entry is an EPT misconfiguration, or undefined (§29.3.3.1). */
function misconfiguration(e: bigint, level: number, leaf: boolean, opts: EptWalkOptions): string | undefined {
  const rwx = Number(e & RWX);
  // Bits 2:0 = 010b or 110b: writable but not readable.
  if ((rwx & 3) === 2) return `R W X = ${rwx.toString(2).padStart(3, '0')}b: write access without read access`;
  // Bits 2:0 = 100b when execute-only translations are unsupported (EPT_VPID_CAP[0] = 0).
  const execOnly = (rwx & 3) === 0 && ((rwx & 4) !== 0 || (opts.mbec === true && (e & BIT_UX) !== 0n));
  if (execOnly && !VMX_EPT_VPID_CAP.has(opts.caps, 'EXECUTE_ONLY')) {
    return 'execute-only entry (R = W = 0, X = 1) but IA32_VMX_EPT_VPID_CAP[0] = 0 (execute-only translations unsupported)';
  }
  const high = e & eptHighReserved(opts.maxPhysAddr);
  if (high !== 0n) return `reserved bits set beyond MAXPHYADDR (${opts.maxPhysAddr}): 0x${high.toString(16)}`;
  if (!leaf) {
    const low = e & EPT_TABLE_ENTRY.reservedMask;
    if (low !== 0n) {
      return level >= 4 && (e & BIT_PS) !== 0n
        ? `bit 7 set in an ${LEVEL_NAMES[level]} (reserved: only PDPTEs and PDEs map pages)`
        : `reserved bits 7:3 set in a table-referencing ${LEVEL_NAMES[level]}: 0x${low.toString(16)}`;
    }
    return undefined;
  }
  if (level === 3 && !VMX_EPT_VPID_CAP.has(opts.caps, 'PAGE_1GB')) return 'bit 7 set in an EPT PDPTE but 1-GiB pages are unsupported (IA32_VMX_EPT_VPID_CAP[17] = 0)';
  if (level === 2 && !VMX_EPT_VPID_CAP.has(opts.caps, 'PAGE_2MB')) return 'bit 7 set in an EPT PDE but 2-MiB pages are unsupported (IA32_VMX_EPT_VPID_CAP[16] = 0)';
  const low = level === 3 ? e & EPT_PDPTE_1G.reservedMask : level === 2 ? e & EPT_PDE_2M.reservedMask : 0n;
  if (low !== 0n) return `reserved address bits set in a ${level === 3 ? '1-GiB' : '2-MiB'} page entry: 0x${low.toString(16)}`;
  const mt = Number(EPT_PTE.get(e, 'MT'));
  if (!MEMORY_TYPES[mt]!.validInEpt) return `EPT memory type ${mt} (bits 5:3) is reserved: only 0 UC, 1 WC, 4 WT, 5 WP, 6 WB`;
  return undefined;
}

function permsOf(e: bigint): EptPerms {
  return { read: (e & BIT_R) !== 0n, write: (e & BIT_W) !== 0n, execute: (e & BIT_X) !== 0n, userExecute: (e & BIT_UX) !== 0n };
}

function andPerms(a: EptPerms, b: EptPerms): EptPerms {
  return { read: a.read && b.read, write: a.write && b.write, execute: a.execute && b.execute, userExecute: a.userExecute && b.userExecute };
}

function describe(e: bigint, role: EptEntryRole, level: number, pageSize: number): string {
  const rwx = `R W X = ${Number(e & RWX).toString(2).padStart(3, '0')}b`;
  switch (role) {
    case 'not-present': return `${rwx}: not present`;
    case 'table': return `${rwx}; next table at 0x${(e & ADDR_51_12).toString(16)}`;
    case 'leaf': {
      const size = level === 1 ? '4 KiB page' : `bit 7 = 1: maps a ${pageSize === 1 << 21 ? '2 MiB' : '1 GiB'} page`;
      return `${rwx}; ${size}; memory type ${Number(EPT_PTE.get(e, 'MT'))}`;
    }
    default: return `${rwx}; misconfigured`;
  }
}

/**
 * Walks the EPT paging structures for `gpa` (SDM Vol. 3C §29.3.2), checks the access against
 * the AND of the permissions of every entry used (§29.3.3.2), and, with EPTP[6] = 1 and a
 * successful translation, sets the accessed flag in every entry used and the dirty flag in the
 * leaf for writes (§29.3.4). Implementation choice: no flag is written when the access ends in
 * a violation or misconfiguration (Bochs `translate_guest_physical` updates A/D only after its
 * checks pass). Throws RangeError for an EPTP whose page-walk length the processor does not
 * support (VM entry refuses it, so a walk never sees one).
 */
export function eptWalk(eptp: bigint, gpa: number, access: EptAccess, mem: EptMemory, opts: EptWalkOptions): EptWalkResult {
  const levels = eptWalkLevels(eptp, opts.caps);
  if (levels === undefined) throw new RangeError(`EPTP 0x${eptp.toString(16)}: page-walk length not supported by IA32_VMX_EPT_VPID_CAP`);
  const ad = eptAdEnabled(eptp);
  const acc = effectiveAccess(access, ad);
  const record: EptWalkLevel[] = [];
  let table = Number(eptp & ADDR_51_12);
  let perms = ALL_PERMS;
  for (let level: number = levels; level >= 1; level--) {
    const shift = 12 + 9 * (level - 1);
    const index = Math.floor(gpa / 2 ** shift) % 512;
    const entryAddr = table + index * 8;
    const e = mem.readPhys64(entryAddr);
    const base = { level, name: LEVEL_NAMES[level]!, index, entryAddr, entry: e };
    const present = (e & RWX) !== 0n || (opts.mbec === true && (e & BIT_UX) !== 0n);
    const walkRec = (adWritten: boolean): EptWalkRecord => ({ eptp, gpa, levels: record, adWritten });
    if (!present) {
      record.push({ ...base, role: 'not-present', decided: describe(e, 'not-present', level, 0), perms: { read: false, write: false, execute: false, userExecute: false } });
      const allowed = { read: false, write: false, execute: false, userExecute: false };
      return { ok: false, kind: 'violation', gpa, access: acc, allowed, reason: `${LEVEL_NAMES[level]} ${index} is not present (bits 2:0 = 000b)`, walk: walkRec(false) };
    }
    const leaf = level === 1 || ((level === 2 || level === 3) && (e & BIT_PS) !== 0n);
    const bad = misconfiguration(e, level, leaf, opts);
    if (bad !== undefined) {
      record.push({ ...base, role: 'misconfigured', decided: bad, perms });
      return { ok: false, kind: 'misconfig', gpa, reason: `${LEVEL_NAMES[level]} ${index}: ${bad}`, walk: walkRec(false) };
    }
    perms = andPerms(perms, permsOf(e));
    const pageSize = 2 ** shift;
    record.push({ ...base, role: leaf ? 'leaf' : 'table', decided: describe(e, leaf ? 'leaf' : 'table', level, pageSize), perms });
    if (!leaf) {
      table = Number(e & ADDR_51_12);
      continue;
    }
    const denied = deniedBy(acc, perms, access, opts);
    if (denied !== undefined) return { ok: false, kind: 'violation', gpa, access: acc, allowed: perms, reason: denied, walk: walkRec(false) };
    const adWritten = ad && opts.dryRun !== true && setAccessedDirty(record, acc.write, mem);
    const frame = Number(e & ADDR_51_12 & ~BigInt(pageSize - 1));
    return {
      ok: true, hpa: frame + (gpa % pageSize), pageSize, memType: Number(EPT_PTE.get(e, 'MT')), ipat: (e & BIT_IPAT) !== 0n,
      perms, dirty: !ad || (e & BIT_D) !== 0n || (acc.write && opts.dryRun !== true), walk: walkRec(adWritten),
    };
  }
  throw new Error('unreachable: EPT walk ended without a leaf');
}

/** Which permission refuses the access, in words, or undefined (§29.3.3.2). */
function deniedBy(acc: { read: boolean; write: boolean; fetch: boolean }, perms: EptPerms, access: EptAccess, opts: EptWalkOptions): string | undefined {
  if (acc.read && !perms.read) return 'data read, but bit 0 (read) is clear in an entry used';
  if (acc.write && !perms.write) {
    return access.guestPaging === true && access.write !== true
      ? 'guest paging-structure access, treated as a write because EPTP[6] = 1, but bit 1 (write) is clear in an entry used'
      : 'data write, but bit 1 (write) is clear in an entry used';
  }
  if (acc.fetch) {
    if (opts.mbec === true && access.userMode === true) {
      if (!perms.userExecute) return 'user-mode instruction fetch, but bit 10 (user-mode execute) is clear in an entry used';
    } else if (!perms.execute) {
      return 'instruction fetch, but bit 2 (execute) is clear in an entry used';
    }
  }
  return undefined;
}

/** Sets A in every entry used and D in the leaf for a write; returns whether anything was written. */
function setAccessedDirty(levels: EptWalkLevel[], write: boolean, mem: EptMemory): boolean {
  let wrote = false;
  levels.forEach((l, i) => {
    let v = l.entry | BIT_A;
    if (write && i === levels.length - 1) v |= BIT_D;
    if (v !== l.entry) {
      mem.writePhys64(l.entryAddr, v);
      wrote = true;
    }
  });
  return wrote;
}
