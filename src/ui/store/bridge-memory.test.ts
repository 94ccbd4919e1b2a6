// The Memory panel's read after a step is answered by the bytes the step asked for beside it
// (one round trip, not two); any other command in between makes that prefetch stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLabApi } from '../../worker/api.ts';
import type { LabClient } from '../../worker/client.ts';
import { createBridge } from './bridge.ts';
import { createLabStore } from './store.ts';

const BRINGUP = readFileSync(new URL('../programs/bringup.asm', import.meta.url), 'utf8');

function lab() {
  const api = createLabApi();
  const reads: number[] = [];
  const counted = new Proxy(api, {
    get(target, prop) {
      if (prop === 'readMemory') return (phys: number, length: number) => { reads.push(phys); return Promise.resolve(target.readMemory(phys, length)); };
      const f = target[prop as keyof typeof target] as (...a: unknown[]) => unknown;
      return (...a: unknown[]) => Promise.resolve(f(...a));
    },
  });
  const client = { api: () => counted, restart() {}, onRestart: () => () => {}, watch: () => () => {} } as unknown as LabClient;
  const store = createLabStore(BRINGUP);
  return { api, reads, store, commands: createBridge(client, store) };
}

describe('bridge: memory read with the step', () => {
  it('asks for the watched bytes with each step and hands them to the next read of that window', async () => {
    const { api, reads, commands } = lab();
    await commands.load();
    await commands.readMemory(0x1000, 256);
    expect(reads).toEqual([0x1000]);
    for (let i = 0; i < 5; i++) await commands.step();
    // One read per step, issued by the step itself; the panel's read takes it.
    expect(reads.length).toBe(6);
    const bytes = await commands.readMemory(0x1000, 256);
    expect(reads.length).toBe(6);
    expect(bytes).toEqual(api.readMemory(0x1000, 256));
    // Taken once only.
    await commands.readMemory(0x1000, 256);
    expect(reads.length).toBe(7);
  });

  it('does not hand out bytes read before a later command or for another window', async () => {
    const { reads, commands } = lab();
    await commands.load();
    await commands.readMemory(0x2000, 16);
    await commands.step();
    await commands.writeMemory(0x2000, '90 90');
    const after = await commands.readMemory(0x2000, 16);
    expect([after[0], after[1]]).toEqual([0x90, 0x90]);
    await commands.step();
    await commands.readMemory(0x3000, 16);
    expect(reads).toEqual([0x2000, 0x2000, 0x2000, 0x2000, 0x3000]);
  });
});
