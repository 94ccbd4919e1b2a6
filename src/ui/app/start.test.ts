// What the page opens with: a shared link first, then ?lesson=, then the saved work's lesson; a
// refused link or lesson falls back to the saved work.
import { describe, expect, it } from 'vitest';
import type { LabCommands } from '../store/bridge.ts';
import { createLabStore } from '../store/store.ts';
import { startLab } from './start.ts';

function fakeCommands(opts: { linkOk?: boolean; lessons?: string[] } = {}) {
  const calls: string[] = [];
  const commands = {
    openShared: async (data: string) => { calls.push(`shared ${data}`); return opts.linkOk ?? false; },
    openLesson: async (id: string, o?: { resume?: boolean }) => { calls.push(`lesson ${id}${o?.resume ? ' resume' : ''}`); return (opts.lessons ?? []).includes(id); },
    load: async () => { calls.push('load'); },
  } as unknown as LabCommands;
  return { calls, commands };
}

const at = (search: string, hash = '') => ({ search, hash, pathname: '/' });

describe('startLab', () => {
  it('opens a good link and clears it from the address', async () => {
    const { calls, commands } = fakeCommands({ linkOk: true });
    const replaced: string[] = [];
    await startLab(commands, createLabStore('x'), at('?embed=1', '#s=1.abc'), { replaceState: (_d, _t, u) => void replaced.push(String(u)) });
    expect(calls).toEqual(['shared #s=1.abc']);
    expect(replaced).toEqual(['/?embed=1']);
  });

  it('falls back to the saved work when the link is refused', async () => {
    const { calls, commands } = fakeCommands({ linkOk: false });
    await startLab(commands, createLabStore('x'), at('', '#s=garbage'));
    expect(calls).toEqual(['shared #s=garbage', 'load']);
  });

  it('opens ?lesson=ID, and loads the lab anyway when there is no such lesson', async () => {
    const a = fakeCommands({ lessons: ['vmxon'] });
    await startLab(a.commands, createLabStore('x'), at('?lesson=vmxon'));
    expect(a.calls).toEqual(['lesson vmxon resume']);
    const b = fakeCommands({ lessons: [] });
    await startLab(b.commands, createLabStore('x'), at('?lesson=nope'));
    expect(b.calls).toEqual(['lesson nope resume', 'load']);
  });

  it('reopens the lesson the saved work belongs to', async () => {
    const store = createLabStore('x');
    store.setState({ resumeLesson: 'vmxon' });
    const { calls, commands } = fakeCommands({ lessons: ['vmxon'] });
    await startLab(commands, store, at(''));
    expect(calls).toEqual(['lesson vmxon resume']);
  });
});
