/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The page's Content-Security-Policy (index.html, docs/hardening.md) forbids inline script, but the
// dev server's React Refresh preamble is an inline script: `vite dev` serves the page without the
// policy's meta tag. Builds (and `vite preview`, the e2e tests) keep it.
const cspBuildOnly: Plugin = {
  name: 'vmxlab-csp-build-only',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''),
};

export default defineConfig({
  plugins: [react(), cspBuildOnly],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  test: {
    include: ['src/**/*.test.ts'],
    // Slow exhaustive suites opt in with VMXLAB_SLOW=1 (see README).
    testTimeout: 60_000,
    pool: 'threads',
  },
});
