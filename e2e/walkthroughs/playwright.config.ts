// Walkthroughs (docs/walkthroughs.md): the lab's Playwright settings (../playwright.config.ts),
// with the tests of this folder. `npm run walkthrough -- LESSON_ID` runs one with a trace;
// VIDEO=1 records a video too. Output: e2e/.artifacts/walkthroughs/<test>/ (trace.zip, video.webm).
// By default the page is the one e2e/tests use (port 4173, one build, reused when already served).
// WALK_PORT=4180 serves a build of its own (e2e/.artifacts/walk-dist) on that port instead, so a
// walkthrough is not disturbed by another run rebuilding dist/ or stopping the shared server.
import { defineConfig } from '@playwright/test';
import base from '../playwright.config.ts';

const video = process.env.VIDEO === '1' ? 'on' : 'off';
const own = process.env.WALK_PORT !== undefined;
const port = Number(process.env.WALK_PORT ?? 4173);
const outDir = own ? ' --outDir e2e/.artifacts/walk-dist' : '';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.walk.ts',
  outputDir: '../.artifacts/walkthroughs',
  use: { ...base.use, baseURL: `http://127.0.0.1:${port}`, trace: process.env.WALK_TRACE === '1' ? 'on' : 'retain-on-failure', video },
  webServer: {
    command: `npx vite build --logLevel warn${outDir} && npx vite preview${outDir} --host 127.0.0.1 --port ${port} --strictPort`,
    cwd: '../..',
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
});
