// The end-to-end tests (e2e/tests) against a build of their own on port 4187 (OWN_PORT), for a
// helper checking its work while others rebuild dist/ or hold the shared server on 4173:
//   npx playwright test -c e2e/bench/own-build.config.ts e2e/tests/smoke.spec.ts
import { defineConfig } from '@playwright/test';
import base, { ownBuildServer } from '../playwright.config.ts';

const port = Number(process.env.OWN_PORT ?? 4187);
const dist = 'e2e/.artifacts/own-dist';

export default defineConfig({
  ...base,
  testDir: '../tests',
  outputDir: '../.artifacts/own-results',
  use: { ...base.use, baseURL: `http://127.0.0.1:${port}` },
  webServer: ownBuildServer(dist, port, '../..'),
});
