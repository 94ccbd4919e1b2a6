// An instructor's lesson in the student view, over the real worker API (in-process): it opens
// like a built-in lesson (text, goals, hints, Check goals on its own machine), Share carries it in
// the link, the link opens it again, and a restarted worker gets it back before the lab reloads.
import { describe, expect, it } from 'vitest';
import { createLabApi, type LabApi } from '../../worker/api.ts';
import type { LabClient } from '../../worker/client.ts';
import { createBridge } from '../store/bridge.ts';
import { createLabStore } from '../store/store.ts';

const LESSON = {
  id: 'open-authored-rax', kind: 'challenge', title: 'RAX must be good', summary: 'Make RAX good.', text: 'The program ends with the **wrong** RAX.',
  start: 'mov rax, 1\nhlt\n', solution: 'mov rax, 0x600d\nhlt\n',
  machine: { profile: 'core2-conroe', regs: { rbx: '0x77' } }, profiles: ['core2-conroe'], hints: ['Look at RAX.', 'mov rax, 0x600d'],
  goals: [{ kind: 'reg', label: 'RAX ends as 0x600d', reg: 'rax', equals: '0x600d' }, { kind: 'stop', label: 'it halts', stop: 'halted' }],
};

function lab(api: LabApi = createLabApi()) {
  const restart: (() => void)[] = [];
  const calls: string[] = [];
  const traced = new Proxy(api, {
    get(target, name: string) {
      const f = (target as unknown as Record<string, unknown>)[name];
      return typeof f === 'function' ? (...args: unknown[]) => { calls.push(name); return (f as (...a: unknown[]) => unknown)(...args); } : f;
    },
  });
  const client = { api: () => traced, restart() {}, onRestart: (l: () => void) => { restart.push(l); return () => {}; }, watch: () => () => {} } as unknown as LabClient;
  const store = createLabStore('hlt\n');
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
