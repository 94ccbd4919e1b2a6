import { describe, expect, it } from 'vitest';
import { findProfile } from '../../arch/profiles/index.ts';
import { eptViolationQualification } from './qualification.ts';
import { EptBuilder, PS, RWX_WB } from './testing.ts';
import type { EptAccess, EptWalkOptions } from './types.ts';
import { eptWalk, eptWalkLevels } from './walk.ts';

const caps = (id: string): bigint => findProfile(id)!.msrs[0x48c]!;
const SKYLAKE: EptWalkOptions = { caps: caps('skylake-client'), maxPhysAddr: 39 };
const READ: EptAccess = { read: true };
const WRITE: EptAccess = { write: true };
const FETCH: EptAccess = { fetch: true };

describe('EPT translation (SDM Vol. 3C §29.3.2 EPT Translation Mechanism)', () => {
  it('translates through four levels to a 4 KiB page and records each level', () => {
    const b = new EptBuilder(4).map(0x5000, 0x9_3000);
    const r = eptWalk(b.eptp(), 0x5abc, READ, b.mem, SKYLAKE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.hpa).toBe(0x9_3abc);
    expect(r.pageSize).toBe(4096);
    expect(r.memType).toBe(6);
    expect(r.walk.levels.map((l) => [l.name, l.role, l.index])).toEqual([
      ['EPT PML4E', 'table', 0], ['EPT PDPTE', 'table', 0], ['EPT PDE', 'table', 0], ['EPT PTE', 'leaf', 5],
    ]);
    expect(r.walk.levels[3]!.entryAddr).toBe(b.entryAddr(1, 0x5000));
    expect(r.walk.levels[3]!.decided).toContain('R W X = 111b');
  });

  it('uses guest-physical bits 47:39, 38:30, 29:21, 20:12 as the indexes', () => {
    const gpa = 0x7f_c060_3000 + 0x123; // PML4 index 0, PDPT 511, PD 3, PT 3
    const b = new EptBuilder(4).map(gpa, 0x20_0000);
    const r = eptWalk(b.eptp(), gpa, READ, b.mem, SKYLAKE);
    expect(r.ok && r.hpa).toBe(0x20_0123);
    expect(r.walk.levels.map((l) => l.index)).toEqual([0, 511, 3, 3]);
  });

  it('maps 2 MiB pages (PDE bit 7) and 1 GiB pages (PDPTE bit 7) when EPT_VPID_CAP allows', () => {
    const b = new EptBuilder(4).map(0x4000_0000, 0x8000_0000, RWX_WB, 3).map(0x20_0000, 0x60_0000, RWX_WB, 2);
    const g = eptWalk(b.eptp(), 0x4123_4567, READ, b.mem, SKYLAKE);
    expect(g.ok && [g.hpa, g.pageSize]).toEqual([0x8123_4567, 2 ** 30]);
    const m = eptWalk(b.eptp(), 0x21_2345, READ, b.mem, SKYLAKE);
    expect(m.ok && [m.hpa, m.pageSize]).toEqual([0x61_2345, 2 ** 21]);
    expect(m.walk.levels).toHaveLength(3);
  });

  it('ignores bit 7 of an EPT PTE', () => {
    const b = new EptBuilder(4).set(1, 0x3000, 0x7000n | RWX_WB | PS);
    const r = eptWalk(b.eptp(), 0x3010, READ, b.mem, SKYLAKE);
    expect(r.ok && r.hpa).toBe(0x7010);
  });

  it('walks five levels (PML5 index = bits 56:48) only when EPT_VPID_CAP[7] is set', () => {
    const spr: EptWalkOptions = { caps: caps('sapphire-rapids'), maxPhysAddr: 46 };
    const gpa = 2 ** 48 + 0x1000; // PML5 index 1 (not reachable on these MAXPHYADDRs, but the walk indexes it)
    const b = new EptBuilder(5).map(gpa, 0x4000);
    expect(eptWalkLevels(b.eptp(), spr.caps)).toBe(5);
    const r = eptWalk(b.eptp(), gpa + 8, READ, b.mem, spr);
    expect(r.ok && r.hpa).toBe(0x4008);
    expect(r.walk.levels.map((l) => [l.name, l.index])).toEqual([['EPT PML5E', 1], ['EPT PML4E', 0], ['EPT PDPTE', 0], ['EPT PDE', 0], ['EPT PTE', 1]]);
    expect(eptWalkLevels(b.eptp(), SKYLAKE.caps)).toBeUndefined();
    expect(() => eptWalk(b.eptp(), gpa, READ, b.mem, SKYLAKE)).toThrow(RangeError);
  });
});

