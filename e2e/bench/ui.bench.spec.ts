// Browser figures for docs/performance.md (DESIGN section 8 budgets): entry JS gzip <= 200 KB,
// cold load to interactive <= 1 s, Step click to every panel updated median <= 8 ms, p95 <= 16 ms.
// Written to bench-results/ui.json. A measurement, not a test: nothing here fails on a figure.
//
// How (decision 0079):
// - Instrumentation is injected before the page's own scripts (addInitScript: no page code
//   changes, no Playwright polling of the DOM while the page works): a MutationObserver on the
//   document notes the time of every DOM change, and the lab worker's messages are counted
//   (requests posted minus answers received).
// - A Step ends when the Step's status line changed, no worker request is outstanding (the Memory
//   panel reads its bytes after each step), and a frame has painted the last DOM change: the end
//   time is taken in a task queued from that frame's requestAnimationFrame, i.e. after its
//   style, layout and paint. The time that frame waited for the display's refresh after the last
//   change (from the change to the frame's start, up to 16.7 ms at 60 Hz) is not counted: the
//   figure is the lab's work. (Chromium's frame-rate-limit switches are not used: with them an
//   idle page with Monaco renders continuously and takes a quarter of the CPU.)
// - Cold load: a fresh browser context (empty cache) from navigation start until the state shows
//   Paused with Step enabled, painted.
// - The main thread's busy time per step (CDP Performance.getMetrics TaskDuration) is recorded
//   too: it is less sensitive than wall clock to other processes on a loaded machine.
import { test, type Browser, type Page } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';

const root = new URL('../../', import.meta.url);
const DIST = process.env.BENCH_DIST ?? 'e2e/.artifacts/bench-dist';
const STEPS = Number(process.env.BENCH_STEPS ?? 200);
const LOADS = Number(process.env.BENCH_LOADS ?? 7);

/** Entry chunk: the script index.html loads, gzipped (all module scripts of index.html). */
function entryGzip(): { files: string[]; bytes: number } {
  const dist = new URL(`${DIST}/`, root);
  const html = readFileSync(new URL('index.html', dist), 'utf8');
  const files = [...html.matchAll(/<script type="module"[^>]*src="\/([^"]+)"/g)].map((m) => m[1]!);
  const bytes = files.reduce((n, f) => n + gzipSync(readFileSync(new URL(f, dist))).length, 0);
  return { files, bytes };
}

