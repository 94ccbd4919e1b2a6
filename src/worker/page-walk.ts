// A paging walk for inspection (the Memory panel's "Walk"): the decisions of the executor's walk
// (src/x86/paging.ts; SDM Vol. 3A ch. 4 "Paging": §4.3 32-bit, §4.4 PAE, §4.5 4-level and 5-level
// paging, §4.6 access rights, §4.7 #PF error codes) made again from memory, read only: no accessed
// or dirty flag is set and no TLB entry is made. Each level is recorded for the panel: the entry's
// address and value, the bits that decided it, and what it decided.

import { CR0, CR4 } from '../arch/cr.ts';
import { EFER } from '../arch/efer.ts';
import { PF_ERROR_CODE } from '../arch/exceptions.ts';
import { PDE_2M, PDPTE_1G, PTE, addressReservedMask, isCanonical } from '../arch/paging.ts';
import { formatSdm, sdm } from '../arch/sdm.ts';
import { SDM_PAGING_4_5, SDM_PF_ERROR_CODE } from '../arch/sdm-refs.ts';
import type { EptWalkView, PageLevelView, PageWalkView, WalkBitView } from './types.ts';
import { hex } from './hex.ts';

const SDM_32BIT = sdm('3A', '4.3', '32-Bit Paging');
const SDM_PAE = sdm('3A', '4.4', 'PAE Paging');
const SDM_RIGHTS = sdm('3A', '4.6', 'Access Rights');
const SDM_CANONICAL = sdm('3A', '4.5.1', 'Ordinary Paging and HLAT Paging (canonical addresses)');

const ADDR_51_12 = PTE.mask.ADDR;
const BIT = { P: PTE.mask.P, RW: PTE.mask.RW, US: PTE.mask.US, A: PTE.mask.A, D: PTE.mask.D, G: PTE.mask.G, PS: PDE_2M.mask.PS, XD: PTE.mask.XD } as const;
const DOC: Record<keyof typeof BIT, string> = {
  P: PTE.fields.P.doc, RW: PTE.fields.RW.doc, US: PTE.fields.US.doc, A: PTE.fields.A.doc, D: PTE.fields.D.doc,
  G: PTE.fields.G.doc, PS: PDE_2M.fields.PS.doc, XD: PTE.fields.XD.doc,
};
const SDM_NAME: Record<keyof typeof BIT, string> = { P: 'P', RW: 'R/W', US: 'U/S', A: 'A', D: 'D', G: 'G', PS: 'PS', XD: 'XD' };

/** The registers that select and root the paging structures. */
export interface PagingRegs {
  readonly cr0: bigint;
  readonly cr3: bigint;
  readonly cr4: bigint;
  readonly efer: bigint;
  /** RFLAGS.AC (SMAP exempts supervisor data accesses when it is 1). */
  readonly ac: boolean;
}

/** An entry as read: its value, or the EPT walk that refused to reach it. */
export type EntryRead =
  | { readonly ok: true; readonly value: bigint; readonly host?: bigint; readonly ept?: EptWalkView }
  | { readonly ok: false; readonly ept: EptWalkView };

/** What the walk reads through and knows about the processor. */
export interface PageWalkEnv {
  readonly maxPhysAddr: number;
  /** CPUID 80000001H:EDX.Page1GB. */
  readonly page1gb: boolean;
  /** Reads a paging entry (4 or 8 bytes) at a physical (guest-physical under EPT) address. */
  readEntry(addr: bigint, size: 4 | 8): EntryRead;
}

export interface PageWalkAccess {
  readonly access: 'read' | 'write' | 'execute';
  readonly user: boolean;
}

/** Bits shown for an entry that references a table (or maps a page with PS = 1), and for a PTE. */
const TABLE_BITS: readonly (keyof typeof BIT)[] = ['P', 'RW', 'US', 'A', 'PS', 'XD'];
const PT_BITS: readonly (keyof typeof BIT)[] = ['P', 'RW', 'US', 'A', 'D', 'G', 'XD'];

type Rights = { user: boolean; writable: boolean; nx: boolean };

function bitsOf(e: bigint, names: readonly (keyof typeof BIT)[]): WalkBitView[] {
  return names.map((n) => ({ name: SDM_NAME[n], value: (e & BIT[n]) !== 0n ? '1' : '0', doc: DOC[n] }));
}

function sizeText(size: bigint): string {
  return size >= 1n << 30n ? `${size >> 30n} GiB` : size >= 1n << 20n ? `${size >> 20n} MiB` : `${size >> 10n} KiB`;
}

