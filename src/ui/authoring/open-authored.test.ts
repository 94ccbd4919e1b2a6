// An instructor's lesson in the student view, over the real worker API (in-process): it opens
// like a built-in lesson (text, goals, hints, Check goals on its own machine), Share carries it in
// the link, the link opens it again, and a restarted worker gets it back before the lab reloads.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startLab } from '../app/start.ts';
import { createLabApi, type LabApi } from '../../worker/api.ts';
import type { LabClient } from '../../worker/client.ts';
import { createBridge } from '../store/bridge.ts';
import { createLabStore } from '../store/store.ts';
import { AUTHORED_STORAGE_KEY, MAX_KEPT, recallAuthored, rememberAuthored } from './authored-lessons.ts';

const LESSON = {
  id: 'open-authored-rax', kind: 'challenge', title: 'RAX must be good', summary: 'Make RAX good.', text: 'The program ends with the **wrong** RAX.',
  start: 'mov rax, 1\nhlt\n', solution: 'mov rax, 0x600d\nhlt\n',
  machine: { profile: 'core2-conroe', regs: { rbx: '0x77' } }, profiles: ['core2-conroe'], hints: ['Look at RAX.', 'mov rax, 0x600d'],
  goals: [{ kind: 'reg', label: 'RAX ends as 0x600d', reg: 'rax', equals: '0x600d' }, { kind: 'stop', label: 'it halts', stop: 'halted' }],
};

