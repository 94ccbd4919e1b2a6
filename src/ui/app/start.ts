// What the page opens with: a shared state (`#s=...`), else a lesson (`?lesson=ID`), else the
// saved work (which reopens its lesson, if it had one). A refused link or an unknown lesson shows
// a message and the lab opens with the saved work untouched.

import type { LabCommands } from '../store/bridge.ts';
import type { LabStore } from '../store/store.ts';

/** Opens the lab for this address. */
export async function startLab(commands: LabCommands, store: LabStore, location: Pick<Location, 'search' | 'hash' | 'pathname'>, history?: Pick<History, 'replaceState'>): Promise<void> {
  const params = new URLSearchParams(location.search);
  if (location.hash.startsWith('#s=')) {
    const ok = await commands.openShared(location.hash, 'link');
    // The state now lives in the saved work; a reload must not open the link over later work.
    if (ok) {
      history?.replaceState(null, '', `${location.pathname}${params.has('embed') ? '?embed=1' : ''}`);
      return;
    }
  }
  const id = params.get('lesson');
  if (id !== null) {
    if (await commands.openLesson(id, { resume: true })) return;
  } else {
    const resume = store.getState().resumeLesson;
    if (resume !== null && (await commands.openLesson(resume, { resume: true }))) return;
  }
  store.setState({ resumeLesson: null });
  await commands.load();
}

/**
 * A `#s=` link pasted into the address bar of an open lab changes only the fragment (no reload):
 * open it then too. Returns the listener to remove.
 */
export function followSharedLinks(commands: LabCommands, target: Pick<Window, 'addEventListener'> & { location: Pick<Location, 'hash' | 'pathname' | 'search'>; history: Pick<History, 'replaceState'> }): () => void {
  const onHash = (): void => {
    const { hash, pathname, search } = target.location;
    if (!hash.startsWith('#s=')) return;
    void commands.openShared(hash, 'link').then((ok) => {
      if (ok) target.history.replaceState(null, '', `${pathname}${search}`);
    });
  };
  target.addEventListener('hashchange', onHash);
  return () => (target as unknown as Window).removeEventListener('hashchange', onHash);
}
