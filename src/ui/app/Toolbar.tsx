// The toolbar: one button per registered action, named by the action's label.

import { useStore } from 'zustand';
import { TOOLBAR_ACTIONS, shortcutText } from '../actions/index.ts';
import { useCommands, useLabStore } from './LabContext.tsx';

export function Toolbar() {
  const store = useLabStore();
  const commands = useCommands();
  // One boolean per action: re-renders only when an enabled state flips.
  const enabled = useStore(store, (s) => TOOLBAR_ACTIONS.map((a) => (a.enabled(s) ? '1' : '0')).join(''));
  return (
    <div role="toolbar" aria-label="Machine" className="toolbar">
      {TOOLBAR_ACTIONS.map((a, i) => {
        const key = shortcutText(a.shortcut);
        return (
          <button key={a.id} type="button" disabled={enabled[i] !== '1'} title={key ? `${a.description} (${key})` : a.description}
            aria-label={a.label} aria-keyshortcuts={key || undefined} onClick={() => void a.perform(commands)}>
            {a.label}{key && <kbd className="key">{key}</kbd>}
          </button>
        );
      })}
    </div>
  );
}
