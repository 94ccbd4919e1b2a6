/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  test: {
    include: ['src/**/*.test.ts'],
    // Slow exhaustive suites opt in with VMXLAB_SLOW=1 (see README).
    testTimeout: 60_000,
    pool: 'threads',
  },
});
