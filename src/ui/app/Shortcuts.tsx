// The visible list of keyboard shortcuts, and the key handler that performs them.

import { useEffect } from 'react';
import { ACTIONS, actionForKey, shortcutText } from '../actions/index.ts';
import { useCommands, useLabStore } from './LabContext.tsx';

export function ShortcutList() {
  return (
    <details className="shortcuts">
      <summary>Keyboard shortcuts</summary>
      <dl>
        {ACTIONS.filter((a) => a.shortcut).map((a) => (
          <div key={a.id}>
            <dt><kbd>{shortcutText(a.shortcut)}</kbd></dt>
            <dd>{a.label}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/** Installs the global shortcuts (F5 and F10 would otherwise reload or focus the browser menu). */
export function useShortcuts(): void {
  const store = useLabStore();
  const commands = useCommands();
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const a = actionForKey(e);
      if (!a || e.defaultPrevented) return;
      e.preventDefault();
      if (a.enabled(store.getState())) void a.perform(commands);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, commands]);
}