describe('EPT violations (SDM Vol. 3C §29.3.3.2 EPT Violations; Table 28-7)', () => {
  const kinds: [string, EptAccess, bigint][] = [['read', READ, 1n], ['write', WRITE, 2n], ['fetch', FETCH, 4n]];
  // Leaf permissions that are not misconfigurations on Skylake (execute-only is supported there).
  for (const rwx of [0, 1, 3, 4, 5, 7]) {
    for (const [name, access, bit] of kinds) {
      it(`${name} through a leaf with R W X = ${rwx.toString(2).padStart(3, '0')}b`, () => {
        const b = new EptBuilder(4).map(0x1000, 0x2000, BigInt(rwx) | (6n << 3n));
        const r = eptWalk(b.eptp(), 0x1000, access, b.mem, SKYLAKE);
        const allowed = (rwx & Number(bit)) !== 0;
        expect(r.ok).toBe(allowed);
        if (r.ok) return;
        expect(r.kind).toBe('violation');
        if (r.kind !== 'violation') return;
        // Bits 0-2: the access; bits 3-5: the AND of R, W, X (0 when the leaf is not present).
        expect(eptViolationQualification(r)).toBe(bit | (BigInt(rwx) << 3n));
      });
    }
  }

  it('ANDs the permissions of every level: a read-only PDE denies a write through an RWX PTE', () => {
    const b = new EptBuilder(4);
    b.set(2, 0x1000, BigInt(b.alloc()) | 0x1n);
    b.map(0x1000, 0x2000);
    const r = eptWalk(b.eptp(), 0x1000, WRITE, b.mem, SKYLAKE);
    expect(r.ok === false && r.kind === 'violation' && eptViolationQualification(r)).toBe(0b001_010n);
    expect(r.walk.levels.map((l) => l.perms.write)).toEqual([true, true, false, false]);
  });

  for (const level of [4, 3, 2, 1]) {
    it(`a not-present entry at level ${level} is a violation with no permissions and a walk that stops there`, () => {
      const b = new EptBuilder(4).map(0x1000, 0x2000);
      b.set(level, 0x1000, 0n);
      const r = eptWalk(b.eptp(), 0x1000, READ, b.mem, SKYLAKE);
      expect(r.ok === false && r.kind).toBe('violation');
      if (r.ok || r.kind !== 'violation') return;
      expect(r.allowed).toEqual({ read: false, write: false, execute: false, userExecute: false });
      expect(r.walk.levels).toHaveLength(5 - level);
      expect(r.walk.levels.at(-1)!.role).toBe('not-present');
      expect(eptViolationQualification(r)).toBe(1n);
    });
  }

  it('reports guest-linear valid (bit 7) and final translation (bit 8) from the caller, and bits 9-11 only with advanced information', () => {
    const b = new EptBuilder(4).map(0x1000, 0x2000, 0x1n | (6n << 3n));
    const r = eptWalk(b.eptp(), 0x1000, WRITE, b.mem, SKYLAKE);
    if (r.ok || r.kind !== 'violation') throw new Error('expected a violation');
    const rights = { user: true, writable: true, executeDisable: true };
    expect(eptViolationQualification(r, { linear: { finalTranslation: true } })).toBe(0x18an);
    expect(eptViolationQualification(r, { linear: { finalTranslation: false } })).toBe(0x08an);
    expect(eptViolationQualification(r, { linear: { finalTranslation: true, guestRights: rights }, advancedInfo: true })).toBe(0xf8an);
    expect(eptViolationQualification(r, { linear: { finalTranslation: true, guestRights: rights } })).toBe(0x18an);
  });

  it('with mode-based execute control, a user-mode fetch needs bit 10 and bit 6 reports it', () => {
    const b = new EptBuilder(4).map(0x1000, 0x2000, 0x5n | (6n << 3n));
    const opts = { ...SKYLAKE, mbec: true };
    const r = eptWalk(b.eptp(), 0x1000, { fetch: true, userMode: true }, b.mem, opts);
    if (r.ok || r.kind !== 'violation') throw new Error('expected a violation');
    expect(eptViolationQualification(r, { mbec: true })).toBe(0b0101_100n);
    expect(eptWalk(b.eptp(), 0x1000, FETCH, b.mem, opts).ok).toBe(true);
  });
});

