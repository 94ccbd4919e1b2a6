// The Memory panel's watched bytes (and latest EPT walk) come with a Step: read by the worker
// right after the step, in the same answer (`stepWatching`), and set with its snapshot in one
// store update (one round trip, one render); other commands read them again after their answer.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLabApi } from '../../worker/api.ts';
import { LabSession } from '../../worker/session.ts';
import type { LabClient } from '../../worker/client.ts';
import { createBridge } from './bridge.ts';
import { createLabStore } from './store.ts';

const BRINGUP = readFileSync(new URL('../programs/bringup.asm', import.meta.url), 'utf8');

function lab() {
  const api = createLabApi();
  const calls: string[] = [];
  const counted = new Proxy(api, {
    get(target, prop) {
      const f = target[prop as keyof typeof target] as (...a: unknown[]) => unknown;
      return (...a: unknown[]) => {
        calls.push(prop === 'readMemory' ? `readMemory ${(a[0] as number).toString(16)}` : String(prop));
        return Promise.resolve(f(...a));
      };
    },
  });
  const client = { api: () => counted, restart() {}, onRestart: () => () => {}, watch: () => () => {} } as unknown as LabClient;
  const store = createLabStore(BRINGUP);
  return { api, calls, store, commands: createBridge(client, store) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('bridge: watched memory with the step', () => {
  it('sets each Step\'s bytes and latest EPT walk in the same store update as its snapshot', async () => {
    const { api, calls, store, commands } = lab();
    await commands.load();
    commands.watchMemory({ phys: 0x1000, length: 256 });
    commands.watchLatestEpt(true);
    await settle();
    expect(store.getState().memory?.phys).toBe(0x1000);
    expect(store.getState().latestEpt).not.toBeNull();
    const updates: { steps: number | undefined; memoryChanged: boolean; snapshotChanged: boolean }[] = [];
    const unsub = store.subscribe((s, prev) => updates.push({ steps: s.snapshot?.steps, memoryChanged: s.memory !== prev.memory, snapshotChanged: s.snapshot !== prev.snapshot }));
    calls.length = 0;
    for (let i = 0; i < 5; i++) await commands.step();
    await settle();
    unsub();
    // One update per Step carrying both, and one call to the worker per Step: the step with the reads.
    expect(updates.length).toBe(5);
    expect(updates.every((u) => u.memoryChanged && u.snapshotChanged)).toBe(true);
    expect(calls).toEqual(Array.from({ length: 5 }, () => 'stepWatching'));
    expect(store.getState().memory?.bytes).toEqual(api.readMemory(0x1000, 256));
    expect(store.getState().latestEpt?.view).toEqual(api.latestEptWalk());
  });

  it('reads them again after another command, for the window watched now, and stops when unwatched', async () => {
    const { calls, store, commands } = lab();
    await commands.load();
    commands.watchMemory({ phys: 0x2000, length: 16 });
    await commands.step();
    await commands.writeMemory(0x2000, '90 90');
    await settle();
    const m = store.getState().memory!;
    expect([m.phys, m.bytes[0], m.bytes[1]]).toEqual([0x2000, 0x90, 0x90]);
    commands.watchMemory({ phys: 0x3000, length: 16 });
    await settle();
    expect(store.getState().memory?.phys).toBe(0x3000);
    commands.watchMemory(null);
    expect(store.getState().memory).toBeNull();
    calls.length = 0;
    await commands.step();
    await settle();
    expect(calls).toEqual(['step']);
  });

  it('a step back carries them too', async () => {
    const { api, calls, store, commands } = lab();
    await commands.load();
    commands.watchMemory({ phys: 0x1000, length: 32 });
    for (let i = 0; i < 3; i++) await commands.step();
    await settle();
    calls.length = 0;
    await commands.stepBack();
    await settle();
    expect(calls).toEqual(['stepWatching']);
    expect(store.getState().snapshot?.steps).toBe(2);
    expect(store.getState().memory?.bytes).toEqual(api.readMemory(0x1000, 32));
    await commands.stepBack(50);
    expect(store.getState().snapshot?.steps).toBe(0);
    expect(calls).toEqual(['stepWatching', 'stepWatching']);
  });

  it('a watched read that fails in the worker leaves its key out and keeps the step', () => {
    class Unreadable extends LabSession {
      override readMemory(): Uint8Array {
        throw new Error('unreadable');
      }
    }
    const api = createLabApi(new Unreadable());
    api.load(BRINGUP, { profile: 'skylake-client', msrEdits: {}, breakpoints: [] });
    const r = api.stepWatching(1, false, { memory: { phys: 0x1000, length: 16 }, latestEpt: true });
    expect(r.snapshot.steps).toBe(1);
    expect(r.ok).toBe(true);
    expect('memory' in r).toBe(false);
    expect(r.latestEpt).toEqual({ view: undefined });
  });
});
