// The UI's handle on the lab worker: a comlink proxy created on first use (so importing this in
// vitest spawns nothing), and restarted when the worker crashes. The program text and settings
// live on the UI side, so after a restart the bridge re-loads them and replays the step count.
// A worker that sends snapshot patches (worker.ts) is decoded here (transport.ts).

import { wrap, type Remote } from 'comlink';
import type { LabApi } from './api.ts';
import { decodingRemote } from './transport.ts';

/** Something that behaves like a Worker (a real one in the browser, a MessagePort in tests). */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: string, listener: (ev: unknown) => void): void;
  removeEventListener(type: string, listener: (ev: unknown) => void): void;
  terminate?(): void;
}

export interface LabClient {
  /** The worker's API (starts the worker on first use). */
  api(): Remote<LabApi>;
  /** Kills the worker and starts a fresh one; listeners of `onRestart` restore the state. */
  restart(): void;
  /** Called after the worker was restarted (crash or explicit restart). */
  onRestart(listener: () => void): () => void;
  /**
   * Asks the worker for a sign of life every `everyMs`; no answer within `timeoutMs` (a killed or
   * hung worker: runs yield every slice, so a live worker always answers) restarts it.
   * Returns the function that stops watching.
   */
  watch(everyMs?: number, timeoutMs?: number): () => void;
  /** Stops the worker for good. */
  dispose(): void;
}

let early: WorkerLike | undefined;

/** The browser worker (module worker, bundled by Vite); the first call takes the one `startWorkerEarly` made. */
export function browserWorker(): WorkerLike {
  if (early) {
    const w = early;
    early = undefined;
    return w;
  }
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'vmx-lab' }) as unknown as WorkerLike;
}

/**
 * Starts the lab worker now (cold load, decision 0079): the page's entry calls it before React
 * and the panels are even evaluated, so the worker fetches, compiles and boots its machine code
 * while the main thread builds the page. The first `browserWorker()` call takes it.
 */
export function startWorkerEarly(): void {
  early ??= browserWorker();
}

/** A client over workers made by `factory`; an `error` event from the worker restarts it. */
export function createLabClient(factory: () => WorkerLike = browserWorker): LabClient {
  let worker: WorkerLike | undefined;
  let remote: Remote<LabApi> | undefined;
  const listeners = new Set<() => void>();
  const onError = (ev: unknown): void => {
    // Handled here: the page restarts the worker instead of reporting an uncaught error.
    (ev as { preventDefault?: () => void }).preventDefault?.();
    restart();
  };
  function start(): Remote<LabApi> {
    worker = factory();
    worker.addEventListener('error', onError);
    // Snapshots arrive as patches (transport.ts); callers see whole ones.
    remote = decodingRemote(wrap<LabApi>(worker as never));
    return remote;
  }
  function stopWorker(): void {
    if (!worker) return;
    worker.removeEventListener('error', onError);
    worker.terminate?.();
    worker = undefined;
    remote = undefined;
  }
  function restart(): void {
    stopWorker();
    start();
    for (const l of listeners) l();
  }
  return {
    api: () => remote ?? start(),
    restart,
    onRestart(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    watch(everyMs = 2000, timeoutMs = 5000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let stopped = false;
      const tick = (): void => {
        if (stopped) return;
        if (!remote) {
          timer = setTimeout(tick, everyMs);
          return;
        }
        const watched = remote;
        let answered = false;
        void watched.version().then(() => { answered = true; }, () => { answered = true; });
        timer = setTimeout(() => {
          if (stopped) return;
          if (!answered && remote === watched) restart();
          tick();
        }, timeoutMs);
      };
      timer = setTimeout(tick, everyMs);
      return () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
      };
    },
    dispose: stopWorker,
  };
}
