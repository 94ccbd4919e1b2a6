#!/usr/bin/env node
// `npm run walkthrough -- LESSON_ID [--video] [--headed]`: runs one lesson's walkthrough with a
// full trace (and a video with --video or VIDEO=1), headless unless --headed. Without an id it
// lists the walkthroughs. Output: e2e/.artifacts/walkthroughs/<test>/trace.zip (and video.webm);
// open a trace with `npx playwright show-trace <path>`.
//
// Video: Playwright records with its own ffmpeg build (`npx playwright install ffmpeg`), which
// cannot be downloaded everywhere. Its command line is an ordinary one (Matroska in, VP9 WebM
// out), so Debian's ffmpeg (`apt-get install ffmpeg`) does the same job: when Playwright's build
// is missing and an `ffmpeg` is on the PATH, this script points Playwright at it through a
// browsers folder of its own (e2e/.artifacts/ms-playwright, only the ffmpeg entry; Chromium is
// Debian's, given by path). Decision 0079.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The ffmpeg revision this Playwright looks for (ffmpeg-<rev>/ffmpeg-linux under its browsers folder). */
function ffmpegRevision() {
  const browsers = JSON.parse(readFileSync(`${root}node_modules/playwright-core/browsers.json`, 'utf8')).browsers;
  return browsers.find((b) => b.name === 'ffmpeg')?.revision;
}

function playwrightFfmpeg(dir) {
  return existsSync(dir) && readdirSync(dir).some((d) => d.startsWith('ffmpeg'));
}

function systemFfmpeg() {
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && existsSync(`${d}/ffmpeg`)) return `${d}/ffmpeg`;
  return undefined;
}

/** Environment for a recording run: Playwright's own ffmpeg, else the system's through a folder of links; undefined when neither. */
function videoEnv() {
  const dir = process.env.PLAYWRIGHT_BROWSERS_PATH || `${homedir()}/.cache/ms-playwright`;
  if (playwrightFfmpeg(dir)) return {};
  const sys = systemFfmpeg();
  const rev = ffmpegRevision();
  if (!sys || !rev || process.platform !== 'linux') return undefined;
  const own = `${root}e2e/.artifacts/ms-playwright`;
  const target = `${own}/ffmpeg-${rev}`;
  mkdirSync(target, { recursive: true });
  if (!existsSync(`${target}/ffmpeg-linux`)) symlinkSync(sys, `${target}/ffmpeg-linux`);
  return { PLAYWRIGHT_BROWSERS_PATH: own };
}

const here = fileURLToPath(new URL('.', import.meta.url));
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
const recording = video ? videoEnv() : {};
if (!recording) {
  console.error('Recording a video needs an ffmpeg: Debian\'s (`apt-get install ffmpeg`, then run this again) or the build Playwright downloads (`npx playwright install ffmpeg`).');
  process.exit(2);
}
const env = { ...process.env, ...recording, WALK_TRACE: '1', VIDEO: video ? '1' : '0' };
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
