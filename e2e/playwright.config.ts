// Playwright settings (TOOLCHAIN.md): Debian's Chromium, no calls home, one worker, no retries;
// the page is served by `vite preview` from a fresh build.
import { defineConfig, devices } from '@playwright/test';

/**
 * A web server that builds the page into a folder of its own and previews it on its own port (the
 * bench and a helper's own test run, so neither measures or tests another's build). `cwd`: the
 * project root, relative to the config file.
 */
export function ownBuildServer(dist: string, port: number, cwd: string) {
  return {
    command: `npx vite build --logLevel warn --outDir ${dist} --emptyOutDir && npx vite preview --outDir ${dist} --host 127.0.0.1 --port ${port} --strictPort`,
    cwd,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 180_000,
  };
}

export default defineConfig({
  testDir: './tests',
  outputDir: './.artifacts/results',
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: process.env.CI ? 'line' : 'list',
  use: { baseURL: 'http://127.0.0.1:4173', trace: 'retain-on-failure' },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium',
          args: ['--disable-gpu', '--disable-quic', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost'],
        },
      },
    },
  ],
  webServer: {
    command: 'npx vite build --logLevel warn && npx vite preview --host 127.0.0.1 --port 4173 --strictPort',
    cwd: '..',
    url: 'http://127.0.0.1:4173/',
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
});
