// Random guest bytes executed by the Machine outside VMX, in VMX root operation and in VMX
// non-root operation (a guest launched by the conformance bring-up, its code replaced by random
// bytes): the Machine never throws, every run ends in one of its documented results (stopped:
// halted / fault / shutdown, or paused at the step budget), a stopped machine stays stopped, the
// VMX mode is one of off / root / non-root, stepping is bounded by the budget, and memory grows by
// at most a few pages per step (DESIGN section 5; docs/machine.md "Stepping, faults and stops").

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetMs, fuzzParams, runs } from '../testing/fuzz/config.ts';
import { GUEST_AREA, makeBringupRig, poke, setWrites } from '../testing/fuzz/bringup.ts';
import { virtToPhys } from '../arch/lab.ts';
import type { RunResult } from './machine.ts';
import { Machine } from './machine.ts';

const BUDGET = 64;
const STOPS = ['halted', 'fault', 'shutdown'];
const KINDS = ['vmx', 'fault', 'vmentry', 'vmexit', 'stop'];
const MODES = ['off', 'root', 'non-root'];

/** Bytes that are mostly random, sometimes seeded with opcodes that reach the interesting paths. */
const code = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ minLength: 1, maxLength: GUEST_AREA }) },
  {
    weight: 2,
    arbitrary: fc.array(
      fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        // VMX instructions, 0F 01 group, MOV CR, WRMSR/RDMSR, INT/IRET, far jumps, REP string ops, I/O.
        fc.constantFrom(
          [0x0f, 0x01, 0xc1], [0x0f, 0x01, 0xc2], [0x0f, 0x01, 0xc3], [0x0f, 0x01, 0xc4], [0x0f, 0x78, 0xc0], [0x0f, 0x79, 0xc3],
          [0x0f, 0x30], [0x0f, 0x32], [0x0f, 0x22, 0xd8], [0x0f, 0x22, 0xe0], [0x0f, 0x22, 0xc0], [0xcd, 0x03], [0x48, 0xcf],
          [0xf3, 0x48, 0xab], [0xf3, 0xa4], [0xe6, 0x92], [0xff, 0x2c, 0x24], [0x0f, 0x0b], [0xf4], [0xcc], [0x66, 0xe5, 0x40],
        ).map((a) => Uint8Array.from(a)),
      ),
      { minLength: 1, maxLength: 12 },
    ).map((parts) => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let i = 0;
      for (const p of parts) (out.set(p, i), (i += p.length));
      return out.subarray(0, GUEST_AREA);
    }),
  },
);

/** Steps one instruction at a time (at most BUDGET), checking the state after every step. */
function runChecked(m: Machine): RunResult {
  for (let i = 0; i < BUDGET; i++) {
    const before = m.steps;
    const events = m.events.length;
    const r = m.step();
    // Every step ends in a defined state: one more step counted, a known mode, a finite RIP,
    // known event kinds, and the stop reason (if any) both returned and recorded.
    if (m.steps !== before + 1) throw new Error(`step ${before}: steps went to ${m.steps}`);
    if (!MODES.includes(m.mode)) throw new Error(`step ${m.steps}: mode ${String(m.mode)}`);
    if (!Number.isFinite(m.cpu.rip)) throw new Error(`step ${m.steps}: rip ${m.cpu.rip}`);
    for (const e of m.events.slice(events)) if (!KINDS.includes(e.kind)) throw new Error(`step ${m.steps}: event ${e.kind}`);
    if (r !== m.stopped) throw new Error(`step ${m.steps}: returned ${r}, stopped ${m.stopped}`);
    if (r !== null) return { kind: 'stopped', reason: r, steps: m.steps };
  }
  return { kind: 'max-steps', steps: m.steps };
}

