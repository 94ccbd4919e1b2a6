#!/usr/bin/env node
// Where Step-to-panels time goes: opens the lab (a running `vite preview`, URL as the first
// argument, default http://127.0.0.1:4183/), records a Chromium performance trace over STEPS Step
// clicks and prints, per thread (page main thread, lab worker), the time in each kind of trace
// event per step. A profiling aid for docs/performance.md, not a test.
//   node e2e/bench/profile-step.mjs [URL] [STEPS]
import { chromium } from '@playwright/test';
import { largest, timeByFunction } from './cpu-profile.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:4183/';
const STEPS = Number(process.argv[3] ?? 200);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium',
  // The bench's switches (decision 0079); --unlimited: no frame-rate limit (an idle Monaco then renders continuously).
  args: ['--disable-gpu', ...(process.argv.includes('--unlimited') ? ['--disable-frame-rate-limit', '--disable-gpu-vsync'] : [])],
});
const page = await browser.newPage();
await page.goto(`${url}${process.argv.includes('--monaco') ? '' : '?editor=plain'}`);
if (process.argv.includes('--monaco')) await page.locator('.monaco-editor').first().waitFor();
await page.getByRole('status', { name: 'Machine state' }).filter({ hasText: 'Paused' }).waitFor();
// An experiment: CSS added to the page before measuring (PROFILE_CSS="...").
if (process.env.PROFILE_CSS) await page.addStyleTag({ content: process.env.PROFILE_CSS });
// Another: panels hidden by name before measuring (PROFILE_HIDE="VMCS,Explain").
if (process.env.PROFILE_HIDE) {
  await page.evaluate((names) => {
    for (const s of document.querySelectorAll('section.panel')) {
      const h = s.querySelector('h2, h3, [id]')?.textContent ?? '';
      if (names.some((n) => h.trim() === n)) s.style.display = 'none';
    }
  }, process.env.PROFILE_HIDE.split(','));
}
const cdp = await page.context().newCDPSession(page);
const events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
const done = new Promise((res) => cdp.once('Tracing.tracingComplete', res));
const cpu = process.argv.includes('--cpu');
if (cpu) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 100 }); await cdp.send('Profiler.start'); }
await cdp.send('Tracing.start', {
  traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink.user_timing', 'toplevel'] },
  transferMode: 'ReportEvents',
});
const wall = await page.evaluate(async (n) => {
  const btn = document.querySelector('button[aria-label="Step"]');
  const status = document.querySelector('[aria-label="Machine state"]');
  const out = [];
  for (let i = 0; i < n; i++) {
    const before = status.textContent;
    const t0 = performance.now();
    btn.click();
    await new Promise((res) => {
      const mo = new MutationObserver(() => { if (status.textContent !== before) { mo.disconnect(); res(); } });
      mo.observe(status, { subtree: true, characterData: true, childList: true });
    });
    await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
    out.push(performance.now() - t0);
  }
  // The slowest Steps with their numbers (SLOWEST=1 prints them).
  window.__slowest = out.map((ms, i) => [i + 1, Math.round(ms * 10) / 10]).sort((a, b) => b[1] - a[1]).slice(0, 15);
  return out.sort((a, b) => a - b);
}, STEPS);
if (process.env.SLOWEST) console.log('slowest Steps [step, ms]:', JSON.stringify(await page.evaluate(() => window.__slowest)));
const profile = cpu ? (await cdp.send('Profiler.stop')).profile : undefined;
await cdp.send('Tracing.end');
await done;
await browser.close();

const threads = new Map();
for (const e of events) if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
const per = new Map();
for (const e of events) {
  if (e.ph !== 'X' || typeof e.dur !== 'number') continue;
  const t = threads.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;
  if (!/CrRendererMain|DedicatedWorker/.test(t)) continue;
  const m = per.get(t) ?? new Map();
  per.set(t, m);
  m.set(e.name, (m.get(e.name) ?? 0) + (e.tdur ?? e.dur) / 1000);
}
// CPU time (thread time, `tdur`) of top-level tasks per thread: comparable between runs on a loaded machine.
const cpuMs = new Map();
for (const e of events) {
  if (e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask' || typeof e.tdur !== 'number') continue;
  const t = threads.get(`${e.pid}:${e.tid}`) ?? '';
  if (!/CrRendererMain|DedicatedWorker/.test(t)) continue;
  cpuMs.set(t, (cpuMs.get(t) ?? 0) + e.tdur / 1000);
}
for (const [t, ms] of cpuMs) console.log(`CPU per step, ${t}: ${(ms / STEPS).toFixed(2)} ms (all its tasks, measurement loop included)`);
if (process.env.ALL_THREADS) {
  // Every thread's top-level task time (raster, compositor, GPU/viz threads compete for the same cores).
  const all = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || typeof e.dur !== 'number' || !/^(ThreadControllerImpl::RunTask|ThreadPool_RunTask|TaskGraphRunner::RunTask)$/.test(e.name)) continue;
    const t = threads.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;
    all.set(t, (all.get(t) ?? 0) + (e.tdur ?? e.dur) / 1000);
  }
  for (const [t, ms] of [...all].sort((a, b) => b[1] - a[1])) console.log(`  all threads: ${t}: ${(ms / STEPS).toFixed(2)} ms per step`);
}
console.log(`wall per step (click to frame after the update): median ${wall[Math.floor(STEPS / 2)].toFixed(2)} ms, p95 ${wall[Math.floor(STEPS * 0.95)].toFixed(2)} ms`);
for (const [t, m] of per) {
  console.log(`\n${t}: CPU ms per step by trace event (inclusive; nested events overlap)`);
  for (const [name, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 22)) console.log(`  ${(ms / STEPS).toFixed(3).padStart(8)}  ${name}`);
}

