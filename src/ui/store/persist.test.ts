// Saved work: the stored v1 payload, refusal of hostile or unknown payloads, autosave and restore.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadWork, migrate, STORAGE_KEY, validate } from './persist.ts';
import { createLabStore } from './store.ts';

/** A Storage in memory. */
function memoryStorage(init: Record<string, string> = {}): Storage {
  const m = new Map(Object.entries(init));
  return {
    get length() { return m.size; },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

const V1 = readFileSync(new URL('./fixtures/work-v1.json', import.meta.url), 'utf8');

describe('saved work', () => {
  it('reads the stored v1 payload', () => {
    const w = loadWork(memoryStorage({ [STORAGE_KEY]: V1 }));
    expect(w).toEqual({ v: 1, source: 'mov eax, 1\nhlt\n', profile: 'core2-conroe', msrEdits: { '0x3a': '0x1' }, breakpoints: [2], theme: 'dark', fontSize: undefined });
  });

  it('refuses unknown versions and hostile shapes', () => {
    expect(migrate({ v: 99 })).toBeUndefined();
    expect(validate({ v: 1, source: 1, profile: 'x', msrEdits: {}, breakpoints: [] })).toBeUndefined();
    expect(validate({ v: 1, source: '', profile: 'x', msrEdits: { '<img>': '0x1' }, breakpoints: [] })).toBeUndefined();
    expect(validate({ v: 1, source: '', profile: 'x', msrEdits: {}, breakpoints: [0] })).toBeUndefined();
    expect(loadWork(memoryStorage({ [STORAGE_KEY]: '{not json' }))).toBeUndefined();
  });

  it('the store autosaves the program, profile, MSR edits and breakpoints and restores them', () => {
    const storage = memoryStorage();
    const a = createLabStore('default', storage);
    expect(a.getState().source).toBe('default');
    a.setState({ source: 'hlt', profile: 'ivy-bridge', msrEdits: { '0x480': '0x1' }, breakpoints: [1] });
    const b = createLabStore('default', storage);
    const s = b.getState();
    expect([s.source, s.profile, s.msrEdits, s.breakpoints]).toEqual(['hlt', 'ivy-bridge', { '0x480': '0x1' }, [1]]);
  });

  it('keeps the lesson the work belongs to, and drops a lesson id that is not an id', () => {
    const storage = memoryStorage();
    const a = createLabStore('default', storage);
    a.setState({ source: 'hlt', resumeLesson: 'vmxon' });
    a.setState({ source: 'nop' });
    expect(loadWork(storage)?.lesson).toBe('vmxon');
    expect(createLabStore('default', storage).getState().resumeLesson).toBe('vmxon');
    expect(validate({ v: 1, source: '', profile: '', msrEdits: {}, breakpoints: [], lesson: '<script>' })?.lesson).toBeUndefined();
  });
});