const percentile = (xs: readonly number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const round = (x: number): number => Math.round(x * 100) / 100;
const load = (): number[] => loadavg().map(round);

/** Installed before any page script: DOM-change times, worker requests outstanding, "interactive". */
function instrument(): void {
  const lab = { outstanding: 0, mutations: 0, lastMutation: 0, interactiveAt: 0, interactivePainted: 0 };
  (window as unknown as { __bench: typeof lab }).__bench = lab;
  const W = window.Worker;
  class Counted extends W {
    readonly isLab: boolean;
    constructor(url: string | URL, opts?: WorkerOptions) {
      super(url, opts);
      // The lab's worker only (Monaco's editor worker has requests that are never answered).
      this.isLab = opts?.name === 'vmx-lab';
      if (this.isLab) this.addEventListener('message', () => { lab.outstanding--; });
    }
    override postMessage(message: unknown, options?: StructuredSerializeOptions | Transferable[]): void {
      if (this.isLab) lab.outstanding++;
      super.postMessage(message, options as StructuredSerializeOptions);
    }
  }
  window.Worker = Counted as unknown as typeof Worker;
  const check = (): void => {
    if (lab.interactiveAt) return;
    const status = document.querySelector('[aria-label="Machine state"]');
    const step = document.querySelector<HTMLButtonElement>('button[aria-label="Step"]');
    if (status?.textContent?.startsWith('Paused') && step && !step.disabled) {
      lab.interactiveAt = performance.now();
      requestAnimationFrame(() => setTimeout(() => { lab.interactivePainted = performance.now(); }, 0));
    }
  };
  new MutationObserver(() => {
    lab.mutations++;
    lab.lastMutation = performance.now();
    check();
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

/**
 * Runs `n` Steps in the page; returns each one's milliseconds: from the click to the end of the
 * frame that painted the last DOM change, less the time that frame waited for the display's
 * refresh after that change (see the header).
 */
async function stepTimes(page: Page, n: number): Promise<number[]> {
  return page.evaluate(async (count) => {
    const lab = (window as unknown as { __bench: { outstanding: number; mutations: number; lastMutation: number } }).__bench;
    const btn = document.querySelector<HTMLButtonElement>('button[aria-label="Step"]')!;
    const status = document.querySelector('[aria-label="Machine state"]')!;
    const channel = new MessageChannel();
    // A frame: its requestAnimationFrame time, and the time of a task queued from it (after its
    // style, layout and paint).
    const frame = (): Promise<{ raf: number; painted: number }> => new Promise((res) => requestAnimationFrame((raf) => {
      channel.port1.onmessage = () => res({ raf: Math.min(raf, performance.now()), painted: performance.now() });
      channel.port2.postMessage(0);
    }));
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const before = status.textContent;
      const t0 = performance.now();
      btn.click();
      await new Promise<void>((res) => {
        const mo = new MutationObserver(() => { if (status.textContent !== before) { mo.disconnect(); res(); } });
        mo.observe(status, { subtree: true, characterData: true, childList: true });
      });
      // Frames until the worker has answered everything and a whole frame passed without a change.
      const frames: { raf: number; painted: number }[] = [];
      for (;;) {
        const seen = lab.mutations;
        frames.push(await frame());
        if (lab.outstanding <= 0 && lab.mutations === seen) break;
      }
      const last = lab.lastMutation;
      const f = frames.find((x) => x.painted > last) ?? frames[frames.length - 1]!;
      out.push(f.painted - t0 - Math.max(0, f.raf - last));
    }
    return out;
  }, n);
}

async function openLab(browser: Browser, query: string): Promise<{ page: Page; close: () => Promise<void>; interactive: number }> {
  const ctx = await browser.newContext();
  await ctx.addInitScript(instrument);
  const page = await ctx.newPage();
  await page.goto(`/${query}`);
  await page.waitForFunction(() => (window as unknown as { __bench: { interactivePainted: number } }).__bench.interactivePainted > 0, undefined, { polling: 100 });
  const interactive = await page.evaluate(() => (window as unknown as { __bench: { interactivePainted: number } }).__bench.interactivePainted);
  return { page, interactive, close: () => ctx.close() };
}

async function coldLoads(browser: Browser, query: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const { interactive, close } = await openLab(browser, query);
    out.push(interactive);
    await close();
  }
  return out;
}

async function stepFigures(browser: Browser, query: string, monaco: boolean) {
  const { page, close } = await openLab(browser, query);
  if (monaco) await page.locator('.monaco-editor .view-lines').first().waitFor();
  await page.waitForTimeout(500);
  await stepTimes(page, 20); // warm-up: JIT, first events
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async (): Promise<number> => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')!.value;
  const busy0 = await metric();
  const loadBefore = load();
  const times = await stepTimes(page, STEPS);
  const busy = ((await metric()) - busy0) * 1000 / STEPS;
  const loadAfter = load();
  await close();
  return {
    median: round(percentile(times, 0.5)), p95: round(percentile(times, 0.95)), steps: times.length,
    mainThreadBusyPerStepMs: round(busy), loadAverage: { before: loadBefore, after: loadAfter },
    samples: times.map(round),
  };
}

test('ui figures', async ({ browser }) => {
  test.setTimeout(600_000);
  const loadAtStart = load();
  const entry = entryGzip();
  const coldDefault = await coldLoads(browser, '');
  const coldPlain = await coldLoads(browser, '?editor=plain');
  const stepDefault = await stepFigures(browser, '', true);
  const stepPlain = await stepFigures(browser, '?editor=plain', false);
  const figures = {
    measuredAt: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model.trim(), cores: cpus().length, chromium: browser.version(), node: process.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: load() },
    entryJsGzipBytes: entry.bytes,
    entryFiles: entry.files,
    coldLoadToInteractiveMs: { median: round(percentile(coldDefault, 0.5)), runs: coldDefault.length, samples: coldDefault.map(round) },
    coldLoadPlainEditorMs: { median: round(percentile(coldPlain, 0.5)), runs: coldPlain.length, samples: coldPlain.map(round) },
    stepToPanelsMs: stepDefault,
    stepToPanelsPlainEditorMs: stepPlain,
  };
  const out = process.env.BENCH_OUT ? new URL(process.env.BENCH_OUT, new URL('bench-results/', root)) : new URL('bench-results/ui.json', root);
  mkdirSync(new URL('./', out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(JSON.stringify({ ...figures, stepToPanelsMs: { ...stepDefault, samples: undefined }, stepToPanelsPlainEditorMs: { ...stepPlain, samples: undefined } }, null, 1));
});
