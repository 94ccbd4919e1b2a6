// The TLB's generation flush and walk reuse (decision 0085): after a flush every translation
// must be what a fresh walk gives, with the same A/D writes and the same faults; before a flush
// or INVLPG the cached translation stays, even when memory changed (SDM Vol. 3A §4.10.4
// "Invalidation of TLBs and Paging-Structure Caches").

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { C4, EF } from './archbits.ts';
import { X86Fault } from './fault.ts';
import { ACC_READ, ACC_WRITE, translate, type AccessKind } from './paging.ts';
import { makeRig, run1, setReg, testConfig, type TestRig } from './testing.ts';

const POOL = 0x100000; // six table pages from here
const TABLES = 6;

type Mode = '5-level' | '4-level' | 'pae' | '32-bit';
type Op =
  | { kind: 'write'; table: number; index: number; target: number; flags: number; xd: boolean; rsvd: boolean }
  | { kind: 'translate'; i: readonly number[]; acc: AccessKind; user: boolean }
  | { kind: 'flip'; table: number; index: number; bit: number }
  | { kind: 'flush' }
  | { kind: 'invlpg'; i: readonly number[] }
  | { kind: 'nxe' };

function linearOf(mode: Mode, i: readonly number[]): number {
  if (mode === '5-level') return i[0]! * 2 ** 48 + i[1]! * 2 ** 39 + i[2]! * 2 ** 30 + i[3]! * 2 ** 21 + i[4]! * 4096 + 0x123;
  if (mode === '4-level') return i[0]! * 2 ** 39 + i[1]! * 2 ** 30 + i[2]! * 2 ** 21 + i[3]! * 4096 + 0x123;
  if (mode === 'pae') return i[0]! * 2 ** 30 + i[1]! * 2 ** 21 + i[2]! * 4096 + 0x123;
  return i[0]! * 2 ** 22 + i[1]! * 4096 + 0x123;
}

/** A rig in `mode` with CR3 at the pool's first table; `log` receives every A/D-flag write. */
function rigFor(mode: Mode, reuse: boolean, pse: boolean, log: number[]): TestRig {
  const rig = makeRig(testConfig(), POOL + TABLES * 4096);
  const s = rig.cpu.state;
  s.cr3 = POOL;
  if (mode === '5-level') s.cr4 = (s.cr4 | C4.LA57) >>> 0;
  if (mode === 'pae') s.efer = (s.efer & ~EF.LMA & ~EF.LME) >>> 0;
  if (mode === '32-bit') {
    s.efer = (s.efer & ~EF.LMA & ~EF.LME) >>> 0;
    s.cr4 = (s.cr4 & ~C4.PAE) >>> 0;
  }
  if (pse) s.cr4 = (s.cr4 | C4.PSE) >>> 0;
  // A valid chain to start from: table L's entries 0-2 point to table L + 1, the last level's to data pages.
  const levels = mode === '5-level' ? 5 : mode === '4-level' ? 4 : mode === 'pae' ? 3 : 2;
  for (let l = 0; l < levels; l++) {
    for (let i = 0; i < 3; i++) {
      const target = l === levels - 1 ? (0x200 + l * 3 + i) * 4096 : POOL + (l + 1) * 4096;
      const flags = mode === 'pae' && l === 0 ? 0x1 : 0x7;
      if (mode === '32-bit') rig.mem.write32(POOL + l * 4096 + i * 4, target | flags);
      else rig.mem.write64(POOL + l * 4096 + i * 8, BigInt(target | flags));
    }
  }
  rig.cpu.tlb.flush();
  rig.cpu.tlb.reuseWalks = reuse;
  rig.cpu.tlb.onEntryWrite = (pa) => log.push(pa);
  return rig;
}

