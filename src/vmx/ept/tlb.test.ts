import { describe, expect, it } from 'vitest';
import { findProfile } from '../../arch/profiles/index.ts';
import { translateGuestPhysical, type EptContext, type EptUnit } from './hook.ts';
import type { GuestPhysicalAccess } from '../../x86/env.ts';
import { staleMappings } from './stale.ts';
import { EptBuilder } from './testing.ts';
import { EptTranslationCache, NO_EPT } from './tlb.ts';

const CAPS = findProfile('skylake-client')!.msrs[0x48c]!;

function setup(): { b: EptBuilder; unit: EptUnit; ctx: EptContext } {
  const b = new EptBuilder(4).map(0x1000, 0x5_0000).map(0x2000, 0x6_0000);
  return { b, unit: { cache: new EptTranslationCache(), caps: CAPS, maxPhysAddr: 39 }, ctx: { eptp: b.eptp(), vpid: 0, mbec: false } };
}
const hpa = (u: EptUnit, c: EptContext, b: EptBuilder, gpa: number, access: GuestPhysicalAccess = { read: true }): number | string => {
  const r = translateGuestPhysical(u, c, b.mem, gpa, access);
  return r.ok ? r.hpa : `exit ${r.exit.reason}`;
};

describe('stale guest-physical mappings until INVEPT (seed 003; SDM Vol. 3C §29.4.3 Invalidating Cached Translation Information)', () => {
  it('a changed EPT PTE keeps its old translation until INVEPT single-context, then the new one', () => {
    const { b, unit, ctx } = setup();
    expect(hpa(unit, ctx, b, 0x1234)).toBe(0x5_0234);
    b.map(0x1000, 0x7_0000); // the hypervisor repoints the page, and forgets INVEPT
    expect(hpa(unit, ctx, b, 0x1234)).toBe(0x5_0234);
    expect(translateGuestPhysical(unit, ctx, b.mem, 0x1234, { read: true })).toMatchObject({ ok: true, fromCache: true });
    unit.cache.invept(1, ctx.eptp);
    expect(hpa(unit, ctx, b, 0x1234)).toBe(0x7_0234);
  });

  it('a removed permission still works from the cache until INVEPT all-context; then it is a violation', () => {
    const { b, unit, ctx } = setup();
    expect(hpa(unit, ctx, b, 0x1000, { write: true })).toBe(0x5_0000);
    b.map(0x1000, 0x5_0000, 0x1n | (6n << 3n)); // now read-only
    expect(hpa(unit, ctx, b, 0x1000, { write: true })).toBe(0x5_0000);
    unit.cache.invept(2);
    expect(hpa(unit, ctx, b, 0x1000, { write: true })).toBe('exit 48');
  });

  it('a removed mapping (not present) keeps translating until INVEPT', () => {
    const { b, unit, ctx } = setup();
    hpa(unit, ctx, b, 0x2000);
    b.set(1, 0x2000, 0n);
    expect(hpa(unit, ctx, b, 0x2000)).toBe(0x6_0000);
    unit.cache.invept(1, ctx.eptp);
    expect(hpa(unit, ctx, b, 0x2000)).toBe('exit 48');
  });

  it('single-context INVEPT leaves other EP4TAs stale; the EPTP low bits do not matter (EPTP[51:12] is the tag)', () => {
    const { b, unit, ctx } = setup();
    const other = new EptBuilder(4, b.mem, 0x80_0000).map(0x1000, 0x8_0000);
    const ctx2 = { ...ctx, eptp: other.eptp() };
    expect(hpa(unit, ctx2, b, 0x1000)).toBe(0x8_0000);
    expect(hpa(unit, ctx, b, 0x1000)).toBe(0x5_0000);
    b.map(0x1000, 0x7_0000);
    other.map(0x1000, 0x9_0000);
    unit.cache.invept(1, ctx.eptp | (1n << 6n));
    expect(hpa(unit, ctx, b, 0x1000)).toBe(0x7_0000);
    expect(hpa(unit, ctx2, b, 0x1000)).toBe(0x8_0000);
    unit.cache.invept(2);
    expect(hpa(unit, ctx2, b, 0x1000)).toBe(0x9_0000);
  });

  it('adding a permission needs no INVEPT: a cached mapping that refuses the access is not trusted', () => {
    const { b, unit, ctx } = setup();
    b.map(0x1000, 0x5_0000, 0x1n | (6n << 3n));
    hpa(unit, ctx, b, 0x1000);
    b.map(0x1000, 0x5_0000);
    expect(hpa(unit, ctx, b, 0x1000, { write: true })).toBe(0x5_0000);
  });

  it('an EPT violation invalidates the mapping of that guest-physical page', () => {
    const { b, unit, ctx } = setup();
    b.map(0x1000, 0x5_0000, 0x1n | (6n << 3n));
    hpa(unit, ctx, b, 0x1000);
    b.map(0x1000, 0x7_0000, 0x1n | (6n << 3n));
    expect(hpa(unit, ctx, b, 0x1000)).toBe(0x5_0000);
    expect(hpa(unit, ctx, b, 0x1000, { write: true })).toBe('exit 48');
    expect(unit.cache.lookupGuestPhysical(Number(ctx.eptp & ~0xfffn), 0x1000)).toBeUndefined();
    expect(hpa(unit, ctx, b, 0x1000)).toBe(0x7_0000);
  });

  it('a write through a mapping cached by a read walks again to set the dirty flag (EPTP[6] = 1)', () => {
    const { b, unit } = setup();
    const ctx = { eptp: b.eptp(true), vpid: 0, mbec: false };
    hpa(unit, ctx, b, 0x1000);
    expect(b.get(1, 0x1000) & (1n << 9n)).toBe(0n);
    hpa(unit, ctx, b, 0x1000, { write: true });
    expect(b.get(1, 0x1000) & (1n << 9n)).toBe(1n << 9n);
  });

  it('misconfigurations are never cached, and exit with reason 49 and qualification 0', () => {
    const { b, unit, ctx } = setup();
    b.map(0x1000, 0x5_0000, 0x7n | (7n << 3n));
    const r = translateGuestPhysical(unit, ctx, b.mem, 0x1000, { read: true });
    expect(r.ok === false && [r.exit.reason, r.exit.qualification, r.exit.guestPhysical]).toEqual([49, 0n, 0x1000]);
    expect(unit.cache.guestPhysicalMappings()).toEqual([]);
  });
});

