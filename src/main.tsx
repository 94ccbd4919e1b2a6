// The page's entry: the store (with the saved work), the worker client and its watchdog, the
// bridge, the first load, and the React tree.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/app/App.tsx';
import { LabContext } from './ui/app/LabContext.tsx';
import './ui/app/styles.css';
import { plainEditorRequested } from './ui/panels/ProgramPanel.tsx';
import DEFAULT_PROGRAM from './ui/programs/bringup.asm?raw';
import { createBridge } from './ui/store/bridge.ts';
import { createLabStore } from './ui/store/store.ts';
import { createLabClient } from './worker/client.ts';

const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
})();
const store = createLabStore(DEFAULT_PROGRAM, storage);
const client = createLabClient();
const commands = createBridge(client, store);
client.watch();
const vocabulary = () => client.api().vocabulary();
void commands.load();
// `?test-hooks` lets end-to-end tests crash the worker to check recovery.
if (new URLSearchParams(window.location.search).has('test-hooks')) {
  (window as unknown as { vmxLabTestHooks: unknown }).vmxLabTestHooks = { crashWorker: () => client.api().crash(), hangWorker: () => client.api().hang() };
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LabContext.Provider value={{ store, commands }}>
      <App plainEditor={plainEditorRequested(window.location.search)} vocabulary={vocabulary} />
    </LabContext.Provider>
  </StrictMode>,
);
