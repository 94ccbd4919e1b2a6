// The inspection walk against the executor's own: on random paging structures, CPU modes and
// accesses, inspectPageWalk must give the executor's physical address or its #PF error code, and
// must leave every paging-structure byte as it found it (the executor's walk sets A/D flags).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { C0, C4, EF, F } from '../x86/archbits.ts';
import { X86Fault } from '../x86/fault.ts';
import { ACC_EXEC, ACC_READ, ACC_WRITE, translate } from '../x86/paging.ts';
import { ALL_FEATURES, makeRig, testConfig, type TestRig } from '../x86/testing.ts';
import { inspectPageWalk, type PageWalkEnv, type PagingRegs } from './page-walk.ts';

/** Pages the random structures are built in. */
const POOL = 0x100000;
const POOL_PAGES = 16;

type Mode = '32-bit' | 'PAE' | '4-level' | '5-level';

interface Case {
  mode: Mode;
  linear: bigint;
  /** One random entry per level, from the root; addresses point into the pool. */
  entries: { flags: bigint; page: number; frame: bigint; rsvdHigh: boolean }[];
  wp: boolean; smep: boolean; smap: boolean; nxe: boolean; ac: boolean; pse: boolean; page1gb: boolean;
  access: 'read' | 'write' | 'execute';
  user: boolean;
}

const LEVELS: Record<Mode, { shifts: number[]; bits: number[]; size: 4 | 8 }> = {
  '32-bit': { shifts: [22, 12], bits: [10, 10], size: 4 },
  PAE: { shifts: [30, 21, 12], bits: [2, 9, 9], size: 8 },
  '4-level': { shifts: [39, 30, 21, 12], bits: [9, 9, 9, 9], size: 8 },
  '5-level': { shifts: [48, 39, 30, 21, 12], bits: [9, 9, 9, 9, 9], size: 8 },
};

// Flag bits: P (mostly set), R/W, U/S, A, D, PS (sometimes), G, XD (64-bit entries).
const entryArb = fc.record({
  flags: fc.tuple(fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.integer({ min: 0, max: 3 }))
    .map(([p, rw, us, a, d, ps, g, xd]) => (p > 0 ? 1n : 0n) | (rw ? 2n : 0n) | (us ? 4n : 0n) | (a ? 0x20n : 0n) | (d ? 0x40n : 0n) | (ps === 0 ? 0x80n : 0n) | (g ? 0x100n : 0n) | (xd === 0 ? 1n << 63n : 0n)),
  page: fc.integer({ min: 1, max: POOL_PAGES - 1 }),
  frame: fc.bigInt({ min: 0n, max: (1n << 38n) - 1n }),
  rsvdHigh: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
});

const caseArb: fc.Arbitrary<Case> = fc.record({
  mode: fc.constantFrom<Mode>('32-bit', 'PAE', '4-level', '5-level'),
  linear: fc.bigInt({ min: 0n, max: (1n << 56n) - 1n }),
  entries: fc.array(entryArb, { minLength: 5, maxLength: 5 }),
  wp: fc.boolean(), smep: fc.boolean(), smap: fc.boolean(), nxe: fc.boolean(), ac: fc.boolean(), pse: fc.boolean(), page1gb: fc.boolean(),
  access: fc.constantFrom('read' as const, 'write' as const, 'execute' as const),
  user: fc.boolean(),
});

/** Writes the chain of entries the case's linear address uses, and sets the rig's registers. */
function build(c: Case): { rig: TestRig; regs: PagingRegs; linear: bigint } {
  const rig = makeRig(testConfig({ features: { ...ALL_FEATURES, page1gb: c.page1gb, la57: true } }));
  const { shifts, bits, size } = LEVELS[c.mode];
  // The executor takes linear addresses as numbers: keep them exact (below 2^53) for 5-level paging.
  const linear = c.mode === '32-bit' || c.mode === 'PAE' ? c.linear & 0xffff_ffffn : c.linear & ((1n << (c.mode === '5-level' ? 53n : 47n)) - 1n);
  let table = POOL;
  shifts.forEach((shift, i) => {
    const e = c.entries[i]!;
    const index = Number((linear >> BigInt(shift)) & ((1n << BigInt(bits[i]!)) - 1n));
    const next = POOL + e.page * 0x1000;
    const last = i === shifts.length - 1;
    // Page-mapping entries point at a random frame; table entries at a pool page.
    let v = e.flags | (last || (e.flags & 0x80n) !== 0n ? (e.frame << 12n) & 0xff_ffff_f000n : BigInt(next));
    if (e.rsvdHigh) v |= 1n << 45n;
    if (size === 4) v &= 0xffff_ffffn;
    if (size === 4) rig.mem.write32(table + index * 4, Number(v));
    else rig.mem.write64(table + index * 8, v);
    table = next;
  });
  const s = rig.cpu.state;
  s.cr0 = (C0.PE | C0.PG | (c.wp ? C0.WP : 0)) >>> 0;
  s.cr3 = POOL;
  s.cr4 = (c.mode === '32-bit' ? (c.pse ? C4.PSE : 0) : C4.PAE) | (c.mode === '5-level' ? C4.LA57 : 0) | (c.smep ? C4.SMEP : 0) | (c.smap ? C4.SMAP : 0);
  s.efer = (c.mode === '4-level' || c.mode === '5-level' ? EF.LME | EF.LMA : 0) | (c.nxe ? EF.NXE : 0);
  s.rflags = c.ac ? s.rflags | F.AC : s.rflags & ~F.AC;
  rig.cpu.flushTlb();
  const regs: PagingRegs = { cr0: BigInt(s.cr0), cr3: BigInt(s.cr3), cr4: BigInt(s.cr4), efer: BigInt(s.efer), ac: c.ac };
  return { rig, regs, linear };
}