describe('EPT misconfigurations (SDM Vol. 3C §29.3.3.1 EPT Misconfigurations)', () => {
  const misconfig = (b: EptBuilder, gpa: number, opts = SKYLAKE, access = READ): string => {
    const r = eptWalk(b.eptp(), gpa, access, b.mem, opts);
    if (r.ok || r.kind !== 'misconfig') throw new Error(`expected a misconfiguration, got ${r.ok ? 'a translation' : r.reason}`);
    expect(r.walk.levels.at(-1)!.role).toBe('misconfigured');
    return r.reason;
  };

  for (const rwx of [2, 6]) {
    for (const level of [4, 3, 2, 1]) {
      it(`R W X = ${rwx.toString(2).padStart(3, '0')}b (write without read) at level ${level}`, () => {
        const b = new EptBuilder(4).map(0x1000, 0x2000);
        b.set(level, 0x1000, (b.get(level, 0x1000) & ~7n) | BigInt(rwx));
        expect(misconfig(b, 0x1000)).toContain('write access without read access');
      });
    }
  }

  it('execute-only (100b) only when EPT_VPID_CAP[0] = 0', () => {
    const b = new EptBuilder(4).map(0x1000, 0x2000, 0x4n | (6n << 3n));
    expect(eptWalk(b.eptp(), 0x1000, FETCH, b.mem, SKYLAKE).ok).toBe(true);
    expect(misconfig(b, 0x1000, { ...SKYLAKE, caps: SKYLAKE.caps & ~1n }, FETCH)).toContain('execute-only');
  });

  for (const level of [4, 3, 2, 1]) {
    it(`a reserved bit beyond MAXPHYADDR at level ${level} (bit 39 with MAXPHYADDR 39; bit 51)`, () => {
      for (const bit of [39n, 51n]) {
        const b = new EptBuilder(4).map(0x1000, 0x2000);
        b.set(level, 0x1000, b.get(level, 0x1000) | (1n << bit));
        expect(misconfig(b, 0x1000)).toContain('beyond MAXPHYADDR');
      }
    });
  }

  it('bits 38:36 are address bits with MAXPHYADDR 39, reserved with MAXPHYADDR 36', () => {
    const b = new EptBuilder(4).map(0x1000, 0x70_0000_0000);
    expect(eptWalk(b.eptp(), 0x1000, READ, b.mem, SKYLAKE).ok).toBe(true);
    expect(misconfig(b, 0x1000, { caps: caps('ivy-bridge'), maxPhysAddr: 36 })).toContain('beyond MAXPHYADDR');
  });

  it('bits 7:3 of an EPT PML4E, bit 7 of an EPT PML4E, bits 6:3 of a table PDPTE and PDE', () => {
    for (const [level, bit] of [[4, 3n], [4, 6n], [4, 7n], [3, 5n], [2, 3n], [2, 6n]] as const) {
      const b = new EptBuilder(4).map(0x1000, 0x2000);
      b.set(level, 0x1000, b.get(level, 0x1000) | (1n << bit));
      expect(misconfig(b, 0x1000)).toMatch(/reserved|bit 7/);
    }
  });

  it('bit 7 of an EPT PML5E in a 5-level walk', () => {
    const b = new EptBuilder(5).map(0x1000, 0x2000);
    b.set(5, 0x1000, b.get(5, 0x1000) | PS);
    expect(misconfig(b, 0x1000, { caps: caps('sapphire-rapids'), maxPhysAddr: 46 })).toContain('bit 7 set in an EPT PML5E');
  });

  it('reserved address bits of large pages: 29:12 of a 1 GiB leaf, 20:12 of a 2 MiB leaf', () => {
    const g = new EptBuilder(4).map(0x4000_0000, 0x4000_0000 + 0x1000, RWX_WB, 3);
    expect(misconfig(g, 0x4000_0000)).toContain('1-GiB');
    const m = new EptBuilder(4).map(0x20_0000, 0x20_0000 + 0x10_0000, RWX_WB, 2);
    expect(misconfig(m, 0x20_0000)).toContain('2-MiB');
  });

  it('a 1 GiB page where EPT_VPID_CAP[17] = 0 (Ivy Bridge), a 2 MiB page where [16] = 0', () => {
    const b = new EptBuilder(4).map(0x4000_0000, 0x4000_0000, RWX_WB, 3);
    expect(misconfig(b, 0x4000_0000, { caps: caps('ivy-bridge'), maxPhysAddr: 36 })).toContain('1-GiB pages are unsupported');
    const m = new EptBuilder(4).map(0x20_0000, 0x20_0000, RWX_WB, 2);
    expect(misconfig(m, 0x20_0000, { ...SKYLAKE, caps: SKYLAKE.caps & ~(1n << 16n) })).toContain('2-MiB pages are unsupported');
  });

  for (const mt of [2n, 3n, 7n]) {
    it(`memory type ${mt} in a leaf at each page size`, () => {
      for (const level of [1, 2, 3]) {
        const gpa = level === 3 ? 0x4000_0000 : level === 2 ? 0x20_0000 : 0x1000;
        const b = new EptBuilder(4).map(gpa, gpa, 0x7n | (mt << 3n), level);
        expect(misconfig(b, gpa)).toContain(`memory type ${mt}`);
      }
    });
  }

  it('accepts every valid memory type (0, 1, 4, 5, 6) and reports it', () => {
    for (const mt of [0, 1, 4, 5, 6]) {
      const b = new EptBuilder(4).map(0x1000, 0x2000, 0x7n | (BigInt(mt) << 3n) | (1n << 6n));
      const r = eptWalk(b.eptp(), 0x1000, READ, b.mem, SKYLAKE);
      expect(r.ok && [r.memType, r.ipat]).toEqual([mt, true]);
    }
  });

  it('takes precedence over a violation: an upper entry denies the write, a lower entry is misconfigured', () => {
    const b = new EptBuilder(4);
    b.set(3, 0x1000, BigInt(b.alloc()) | 0x1n);
    b.map(0x1000, 0x2000, 0x7n | (2n << 3n));
    expect(misconfig(b, 0x1000, SKYLAKE, WRITE)).toContain('memory type 2');
  });
});

