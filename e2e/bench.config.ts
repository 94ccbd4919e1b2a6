// `npx playwright test -c e2e/bench.config.ts`: the browser figures of DESIGN section 8 (entry
// chunk gzip size, cold load to interactive, Step click to every panel updated over 200 steps),
// written to bench-results/ui.json. A measurement, not a test: nothing here fails on a figure.
// Its own build (e2e/.artifacts/bench-dist) and port (4183), so a preview server the end-to-end
// tests left running on 4173, or their build in dist/, is never what gets measured. The browser
// is the tests' (Debian's Chromium, --disable-gpu, the usual 60 Hz frames: the bench subtracts the
// wait for the refresh, decision 0079).
import base, { ownBuildServer } from './playwright.config.ts';
import { defineConfig } from '@playwright/test';

export const BENCH_PORT = Number(process.env.BENCH_PORT ?? 4183);
export const BENCH_DIST = 'e2e/.artifacts/bench-dist';

export default defineConfig({
  ...base,
  testDir: './bench',
  outputDir: './.artifacts/bench',
  timeout: 300_000,
  reporter: 'list',
  use: { ...base.use, baseURL: `http://127.0.0.1:${BENCH_PORT}`, trace: 'off' },
  webServer: ownBuildServer(BENCH_DIST, BENCH_PORT, '..'),
});
