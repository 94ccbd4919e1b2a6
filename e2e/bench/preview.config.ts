// The browser bench (ui.bench.spec.ts) against a `vite preview` already running at BENCH_URL, for
// a helper comparing builds side by side without rebuilding (the figures go to BENCH_OUT):
//   npx vite build --outDir /tmp/a && npx vite preview --outDir /tmp/a --port 4197 &
//   BENCH_URL=http://127.0.0.1:4197 BENCH_DIST=/tmp/a BENCH_LOADS=1 BENCH_OUT=/tmp/a.json \
//     npx playwright test -c e2e/bench/preview.config.ts
import { defineConfig } from '@playwright/test';
import bench from '../bench.config.ts';

export default defineConfig({
  ...bench,
  testDir: '.',
  testMatch: 'ui.bench.spec.ts',
  outputDir: '../.artifacts/bench-preview',
  use: { ...bench.use, baseURL: process.env.BENCH_URL ?? 'http://127.0.0.1:4197' },
  webServer: undefined,
});
