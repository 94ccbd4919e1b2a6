import { describe, expect, it } from 'vitest';
import { findProfile } from '../../arch/profiles/index.ts';
import { VmExitUnwind, type CpuHandle } from '../../x86/env.ts';
import { EptController, type EptEntryState } from './controller.ts';
import type { EptExit } from './hook.ts';
import { EptBuilder } from './testing.ts';

const CAPS = findProfile('skylake-client')!.msrs[0x48c]!;

function rig() {
  const b = new EptBuilder(4).map(0x1000, 0x5_0000);
  const cpu = {
    readPhys: (a: number) => b.mem.readPhys64(a),
    writePhys: (a: number, _s: number, v: bigint) => b.mem.writePhys64(a, v),
  } as unknown as CpuHandle;
  const exits: EptExit[] = [];
  const c = new EptController((_cpu, e) => exits.push(e));
  const entry: EptEntryState = { eptEnabled: true, eptp: b.eptp(), vpidEnabled: false, vpid: 0, mbec: false, caps: CAPS, maxPhysAddr: 39 };
  return { b, cpu, exits, c, entry };
}

describe('EptController: the life of the cache across VM entries and exits (seed 003)', () => {
  it('translates only between a VM entry with EPT on and the next VM exit', () => {
    const { c, cpu, entry } = rig();
    expect(c.translateGuestPhysical(cpu, 0x1000, { read: true })).toBe(0x1000);
    c.vmEntry(entry);
    expect(c.translateGuestPhysical(cpu, 0x1000, { read: true })).toBe(0x5_0000);
    c.vmExit();
    expect(c.translateGuestPhysical(cpu, 0x1000, { read: true })).toBe(0x1000);
    c.vmEntry({ ...entry, eptEnabled: false });
    expect(c.translateGuestPhysical(cpu, 0x1000, { read: true })).toBe(0x1000);
  });

  it('the stale translation survives VM exit and re-entry (VPID off), and goes with INVEPT in the host', () => {
    const { c, cpu, entry, b } = rig();
    c.vmEntry(entry);
    c.translateGuestPhysical(cpu, 0x1000, { read: true });
    c.vmExit();
    b.map(0x1000, 0x7_0000); // host edits the EPT PTE ...
    c.vmEntry(entry); // ... and resumes without INVEPT
    expect(c.translateGuestPhysical(cpu, 0x1000, { read: true })).toBe(0x5_0000);
    c.vmExit();
    c.invept(1, entry.eptp);
    c.vmEntry(entry);
    expect(c.translateGuestPhysical(cpu, 0x1000, { read: true })).toBe(0x7_0000);
  });

  it('a VM entry with VPID off drops VPID 0 combined mappings; with VPID on keeps them', () => {
    const { c, entry } = rig();
    const m = { vpid: 0, ep4ta: 0x10000, linear: 0x1000, hpa: 0x5000, guest: { user: false, writable: true, executeDisable: false }, ept: { read: true, write: true, execute: true, userExecute: true }, global: false };
    c.cache.fillCombined(m);
    c.cache.fillCombined({ ...m, vpid: 5 });
    c.vmEntry({ ...entry, vpidEnabled: true, vpid: 5 });
    expect(c.cache.combinedMappings()).toHaveLength(2);
    c.vmExit();
    expect(c.cache.combinedMappings()).toHaveLength(2);
    c.vmEntry(entry);
    expect(c.cache.combinedMappings().map((x) => x.vpid)).toEqual([5]);
    c.invvpid(1, 5, 0);
    expect(c.cache.combinedMappings()).toEqual([]);
  });

  it('violations exit through the callback; reset and snapshots cover the cache and the context', () => {
    const { c, cpu, entry, exits, b } = rig();
    c.vmEntry(entry);
    expect(() => c.translateGuestPhysical(cpu, 0x9000, { fetch: true })).toThrow(VmExitUnwind);
    expect(exits.map((e) => e.reason)).toEqual([48]);
    c.translateGuestPhysical(cpu, 0x1000, { read: true });
    const snap = c.snapshot();
    c.reset();
    expect(c.current()).toBeUndefined();
    expect(c.cache.guestPhysicalMappings()).toEqual([]);
    c.restore(snap);
    b.map(0x1000, 0x7_0000);
    expect(c.translateGuestPhysical(cpu, 0x1000, { read: true })).toBe(0x5_0000);
  });
});
