// `npx playwright test -c e2e/bench.config.ts`: the browser figures of DESIGN section 8 (entry
// chunk gzip size, cold load to interactive, Step click to every panel updated over 200 steps),
// written to bench-results/ui.json. A measurement, not a test: nothing here fails on a figure.
import base from './playwright.config.ts';
import { defineConfig } from '@playwright/test';

export default defineConfig({ ...base, testDir: './bench', outputDir: './.artifacts/bench' });
