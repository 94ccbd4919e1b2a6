// The bridge between the worker and the store: every command goes to the worker, and its answer
// (a plain snapshot) is written into the store with setState, from outside React. After a worker
// crash the program and settings (kept here, on the UI side) are loaded again and the step count
// replayed, so the learner loses nothing but panel edits made since the last load.

import type { LabClient } from '../../worker/client.ts';
import type { EditOutcome, LabSettings, LabSnapshot, SharedStateResult, SharedStateView } from '../../worker/types.ts';
import type { LatestEptWalkView, SteppedWatching, WalkRequest, WalkView, WatchRequest } from '../../worker/types.ts';
import { recallAuthored, rememberAuthored } from '../authoring/authored-lessons.ts';
import { shareEqual } from './share-equal.ts';
import type { LabState } from './slices.ts';
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
  /**
   * The Memory panel's window (null: none): its bytes are read now and again with every snapshot
   * into the store's `memory`; a Step or Step back asks for them beside the step and sets them
   * with its snapshot in one store update (one round trip, one render).
   */
  watchMemory(window: { phys: number; length: number } | null): void;
  /** Whether the store's `latestEpt` is kept up to date the same way (the Memory panel's walks). */
  watchLatestEpt(on: boolean): void;
  writeMemory(phys: number, bytes: string): Promise<void>;
  /** Raises IRQ `line` (0-15) or an NMI before the next step. */
  raiseInterrupt(line: number | 'nmi'): Promise<void>;
  /** A read-only paging or EPT walk (the Memory panel's Walk); changes nothing. */
  walk(request: WalkRequest): Promise<WalkView>;
  /** The EPT walk recorded with the latest EPT violation or misconfiguration, if any. */
  latestEptWalk(): Promise<LatestEptWalkView | undefined>;
  /**
   * Share: encodes the lab state (lesson and hint step, program, profile, MSR edits, breakpoints)
   * as a `#s=` link with src/share, copies and shows it; when it is too long for a link, offers
   * the state file instead.
   */
  share(): Promise<void>;
  /** Opens lesson `id` at its start (or, with `resume`, the learner's saved work on it). False when the lab has no such lesson. */
  openLesson(id: string, opts?: { resume?: boolean }): Promise<boolean>;
  /**
   * Opens a lesson that is not built in (an instructor's: from a lesson file or a `#lesson=` link)
   * as a student sees it: validated and registered in the worker, then opened like a built-in
   * lesson under its `authored:<id>` key. False (and `notice` says why) when refused.
   */
  openAuthoredLesson(lesson: unknown): Promise<boolean>;
  /** Leaves the lesson: the free lab with the same program. */
  closeLesson(): Promise<void>;
  /** Fetches the lesson list once. */
  listLessons(): Promise<void>;
  /** Unlocks the next hint. */
  showHint(): void;
  /** Runs the program from a fresh lesson machine and judges every goal (checkLesson). */
  checkGoals(): Promise<void>;
  /** Opens a shared state from a `#s=` fragment (`file`: from a state file's text). False when refused (then `notice` says why). */
  openShared(data: string, from: 'link' | 'file'): Promise<boolean>;
  /** Clears the notice about a refused lesson or link. */
  dismissNotice(): void;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Creates the commands over a client and a store. */