describe('accessed and dirty flags (SDM Vol. 3C §29.3.4 Accessed and Dirty Flags for EPT)', () => {
  const A = 1n << 8n;
  const D = 1n << 9n;
  const flags = (b: EptBuilder, gpa: number): bigint[] => [4, 3, 2, 1].map((l) => b.get(l, gpa) & (A | D));

  it('EPTP[6] = 0: no flag is written', () => {
    const b = new EptBuilder(4).map(0x1000, 0x2000);
    const r = eptWalk(b.eptp(false), 0x1000, WRITE, b.mem, SKYLAKE);
    expect(r.ok && r.walk.adWritten).toBe(false);
    expect(b.mem.writes).toEqual([]);
  });

  it('EPTP[6] = 1: a read sets A in every entry used, a write also sets D in the leaf', () => {
    const b = new EptBuilder(4).map(0x1000, 0x2000);
    eptWalk(b.eptp(true), 0x1000, READ, b.mem, SKYLAKE);
    expect(flags(b, 0x1000)).toEqual([A, A, A, A]);
    eptWalk(b.eptp(true), 0x1000, WRITE, b.mem, SKYLAKE);
    expect(flags(b, 0x1000)).toEqual([A, A, A, A | D]);
  });

  it('D goes in the entry that maps the page: a 2 MiB PDE', () => {
    const b = new EptBuilder(4).map(0x20_0000, 0x40_0000, RWX_WB, 2);
    eptWalk(b.eptp(true), 0x20_0000, WRITE, b.mem, SKYLAKE);
    expect([4, 3, 2].map((l) => b.get(l, 0x20_0000) & (A | D))).toEqual([A, A, A | D]);
  });

  it('guest paging-structure accesses count as writes with EPTP[6] = 1: D set, and a read-only page is a violation with bits 0 and 1', () => {
    const b = new EptBuilder(4).map(0x1000, 0x2000).map(0x3000, 0x4000, 0x1n | (6n << 3n));
    eptWalk(b.eptp(true), 0x1000, { guestPaging: true }, b.mem, SKYLAKE);
    expect(b.get(1, 0x1000) & D).toBe(D);
    const r = eptWalk(b.eptp(true), 0x3000, { guestPaging: true }, b.mem, SKYLAKE);
    if (r.ok || r.kind !== 'violation') throw new Error('expected a violation');
    expect(eptViolationQualification(r) & 0x3fn).toBe(0b001_011n);
    expect(r.reason).toContain('treated as a write');
  });

  it('guest paging-structure reads of a read-only page are fine with EPTP[6] = 0, and PAE PDPTE loads with either', () => {
    const b = new EptBuilder(4).map(0x3000, 0x4000, 0x1n | (6n << 3n));
    expect(eptWalk(b.eptp(false), 0x3000, { guestPaging: true }, b.mem, SKYLAKE).ok).toBe(true);
    const r = eptWalk(b.eptp(true), 0x3000, { guestPaging: true, pdpteLoad: true }, b.mem, SKYLAKE);
    expect(r.ok).toBe(true);
    expect(b.get(1, 0x3000) & D).toBe(0n);
  });

  it('no flag is written when the access ends in a violation, nor in a dry run', () => {
    const b = new EptBuilder(4).map(0x1000, 0x2000, 0x1n | (6n << 3n));
    eptWalk(b.eptp(true), 0x1000, WRITE, b.mem, SKYLAKE);
    eptWalk(b.eptp(true), 0x1000, READ, b.mem, { ...SKYLAKE, dryRun: true });
    expect(b.mem.writes).toEqual([]);
  });
});
