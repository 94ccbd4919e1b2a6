#!/usr/bin/env node
// `npm run walkthrough -- LESSON_ID [--video] [--headed]`: runs one lesson's walkthrough with a
// full trace (and a video with --video or VIDEO=1), headless unless --headed. Without an id it
// lists the walkthroughs. Output: e2e/.artifacts/walkthroughs/<test>/trace.zip (and video.webm);
// open a trace with `npx playwright show-trace <path>`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';

function hasFfmpeg() {
  const dir = process.env.PLAYWRIGHT_BROWSERS_PATH || `${homedir()}/.cache/ms-playwright`;
  return existsSync(dir) && readdirSync(dir).some((d) => d.startsWith('ffmpeg'));
}

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const video = args.includes('--video') || process.env.VIDEO === '1';
const headed = args.includes('--headed');
const id = args.find((a) => !a.startsWith('--'));
const config = `${here}playwright.config.ts`;

if (!id) {
  console.log('usage: npm run walkthrough -- LESSON_ID [--video] [--headed]\n');
  spawnSync('npx', ['playwright', 'test', '-c', config, '--list'], { stdio: 'inherit', cwd: root });
  process.exit(2);
}
if (!/^[a-z0-9-]+$/.test(id)) {
  console.error(`not a lesson id: ${id}`);
  process.exit(2);
}
if (video && !hasFfmpeg()) {
  console.error('Recording a video needs the ffmpeg build Playwright uses; install it once with:\n  npx playwright install ffmpeg');
  process.exit(2);
}
const env = { ...process.env, WALK_TRACE: '1', VIDEO: video ? '1' : '0' };
const cli = ['playwright', 'test', '-c', config, '--trace', 'on', '--reporter', 'list', '-g', `walkthrough \\[${id}\\]`];
if (headed) cli.push('--headed');
const r = spawnSync('npx', cli, { stdio: 'inherit', cwd: root, env });
const out = `${root}e2e/.artifacts/walkthroughs`;
if (existsSync(out)) {
  const dirs = readdirSync(out).filter((d) => d.includes(id));
  for (const d of dirs) {
    for (const f of readdirSync(`${out}/${d}`)) console.log(`  ${out}/${d}/${f}`);
  }
  if (dirs.length) console.log(`\nOpen the trace: npx playwright show-trace ${out}/${dirs[0]}/trace.zip`);
}
process.exit(r.status ?? 1);