export function createBridge(client: LabClient, store: LabStore): LabCommands {
  const command = (): ReturnType<LabClient['api']> => client.api();
  const settings = (): LabSettings => {
    const s = store.getState();
    return s.lesson ? { profile: s.profile, msrEdits: s.msrEdits, breakpoints: s.breakpoints, lesson: s.lesson.id }
      : { profile: s.profile, msrEdits: s.msrEdits, breakpoints: s.breakpoints };
  };
  // What the Memory panel watches (its bytes window, the latest EPT walk): read again after
  // every snapshot. A Step asks for them in the same breath as the step (the worker answers back
  // to back) and sets them with the snapshot in one store update, so the panel renders once per
  // Step and no second round trip follows it.
  let memWindow: { phys: number; length: number } | null = null;
  let watchEpt = false;
  type Watched = Partial<Pick<LabState, 'memory' | 'latestEpt'>>;
  function readWatched(api: ReturnType<LabClient['api']>): Promise<Watched> {
    const w = memWindow;
    const e = watchEpt;
    if (!w && !e) return Promise.resolve({});
    const bytes = w ? api.readMemory(w.phys, w.length) : undefined;
    const latest = e ? api.latestEptWalk() : undefined;
    return Promise.all([bytes, latest]).then(([b, l]): Watched => ({
      ...(w && b ? { memory: { phys: w.phys, length: w.length, bytes: b } } : {}),
      // The same walk keeps its identity (its drawing does not render again).
      ...(e ? { latestEpt: { view: shareEqual(store.getState().latestEpt?.view, l) } } : {}),
    }), () => ({}));
  }
  /** What is watched now, as the worker's `stepWatching` asks for it. */
  const watchRequest = (): WatchRequest => ({ ...(memWindow ? { memory: memWindow } : {}), ...(watchEpt ? { latestEpt: true } : {}) });
  /** The watched parts of a Step's answer for window `w` (as asked), for the store (the walk keeps its identity when unchanged). */
  function watchedOf(r: SteppedWatching, w: typeof memWindow): Watched {
    return {
      ...(w && r.memory ? { memory: { phys: w.phys, length: w.length, bytes: r.memory } } : {}),
      ...(r.latestEpt ? { latestEpt: { view: shareEqual(store.getState().latestEpt?.view, r.latestEpt.view) } } : {}),
    };
  }
  /** Reads what is watched and stores it (after a command whose answer did not carry it). */
  const refreshWatched = (): void => {
    if (memWindow || watchEpt) void readWatched(client.api()).then((w) => store.setState(w));
  };
  const show = (snapshot: LabSnapshot, message: { text: string; ok: boolean } | null = null, watched?: Watched): void => {
    // Unchanged parts keep their identity, so only panels whose data changed re-render.
    store.setState((s) => ({ previous: s.snapshot, snapshot: shareEqual(s.snapshot, snapshot), message, ...watched }));
    if (!watched) refreshWatched();
  };
  const showEdit = (o: EditOutcome): void => show(o.snapshot, { text: o.message, ok: o.ok });

  async function load(): Promise<void> {
    const s = store.getState();
    store.setState({ status: 'loading' });
    const api = command();
    // One round trip's latency for all three: the tables are fetched beside the first load.
    const [profiles, catalog, r] = await Promise.all([
      s.profiles.length === 0 ? api.profiles() : Promise.resolve(s.profiles),
      s.catalog ? Promise.resolve(s.catalog) : api.catalog(),
      api.load(s.source, settings()),
    ]);
    store.setState({ profiles, catalog, diagnostics: r.diagnostics, loadedSource: s.source, status: 'idle', previous: null, snapshot: shareEqual(store.getState().snapshot, r.snapshot),
      message: r.ok ? null : { text: `The program does not assemble: ${r.diagnostics.length} problem(s)`, ok: false } });
    refreshWatched();
  }

  // Authored lessons this page opened, by key: a restarted worker gets them again before the
  // reload below (messages reach the worker in order), so the open lesson keeps its machine and goals.
  const authored = new Map<string, unknown>();
  client.onRestart(() => {
    for (const lesson of authored.values()) void command().addLesson(lesson);
  });
  client.onRestart(() => {
    const steps = store.getState().snapshot?.steps ?? 0;
    void (async () => {
      await load();
      if (steps > 0) show(await command().step(steps), { text: `The lab's worker stopped and was restarted; the program was replayed to step ${steps}.`, ok: true });
    })();
  });

  const idle = (): boolean => store.getState().status === 'idle';

  return {
    load,
    async step(n = 1) {
      if (!idle()) return;
      const api = command();
      const w = memWindow;
      if (!w && !watchEpt) return show(await api.step(n));
      const r = await api.stepWatching(n, false, watchRequest());
      show(r.snapshot, null, watchedOf(r, w));
    },
    async stepBack(n = 1) {
      if (!idle()) return;
      const api = command();
      const w = memWindow;
      const r = w || watchEpt ? await api.stepWatching(n, true, watchRequest()) : await api.stepBack(n);
      show(r.snapshot, r.ok ? null : { text: 'Cannot step back further: that step is older than the history kept.', ok: false }, 'memory' in r || 'latestEpt' in r ? watchedOf(r, w) : undefined);
    },
    async jumpTo(step) {
      if (!idle()) return;
      const r = await command().jumpTo(step);
      show(r.snapshot, r.ok ? null : { text: `Cannot go back to step ${step}.`, ok: false });
    },
    async run() {
      if (!idle()) return;
      store.setState({ status: 'running', message: null });
      try {
        const r = await command().run();
        const text = r.kind === 'interrupted' ? `Stopped by you at step ${r.snapshot.steps}.`
          : r.kind === 'breakpoint' ? `Paused at the breakpoint on line ${r.snapshot.line}.` : null;
        show(r.snapshot, text ? { text, ok: true } : null);
      } finally {
        store.setState({ status: 'idle' });
      }
      if (store.getState().lesson) await checkGoals();
    },
    async stop() {
      await command().stop();
    },
    async reset() {
      if (store.getState().status === 'running') await command().stop();
      if (store.getState().source !== store.getState().loadedSource) return load();
      show(await command().reset());
    },
    async toggleBreakpoint(line) {
      const s = store.getState();
      const at = line ?? s.snapshot?.line;
      if (at === undefined) return;
      const breakpoints = s.breakpoints.includes(at) ? s.breakpoints.filter((b) => b !== at) : [...s.breakpoints, at].sort((a, b) => a - b);
      store.setState({ breakpoints });
      show(await command().setBreakpoints(breakpoints));
    },
    setSource(text) {
      store.setState({ source: text, goalResults: null });
    },
    async setProfile(id) {
      store.setState({ profile: id, msrEdits: Object.fromEntries(Object.entries(store.getState().msrEdits).filter(([k]) => k === '0x3a')) });
      await load();
    },
    async setCrBit(reg, bit, value) {
      showEdit(await command().setCrBit(reg, bit, value));
    },
    async editMsr(index, value) {
      const o = await command().editMsr(index, value);
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
      showEdit(await command().vmwrite(field, value));
    },
    async setRegister(name, value) {
      showEdit(await command().setRegister(name, value));
    },
    readMemory: (phys, length) => client.api().readMemory(phys, length),
    watchMemory(window) {
      memWindow = window && { phys: window.phys, length: window.length };
      if (!memWindow) store.setState({ memory: null });
      refreshWatched();
    },
    watchLatestEpt(on) {
      watchEpt = on;
      if (!on) store.setState({ latestEpt: null });
      else refreshWatched();
    },
    async raiseInterrupt(line) {
      showEdit(await command().raiseInterrupt(line));
    },
    walk: (request) => command().walk(request),
    latestEptWalk: () => command().latestEptWalk(),
    async writeMemory(phys, bytes) {
      showEdit(await command().writeMemory(phys, bytes));
    },
    async share() {
      const s = store.getState();
      const state: SharedStateView = {
        lesson: s.lesson ? { id: s.lesson.id, step: s.hintsShown } : null,
        program: s.source.replace(/\r\n?/g, '\n'),
        profile: s.profile || s.snapshot?.profile || '',
        msrs: s.lesson ? { ...s.lesson.msrs, ...s.msrEdits } : { ...s.msrEdits },
        regs: {},
        breakpoints: [...s.breakpoints],
        editor: {},
      };
      const e = await command().encodeState(state);
      if (!e.ok) {
        store.setState({ share: null, message: { text: `Cannot share this state: ${e.message ?? 'it is not valid'}`, ok: false } });
        return;
      }
      const loc = globalThis.location;
      // An embedded lesson shares an embedded link.
      const embed = loc && new URLSearchParams(loc.search).get('embed') === '1' ? '?embed=1' : '';
      const url = e.fits && loc ? `${loc.origin}${loc.pathname}${embed}${e.fragment}` : null;
      let copied = false;
      if (url) {
        try {
          await globalThis.navigator?.clipboard?.writeText(url);
          copied = true;
        } catch {
          copied = false;
        }
      }
      store.setState({
        share: { url, file: e.file, copied },
        message: url ? { text: copied ? 'Link copied: it opens this lab state.' : 'Copy the link below: it opens this lab state.', ok: true }
          : { text: 'This state is too large for a link: download it as a file and open it with "Open file".', ok: true },
      });
    },
    openLesson,
    async openAuthoredLesson(lesson) {
      const r = await command().addLesson(lesson);
      if (!r.ok) {
        store.setState({ notice: `This lesson could not be opened: ${r.errors.slice(0, 3).join('; ')}` });
        return false;
      }
      authored.set(r.id, lesson);
      rememberAuthored(r.id, lesson);
      return openLesson(r.id);
    },
    async closeLesson() {
      store.setState({ lesson: null, goalResults: null, hintsShown: 0 });
      await load();
    },
    async listLessons() {
      if (store.getState().lessonList.length > 0) return;
      store.setState({ lessonList: await command().lessons() });
    },
    showHint() {
      store.setState((s) => ({ hintsShown: Math.min((s.lesson?.hints.length ?? 0), s.hintsShown + 1) }));
    },
    checkGoals,
    async openShared(data, from) {
      const api = command();
      const r: SharedStateResult = from === 'link' ? await api.decodeState(data) : await api.decodeStateFile(data);
      if (!r.ok) {
        store.setState({ notice: `This ${from === 'link' ? 'link' : 'file'} could not be opened: ${r.message}. Your saved work is untouched.` });
        return false;
      }
      const st = r.state;
      if (r.lesson !== undefined && st.lesson) {
        authored.set(st.lesson.id, r.lesson);
        rememberAuthored(st.lesson.id, r.lesson);
      }
      const lesson = st.lesson ? await api.lesson(st.lesson.id) : undefined;
      if (st.lesson && !lesson) {
        store.setState({ notice: `This ${from} names lesson "${st.lesson.id}", which this lab does not have.` });
        return false;
      }
      store.setState({
        lesson: lesson ?? null,
        hintsShown: Math.min(st.lesson?.step ?? 0, lesson?.hints.length ?? 0),
        goalResults: null,
        source: st.program,
        profile: st.profile,
        msrEdits: { ...st.msrs },
        breakpoints: [...st.breakpoints],
        notice: null,
        share: null,
      });
      await load();
      store.setState({ message: { text: `Opened the shared state${r.migratedFrom !== undefined ? ` (an older link, format ${r.migratedFrom})` : ''}.`, ok: true } });
      return true;
    },
    dismissNotice() {
      store.setState({ notice: null });
    },
  };

  async function checkGoals(): Promise<void> {
    const s = store.getState();
    if (!s.lesson) return;
    store.setState({ checking: true });
    try {
      const r = await command().checkLesson(s.lesson.id, s.source, s.profile);
      if (store.getState().lesson?.id === s.lesson.id) store.setState({ goalResults: r ?? null });
    } finally {
      store.setState({ checking: false });
    }
  }

  async function openLesson(id: string, opts: { resume?: boolean } = {}): Promise<boolean> {
    let lesson = await command().lesson(id);
    // An instructor's lesson this browser opened before (a reload): the worker gets it back, validated again.
    const kept = !lesson && id.startsWith('authored:') ? recallAuthored(id) : undefined;
    if (kept !== undefined && (await command().addLesson(kept)).ok) {
      authored.set(id, kept);
      lesson = await command().lesson(id);
    }
    if (!lesson) {
      store.setState({ notice: `There is no lesson "${id.slice(0, 80)}" in this lab. Pick one from the lesson list.` });
      return false;
    }
    const s = store.getState();
    const resume = opts.resume === true && s.resumeLesson === id;
    store.setState({
      lesson,
      hintsShown: 0,
      goalResults: null,
      share: null,
      resumeLesson: null,
      ...(opts.resume ? {} : { notice: null }),
      ...(resume ? {} : { source: lesson.start, profile: lesson.profile, msrEdits: {}, breakpoints: [] }),
    });
    await load();
    return true;
  }
}