/** #PF error code bits that describe the access (§4.7). */
function accessCode(regs: PagingRegs, a: PageWalkAccess): bigint {
  let code = 0n;
  if (a.access === 'write') code |= PF_ERROR_CODE.mask.WR;
  if (a.user) code |= PF_ERROR_CODE.mask.US;
  const nxPaging = EFER.has(regs.efer, 'NXE') && CR4.has(regs.cr4, 'PAE');
  if (a.access === 'execute' && (nxPaging || CR4.has(regs.cr4, 'SMEP'))) code |= PF_ERROR_CODE.mask.ID;
  return code;
}

/** Why the access is refused by the rights the walk gathered, and the bit value that refuses it, or undefined (§4.6.1). */
function denied(regs: PagingRegs, r: Rights, a: PageWalkAccess): { reason: string; bit: keyof typeof BIT; value: '0' | '1' } | undefined {
  const no = (reason: string, bit: keyof typeof BIT, value: '0' | '1') => ({ reason, bit, value });
  if (a.user) {
    if (!r.user) return no('user-mode access to a supervisor-mode page (U/S = 0 in an entry used)', 'US', '0');
    if (a.access === 'write' && !r.writable) return no('user-mode write to a read-only page (R/W = 0 in an entry used)', 'RW', '0');
    if (a.access === 'execute' && r.nx) return no('instruction fetch from an execute-disable page (XD = 1 in an entry used)', 'XD', '1');
    return undefined;
  }
  if (a.access === 'execute') {
    if (r.nx) return no('instruction fetch from an execute-disable page (XD = 1 in an entry used)', 'XD', '1');
    if (r.user && CR4.has(regs.cr4, 'SMEP')) return no('supervisor-mode fetch from a user-mode page with CR4.SMEP = 1', 'US', '1');
    return undefined;
  }
  if (r.user && CR4.has(regs.cr4, 'SMAP') && !regs.ac) return no('supervisor-mode data access to a user-mode page with CR4.SMAP = 1 and RFLAGS.AC = 0', 'US', '1');
  if (a.access === 'write' && !r.writable && CR0.has(regs.cr0, 'WP')) return no('supervisor-mode write to a read-only page with CR0.WP = 1', 'RW', '0');
  return undefined;
}

/** Marks the bits named `name` whose value is `value` as the ones that decided. */
function mark(bits: readonly WalkBitView[], name: keyof typeof BIT, value: '0' | '1'): WalkBitView[] {
  return bits.map((b) => (b.name === SDM_NAME[name] && b.value === value ? { ...b, decisive: true } : b));
}

function rightsText(r: Rights): string {
  return `${r.user ? 'user' : 'supervisor'}, ${r.writable ? 'read/write' : 'read-only'}, ${r.nx ? 'execute-disable' : 'executable'}`;
}

/** Which paging mode the registers select (§4.1.1 "Four Paging Modes"). */
export function pagingMode(regs: PagingRegs): 'off' | '32-bit' | 'PAE' | '4-level' | '5-level' {
  if (!CR0.has(regs.cr0, 'PG')) return 'off';
  if (!CR4.has(regs.cr4, 'PAE')) return '32-bit';
  if (!EFER.has(regs.efer, 'LMA')) return 'PAE';
  return CR4.has(regs.cr4, 'LA57') ? '5-level' : '4-level';
}

interface Level {
  readonly name: string;
  /** Bit position of the lowest linear-address bit this level's index uses. */
  readonly shift: number;
  readonly indexBits: number;
  readonly size: 4 | 8;
  /** The entry may map a page with PS = 1. */
  readonly mayMap: boolean;
  readonly reserved: (e: bigint) => string | undefined;
  /** The bits shown for the entry (D and G are added when it maps a page). */
  readonly bits: readonly (keyof typeof BIT)[];
  /** False for the PAE PDPTEs, which carry no R/W, U/S or XD (§4.4.1). */
  readonly rights: boolean;
}