function envOf(rig: TestRig): PageWalkEnv {
  return {
    maxPhysAddr: rig.env.config.maxPhysAddr,
    page1gb: rig.env.config.features.page1gb,
    readEntry: (a, size) => ({ ok: true, value: size === 8 ? rig.mem.read64(Number(a)) : BigInt(rig.mem.read32(Number(a))) }),
  };
}

const ACC = { read: ACC_READ, write: ACC_WRITE, execute: ACC_EXEC } as const;

describe('inspectPageWalk agrees with the executor (SDM Vol. 3A ch. 4)', () => {
  it('same physical address or same #PF error code, and no byte of the tables changes', () => {
    let translated = 0, faulted = 0;
    fc.assert(fc.property(caseArb, (c) => {
      const { rig, regs, linear } = build(c);
      const before = rig.mem.bytes.slice(POOL, POOL + POOL_PAGES * 0x1000);
      const mine = inspectPageWalk(linear, regs, c, envOf(rig), 'test');
      expect(Buffer.compare(rig.mem.bytes.subarray(POOL, POOL + POOL_PAGES * 0x1000), before)).toBe(0);
      let theirs: { physical: bigint } | { errorCode: number };
      try {
        theirs = { physical: BigInt(translate(rig.cpu.state, rig.env, rig.cpu.tlb, Number(linear), ACC[c.access], c.user)) };
      } catch (e) {
        if (!(e instanceof X86Fault) || e.vector !== 14) throw e;
        theirs = { errorCode: e.errorCode ?? -1 };
      }
      if ('physical' in theirs) {
        translated++;
        expect(mine.outcome, mine.summary).toBe('translated');
        expect(mine.physical).toBe(`0x${theirs.physical.toString(16)}`);
      } else {
        faulted++;
        expect(mine.outcome, mine.summary).toBe('page-fault');
        expect(mine.errorCode).toBe(`0x${theirs.errorCode.toString(16)}`);
      }
    }), { numRuns: 400, seed: 4242, endOnFailure: true });
    // The generator reaches both outcomes often.
    expect(translated).toBeGreaterThan(40);
    expect(faulted).toBeGreaterThan(40);
  });
});

describe('inspectPageWalk: what each level records', () => {
  const rig = makeRig();
  const s = rig.cpu.state;
  const regs: PagingRegs = { cr0: BigInt(s.cr0), cr3: BigInt(s.cr3), cr4: BigInt(s.cr4), efer: BigInt(s.efer), ac: false };

  it('a 2 MiB page: PML4, PDPT, PD with their addresses, values and the PS bit that decided the leaf', () => {
    const w = inspectPageWalk(0x345678n, regs, { access: 'read', user: false }, envOf(rig), 'test');
    expect(w.paging).toBe('4-level');
    expect(w.levels.map((l) => [l.name, l.role, l.entryAddr, l.entry])).toEqual([
      ['PML4', 'table', '0x1000', '0x2007'], ['PDPT', 'table', '0x2000', '0x3007'], ['PD', 'leaf', '0x3008', '0x200087'],
    ]);
    expect(w.levels[2]!.bits.find((b) => b.name === 'PS')).toMatchObject({ value: '1', decisive: true });
    expect(w.levels[2]!.decided).toMatch(/PS = 1: maps a 2 MiB page at 0x200000/);
    expect(w.physical).toBe('0x345678');
    expect(w.pageSize).toBe('2 MiB');
  });

  it('a not-present entry stops the walk with its #PF error code', () => {
    const w = inspectPageWalk(0x1_0000_0000n, regs, { access: 'write', user: true }, envOf(rig), 'test');
    expect(w.outcome).toBe('page-fault');
    expect(w.levels.at(-1)).toMatchObject({ name: 'PDPT', role: 'not-present', decided: 'P = 0: not present' });
    expect(w.errorCode).toBe('0x6');
    expect(w.levels.at(-1)!.bits).toEqual([expect.objectContaining({ name: 'P', value: '0', decisive: true })]);
  });

  it('a refused access marks the bit that refused it at every level that has it', () => {
    rig.mem.write64(0x3000 + 8 * 3, 0x600083n); // PD[3]: 2 MiB page, supervisor only (U/S = 0)
    const w = inspectPageWalk(0x654321n, regs, { access: 'read', user: true }, envOf(rig), 'test');
    expect(w.outcome).toBe('page-fault');
    expect(w.summary).toMatch(/user-mode access to a supervisor-mode page/);
    expect(w.errorCode).toBe('0x5');
    const marked = w.levels.map((l) => l.bits.filter((b) => b.decisive).map((b) => `${b.name}=${b.value}`));
    expect(marked).toEqual([[], [], ['U/S=0', 'PS=1']]);
  });

  it('a non-canonical address is refused before any table is read', () => {
    const w = inspectPageWalk(0x0000_8000_0000_0000n, regs, { access: 'read', user: false }, envOf(rig), 'test');
    expect(w.outcome).toBe('general-protection');
    expect(w.levels).toEqual([]);
  });

  it('paging off: the linear address is the physical address', () => {
    const w = inspectPageWalk(0x1234n, { ...regs, cr0: regs.cr0 & ~BigInt(C0.PG) }, { access: 'read', user: false }, envOf(rig), 'test');
    expect(w).toMatchObject({ paging: 'off', outcome: 'translated', physical: '0x1234' });
  });
});
