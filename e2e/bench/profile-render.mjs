#!/usr/bin/env node
// Where a Step's rendering time goes, panel by panel: opens the lab (a running `vite preview`, URL
// as the first argument), steps STEPS times and prints, per step, the main thread's style, layout,
// paint and layerize time (thread time from a Chromium trace), the layout roots, the most frequent
// style/layout invalidations (which element, why) and the DOM mutations by panel. A profiling aid
// for docs/ui.md "Performance", not a test.
//   node e2e/bench/profile-render.mjs [URL] [STEPS] [--monaco] [--invalidations] [--mutations]
// Experiments: PROFILE_CSS="..." adds CSS before measuring; each panel carries data-panel="<its
// first heading word>", so PROFILE_CSS='[data-panel=Program] .panel-body{display:none}' measures
// the page without one panel's content. Compare runs interleaved: on a loaded machine the spread
// between two runs of the same page is about 0.3 ms a step.
import { chromium } from '@playwright/test';

const url = process.argv[2]?.startsWith('http') ? process.argv[2] : 'http://127.0.0.1:4183/';
const STEPS = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 60);
const has = (f) => process.argv.includes(f);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium', args: ['--disable-gpu'] });
const page = await browser.newPage();
await page.goto(`${url}${has('--monaco') ? '' : '?editor=plain'}`);
if (has('--monaco')) await page.locator('.monaco-editor .view-lines').first().waitFor();
await page.getByRole('status', { name: 'Machine state' }).filter({ hasText: 'Paused' }).waitFor();
await page.evaluate(() => {
  for (const p of document.querySelectorAll('section.panel')) p.dataset.panel = p.querySelector('h2')?.textContent?.trim().split(/\s/)[0] ?? '?';
});
if (process.env.PROFILE_CSS) await page.addStyleTag({ content: process.env.PROFILE_CSS });
// Warm-up, as the bench does: JIT, Monaco's background tokenization, the first events.
await page.waitForTimeout(500);

const steps = (n, mutations) => page.evaluate(async ([count, watch]) => {
  const counts = {};
  const mo = new MutationObserver((ms) => {
    for (const m of ms) {
      const t = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      const where = t?.closest('section.panel')?.dataset.panel ?? t?.closest('[aria-label]')?.getAttribute('aria-label') ?? t?.tagName;
      const cls = String(t?.className?.baseVal ?? t?.className ?? '').split(' ')[0];
      const k = `${where}: ${m.type}${m.attributeName ? `:${m.attributeName}` : ''} <${t?.tagName?.toLowerCase()}${cls ? `.${cls}` : ''}>`;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  });
  if (watch) mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  const btn = document.querySelector('button[aria-label="Step"]');
  const status = document.querySelector('[aria-label="Machine state"]');
  for (let i = 0; i < count; i++) {
    const before = status.textContent;
    btn.click();
    await new Promise((res) => {
      const o = new MutationObserver(() => { if (status.textContent !== before) { o.disconnect(); res(); } });
      o.observe(status, { subtree: true, characterData: true, childList: true });
    });
    await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
  }
  mo.disconnect();
  return counts;
}, [n, mutations]);
await steps(20, false);

const cdp = await page.context().newCDPSession(page);
const events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
const done = new Promise((res) => cdp.once('Tracing.tracingComplete', res));
const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline'];
if (has('--invalidations')) categories.push('disabled-by-default-devtools.timeline.invalidationTracking');
await cdp.send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReportEvents' });
const mutations = await steps(STEPS, has('--mutations'));
await cdp.send('Tracing.end');
await done;

const threads = new Map();
for (const e of events) if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
const main = events.filter((e) => threads.get(`${e.pid}:${e.tid}`) === 'CrRendererMain');
const per = (ms) => (ms / STEPS).toFixed(3);
const totals = {};
for (const e of main) {
  if (e.ph !== 'X' || !['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit'].includes(e.name)) continue;
  totals[e.name] = (totals[e.name] ?? 0) + (e.tdur ?? e.dur) / 1000;
}
console.log(`main thread, ms a step: ${Object.entries(totals).map(([k, v]) => `${k} ${per(v)}`).join(', ')}; sum ${per(Object.values(totals).reduce((a, b) => a + b, 0))}`);

const layouts = main.filter((e) => e.name === 'Layout' && e.ph === 'X');
const roots = new Map();
let dirty = 0;
let total = 0;
for (const e of layouts) {
  dirty += e.args?.beginData?.dirtyObjects ?? 0;
  total += e.args?.beginData?.totalObjects ?? 0;
  for (const r of e.args?.endData?.layoutRoots ?? []) roots.set(r.nodeId, (roots.get(r.nodeId) ?? 0) + e.dur / 1000);
}
console.log(`layouts ${(layouts.length / STEPS).toFixed(2)} a step, ${(dirty / Math.max(1, layouts.length)).toFixed(0)} dirty of ${(total / Math.max(1, layouts.length)).toFixed(0)} layout objects each`);
const top = [...roots].sort((a, b) => b[1] - a[1]).slice(0, 6);
await cdp.send('DOM.getDocument', { depth: 0 });
const pushed = await cdp.send('DOM.pushNodesByBackendIdsToFrontend', { backendNodeIds: top.map((t) => t[0]) }).catch(() => ({ nodeIds: [] }));
for (let i = 0; i < top.length; i++) {
  const id = pushed.nodeIds[i];
  const node = id ? (await cdp.send('DOM.describeNode', { nodeId: id })).node : undefined;
  const name = node ? `${node.localName || node.nodeName} ${JSON.stringify(node.attributes ?? []).slice(0, 100)}` : `backend node ${top[i][0]}`;
  console.log(`  layout root ${name}: ${per(top[i][1])} ms a step`);
}

if (has('--invalidations')) {
  const inv = new Map();
  for (const e of main) {
    if (!/InvalidationTracking/.test(e.name)) continue;
    const d = e.args?.data ?? {};
    const k = `${e.name.replace('InvalidationTracking', '')} ${d.nodeName ?? ''} ${d.reason ?? ''}`;
    inv.set(k, (inv.get(k) ?? 0) + 1);
  }
  console.log('\ninvalidations a step (kind, element, reason):');
  for (const [k, n] of [...inv].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${(n / STEPS).toFixed(2).padStart(6)}  ${k}`);
}
if (has('--mutations')) {
  console.log('\nDOM mutations a step (panel: kind <element>):');
  for (const [k, n] of Object.entries(mutations).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${(n / STEPS).toFixed(2).padStart(6)}  ${k}`);
}
await browser.close();