/** A local storage in memory. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() { return m.size; },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

function lab(api: LabApi = createLabApi(), storage?: Storage) {
  const restart: (() => void)[] = [];
  const calls: string[] = [];
  const traced = new Proxy(api, {
    get(target, name: string) {
      const f = (target as unknown as Record<string, unknown>)[name];
      return typeof f === 'function' ? (...args: unknown[]) => { calls.push(name); return (f as (...a: unknown[]) => unknown)(...args); } : f;
    },
  });
  const client = { api: () => traced, restart() {}, onRestart: (l: () => void) => { restart.push(l); return () => {}; }, watch: () => () => {} } as unknown as LabClient;
  const store = createLabStore('hlt\n', storage);
  return { store, commands: createBridge(client, store), restart, calls };
}

describe('an authored lesson in the student view', () => {
  it('opens with its text, goals and hints, its starting program and profile; Check goals judges it on its machine', async () => {
    const { store, commands } = lab();
    expect(await commands.openAuthoredLesson(LESSON)).toBe(true);
    const s = store.getState();
    expect(s.lesson).toMatchObject({ id: 'authored:open-authored-rax', title: 'RAX must be good', text: LESSON.text, hints: LESSON.hints });
    expect(s.lesson?.goals.map((g) => g.label)).toEqual(['RAX ends as 0x600d', 'it halts']);
    expect([s.source, s.profile]).toEqual([LESSON.start, 'core2-conroe']);
    await commands.checkGoals();
    expect(store.getState().goalResults?.goals.map((g) => g.passed)).toEqual([false, true]);
    commands.setSource(LESSON.solution);
    await commands.checkGoals();
    expect(store.getState().goalResults?.passed).toBe(true);
  });

  it('a lesson the validator refuses is not opened, and the notice says why', async () => {
    const { store, commands } = lab();
    expect(await commands.openAuthoredLesson({ ...LESSON, text: '<script>x</script>' })).toBe(false);
    expect(store.getState().notice).toMatch(/could not be opened: lesson\.text: no HTML/);
    expect(store.getState().lesson).toBeNull();
  });

  it('Share carries the lesson; the link opens it in another lab, step and program included', async () => {
    const a = lab();
    await a.commands.openAuthoredLesson(LESSON);
    a.commands.showHint();
    a.commands.setSource('mov rax, 2\nhlt\n');
    await a.commands.share();
    const url = a.store.getState().share?.url ?? null;
    const file = a.store.getState().share!.file;
    expect(file).toContain('"L"');
    const fragment = url ?? (await createLabApi().encodeState({ lesson: { id: 'authored:open-authored-rax', step: 1 }, program: 'mov rax, 2\nhlt\n', profile: 'core2-conroe', msrs: {}, regs: {}, breakpoints: [], editor: {} })).fragment;
    const b = lab();
    expect(await b.commands.openShared(fragment.slice(fragment.indexOf('#')), 'link')).toBe(true);
    const s = b.store.getState();
    expect([s.lesson?.id, s.lesson?.title, s.hintsShown, s.source]).toEqual(['authored:open-authored-rax', 'RAX must be good', 1, 'mov rax, 2\nhlt\n']);
    const c = lab();
    expect(await c.commands.openShared(file, 'file')).toBe(true);
    expect(c.store.getState().lesson?.title).toBe('RAX must be good');
  });

  it('after a worker restart the lesson is registered again before the lab reloads', async () => {
    const { commands, restart, calls } = lab();
    await commands.openAuthoredLesson(LESSON);
    calls.length = 0;
    for (const l of restart) l();
    expect(calls.indexOf('addLesson')).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf('addLesson')).toBeLessThan(calls.indexOf('load'));
  });
});

describe('an authored lesson across a reload', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('the page reopens it with the learner\'s program: the saved work names its key, the kept lesson goes back to the fresh worker', async () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    // A lesson id this process never registered, as a fresh page's worker would not know it.
    const lesson = { ...LESSON, id: 'kept-across-reload', title: 'Kept across a reload' };
    const a = lab(createLabApi(), storage);
    expect(await a.commands.openAuthoredLesson(lesson)).toBe(true);
    a.commands.setSource('mov rax, 7\nhlt\n');
    expect(JSON.parse(storage.getItem('vmx-lab:work')!).lesson).toBe('authored:kept-across-reload');
    expect(recallAuthored('authored:kept-across-reload', storage)).toEqual(lesson);

    const b = lab(createLabApi(), storage);
    expect(b.store.getState().resumeLesson).toBe('authored:kept-across-reload');
    await startLab(b.commands, b.store, { search: '', hash: '', pathname: '/' });
    const s = b.store.getState();
    expect([s.lesson?.id, s.lesson?.title, s.source, s.notice]).toEqual(['authored:kept-across-reload', 'Kept across a reload', 'mov rax, 7\nhlt\n', null]);
    await b.commands.checkGoals();
    expect(b.store.getState().goalResults?.goals.map((g) => g.label)).toEqual(['RAX ends as 0x600d', 'it halts']);
  });

  it('a kept lesson edited in storage into something invalid is refused by the worker: the saved program opens without it', async () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    storage.setItem('vmx-lab:work', JSON.stringify({ v: 1, source: 'nop\n', profile: '', msrEdits: {}, breakpoints: [], lesson: 'authored:tampered' }));
    rememberAuthored('authored:tampered', { ...LESSON, id: 'tampered', text: '<script>alert(1)</script>' }, storage);
    const b = lab(createLabApi(), storage);
    await startLab(b.commands, b.store, { search: '', hash: '', pathname: '/' });
    const s = b.store.getState();
    expect([s.lesson, s.source]).toEqual([null, 'nop\n']);
    expect(s.notice).toMatch(/no lesson "authored:tampered"/);
  });
});

describe('the kept lessons (local storage)', () => {
  it('keeps the most recent few, each once, and ignores what is not a list of [key, lesson]', () => {
    const storage = memoryStorage();
    for (let i = 0; i < MAX_KEPT + 3; i++) rememberAuthored(`authored:l${i}`, { i }, storage);
    rememberAuthored('authored:l5', { again: true }, storage);
    const kept = JSON.parse(storage.getItem(AUTHORED_STORAGE_KEY)!) as [string, unknown][];
    expect(kept).toHaveLength(MAX_KEPT);
    expect(kept[0]).toEqual(['authored:l5', { again: true }]);
    expect(kept.filter(([k]) => k === 'authored:l5')).toHaveLength(1);
    expect(recallAuthored('authored:l0', storage)).toBeUndefined();
    for (const junk of ['{', '{"a":1}', '[1,2]', '[["k"]]', 'null']) {
      storage.setItem(AUTHORED_STORAGE_KEY, junk);
      expect(recallAuthored('k', storage)).toBeUndefined();
    }
    rememberAuthored('authored:big', { text: 'x'.repeat(400_000) }, storage);
    expect(recallAuthored('authored:big', storage)).toBeUndefined();
    expect(() => rememberAuthored('k', 1, { getItem: () => null, setItem: () => { throw new Error('quota'); } } as unknown as Storage)).not.toThrow();
  });
});