if (profile) {
  // Self and inclusive time by function, page main thread only.
  const { self, total } = timeByFunction(profile);
  console.log('\nmain thread JS inclusive time, ms per step:');
  for (const [k, ms] of largest(total, Number(process.env.TOP ?? 45))) console.log(`  ${(ms / STEPS).toFixed(3).padStart(8)}  ${k}`);
  console.log('\nmain thread JS self time, ms per step:');
  for (const [k, ms] of largest(self, 30)) console.log(`  ${(ms / STEPS).toFixed(3).padStart(8)}  ${k}`);
}

if (process.env.PAINT_NODES) {
  // Paint time by painted node (all steps): which parts of the page are painted again and again.
  const main = [...threads].find(([, n]) => n === 'CrRendererMain')?.[0];
  const by = new Map();
  for (const e of events) {
    if (`${e.pid}:${e.tid}` !== main || e.ph !== 'X' || e.name !== 'Paint') continue;
    const d = e.args?.data ?? {};
    const q = d.clip ?? [];
    const size = q.length >= 8 ? `${Math.round(Math.max(q[0], q[2], q[4], q[6]) - Math.min(q[0], q[2], q[4], q[6]))}x${Math.round(Math.max(q[1], q[3], q[5], q[7]) - Math.min(q[1], q[3], q[5], q[7]))}` : '?';
    const k = `node ${d.nodeId} ${size}`;
    const v = by.get(k) ?? { n: 0, ms: 0 };
    v.n++;
    v.ms += e.dur / 1000;
    by.set(k, v);
  }
  console.log('\nPaint by node (count, ms per step):');
  for (const [k, v] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(`  ${String(v.n).padStart(5)} ${(v.ms / STEPS).toFixed(3).padStart(7)}  ${k}`);
}

if (process.argv.includes('--timeline')) {
  // One step's main-thread tasks in order (the 100th click, or TIMELINE_CLICK): start offset, duration, children.
  const main = [...threads].find(([, n]) => n === 'CrRendererMain')?.[0];
  const mt = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X').sort((a, b) => a.ts - b.ts);
  const clicks = mt.filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'click');
  const at = Number(process.env.TIMELINE_CLICK ?? 100);
  const c = clicks[at];
  const end = clicks[at + 1].ts;
  const tasks = mt.filter((e) => e.name === 'RunTask' && e.ts + e.dur >= c.ts - 1 && e.ts < end);
  // The Paint events of the window with what they painted (PAINTS=1).
  if (process.env.PAINTS) {
    for (const e of mt.filter((x) => x.name === 'Paint' && x.ts >= c.ts && x.ts < end)) {
      const d = e.args?.data ?? {};
      const q = d.clip ?? [];
      const w = q.length >= 8 ? Math.round(Math.max(q[0], q[2], q[4], q[6]) - Math.min(q[0], q[2], q[4], q[6])) : '?';
      const h = q.length >= 8 ? Math.round(Math.max(q[1], q[3], q[5], q[7]) - Math.min(q[1], q[3], q[5], q[7])) : '?';
      console.log(`  paint ${(e.dur / 1000).toFixed(2)} ms layer ${d.layerId ?? '?'} node ${d.nodeId ?? '?'} clip ${w}x${h} at ${q.length >= 2 ? `${Math.round(q[0])},${Math.round(q[1])}` : '?'}`);
    }
  }
  // The worker's tasks in the same window (WORKER_TIMELINE=1).
  if (process.env.WORKER_TIMELINE) {
    const worker = [...threads].find(([, n]) => n === 'DedicatedWorker thread')?.[0];
    const wt = events.filter((e) => `${e.pid}:${e.tid}` === worker && e.ph === 'X' && /RunTask$/.test(e.name) && !/ThreadController/.test(e.name) && e.ts >= c.ts - 1 && e.ts < end);
    for (const t of wt) console.log(`  worker +${((t.ts - c.ts) / 1000).toFixed(2).padStart(7)} ms  ${(t.dur / 1000).toFixed(2).padStart(6)} ms (thread time ${((t.tdur ?? 0) / 1000).toFixed(2)} ms)`);
  }
  for (const t of tasks) {
    const kids = mt.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e.dur > Number(process.env.TIMELINE_MIN_US ?? 150) && !/RunTask|ThreadController/.test(e.name));
    const desc = kids.map((k) => `${k.name}${k.args?.data?.functionName ? `(${k.args.data.functionName})` : ''}${k.args?.data?.type ? `[${k.args.data.type}]` : ''} ${(k.dur / 1000).toFixed(2)}`).join(', ');
    console.log(`  +${((t.ts - c.ts) / 1000).toFixed(2).padStart(7)} ms  ${(t.dur / 1000).toFixed(2).padStart(6)} ms  ${desc}`);
  }
}
