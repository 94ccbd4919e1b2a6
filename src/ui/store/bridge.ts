// The bridge between the worker and the store: every command goes to the worker, and its answer
// (a plain snapshot) is written into the store with setState, from outside React. After a worker
// crash the program and settings (kept here, on the UI side) are loaded again and the step count
// replayed, so the learner loses nothing but panel edits made since the last load.

import type { LabClient } from '../../worker/client.ts';
import type { EditOutcome, LabSettings, LabSnapshot } from '../../worker/types.ts';
import { shareEqual } from './share-equal.ts';
import type { LabStore } from './store.ts';

/** What actions and panels may ask for: the commands of the lab. */
export interface LabCommands {
  load(): Promise<void>;
  step(n?: number): Promise<void>;
  stepBack(n?: number): Promise<void>;
  jumpTo(step: number): Promise<void>;
  run(): Promise<void>;
  stop(): Promise<void>;
  reset(): Promise<void>;
  toggleBreakpoint(line?: number): Promise<void>;
  setSource(text: string): void;
  setProfile(id: string): Promise<void>;
  setCrBit(reg: 'CR0' | 'CR4' | 'EFER', bit: number, value: boolean): Promise<void>;
  editMsr(index: number, value: string): Promise<void>;
  /** Sets an MSR as firmware would have left it (kept, applied at every load) and reloads. */
  setFirmwareMsr(index: number, value: string): Promise<void>;
  vmwrite(field: string, value: string): Promise<void>;
  setRegister(name: string, value: string): Promise<void>;
  readMemory(phys: number, length: number): Promise<Uint8Array>;
  writeMemory(phys: number, bytes: string): Promise<void>;
  /** Copies the page address (the full state URL is issue 6). */
  share(): Promise<void>;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Creates the commands over a client and a store. */
export function createBridge(client: LabClient, store: LabStore): LabCommands {
  const settings = (): LabSettings => {
    const s = store.getState();
    return { profile: s.profile, msrEdits: s.msrEdits, breakpoints: s.breakpoints };
  };
  const show = (snapshot: LabSnapshot, message: { text: string; ok: boolean } | null = null): void => {
    // Unchanged parts keep their identity, so only panels whose data changed re-render.
    store.setState((s) => ({ previous: s.snapshot, snapshot: shareEqual(s.snapshot, snapshot), message }));
  };
  const showEdit = (o: EditOutcome): void => show(o.snapshot, { text: o.message, ok: o.ok });

  async function load(): Promise<void> {
    const s = store.getState();
    store.setState({ status: 'loading' });
    const api = client.api();
    // One round trip's latency for all three: the tables are fetched beside the first load.
    const [profiles, catalog, r] = await Promise.all([
      s.profiles.length === 0 ? api.profiles() : Promise.resolve(s.profiles),
      s.catalog ? Promise.resolve(s.catalog) : api.catalog(),
      api.load(s.source, settings()),
    ]);
    store.setState({ profiles, catalog, diagnostics: r.diagnostics, loadedSource: s.source, status: 'idle', previous: null, snapshot: shareEqual(store.getState().snapshot, r.snapshot),
      message: r.ok ? null : { text: `The program does not assemble: ${r.diagnostics.length} problem(s)`, ok: false } });
  }

  client.onRestart(() => {
    const steps = store.getState().snapshot?.steps ?? 0;
    void (async () => {
      await load();
      if (steps > 0) show(await client.api().step(steps), { text: `The lab's worker stopped and was restarted; the program was replayed to step ${steps}.`, ok: true });
    })();
  });

  const idle = (): boolean => store.getState().status === 'idle';

  return {
    load,
    async step(n = 1) {
      if (!idle()) return;
      show(await client.api().step(n));
    },
    async stepBack(n = 1) {
      if (!idle()) return;
      const r = await client.api().stepBack(n);
      show(r.snapshot, r.ok ? null : { text: 'Cannot step back further: that step is older than the history kept.', ok: false });
    },
    async jumpTo(step) {
      if (!idle()) return;
      const r = await client.api().jumpTo(step);
      show(r.snapshot, r.ok ? null : { text: `Cannot go back to step ${step}.`, ok: false });
    },
    async run() {
      if (!idle()) return;
      store.setState({ status: 'running', message: null });
      try {
        const r = await client.api().run();
        const text = r.kind === 'interrupted' ? `Stopped by you at step ${r.snapshot.steps}.`
          : r.kind === 'breakpoint' ? `Paused at the breakpoint on line ${r.snapshot.line}.` : null;
        show(r.snapshot, text ? { text, ok: true } : null);
      } finally {
        store.setState({ status: 'idle' });
      }
    },
    async stop() {
      await client.api().stop();
    },
    async reset() {
      if (store.getState().status === 'running') await client.api().stop();
      if (store.getState().source !== store.getState().loadedSource) return load();
      show(await client.api().reset());
    },
    async toggleBreakpoint(line) {
      const s = store.getState();
      const at = line ?? s.snapshot?.line;
      if (at === undefined) return;
      const breakpoints = s.breakpoints.includes(at) ? s.breakpoints.filter((b) => b !== at) : [...s.breakpoints, at].sort((a, b) => a - b);
      store.setState({ breakpoints });
      show(await client.api().setBreakpoints(breakpoints));
    },
    setSource(text) {
      store.setState({ source: text });
    },
    async setProfile(id) {
      store.setState({ profile: id, msrEdits: Object.fromEntries(Object.entries(store.getState().msrEdits).filter(([k]) => k === '0x3a')) });
      await load();
    },
    async setCrBit(reg, bit, value) {
      showEdit(await client.api().setCrBit(reg, bit, value));
    },
    async editMsr(index, value) {
      const o = await client.api().editMsr(index, value);
      showEdit(o);
      const m = o.snapshot.msrs.find((x) => x.index === hex(index));
      if (o.ok && m?.readOnly) store.setState((s) => ({ msrEdits: { ...s.msrEdits, [hex(index)]: m.value } }));
    },
    async setFirmwareMsr(index, value) {
      const v = value.trim().toLowerCase();
      if (!/^0x[0-9a-f]{1,16}$/.test(v)) {
        store.setState({ message: { text: `Write the firmware value in hex, e.g. 0x5 (got '${value}').`, ok: false } });
        return;
      }
      store.setState((s) => ({ msrEdits: { ...s.msrEdits, [hex(index)]: v } }));
      await load();
      store.setState({ message: { text: `MSR ${hex(index)} now starts as ${v} (as firmware left it); the machine was reset.`, ok: true } });
    },
    async vmwrite(field, value) {
      showEdit(await client.api().vmwrite(field, value));
    },
    async setRegister(name, value) {
      showEdit(await client.api().setRegister(name, value));
    },
    readMemory: (phys, length) => client.api().readMemory(phys, length),
    async writeMemory(phys, bytes) {
      showEdit(await client.api().writeMemory(phys, bytes));
    },
    async share() {
      const url = globalThis.location?.href ?? '';
      try {
        await globalThis.navigator?.clipboard?.writeText(url);
        store.setState({ message: { text: `Copied ${url}`, ok: true } });
      } catch {
        store.setState({ message: { text: `Copy this address: ${url}`, ok: true } });
      }
    },
  };
}
