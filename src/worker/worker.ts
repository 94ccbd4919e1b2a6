// The Web Worker entry: one lab session exposed over comlink (DESIGN section 2). Snapshots go out
// as patches of the one sent before (transport.ts, decision 0078); the client applies them.

import { expose } from 'comlink';
import { createLabApi } from './api.ts';
import { LabSession } from './session.ts';
import { encodingApi } from './transport.ts';

// `crash` throws outside any call, so the worker dies with an `error` event as a real crash would.
// `hang` spins forever, so the client's watchdog has to notice and restart the worker.
expose(encodingApi(createLabApi(
  new LabSession(),
  () => {
    setTimeout(() => {
      throw new Error('worker crash requested by a test');
    }, 0);
  },
  () => {
    setTimeout(() => {
      for (;;) {
        // Never answers again.
      }
    }, 0);
  },
)));
