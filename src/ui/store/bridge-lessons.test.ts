// The bridge's lesson and share commands over the real worker API (in-process, no comlink): a
// lesson opens at its start, Check goals fills the goals, Share encodes what the page holds and a
// link restores it, a refused link changes nothing but the notice.
import { describe, expect, it } from 'vitest';
import { findLesson } from '../../lessons/index.ts';
import { createLabApi } from '../../worker/api.ts';
import type { LabClient } from '../../worker/client.ts';
import { createBridge } from './bridge.ts';
import { createLabStore } from './store.ts';

function lab() {
  const api = createLabApi();
  const client = { api: () => api, restart() {}, onRestart: () => () => {}, watch: () => () => {} } as unknown as LabClient;
  const store = createLabStore('hlt\n');
  return { store, commands: createBridge(client, store) };
}

describe('bridge: lessons and shared states', () => {
  it('opens a lesson at its start, checks its goals, and refuses an unknown id with a notice', async () => {
    const { store, commands } = lab();
    const vmxon = findLesson('vmxon')!;
    expect(await commands.openLesson('vmxon')).toBe(true);
    expect(store.getState().source).toBe(vmxon.start);
    expect(store.getState().lesson?.title).toBe(vmxon.title);
    await commands.checkGoals();
    expect(store.getState().goalResults?.passed).toBe(false);
    commands.setSource(vmxon.solution);
    expect(store.getState().goalResults).toBeNull();
    await commands.checkGoals();
    expect(store.getState().goalResults?.passed).toBe(true);
    expect(await commands.openLesson('no-such')).toBe(false);
    expect(store.getState().notice).toMatch(/no lesson "no-such"/);
    expect(store.getState().lesson?.id).toBe('vmxon');
  });

  it('shares the lesson, hints, program, profile and breakpoints, and a link restores them', async () => {
    const a = lab();
    await a.commands.openLesson('vmx-support');
    a.commands.showHint();
    a.commands.setSource(`${findLesson('vmx-support')!.start}; note\n`);
    await a.commands.setProfile('core2-conroe');
    await a.commands.toggleBreakpoint(3);
    await a.commands.share();
    const share = a.store.getState().share!;
    expect(share.file).toContain('vmx-lab-state');
    const fragment = (await createLabApi().encodeState({
      lesson: { id: 'vmx-support', step: 1 }, program: a.store.getState().source, profile: 'core2-conroe',
      msrs: { '0x3a': '0x0' }, regs: {}, breakpoints: [3], editor: {},
    })).fragment;
    const b = lab();
    expect(await b.commands.openShared(fragment, 'link')).toBe(true);
    const s = b.store.getState();
    expect([s.lesson?.id, s.hintsShown, s.source, s.profile, s.breakpoints]).toEqual(['vmx-support', 1, a.store.getState().source, 'core2-conroe', [3]]);
    // The same state comes back from the file Share offered.
    const c = lab();
    expect(await c.commands.openShared(share.file, 'file')).toBe(true);
    expect(c.store.getState().source).toBe(a.store.getState().source);
    expect(c.store.getState().breakpoints).toEqual([3]);
  });

  it('a refused link leaves the work as it was and says why', async () => {
    const { store, commands } = lab();
    await commands.load();
    expect(await commands.openShared('#s=1.AAAA', 'link')).toBe(false);
    expect(store.getState().source).toBe('hlt\n');
    expect(store.getState().notice).toMatch(/could not be opened: .+\. Your saved work is untouched/);
  });
});
