// The snapshot wire format over a real comlink channel (Node's MessageChannel): the page sees the
// same snapshots as an in-process API would give, while each answer after the first carries only
// a patch; a patch whose base the page lost is recovered with a whole snapshot.
import { readFileSync } from 'node:fs';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { expose, wrap } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { createLabApi, type LabApi, type LabSettings } from './api.ts';
import { decodingRemote, encodingApi, SnapshotDecoder, SnapshotEncoder, type WireSnapshot } from './transport.ts';

const BRINGUP = readFileSync(new URL('../ui/programs/bringup.asm', import.meta.url), 'utf8');
const SETTINGS: LabSettings = { profile: '', msrEdits: {}, breakpoints: [] };
const ports: MessagePort[] = [];

function endpoint(port: MessagePort, seen?: unknown[]) {
  const map = new Map<unknown, (data: unknown) => void>();
  return {
    postMessage: (m: unknown, t?: readonly unknown[]) => {
      seen?.push(m);
      port.postMessage(m, t as never);
    },
    addEventListener(type: string, l: (ev: { data: unknown }) => void) {
      const h = (data: unknown) => l({ data });
      map.set(l, h);
      port.on('message', h);
    },
    removeEventListener(_type: string, l: unknown) {
      const h = map.get(l);
      if (h) port.off('message', h);
    },
  };
}

afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

describe('snapshot transport', () => {
  it('gives the same snapshots as the API in process, with small answers after the first', async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const sent: unknown[] = [];
    expose(encodingApi(createLabApi()), endpoint(port1, sent) as never);
    const remote = decodingRemote(wrap<LabApi>(endpoint(port2) as never));
    const local = createLabApi();
    const first = await remote.load(BRINGUP, SETTINGS);
    expect(first).toEqual(local.load(BRINGUP, SETTINGS));
    let prev = first.snapshot;
    for (let i = 0; i < 60; i++) {
      const s = await remote.step();
      expect(s).toEqual(local.step());
      // Unchanged parts are the previous objects (the store's selectors see no change).
      if (JSON.stringify(s.msrs) === JSON.stringify(prev.msrs)) expect(s.msrs).toBe(prev.msrs);
      prev = s;
    }
    expect((await remote.stepBack(5)).snapshot).toEqual(local.stepBack(5).snapshot);
    expect((await remote.vmwrite('GUEST_RIP', '0x1234')).snapshot).toEqual(local.vmwrite('GUEST_RIP', '0x1234').snapshot);
    expect(await remote.run()).toEqual(await local.run());
    expect(await remote.profiles()).toEqual(local.profiles());
    // The answers on the wire: the load carried the whole snapshot, a step a patch.
    const sizes = sent.map((m) => JSON.stringify(m).length);
    const full = JSON.stringify(first.snapshot).length;
    expect(sizes[0]).toBeGreaterThan(full);
    expect(sizes[1]).toBeLessThan(full / 20);
  });

  it('recovers a whole snapshot when a patch arrives for a base it does not have', async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const api = createLabApi();
    expose(encodingApi(api), endpoint(port1) as never);
    const remote = decodingRemote(wrap<LabApi>(endpoint(port2) as never), new SnapshotDecoder());
    await remote.load(BRINGUP, SETTINGS);
    // A second page-side decoder that never saw the first snapshot.
    const orphan = decodingRemote(wrap<LabApi>(endpoint(port2) as never), new SnapshotDecoder());
    expect(await orphan.step()).toEqual(api.snapshot());
  });

  it('numbers snapshots and patches each against the one before', () => {
    const enc = new SnapshotEncoder();
    const dec = new SnapshotDecoder();
    const api = createLabApi();
    const a = enc.encode(api.load(BRINGUP, SETTINGS).snapshot);
    const b = enc.encode(api.snapshot());
    expect([a.base, b.base, b.patch]).toEqual([0, a.$snap, null]);
    expect(dec.decode(b)).toBeUndefined();
    const s = dec.decode(a)!;
    expect(dec.decode(b)).toBe(s);
    enc.reset();
    expect(enc.encode(api.step()).base).toBe(0);
    expect(dec.decode({ $snap: 99, base: 98, patch: null } as WireSnapshot)).toBeUndefined();
  });
});
