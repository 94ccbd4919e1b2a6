// The walks the Memory panel draws: a linear address through the paging structures (page-walk.ts)
// and, when EPT is in use, each guest-physical address through EPT (the model's own `eptWalk` of
// src/vmx/ept/walk.ts with `dryRun`: no accessed/dirty flag is written). Also the EPT walk recorded
// with the latest EPT violation or misconfiguration. Everything is read from the paused machine;
// nothing in it changes. SDM Vol. 3A ch. 4 "Paging"; Vol. 3C §29.3 "The Extended Page Table Mechanism (EPT)".

import { ENTRY, PRIMARY, SECONDARY } from '../arch/controls/index.ts';
import { EPT_PDE_2M, EPT_PTE, MEMORY_TYPES } from '../arch/ept.ts';
import { formatSdm } from '../arch/sdm.ts';
import type { Machine } from '../machine/machine.ts';
import { eptWalk, eptWalkLevels } from '../vmx/ept/walk.ts';
import { formatEptWalk } from '../vmx/ept/format.ts';
import { EPT_QUAL } from '../vmx/ept/qualification.ts';
import { SDM_EPT_MISCONFIG, SDM_EPT_TRANSLATION, SDM_EPT_VIOLATION } from '../vmx/ept/refs.ts';
import type { EptAccess, EptWalkLevel, EptWalkResult } from '../vmx/ept/types.ts';
import type { VmxModel } from '../vmx/index.ts';
import { inspectPageWalk, type EntryRead, type PagingRegs } from './page-walk.ts';
import type { EptLevelView, EptWalkView, LatestEptWalkView, WalkBitView, WalkRequest, WalkView } from './types.ts';
import { hex } from './hex.ts';

const IA32_VMX_EPT_VPID_CAP = 0x48c;
/** EPT violation and EPT misconfiguration (SDM Vol. 3D Appendix C "VMX Basic Exit Reasons"). */
const EPT_EXITS = new Set([48, 49]);

