// The Memory panel's walks through the worker API, on the EPT lesson's program (a guest behind a
// 4-level EPT that ends in an EPT violation) and on the bring-up: levels, outcomes, the latest
// EPT exit's walk, and no side effect on memory or on the machine.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findLesson } from '../lessons/index.ts';
import { createLabApi, type LabApi, type WalkRequest } from './api.ts';

const BRINGUP = readFileSync(new URL('../ui/programs/bringup.asm', import.meta.url), 'utf8');
const req = (over: Partial<WalkRequest>): WalkRequest => ({ kind: 'linear', address: '0', context: 'cpu', access: 'read', user: false, ...over });

/** Bytes of physical memory [from, to) through the API. */
function bytes(api: LabApi, from: number, to: number): Buffer {
  const pages: Uint8Array[] = [];
  for (let a = from; a < to; a += 4096) pages.push(api.readMemory(a, 4096));
  return Buffer.concat(pages);
}

async function eptLesson(): Promise<LabApi> {
  const api = createLabApi();
  const lesson = findLesson('ept')!;
  expect(api.load(lesson.start, { profile: '', msrEdits: {}, breakpoints: [], lesson: 'ept' }).ok).toBe(true);
  expect((await api.run()).snapshot.stopped).toBe('halted');
  return api;
}

describe('walks on the EPT lesson', () => {
  it("keeps the latest EPT violation's walk, and walks its guest-physical address again now", async () => {
    const api = await eptLesson();
    const latest = api.latestEptWalk()!;
    expect(latest).toMatchObject({ reason: 'EPT_VIOLATION', gpa: '0x10a000', access: 'execute' });
    expect(latest.lines[0]).toMatch(/^EPT walk of guest-physical 0x10a000/);
    expect(latest.lines.at(-1)).toMatch(/bit 2 \(execute\) is clear/);
    const w = api.walk(req({ kind: 'guest-physical', address: latest.gpa!, access: 'execute' }));
    expect(w.ok).toBe(true);
    expect(w.ept!.levels.map((l) => [l.name, l.role])).toEqual([['EPT PML4E', 'table'], ['EPT PDPTE', 'table'], ['EPT PDE', 'table'], ['EPT PTE', 'leaf']]);
    const pte = w.ept!.levels[3]!;
    expect(pte.entryAddr).toBe('0x107850');
    expect(pte.bits.map((b) => b.name)).toEqual(['R', 'W', 'X', 'MT', 'IPAT', 'A', 'D']);
    expect(pte.bits.find((b) => b.name === 'MT')?.value).toBe('6 WB');
    // The lesson's host gave the page execute access after the violation: now it translates.
    expect(w.ept).toMatchObject({ outcome: 'translated', hpa: '0x10a000', pageSize: '4 KiB' });
  });

  it("walks a guest linear address through the VMCS guest state, every table entry's address through EPT", async () => {
    const api = await eptLesson();
    const s = api.snapshot();
    const guestRip = s.vmcs.fields.find((f) => f.name === 'GUEST_RIP')!.value;
    const w = api.walk(req({ address: guestRip, context: 'vmcs-guest', access: 'execute' }));
    expect(w.notes.join(' ')).toMatch(/EPT is on/);
    const page = w.page!;
    expect(page.paging).toBe('4-level');
    expect(page.levels.every((l) => l.ept?.outcome === 'translated' && l.hostAddr !== undefined)).toBe(true);
    expect(page.outcome).toBe('translated');
    expect(page.ept?.outcome).toBe('translated');
  });

  it('changes nothing: memory, steps and the snapshot are the same after every kind of walk', async () => {
    const api = await eptLesson();
    const mem = bytes(api, 0, 0x200000);
    const before = JSON.stringify(api.snapshot());
    const gpas = ['0x10a000', '0x0', '0x10000', '0x7fff000', '0xfffffffff000'];
    for (const address of gpas) {
      for (const access of ['read', 'write', 'execute'] as const) {
        api.walk(req({ kind: 'guest-physical', address, access }));
        api.walk(req({ address, context: 'vmcs-guest', access, user: true }));
        api.walk(req({ address, context: 'cpu', access }));
      }
    }
    api.latestEptWalk();
    expect(JSON.stringify(api.snapshot())).toBe(before);
    expect(bytes(api, 0, 0x200000).equals(mem)).toBe(true);
  });
});

describe('the latest EPT walk, drawn', () => {
  it('right after the violation, the walk made again reads what the exit read: same levels, same verdict', async () => {
    const api = await eptLesson();
    // Back to just after the exit's step (the timeline's travel).
    expect(api.jumpTo(api.latestEptWalk()!.step).ok).toBe(true);
    const latest = api.latestEptWalk()!;
    expect(latest.same).toBe(true);
    expect(latest.now).toMatchObject({ outcome: 'violation', gpa: '0x10a000' });
    const pte = latest.now!.levels.at(-1)!;
    expect(pte.bits.find((b) => b.name === 'X')).toMatchObject({ value: '0', decisive: true });
    expect(latest.now!.levels.flatMap((l) => l.bits).filter((b) => b.decisive)).toHaveLength(1);
    expect(latest.now!.summary).toMatch(/bit 2 \(execute\) is clear/);
  });

  it('after the host changed the entry, the exit\'s lines stay and the walk now differs', async () => {
    const api = await eptLesson();
    const latest = api.latestEptWalk()!;
    expect(latest.same).toBe(false);
    expect(latest.now?.outcome).toBe('translated');
  });
});

describe('walks on the bring-up', () => {
  it("walks RIP through the processor's 4-level paging; a missing mapping is a #PF with its error code", () => {
    const api = createLabApi();
    api.load(BRINGUP, { profile: 'skylake-client', msrEdits: {}, breakpoints: [] });
    const s = api.step(3);
    const w = api.walk(req({ address: s.rip, access: 'execute' }));
    expect(w.page!.levels.map((l) => l.name)).toEqual(['PML4', 'PDPT', 'PD']);
    expect(w.page!.outcome).toBe('translated');
    expect(w.ept).toBeUndefined();
    const miss = api.walk(req({ address: '0x00007f0000000000', access: 'write', user: true }));
    expect(miss.page).toMatchObject({ outcome: 'page-fault', errorCode: '0x6' });
    expect(miss.page!.levels.at(-1)!.role).toBe('not-present');
  });

  it('refuses what it cannot walk, in words', () => {
    const api = createLabApi();
    api.load(BRINGUP, { profile: 'skylake-client', msrEdits: {}, breakpoints: [] });
    expect(api.walk(req({ address: 'rip+4' }))).toMatchObject({ ok: false, message: expect.stringMatching(/not an address/) });
    expect(api.walk(req({ kind: 'guest-physical', address: '0x1000' }))).toMatchObject({ ok: false, message: expect.stringMatching(/no current VMCS/) });
    expect(api.walk(req({ address: '0x1000', context: 'vmcs-guest' }))).toMatchObject({ ok: false, message: expect.stringMatching(/no current VMCS/) });
    expect(api.latestEptWalk()).toBeUndefined();
  });
});
