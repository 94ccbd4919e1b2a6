// Walkthroughs (docs/walkthroughs.md): the lab's Playwright settings (../playwright.config.ts),
// with the tests of this folder. `npm run walkthrough -- LESSON_ID` runs one with a trace;
// VIDEO=1 records a video too. Output: e2e/.artifacts/walkthroughs/<test>/ (trace.zip, video.webm).
// WALK_PORT=4180 serves the page on a port of its own (the default, 4173, is shared with e2e/tests
// and reused when something already serves it).
import { defineConfig } from '@playwright/test';
import base from '../playwright.config.ts';

const video = process.env.VIDEO === '1' ? 'on' : 'off';
const port = Number(process.env.WALK_PORT ?? 4173);

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.walk.ts',
  outputDir: '../.artifacts/walkthroughs',
  use: { ...base.use, baseURL: `http://127.0.0.1:${port}`, trace: process.env.WALK_TRACE === '1' ? 'on' : 'retain-on-failure', video },
  webServer: {
    command: `npx vite build --logLevel warn && npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    cwd: '../..',
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
});