/** Parses an address as the panel accepts it: 0x-hex, hex with an h suffix, bare hex, or `#` decimal. */
export function parseAddress(text: string): bigint | undefined {
  const t = text.trim().replace(/_/g, '').toLowerCase();
  if (/^0x[0-9a-f]{1,16}$/.test(t)) return BigInt(t);
  if (/^[0-9a-f]{1,16}h$/.test(t)) return BigInt(`0x${t.slice(0, -1)}`);
  if (/^[0-9a-f]{1,16}$/.test(t)) return BigInt(`0x${t}`);
  if (/^#[0-9]{1,20}$/.test(t)) return BigInt.asUintN(64, BigInt(t.slice(1)));
  return undefined;
}

function bit(name: string, on: boolean, doc: string): WalkBitView {
  return { name, value: on ? '1' : '0', doc };
}

function eptBits(l: EptWalkLevel, mbec: boolean): WalkBitView[] {
  const e = l.entry;
  const f = EPT_PTE.fields;
  const out = [bit('R', EPT_PTE.has(e, 'R'), f.R.doc), bit('W', EPT_PTE.has(e, 'W'), f.W.doc), bit('X', EPT_PTE.has(e, 'X'), f.X.doc)];
  if (mbec) out.push(bit('UX', EPT_PTE.has(e, 'UX'), f.UX.doc));
  if (l.role === 'not-present') return out;
  if (l.level === 2 || l.level === 3) out.push(bit('PS', EPT_PDE_2M.has(e, 'PS'), EPT_PDE_2M.fields.PS.doc));
  if (l.role === 'leaf' || (l.role === 'misconfigured' && (l.level === 1 || EPT_PDE_2M.has(e, 'PS')))) {
    const mt = Number(EPT_PTE.get(e, 'MT'));
    out.push({ name: 'MT', value: `${mt} ${MEMORY_TYPES[mt]!.name}`, doc: f.MT.doc }, bit('IPAT', EPT_PTE.has(e, 'IPAT'), f.IPAT.doc));
    out.push(bit('A', EPT_PTE.has(e, 'A'), f.A.doc), bit('D', EPT_PTE.has(e, 'D'), f.D.doc));
  } else {
    out.push(bit('A', EPT_PTE.has(e, 'A'), f.A.doc));
  }
  return out;
}

/**
 * The bit values that decided a failed walk (§29.3.3): R, W and X all 0 in a not-present entry;
 * for a violation, the permission the access needs where an entry used has it 0; for a
 * misconfiguration, the bits its reason names.
 */
function decisive(r: EptWalkResult, l: EptWalkLevel, mbec: boolean): (b: WalkBitView) => boolean {
  if (r.ok) return () => false;
  if (l.role === 'not-present') return (b) => ['R', 'W', 'X'].includes(b.name);
  if (l.role === 'misconfigured') {
    const why = l.decided;
    if (why.includes('write access without read')) return (b) => (b.name === 'W' && b.value === '1') || (b.name === 'R' && b.value === '0');
    if (why.includes('execute-only')) return (b) => ['R', 'W', 'X'].includes(b.name);
    if (why.includes('memory type')) return (b) => b.name === 'MT';
    if (why.includes('bit 7')) return (b) => b.name === 'PS';
    return () => false;
  }
  if (r.kind !== 'violation') return () => false;
  const need = r.access.read && !r.allowed.read ? 'R' : r.access.write && !r.allowed.write ? 'W'
    : r.access.fetch ? (mbec && !r.allowed.userExecute && r.allowed.execute ? 'UX' : 'X') : undefined;
  return (b) => b.name === need && b.value === '0';
}

/** An EPT walk's result as plain data for the panel. */
export function eptWalkView(r: EptWalkResult, mbec: boolean): EptWalkView {
  const levels: EptLevelView[] = r.walk.levels.map((l) => {
    const decides = decisive(r, l, mbec);
    const bits = eptBits(l, mbec).map((b) => (decides(b) ? { ...b, decisive: true } : b));
    return { name: l.name, index: l.index, entryAddr: hex(l.entryAddr), entry: hex(l.entry), role: l.role, bits, decided: l.decided };
  });
  const base = { gpa: hex(r.walk.gpa), eptp: hex(r.walk.eptp), levels };
  if (r.ok) {
    const size = r.pageSize === 4096 ? '4 KiB' : r.pageSize === 2 ** 21 ? '2 MiB' : '1 GiB';
    const mt = MEMORY_TYPES[r.memType]!;
    return { ...base, outcome: 'translated', hpa: hex(r.hpa), pageSize: size, memoryType: `${r.memType} ${mt.name}`, summary: `${hex(r.walk.gpa)} -> host-physical ${hex(r.hpa)} (${size} page, memory type ${mt.name})`, sdm: formatSdm(SDM_EPT_TRANSLATION) };
  }
  if (r.kind === 'violation') return { ...base, outcome: 'violation', summary: `EPT violation: ${r.reason}`, sdm: formatSdm(SDM_EPT_VIOLATION) };
  return { ...base, outcome: 'misconfiguration', summary: `EPT misconfiguration: ${r.reason}`, sdm: formatSdm(SDM_EPT_MISCONFIG) };
}

/** The EPT the walk goes through: EPTP and what decides it (from a VMCS's fields). */
interface EptSetup {
  readonly eptp: bigint;
  readonly caps: bigint;
  readonly maxPhysAddr: number;
  readonly mbec: boolean;
  /** "Enable EPT" is 1 in the controls in effect. */
  readonly enabled: boolean;
}

function vmcsFields(model: VmxModel | undefined): Map<string, bigint> | undefined {
  if (!model || model.currentPointer() === 0xffff_ffff_ffff_ffffn) return undefined;
  return new Map(model.currentFields().map((f) => [f.name, f.value]));
}

function eptSetup(m: Machine, fields: ReadonlyMap<string, bigint>): EptSetup {
  const primary = fields.get('CPU_BASED_VM_EXEC_CONTROL') ?? 0n;
  // §25.6.2: with "activate secondary controls" 0 the processor acts as if every secondary control were 0.
  const secondary = PRIMARY.has(primary, 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS') ? fields.get('SECONDARY_VM_EXEC_CONTROL') ?? 0n : 0n;
  return {
    eptp: fields.get('EPT_POINTER') ?? 0n,
    caps: m.profile.cpu.readOnlyMsrs.get(IA32_VMX_EPT_VPID_CAP) ?? 0n,
    maxPhysAddr: m.profile.cpu.maxPhysAddr,
    mbec: SECONDARY.has(secondary, 'SECONDARY_EXEC_MODE_BASED_EPT_EXEC'),
    enabled: SECONDARY.has(secondary, 'SECONDARY_EXEC_ENABLE_EPT'),
  };
}

/** A dry-run EPT walk (nothing written; a write attempt would be a bug, so it throws); undefined for an unusable EPTP. */
function rawEptWalk(m: Machine, ept: EptSetup, gpa: bigint, access: EptAccess): EptWalkResult | undefined {
  if (eptWalkLevels(ept.eptp, ept.caps) === undefined) return undefined;
  const mem = {
    readPhys64: (a: number) => m.memory.read64(a),
    writePhys64: () => { throw new Error('an inspection walk wrote memory'); },
  };
  return eptWalk(ept.eptp, Number(gpa), access, mem, { caps: ept.caps, maxPhysAddr: ept.maxPhysAddr, mbec: ept.mbec, dryRun: true });
}

function walkEpt(m: Machine, ept: EptSetup, gpa: bigint, access: EptAccess): EptWalkView {
  const r = rawEptWalk(m, ept, gpa, access);
  if (!r) return { gpa: hex(gpa), eptp: hex(ept.eptp), levels: [], outcome: 'unusable', summary: `EPTP ${hex(ept.eptp)} selects a page-walk length this processor does not support (VM entry would refuse it)`, sdm: formatSdm(SDM_EPT_TRANSLATION) };
  return eptWalkView(r, ept.mbec);
}

/**
 * The access an EPT violation's qualification describes (Table 28-7): bits 2:0 the access;
 * bit 7 set and bit 8 clear, a guest paging-structure access; bit 9 a user-mode linear address.
 */
function accessOfQualification(q: bigint): EptAccess {
  const paging = (q & EPT_QUAL.LINEAR_VALID) !== 0n && (q & EPT_QUAL.FINAL_TRANSLATION) === 0n;
  return {
    read: (q & EPT_QUAL.READ) !== 0n, write: (q & EPT_QUAL.WRITE) !== 0n, fetch: (q & EPT_QUAL.FETCH) !== 0n,
    ...(paging ? { guestPaging: true } : {}), ...((q & EPT_QUAL.LINEAR_USER) !== 0n ? { userMode: true } : {}),
  };
}

const EPT_ACCESS: Record<WalkRequest['access'], EptAccess> = { read: { read: true }, write: { write: true }, execute: { fetch: true } };

/** The paging registers of `req.context`, with a line saying where they came from. */
function pagingRegs(m: Machine, fields: ReadonlyMap<string, bigint> | undefined, context: WalkRequest['context']): { regs: PagingRegs; text: string } | string {
  const c = m.cpu;
  if (context === 'cpu') {
    const text = m.mode === 'non-root' ? "the processor's CR0, CR3, CR4 and IA32_EFER now (the guest's: VMX non-root operation)" : "the processor's CR0, CR3, CR4 and IA32_EFER now";
    return { regs: { cr0: BigInt(c.cr0), cr3: BigInt(c.cr3), cr4: BigInt(c.cr4), efer: BigInt(c.efer), ac: (c.rflags & (1 << 18)) !== 0 }, text };
  }
  if (!fields) return 'no current VMCS: VMPTRLD one to walk its guest state';
  const entry = fields.get('VM_ENTRY_CONTROLS') ?? 0n;
  const lma = ENTRY.has(entry, 'VM_ENTRY_IA32E_MODE');
  // §27.3.2.1: without "load IA32_EFER" VM entry sets only LMA and LME (from "IA-32e mode guest") and keeps the other bits.
  const loadEfer = ENTRY.has(entry, 'VM_ENTRY_LOAD_IA32_EFER');
  const lmaBits = (1n << 10n) | (1n << 8n);
  const efer = loadEfer ? fields.get('GUEST_IA32_EFER') ?? 0n : (BigInt(c.efer) & ~lmaBits) | (lma ? lmaBits : 0n);
  const rflags = fields.get('GUEST_RFLAGS') ?? 0n;
  return {
    regs: { cr0: fields.get('GUEST_CR0') ?? 0n, cr3: fields.get('GUEST_CR3') ?? 0n, cr4: fields.get('GUEST_CR4') ?? 0n, efer, ac: (rflags & (1n << 18n)) !== 0n },
    text: `the current VMCS's GUEST_CR0, GUEST_CR3, GUEST_CR4 and ${loadEfer ? 'GUEST_IA32_EFER' : 'IA32_EFER with LMA/LME from "IA-32e mode guest"'}`,
  };
}

/**
 * The walk the learner asked for, computed from the paused machine without side effects:
 * a linear address through the paging structures of `req.context` (and, when EPT is in use,
 * each entry's and the final guest-physical address through EPT), or a guest-physical address
 * through the current VMCS's EPT.
 */
export function walkView(m: Machine, model: VmxModel | undefined, req: WalkRequest): WalkView {
  const addr = parseAddress(req.address);
  if (addr === undefined) return { ok: false, message: `'${req.address}' is not an address (write it in hex, e.g. 0x401000)`, notes: [] };
  const fields = vmcsFields(model);
  const notes: string[] = [];
  if (req.kind === 'guest-physical') {
    if (!fields) return { ok: false, message: 'no current VMCS: the EPT walk uses its EPT_POINTER', notes };
    const ept = eptSetup(m, fields);
    if (!ept.enabled) notes.push('"Enable EPT" is 0 in the controls in effect: the guest does not use this EPT; walking EPT_POINTER anyway');
    return { ok: true, ept: walkEpt(m, ept, addr, { ...EPT_ACCESS[req.access], userMode: req.user }), notes };
  }
  const regs = pagingRegs(m, fields, req.context);
  if (typeof regs === 'string') return { ok: false, message: regs, notes };
  // EPT translates the guest's addresses: in non-root operation for the processor's own walk, and
  // for the VMCS guest state whenever "enable EPT" is 1.
  const eptOn = fields !== undefined && (req.context === 'vmcs-guest' || m.mode === 'non-root') ? eptSetup(m, fields) : undefined;
  const ept = eptOn?.enabled ? eptOn : undefined;
  if (ept) notes.push(`EPT is on (EPTP ${hex(ept.eptp)}): each paging entry's address is guest-physical and goes through EPT first`);
  const readEntry = (a: bigint, size: 4 | 8): EntryRead => {
    let host = a;
    let eptView: EptWalkView | undefined;
    if (ept) {
      // Guest paging-structure accesses are reads (treated as writes with EPT A/D on, §29.3.3.2).
      eptView = walkEpt(m, ept, a, { read: true, guestPaging: true });
      if (eptView.outcome !== 'translated') return { ok: false, ept: eptView };
      host = BigInt(eptView.hpa!);
    }
    if (host + BigInt(size) > BigInt(m.memory.size)) return { ok: true, value: size === 8 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn, ...(ept ? { host, ept: eptView } : {}) };
    const value = size === 8 ? m.memory.read64(Number(host)) : BigInt(m.memory.read32(Number(host)));
    return { ok: true, value, ...(ept ? { host, ept: eptView } : {}) };
  };
  const page = inspectPageWalk(addr, regs.regs, req, { maxPhysAddr: m.profile.cpu.maxPhysAddr, page1gb: m.profile.cpu.features.page1gb, readEntry }, regs.text);
  if (page.outcome === 'translated' && ept) {
    return { ok: true, page: { ...page, ept: walkEpt(m, ept, BigInt(page.physical!), { ...EPT_ACCESS[req.access], userMode: req.user }) }, notes };
  }
  return { ok: true, page, notes };
}

/** Where the last search stopped, per machine: events only grow, or shrink on time travel. */
const latestCache = new WeakMap<Machine, { length: number; last: unknown; found: number }>();

/** The EPT walk recorded with the latest EPT violation or misconfiguration (exits 48, 49), if any. */
export function latestEptWalk(m: Machine, model: VmxModel | undefined): LatestEptWalkView | undefined {
  const ev = m.events;
  const seen = latestCache.get(m);
  // Resume after the events already searched when none of them was dropped since.
  const fresh = seen !== undefined && ev.length >= seen.length && (seen.length === 0 || ev[seen.length - 1] === seen.last);
  let found = fresh ? seen.found : -1;
  for (let i = ev.length - 1; i >= (fresh ? seen.length : 0); i--) {
    const e = ev[i]!;
    if (e.kind === 'vmexit' && EPT_EXITS.has(e.reason) && e.eptWalk) {
      found = i;
      break;
    }
  }
  latestCache.set(m, { length: ev.length, last: ev[ev.length - 1], found });
  const e = found >= 0 ? ev[found] : undefined;
  if (e?.kind !== 'vmexit' || !e.eptWalk) return undefined;
  const fields = vmcsFields(model);
  const gpa = fields?.get('GUEST_PHYSICAL_ADDRESS');
  // Table 28-7 "Exit Qualification for EPT Violations": bit 0 read, bit 1 write, bit 2 fetch.
  const q = e.reason === 48 ? e.qualification : 0n;
  const access = (q & EPT_QUAL.FETCH) !== 0n ? 'execute' : (q & EPT_QUAL.WRITE) !== 0n ? 'write' : 'read';
  const base = { step: e.step, ...(e.line !== undefined ? { line: e.line } : {}), reason: e.name, access, lines: [...e.eptWalk] } as const;
  if (!fields || gpa === undefined) return base;
  // The same walk made again now: when it prints as the exit recorded it, memory has not changed
  // under it and the panel can draw the exit's walk level by level.
  const ept = eptSetup(m, fields);
  const r = rawEptWalk(m, ept, gpa, accessOfQualification(q));
  if (!r) return { ...base, gpa: hex(gpa) };
  const same = formatEptWalk(r).join('\n') === e.eptWalk.join('\n');
  return { ...base, gpa: hex(gpa), now: eptWalkView(r, ept.mbec), same };
}
