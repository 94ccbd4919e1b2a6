// Walkthroughs (docs/walkthroughs.md): the lab's Playwright settings (../playwright.config.ts),
// with the tests of this folder. `npm run walkthrough -- LESSON_ID` runs one with a trace;
// VIDEO=1 records a video too. Output: e2e/.artifacts/walkthroughs/<test>/ (trace.zip, video.webm).
import { defineConfig } from '@playwright/test';
import base from '../playwright.config.ts';

const video = process.env.VIDEO === '1' ? 'on' : 'off';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.walk.ts',
  outputDir: '../.artifacts/walkthroughs',
  use: { ...base.use, trace: process.env.WALK_TRACE === '1' ? 'on' : 'retain-on-failure', video },
  webServer: { ...base.webServer, cwd: '../..' } as typeof base.webServer,
});