describe('linear and combined mappings (SDM Vol. 3C §29.4.1, §29.4.3.1)', () => {
  const guest = { user: false, writable: true, executeDisable: false };
  const ept = { read: true, write: true, execute: true, userExecute: true };
  const fill = (c: EptTranslationCache, vpid: number, ep4ta: number, linear: number, global = false): void => {
    c.fillCombined({ vpid, ep4ta, linear, hpa: 0x1000, guest, ept, global });
  };
  const keys = (c: EptTranslationCache): string[] => c.combinedMappings().map((m) => `${m.vpid}/${m.ep4ta}/${m.linearPage.toString(16)}`).sort();

  function filled(): EptTranslationCache {
    const c = new EptTranslationCache();
    fill(c, 0, NO_EPT, 0x1000);
    fill(c, 1, 0x10000, 0x1000);
    fill(c, 1, 0x20000, 0x1000);
    fill(c, 1, 0x10000, 0x2000, true);
    fill(c, 2, 0x10000, 0x1000);
    return c;
  }

  it('INVVPID individual-address: that VPID and page, every EP4TA', () => {
    const c = filled();
    c.invvpid(0, 1, 0x1abc);
    expect(keys(c)).toEqual(['0/-1/1', '1/65536/2', '2/65536/1']);
  });

  it('INVVPID single-context: every mapping of the VPID', () => {
    const c = filled();
    c.invvpid(1, 1);
    expect(keys(c)).toEqual(['0/-1/1', '2/65536/1']);
  });

  it('INVVPID all-context: every VPID except 0000H', () => {
    const c = filled();
    c.invvpid(2, 0);
    expect(keys(c)).toEqual(['0/-1/1']);
  });

  it('INVVPID single-context-retaining-globals keeps global translations', () => {
    const c = filled();
    c.invvpid(3, 1);
    expect(keys(c)).toEqual(['0/-1/1', '1/65536/2', '2/65536/1']);
  });

  it('INVVPID leaves guest-physical mappings; INVEPT leaves linear mappings and drops combined ones of its EP4TA', () => {
    const { b, unit, ctx } = setup();
    hpa(unit, ctx, b, 0x1000);
    unit.cache.invvpid(2, 0);
    expect(unit.cache.guestPhysicalMappings()).toHaveLength(1);
    const c = filled();
    c.invept(1, 0x10000n | 0x1en);
    expect(keys(c)).toEqual(['0/-1/1', '1/131072/1']);
    c.invept(2);
    expect(keys(c)).toEqual(['0/-1/1']);
  });

  it('VM entry/exit with VPID off drop VPID 0 mappings (every EP4TA); with VPID on, nothing', () => {
    const c = filled();
    fill(c, 0, 0x10000, 0x3000);
    c.onVmTransition(true);
    expect(keys(c)).toHaveLength(6);
    c.onVmTransition(false);
    expect(keys(c)).toEqual(['1/131072/1', '1/65536/1', '1/65536/2', '2/65536/1']);
  });

  it('INVLPG-style and CR3-style flushes of one VPID', () => {
    const c = filled();
    c.invalidateLinear(1, 0x1000);
    expect(keys(c)).toEqual(['0/-1/1', '1/65536/2', '2/65536/1']);
    c.flushVpid(1, false);
    expect(keys(c)).toEqual(['0/-1/1', '1/65536/2', '2/65536/1']);
    c.flushVpid(1, true);
    expect(keys(c)).toEqual(['0/-1/1', '2/65536/1']);
  });
});