/** The invariants of a bounded run. */
function checkRun(m: Machine, r: RunResult, startSteps: number, startEvents: number, startPages: number): void {
  expect(['stopped', 'max-steps']).toContain(r.kind);
  expect(m.steps - startSteps).toBeLessThanOrEqual(BUDGET);
  expect(MODES).toContain(m.mode);
  for (const e of m.events.slice(startEvents)) expect(KINDS).toContain(e.kind);
  if (r.kind === 'stopped') {
    expect(STOPS).toContain(r.reason);
    expect(m.stopped).toBe(r.reason);
    const last = m.events.at(-1);
    expect(last?.kind === 'stop' && last.reason === r.reason).toBe(true);
    // A stopped machine stays put.
    const steps = m.steps;
    expect(m.step()).toBe(r.reason);
    expect(m.steps).toBe(steps);
  } else {
    expect(m.stopped).toBeNull();
  }
  // A step writes a handful of pages at most (a REP string step, a far stack switch, a VM exit's
  // state save); never unbounded allocation.
  expect(m.memory.pageCount - startPages).toBeLessThanOrEqual(8 * (m.steps - startSteps) + 8);
}

const NUM_RUNS = runs(2_000, 100_000);

describe('random bytes on the Machine (fuzz)', () => {
  it(`outside VMX: a fresh machine runs random bytes (${NUM_RUNS} inputs)`, () => {
    const m = new Machine({ history: false });
    fc.assert(
      fc.property(code, (bytes) => {
        m.load(bytes);
        const pages = m.memory.pageCount;
        checkRun(m, runChecked(m), 0, 0, pages);
      }),
      fuzzParams(NUM_RUNS),
    );
  }, budgetMs(NUM_RUNS, 3));

  const rig = makeBringupRig('skylake-client');
  const m = rig.machine;

  it(`in VMX root operation: random bytes after VMXON with a current VMCS (${NUM_RUNS} inputs)`, () => {
    const here = Number(virtToPhys(BigInt.asUintN(64, BigInt(rig.paused.cpu.rip))));
    fc.assert(
      fc.property(code, (bytes) => {
        m.restore(rig.paused);
        expect(m.mode).toBe('root');
        poke(m, here, bytes);
        const start = m.steps;
        const pages = m.memory.pageCount;
        checkRun(m, runChecked(m), start, rig.paused.eventCount, pages);
      }),
      fuzzParams(NUM_RUNS),
    );
  }, budgetMs(NUM_RUNS, 4));

  it(`in VMX non-root operation: a launched guest runs random bytes (${NUM_RUNS} inputs)`, () => {
    fc.assert(
      fc.property(code, (bytes) => {
        m.restore(rig.paused);
        setWrites(rig, []);
        poke(m, rig.guestPhys, bytes);
        m.breakpoints.add(rig.launch);
        expect(m.run({ maxSteps: 20 }).kind).toBe('breakpoint');
        m.breakpoints.clear();
        m.step(); // VMLAUNCH
        expect(m.mode).toBe('non-root');
        const start = m.steps;
        const events = m.events.length;
        const pages = m.memory.pageCount;
        checkRun(m, runChecked(m), start, events, pages);
      }),
      fuzzParams(NUM_RUNS),
    );
  }, budgetMs(NUM_RUNS, 4));

  it('found by the fuzz (seed 779088680): a guest that sets TF and executes VMCALL exits; no single-step trap lands in the host', () => {
    m.restore(rig.paused);
    setWrites(rig, []);
    poke(m, rig.guestPhys, Uint8Array.from([0x53, 0x9d, 0x0f, 0x01, 0xc1, 0x00])); // push rbx; popf; vmcall
    m.breakpoints.add(rig.launch);
    expect(m.run({ maxSteps: 20 }).kind).toBe('breakpoint');
    m.breakpoints.clear();
    m.step(); // VMLAUNCH
    const events = m.events.length;
    checkRun(m, runChecked(m), m.steps, events, m.memory.pageCount);
    const after = m.events.slice(events);
    expect(after.some((e) => e.kind === 'vmexit' && e.reason === 18)).toBe(true);
    expect(after.some((e) => e.kind === 'fault' && e.vector === 1)).toBe(false);
  });
});
