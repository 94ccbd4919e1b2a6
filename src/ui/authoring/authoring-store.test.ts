// Author mode's draft survives a reload; a damaged or foreign saved draft is ignored.
import { describe, expect, it } from 'vitest';
import { createAuthoringStore, persistDraft, readSavedDraft } from './authoring-store.ts';
import { draftFromProgram } from './draft.ts';

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() { return m.size; },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

describe('the saved draft', () => {
  it('is written on change and read back by a fresh store', () => {
    const storage = memoryStorage();
    const a = createAuthoringStore();
    persistDraft(a, storage);
    const draft = draftFromProgram('hlt\n', '', {});
    a.setState({ draft });
    const b = createAuthoringStore();
    persistDraft(b, storage);
    expect(b.getState().draft).toEqual(draft);
  });

  it('ignores anything that is not a draft of strings', () => {
    expect(readSavedDraft(null)).toBeNull();
    expect(readSavedDraft('{')).toBeNull();
    expect(readSavedDraft('[]')).toBeNull();
    expect(readSavedDraft(JSON.stringify({ ...draftFromProgram('hlt\n', '', {}), goals: 5 }))).toBeNull();
  });
});
