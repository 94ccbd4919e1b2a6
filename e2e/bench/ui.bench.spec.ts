// Browser figures for docs/performance.md (DESIGN section 8 budgets): entry JS gzip <= 200 KB,
// cold load to interactive <= 1 s, Step click to panels updated median <= 8 ms, p95 <= 16 ms.
import { test } from '@playwright/test';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const root = new URL('../../', import.meta.url);

/** Entry chunk: the script index.html loads, gzipped. */
function entryGzip(): { file: string; bytes: number } {
  const html = readFileSync(new URL('e2e/.artifacts/bench-dist/index.html', root), 'utf8');
  const src = /<script type="module"[^>]*src="\/([^"]+)"/.exec(html)![1]!;
  return { file: src, bytes: gzipSync(readFileSync(new URL(`e2e/.artifacts/bench-dist/${src}`, root))).length };
}

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

test('ui figures', async ({ browser }) => {
  // Cold load: a fresh context (empty cache), from navigation start to the machine state "Paused".
  const loads: number[] = [];
  for (let i = 0; i < 5; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto('/?editor=plain');
    await page.getByRole('status', { name: 'Machine state' }).filter({ hasText: 'Paused' }).waitFor();
    loads.push(await page.evaluate(() => performance.now()));
    await ctx.close();
  }
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto('/?editor=plain');
  await page.getByRole('status', { name: 'Machine state' }).filter({ hasText: 'Paused' }).waitFor();
  // Step click to the status line (the last thing the bridge's update renders) showing the new step, then a frame.
  const steps = await page.evaluate(async () => {
    const btn = document.querySelector<HTMLButtonElement>('button[aria-label="Step"]')!;
    const status = document.querySelector('[aria-label="Machine state"]')!;
    const out: number[] = [];
    for (let i = 0; i < 200; i++) {
      const before = status.textContent;
      const t0 = performance.now();
      btn.click();
      await new Promise<void>((res) => {
        const mo = new MutationObserver(() => {
          if (status.textContent !== before) { mo.disconnect(); res(); }
        });
        mo.observe(status, { subtree: true, characterData: true, childList: true });
      });
      out.push(performance.now() - t0);
    }
    return out;
  });
  await ctx.close();
  const figures = {
    entryJsGzipBytes: entryGzip().bytes,
    coldLoadToInteractiveMs: { median: percentile(loads, 0.5), runs: loads.length },
    stepToPanelsMs: { median: percentile(steps, 0.5), p95: percentile(steps, 0.95), steps: steps.length },
    measuredAt: new Date().toISOString(),
  };
  mkdirSync(new URL('bench-results/', root), { recursive: true });
  writeFileSync(new URL('bench-results/ui.json', root), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(JSON.stringify(figures));
});