function apply(rig: TestRig, mode: Mode, op: Op): string {
  const { cpu, mem } = rig;
  switch (op.kind) {
    case 'write': {
      const target = op.target < TABLES ? POOL + op.target * 4096 : op.target * 4096;
      if (mode === '32-bit') mem.write32(POOL + op.table * 4096 + op.index * 4, (target | op.flags) >>> 0);
      else mem.write64(POOL + op.table * 4096 + op.index * 8, BigInt(target | op.flags) | (op.xd ? 1n << 63n : 0n) | (op.rsvd ? 1n << 45n : 0n));
      return 'written';
    }
    case 'translate':
      try {
        return `pa ${translate(cpu.state, cpu.env, cpu.tlb, linearOf(mode, op.i), op.acc, op.user).toString(16)}`;
      } catch (e) {
        if (e instanceof X86Fault) return `#${e.vector} ${e.errorCode} ${e.reason}`;
        throw e;
      }
    case 'flip': {
      const at = POOL + op.table * 4096 + op.index * (mode === '32-bit' ? 4 : 8) + (op.bit >= 32 ? 4 : 0);
      if (mode === '32-bit' && op.bit >= 32) return 'no high half';
      mem.write32(at, (mem.read32(at) ^ (1 << (op.bit % 32))) >>> 0);
      return 'flipped';
    }
    case 'flush':
      cpu.tlb.flush();
      return 'flushed';
    case 'invlpg':
      cpu.tlb.invalidate(linearOf(mode, op.i));
      return 'invalidated';
    case 'nxe':
      // WRMSR IA32_EFER flushes when NXE changes (msr.ts).
      cpu.state.efer = (cpu.state.efer ^ EF.NXE) >>> 0;
      cpu.tlb.flush();
      return 'nxe';
  }
}

const idx = fc.integer({ min: 0, max: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      table: fc.integer({ min: 0, max: TABLES - 1 }),
      index: idx,
      // a pool table (so walks can share and loop through tables) or a data page
      target: fc.oneof(fc.integer({ min: 0, max: TABLES - 1 }), fc.integer({ min: 0x200, max: 0x3ff })),
      // P, R/W, U/S, A, D, PS in any combination, P mostly set
      flags: fc.record({ p: fc.integer({ min: 0, max: 9 }), rw: fc.boolean(), us: fc.boolean(), a: fc.boolean(), d: fc.boolean(), ps: fc.integer({ min: 0, max: 4 }) })
        .map((f) => (f.p === 0 ? 0 : 0x1) | (f.rw ? 0x2 : 0) | (f.us ? 0x4 : 0) | (f.a ? 0x20 : 0) | (f.d ? 0x40 : 0) | (f.ps === 0 ? 0x80 : 0)),
      xd: fc.boolean(),
      rsvd: fc.integer({ min: 0, max: 15 }).map((x) => x === 0),
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('translate' as const), i: fc.tuple(idx, idx, idx, idx, idx), acc: fc.constantFrom<AccessKind>(0, 1, 2), user: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      table: fc.integer({ min: 0, max: 4 }),
      index: idx,
      // P, R/W, U/S, A, D, PS, an address bit, XD, a reserved address bit (above MAXPHYADDR 39)
      bit: fc.constantFrom(0, 1, 2, 5, 6, 7, 13, 63, 45),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('invlpg' as const), i: fc.tuple(idx, idx, idx, idx, idx) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'nxe' as const }) },
);

describe('walk reuse after a flush is invisible (decision 0085; 5-level, 4-level, PAE, 32-bit paging)', () => {
  it('same translations, faults, A/D writes and memory as walking again after every flush', () => {
    fc.assert(
      fc.property(fc.constantFrom<Mode>('5-level', '4-level', 'pae', '32-bit'), fc.boolean(), fc.array(opArb, { minLength: 20, maxLength: 120 }), (mode, pse, ops) => {
        const logA: number[] = [];
        const logB: number[] = [];
        const a = rigFor(mode, true, pse, logA);
        const b = rigFor(mode, false, pse, logB);
        const results = ops.map((op) => `${apply(a, mode, op)} | ${apply(b, mode, op)}`);
        expect(results.filter((r) => { const [x, y] = r.split(' | '); return x !== y; })).toEqual([]);
        expect(logA.join()).toBe(logB.join());
        const tables = (r: TestRig) => Buffer.from(r.mem.bytes.subarray(POOL, POOL + TABLES * 4096)).toString('hex');
        expect(tables(a) === tables(b)).toBe(true);
      }),
      { numRuns: process.env.VMXLAB_SLOW === '1' ? 5000 : 300 },
    );
  });
});