/** Runs the table-by-table part shared by every mode; `levels` from the root down. */
function descend(linear: bigint, root: bigint, levels: readonly Level[], regs: PagingRegs, a: PageWalkAccess, env: PageWalkEnv, frame: Omit<PageWalkView, 'levels' | 'outcome' | 'summary' | 'physical' | 'pageSize' | 'errorCode'>): PageWalkView {
  const out: PageLevelView[] = [];
  const nxe = EFER.has(regs.efer, 'NXE');
  const code = accessCode(regs, a);
  const r: Rights = { user: true, writable: true, nx: false };
  let table = root;
  const fault = (summary: string, errorCode: bigint): PageWalkView =>
    ({ ...frame, levels: out, outcome: 'page-fault', errorCode: hex(errorCode), summary: `#PF: ${summary}` });
  for (const lv of levels) {
    const index = Number((linear >> BigInt(lv.shift)) & ((1n << BigInt(lv.indexBits)) - 1n));
    const entryAddr = table + BigInt(index * lv.size);
    const read = env.readEntry(entryAddr, lv.size);
    const base = { name: lv.name, index, entryAddr: hex(entryAddr) };
    if (!read.ok) {
      out.push({ ...base, entry: '', role: 'unreachable', bits: [], decided: `EPT refuses the read of this entry: ${read.ept.summary}`, ept: read.ept });
      return { ...frame, levels: out, outcome: 'ept', summary: `EPT ${read.ept.outcome} reading the ${lv.name} entry (a VM exit, not a #PF)` };
    }
    const e = read.value;
    const view = { ...base, ...(read.host !== undefined ? { hostAddr: hex(read.host) } : {}), entry: hex(e), ...(read.ept ? { ept: read.ept } : {}) };
    if ((e & BIT.P) === 0n) {
      out.push({ ...view, role: 'not-present', bits: mark(bitsOf(e, ['P']), 'P', '0'), decided: 'P = 0: not present' });
      return fault(`page not present: ${lv.name} entry ${index} has P = 0`, code);
    }
    const ps = lv.mayMap && (e & BIT.PS) !== 0n;
    const rsvd = lv.reserved(e) ?? (lv.rights && lv.size === 8 && !nxe && (e & BIT.XD) !== 0n ? 'XD = 1 with IA32_EFER.NXE = 0' : undefined);
    const shown = bitsOf(e, ps ? [...lv.bits, 'D', 'G'] : lv.bits);
    if (rsvd !== undefined) {
      const bits = rsvd.startsWith('XD') ? mark(shown, 'XD', '1') : rsvd.startsWith('PS') ? mark(shown, 'PS', '1') : shown;
      out.push({ ...view, role: 'reserved', bits, decided: `reserved bit set: ${rsvd}` });
      return fault(`reserved bit set in the ${lv.name} entry ${index} (${rsvd})`, code | PF_ERROR_CODE.mask.P | PF_ERROR_CODE.mask.RSVD);
    }
    if (lv.rights) {
      r.user &&= (e & BIT.US) !== 0n;
      r.writable &&= (e & BIT.RW) !== 0n;
      r.nx ||= nxe && lv.size === 8 && (e & BIT.XD) !== 0n;
    }
    const addr = lv.size === 8 ? e & ADDR_51_12 : e & 0xffff_f000n;
    if (!ps && lv.shift !== 12) {
      out.push({ ...view, role: 'table', bits: shown, decided: `P = 1${lv.mayMap ? ', PS = 0' : ''}: next table at ${hex(addr)}` });
      table = addr;
      continue;
    }
    const pageSize = 1n << BigInt(lv.shift);
    const frameAddr = lv.size === 4 && ps ? e & 0xffc0_0000n : addr & ~(pageSize - 1n);
    const physical = frameAddr + (linear & (pageSize - 1n));
    const what = ps ? `PS = 1: maps a ${sizeText(pageSize)} page at ${hex(frameAddr)}` : `maps the 4 KiB page at ${hex(frameAddr)}`;
    out.push({ ...view, role: 'leaf', bits: ps ? mark(shown, 'PS', '1') : shown, decided: `${what}; rights so far: ${rightsText(r)}` });
    const no = denied(regs, r, a);
    if (no !== undefined) {
      // The levels whose bit refuses the access (U/S = 0 somewhere for a user access, ...).
      for (let i = 0; i < out.length; i++) out[i] = { ...out[i]!, bits: mark(out[i]!.bits, no.bit, no.value) };
      return fault(`${no.reason} (${formatSdm(SDM_RIGHTS)})`, code | PF_ERROR_CODE.mask.P);
    }
    return { ...frame, levels: out, outcome: 'translated', physical: hex(physical), pageSize: sizeText(pageSize), summary: `${hex(linear)} -> ${hex(physical)} (${rightsText(r)})` };
  }
  throw new Error('unreachable: a paging walk ended without a leaf');
}

/**
 * Walks the paging structures for `linear` as the processor would for access `a`, reading
 * entries through `env` and writing nothing. `regsText` says where the registers came from.
 */
