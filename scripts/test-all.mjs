#!/usr/bin/env node
// `npm test`: makes sure the system tools the tests compare against are present
// (Chromium for Playwright, NASM and GNU objdump as reference tools), then runs
// the type checks, the unit/golden/differential tests (vitest) and the browser tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const need = [
  { tool: 'chromium', pkg: 'chromium', found: () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') },
  { tool: 'nasm', pkg: 'nasm', found: () => onPath('nasm') },
  { tool: 'objdump', pkg: 'binutils', found: () => onPath('objdump') },
  { tool: 'gcc', pkg: 'gcc', found: () => onPath('gcc') },
];

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

const missing = need.filter((n) => !n.found());
if (missing.length > 0) {
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !isRoot && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!isRoot && !sudo) {
    console.error(`The tests need ${missing.map((m) => m.tool).join(', ')}. Install them with:\n  sudo apt-get install -y ${pkgs.join(' ')}`);
    process.exit(1);
  }
  const pre = isRoot ? [] : ['sudo', '-n'];
  const apt = (args) => (pre.length ? run(pre[0], [...pre.slice(1), 'apt-get', ...args]) : run('apt-get', args));
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
}

if (!existsSync('node_modules/.bin/vitest')) run('npm', ['ci']);

run('npm', ['run', '--silent', 'typecheck']);
mkdirSync('test-results', { recursive: true });
const VITEST_JSON = 'test-results/vitest.json';
const PLAYWRIGHT_JSON = 'test-results/playwright.json';
const WALKTHROUGH_JSON = 'test-results/walkthroughs.json';
// Reports of an earlier run must not be counted as this one's.
for (const f of [VITEST_JSON, PLAYWRIGHT_JSON, WALKTHROUGH_JSON]) rmSync(f, { force: true });
const counts = { passed: 0, failed: 0, skipped: 0 };
process.on('exit', () => {
  // One plain closing line that any CI can read: "Tests: N passed, N failed, N skipped".
  tally();
  console.log(`\nTests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
});
let tallied = false;
function tally() {
  if (tallied) return;
  tallied = true;
  try {
    const v = JSON.parse(readFileSync(VITEST_JSON, 'utf8'));
    counts.passed += v.numPassedTests ?? 0;
    counts.failed += (v.numFailedTests ?? 0) || (v.numFailedTestSuites ?? 0);
    counts.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  } catch { /* vitest did not run */ }
  for (const file of [PLAYWRIGHT_JSON, WALKTHROUGH_JSON]) {
    try {
      const p = JSON.parse(readFileSync(file, 'utf8'));
      counts.passed += p.stats?.expected ?? 0;
      counts.failed += (p.stats?.unexpected ?? 0) + (p.stats?.flaky ?? 0);
      counts.skipped += p.stats?.skipped ?? 0;
    } catch { /* that run did not happen */ }
  }
}

run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${VITEST_JSON}`], {
  env: { ...process.env, VMXLAB_REQUIRE_TOOLS: '1' },
});
const playwright = (config, json) =>
  run('npx', ['playwright', 'test', '-c', config, `--reporter=${process.env.CI ? 'line' : 'list'},json`], {
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: json, PLAYWRIGHT_JSON_OUTPUT_FILE: json },
  });
playwright('e2e/playwright.config.ts', PLAYWRIGHT_JSON);
// Every lesson and challenge walked through as a learner would (docs/walkthroughs.md).
playwright('e2e/walkthroughs/playwright.config.ts', WALKTHROUGH_JSON);
console.log('\nAll test suites passed.');