describe('generation flush and walk reuse', () => {
  const PT = 0x8000;
  const BASE = 0x200000;
  function withPageTable(rig: TestRig): (index: number, pte: bigint) => void {
    rig.mem.write64(0x3000 + 8, BigInt(PT) | 7n); // PD[1] -> PT (makeRig's PD is at 0x3000)
    rig.cpu.flushTlb();
    return (i, pte) => rig.mem.write64(PT + i * 8, pte);
  }
  const tr = (rig: TestRig, lin: number, acc: AccessKind) => translate(rig.cpu.state, rig.cpu.env, rig.cpu.tlb, lin, acc, false);

  it('a flush empties the TLB: a changed PTE is seen after it (the kept walk is not reused)', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(3, 0x51000n | 0x23n);
    expect(tr(rig, BASE + 0x3000, ACC_READ)).toBe(0x51000);
    expect(rig.cpu.tlb.lookup((BASE + 0x3000) / 4096)).toBeDefined();
    set(3, 0x52000n | 0x23n);
    expect(tr(rig, BASE + 0x3000, ACC_READ)).toBe(0x51000); // stale until invalidated
    rig.cpu.tlb.flush();
    expect(rig.cpu.tlb.lookup((BASE + 0x3000) / 4096)).toBeUndefined();
    expect(tr(rig, BASE + 0x3000, ACC_READ)).toBe(0x52000);
  });

  it('a flush then an unchanged walk: same translation, no A/D write; a write after it still sets D', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    const writes: number[] = [];
    rig.cpu.tlb.onEntryWrite = (pa) => writes.push(pa);
    set(4, 0x53000n | 0x3n);
    expect(tr(rig, BASE + 0x4000, ACC_READ)).toBe(0x53000);
    expect(writes.at(-1)).toBe(PT + 4 * 8); // A of the PTE, after A of the upper levels
    const n = writes.length;
    rig.cpu.tlb.flush();
    expect(tr(rig, BASE + 0x4000, ACC_READ)).toBe(0x53000);
    expect(writes).toHaveLength(n);
    rig.cpu.tlb.flush();
    expect(tr(rig, BASE + 0x4000, ACC_WRITE)).toBe(0x53000);
    expect(rig.mem.read64(PT + 4 * 8) & 0x60n).toBe(0x60n);
    expect(writes.slice(n)).toEqual([PT + 4 * 8]);
    // D is now set in memory and in the kept walk: the next write after a flush writes nothing.
    rig.cpu.tlb.flush();
    tr(rig, BASE + 0x4000, ACC_WRITE);
    expect(writes).toHaveLength(n + 1);
    // D cleared in memory: a fresh walk (not the kept one) sees it and the write sets it again.
    set(4, 0x53000n | 0x23n);
    rig.cpu.tlb.flush();
    tr(rig, BASE + 0x4000, ACC_WRITE);
    expect(writes.slice(n + 1)).toEqual([PT + 4 * 8]);
  });

  it('INVLPG drops one page; with a large page cached it drops every page', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(5, 0x54000n | 0x23n);
    tr(rig, BASE + 0x5000, ACC_READ);
    tr(rig, 0x1000, ACC_READ); // a 2 MiB page of makeRig's identity map
    set(5, 0x55000n | 0x23n);
    setReg(rig, 0, BigInt(BASE + 0x5000));
    run1(rig, '0f 01 38'); // invlpg [rax]
    expect(rig.cpu.tlb.lookup(1)).toBeUndefined(); // a large page was cached: everything went
    expect(tr(rig, BASE + 0x5000, ACC_READ)).toBe(0x55000);
  });

  it('a walk that faults leaves nothing to reuse', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(6, 0x56000n | 0x23n);
    tr(rig, BASE + 0x6000, ACC_READ);
    rig.cpu.tlb.flush();
    set(6, 0x56000n | 0x22n); // P = 0
    expect(() => tr(rig, BASE + 0x6000, ACC_READ)).toThrow(X86Fault);
    set(6, 0x56000n | 0x23n);
    expect(tr(rig, BASE + 0x6000, ACC_READ)).toBe(0x56000);
  });
});