describe('snapshots', () => {
  it('restore brings back the stale mappings a snapshot held', () => {
    const { b, unit, ctx } = setup();
    hpa(unit, ctx, b, 0x1000);
    const snap = unit.cache.snapshot();
    b.map(0x1000, 0x7_0000);
    unit.cache.invept(2);
    expect(hpa(unit, ctx, b, 0x1000)).toBe(0x7_0000);
    unit.cache.restore(snap);
    expect(hpa(unit, ctx, b, 0x1000)).toBe(0x5_0000);
    expect(unit.cache.guestPhysicalMappings()).toHaveLength(1);
  });
});

describe('staleMappings: the cached mappings the EPT in memory no longer gives', () => {
  it('lists a repointed page, a lost permission and a removed entry; none after INVEPT; gained permissions are not stale', () => {
    const { b, unit, ctx } = setup();
    b.map(0x3000, 0x8_0000, 0x1n | (6n << 3n));
    for (const gpa of [0x1000, 0x2000, 0x3000]) hpa(unit, ctx, b, gpa);
    const opts = { caps: CAPS, maxPhysAddr: 39 };
    expect(staleMappings(unit.cache, ctx.eptp, b.mem, opts)).toEqual([]);
    b.map(0x1000, 0x7_0000);
    b.map(0x2000, 0x6_0000, 0x1n | (6n << 3n));
    b.map(0x3000, 0x8_0000);
    const stale = staleMappings(unit.cache, ctx.eptp, b.mem, opts);
    expect(stale.map((s) => s.mapping.gpaPage)).toEqual([1, 2]);
    expect(stale[0]!.explain).toContain('now maps it to 0x70000');
    expect(stale[1]!.explain).toContain('no longer allows write, execute');
    b.set(1, 0x3000, 0n);
    expect(staleMappings(unit.cache, ctx.eptp, b.mem, opts).at(-1)!.explain).toContain('EPT violation');
    expect(b.mem.writes).toEqual([]);
    unit.cache.invept(1, ctx.eptp);
    expect(staleMappings(unit.cache, ctx.eptp, b.mem, opts)).toEqual([]);
  });
});
