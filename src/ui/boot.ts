// Imported first by the page's entry (main.tsx), so it runs before React, the panels and the
// store are evaluated: the lab worker starts fetching and compiling the machine while the main
// thread builds the page (cold load, decision 0079).
import { startWorkerEarly } from '../worker/client.ts';

startWorkerEarly();
