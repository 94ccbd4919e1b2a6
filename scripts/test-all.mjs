#!/usr/bin/env node
// `npm test`: makes sure the system tools the tests compare against are present
// (Chromium for Playwright, NASM and GNU objdump as reference tools), then runs
// the type checks, the unit/golden/differential tests (vitest) and the browser tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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
run('npx', ['vitest', 'run'], { env: { ...process.env, VMXLAB_REQUIRE_TOOLS: '1' } });
run('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts']);
console.log('\nAll test suites passed.');
