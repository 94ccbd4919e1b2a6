#!/usr/bin/env node
// Where cold-load time goes: loads the lab in a fresh browser context with a Chromium trace
// recording and prints the network requests and the long tasks of the page's main thread and the
// lab worker, in time order from navigation start, up to "interactive" (the machine state shows
// Paused and Step is enabled). A profiling aid for docs/performance.md, not a test.
//   node e2e/bench/profile-load.mjs [URL] [--monaco]
import { chromium } from '@playwright/test';
import { largest, timeByFunction } from './cpu-profile.mjs';

const url = process.argv.find((a) => a.startsWith('http')) ?? 'http://127.0.0.1:4183/';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium',
  args: ['--disable-gpu'],
});
const ctx = await browser.newContext();
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
const events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
const done = new Promise((res) => cdp.once('Tracing.tracingComplete', res));
await cdp.send('Tracing.start', {
  traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink.user_timing', 'toplevel', 'loading', 'netlog'] },
  transferMode: 'ReportEvents',
});
const cpu = process.argv.includes('--cpu');
if (cpu) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); await cdp.send('Profiler.start'); }
await page.goto(`${url}${process.argv.includes('--monaco') ? '' : '?editor=plain'}`);
await page.getByRole('status', { name: 'Machine state' }).filter({ hasText: 'Paused' }).waitFor();
await page.getByRole('button', { name: 'Step', exact: true }).and(page.locator(':enabled')).waitFor();
const interactive = await page.evaluate(() => performance.now());
const res = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => ({ name: r.name.split('/').pop(), start: r.startTime, end: r.responseEnd, size: r.encodedBodySize })));
const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => ({ name: m.name, at: m.startTime })));
const profile = cpu ? (await cdp.send('Profiler.stop')).profile : undefined;
await cdp.send('Tracing.end');
await done;
await browser.close();

const nav = events.find((e) => e.name === 'navigationStart' || e.name === 'NavigationTiming' )?.ts
  ?? Math.min(...events.filter((e) => e.ts > 0).map((e) => e.ts));
const threads = new Map();
for (const e of events) if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
console.log(`interactive at ${interactive.toFixed(0)} ms`);
for (const r of res) console.log(`  fetch ${r.name.padEnd(40)} ${r.start.toFixed(0).padStart(5)} -> ${r.end.toFixed(0).padStart(5)} ms  ${r.size} B`);
for (const m of marks) console.log(`  mark  ${m.name.padEnd(40)} ${m.at.toFixed(0).padStart(5)} ms`);
const long = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && e.dur > 4000 && /CrRendererMain|DedicatedWorker/.test(threads.get(`${e.pid}:${e.tid}`) ?? ''));
for (const t of long.sort((a, b) => a.ts - b.ts)) {
  const th = threads.get(`${t.pid}:${t.tid}`);
  const kids = events.filter((e) => e.ph === 'X' && e.pid === t.pid && e.tid === t.tid && e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e.dur > 3000 && !/RunTask|ThreadController|v8\.callFunction|V8\./.test(e.name));
  const desc = kids.map((k) => `${k.name}${k.args?.data?.url ? `(${String(k.args.data.url).split('/').pop()})` : ''}${k.args?.data?.functionName ? `(${k.args.data.functionName})` : ''} ${(k.dur / 1000).toFixed(1)}`).slice(0, 8).join(', ');
  console.log(`  ${th.slice(0, 14).padEnd(14)} +${((t.ts - nav) / 1000).toFixed(0).padStart(5)} ms ${(t.dur / 1000).toFixed(1).padStart(6)} ms  ${desc}`);
}

if (profile) {
  // Inclusive and self time by function on the page's main thread.
  const { self, total } = timeByFunction(profile);
  console.log('\nmain thread, inclusive ms (top 40):');
  for (const [k, ms] of largest(total, 40)) console.log(`  ${ms.toFixed(1).padStart(7)}  ${k}`);
  console.log('\nmain thread, self ms (top 20):');
  for (const [k, ms] of largest(self, 20)) console.log(`  ${ms.toFixed(1).padStart(7)}  ${k}`);
}