export function inspectPageWalk(linear: bigint, regs: PagingRegs, a: PageWalkAccess, env: PageWalkEnv, regsText: string): PageWalkView {
  const mode = pagingMode(regs);
  const lin = BigInt.asUintN(64, linear);
  const rsvHigh = addressReservedMask(env.maxPhysAddr);
  const frame = { linear: hex(lin), paging: mode, regs: regsText, cr3: hex(regs.cr3) };
  if (mode === 'off') {
    const physical = lin & 0xffff_ffffn;
    return { ...frame, levels: [], outcome: 'translated', physical: hex(physical), summary: `paging is off (CR0.PG = 0): linear ${hex(lin)} is physical ${hex(physical)}`, sdm: formatSdm(SDM_PAGING_4_5) };
  }
  if (mode === '32-bit') {
    const pse = CR4.has(regs.cr4, 'PSE');
    const levels: Level[] = [
      { name: 'PD', shift: 22, indexBits: 10, size: 4, mayMap: pse, reserved: () => undefined, bits: pse ? ['P', 'RW', 'US', 'A', 'PS'] : ['P', 'RW', 'US', 'A'], rights: true },
      { name: 'PT', shift: 12, indexBits: 10, size: 4, mayMap: false, reserved: () => undefined, bits: ['P', 'RW', 'US', 'A', 'D', 'G'], rights: true },
    ];
    return descend(lin & 0xffff_ffffn, regs.cr3 & 0xffff_f000n, levels, regs, a, env, { ...frame, sdm: formatSdm(SDM_32BIT) });
  }
  if (mode === 'PAE') {
    const high = (e: bigint): string | undefined => ((e & rsvHigh) !== 0n ? `address bits beyond MAXPHYADDR (${env.maxPhysAddr})` : undefined);
    const levels: Level[] = [
      { name: 'PDPTE', shift: 30, indexBits: 2, size: 8, mayMap: false, reserved: () => undefined, bits: ['P'], rights: false },
      { name: 'PD', shift: 21, indexBits: 9, size: 8, mayMap: true, reserved: (e) => high(e) ?? ((e & BIT.PS) !== 0n && (e & PDE_2M.reservedMask) !== 0n ? 'bits 20:13 of a 2 MiB page entry' : undefined), bits: TABLE_BITS, rights: true },
      { name: 'PT', shift: 12, indexBits: 9, size: 8, mayMap: false, reserved: high, bits: PT_BITS, rights: true },
    ];
    return descend(lin & 0xffff_ffffn, regs.cr3 & 0xffff_ffe0n, levels, regs, a, env, { ...frame, sdm: formatSdm(SDM_PAE) });
  }
  const five = mode === '5-level';
  if (!isCanonical(lin, five ? 57 : 48)) {
    return { ...frame, levels: [], outcome: 'general-protection', summary: `${hex(lin)} is not canonical for ${five ? 57 : 48}-bit linear addresses: the access raises #GP (or #SS), no walk is made`, sdm: formatSdm(SDM_CANONICAL) };
  }
  const high = (e: bigint): string | undefined => ((e & rsvHigh) !== 0n ? `address bits beyond MAXPHYADDR (${env.maxPhysAddr})` : undefined);
  const upper = (e: bigint): string | undefined => high(e) ?? ((e & BIT.PS) !== 0n ? 'PS = 1 (must be 0 at this level)' : undefined);
  const levels: Level[] = [
    ...(five ? [{ name: 'PML5', shift: 48, indexBits: 9, size: 8 as const, mayMap: false, reserved: upper, bits: TABLE_BITS, rights: true }] : []),
    { name: 'PML4', shift: 39, indexBits: 9, size: 8, mayMap: false, reserved: upper, bits: TABLE_BITS, rights: true },
    {
      name: 'PDPT', shift: 30, indexBits: 9, size: 8, mayMap: true, bits: TABLE_BITS, rights: true,
      reserved: (e) => high(e) ?? ((e & BIT.PS) === 0n ? undefined
        : !env.page1gb ? 'PS = 1 but the processor has no 1 GiB pages (CPUID 80000001H:EDX[26] = 0)'
          : (e & PDPTE_1G.reservedMask) !== 0n ? 'bits 29:13 of a 1 GiB page entry' : undefined),
    },
    { name: 'PD', shift: 21, indexBits: 9, size: 8, mayMap: true, reserved: (e) => high(e) ?? ((e & BIT.PS) !== 0n && (e & PDE_2M.reservedMask) !== 0n ? 'bits 20:13 of a 2 MiB page entry' : undefined), bits: TABLE_BITS, rights: true },
    { name: 'PT', shift: 12, indexBits: 9, size: 8, mayMap: false, reserved: high, bits: PT_BITS, rights: true },
  ];
  return descend(lin, regs.cr3 & ADDR_51_12, levels, regs, a, env, { ...frame, sdm: formatSdm(SDM_PAGING_4_5) });
}

/** The SDM section of #PF error codes (for the panel's legend). */
export const PF_SDM = formatSdm(SDM_PF_ERROR_CODE);
