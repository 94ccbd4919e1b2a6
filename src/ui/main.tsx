// The page's entry: the store (with the saved work), the worker client and its watchdog, the
// bridge, the first load (a shared state `#s=`, a lesson `?lesson=ID`, or the saved work), and
// the React tree. `?embed=1` shows a lesson without the chrome.
import './boot.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { LabContext } from './app/LabContext.tsx';
import './app/styles.css';
import { followSharedLinks, startLab } from './app/start.ts';
import { plainEditorRequested } from './panels/ProgramPanel.tsx';
import DEFAULT_PROGRAM from './programs/bringup.asm?raw';
import { createBridge } from './store/bridge.ts';
import { createLabStore } from './store/store.ts';
import { createLabClient } from '../worker/client.ts';

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
void startLab(commands, store, window.location, window.history);
followSharedLinks(commands, window);
const params = new URLSearchParams(window.location.search);
// `?test-hooks` lets end-to-end tests crash the worker to check recovery.
if (params.has('test-hooks')) {
  (window as unknown as { vmxLabTestHooks: unknown }).vmxLabTestHooks = {
    crashWorker: () => client.api().crash(),
    hangWorker: () => client.api().hang(),
    // The Lesson panel's Markdown renderer, for the sanitisation test in a real browser.
    renderLessonMarkdown: async (text: string) => (await import('./panels/lesson/markdown.ts')).renderLessonMarkdown(text),
  };
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LabContext.Provider value={{ store, commands }}>
      <App plainEditor={plainEditorRequested(window.location.search)} embed={params.get('embed') === '1'} vocabulary={vocabulary} />
    </LabContext.Provider>
  </StrictMode>,
);
