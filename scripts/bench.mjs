#!/usr/bin/env node
// `npm run bench`: every figure of DESIGN section 8 in one command (decision 0079).
//   1. the Node figures (src/tools/bench.ts -> bench-results/bench.json);
//   2. the browser figures: a fresh build served by `vite preview` on its own port, measured in
//      headless Chromium by e2e/bench/ui.bench.spec.ts (-> bench-results/ui.json);
//   3. the table between the bench markers of docs/performance.md, written again with the
//      machine it ran on (CPU, cores, load average, Node, Chromium).
// Options: --node-only, --ui-only (the other figures are taken from their last JSON), --no-docs.
// Needs only `npm ci` and a Chromium (Debian's /usr/lib/chromium/chromium, or CHROMIUM_PATH).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const DOC = `${root}docs/performance.md`;
const BEGIN = '<!-- bench:table:begin (written by `npm run bench`; edit scripts/bench.mjs, not this table) -->';
const END = '<!-- bench:table:end -->';

function run(cmd, cmdArgs) {
  console.log(`\n$ ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, env: process.env });
  if (r.status !== 0) {
    console.error(`${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

if (!args.has('--ui-only')) run('npx', ['tsx', 'src/tools/bench.ts']);
if (!args.has('--node-only')) run('npx', ['playwright', 'test', '-c', 'e2e/bench.config.ts', '--reporter', 'list']);

const read = (f) => (existsSync(`${root}bench-results/${f}`) ? JSON.parse(readFileSync(`${root}bench-results/${f}`, 'utf8')) : undefined);
const node = read('bench.json');
const ui = read('ui.json');

const num = (v, unit) => {
  if (unit === 'instructions/s') return `${(v / 1e6).toFixed(1)} M/s`;
  if (unit === 'round trips/s') return `${(v / 1e3).toFixed(1)} k/s`;
  if (unit === 'us') return `${v.toFixed(1)} us`;
  if (unit === 'ms') return v < 1 ? `${v.toFixed(3)} ms` : `${v.toFixed(1)} ms`;
  return `${v} ${unit}`;
};
const verdict = (ok) => (ok ? 'within budget' : '**over budget**');
const loads = (m) => (m ? `${m.loadAverageAtStart?.join(' / ') ?? '?'} -> ${m.loadAverageAtEnd?.join(' / ') ?? '?'}` : '?');

const rows = [];
if (node) {
  for (const f of node.figures) {
    const budget = `${f.better === 'higher' ? '>=' : '<='} ${num(f.budget, f.unit)}`;
    if (f.withinBudget === null) rows.push(`| ${f.title} (Node) | (${budget}, not judged) | ${num(f.value, f.unit)} (samples ${f.samples.map((v) => num(v, f.unit)).join(', ')}) | ${f.informational ?? 'informational'} |`);
    else rows.push(`| ${f.title} (Node) | ${budget} | ${num(f.value, f.unit)} | ${verdict(f.withinBudget)} |`);
  }
}
if (ui) {
  const s = ui.stepToPanelsMs;
  const p = ui.stepToPanelsPlainEditorMs;
  rows.push(`| entry JavaScript, gzip (Monaco and lesson text lazy) | <= 200 KB | ${(ui.entryJsGzipBytes / 1024).toFixed(1)} KB | ${verdict(ui.entryJsGzipBytes <= 200 * 1024)} |`);
  rows.push(`| cold load to interactive (headless Chromium, \`vite preview\`), median of ${ui.coldLoadToInteractiveMs.runs} | <= 1000 ms | ${ui.coldLoadToInteractiveMs.median.toFixed(0)} ms (\`?editor=plain\`: ${ui.coldLoadPlainEditorMs.median.toFixed(0)} ms) | ${verdict(ui.coldLoadToInteractiveMs.median <= 1000)} |`);
  rows.push(`| Step click to every panel painted, ${s.steps} steps (Monaco editor) | median <= 8 ms, p95 <= 16 ms | median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms; main thread busy ${s.mainThreadBusyPerStepMs.toFixed(1)} ms a step | ${verdict(s.median <= 8 && s.p95 <= 16)} |`);
  rows.push(`| the same with \`?editor=plain\` (textarea) | median <= 8 ms, p95 <= 16 ms | median ${p.median.toFixed(1)} ms, p95 ${p.p95.toFixed(1)} ms; main thread busy ${p.mainThreadBusyPerStepMs.toFixed(1)} ms a step | ${verdict(p.median <= 8 && p.p95 <= 16)} |`);
}
const m = node?.machine ?? ui?.machine;
const table = [
  BEGIN,
  '',
  `Node figures ${node ? `measured ${node.date}, load average ${loads(node.machine)}` : 'not measured yet'}; browser figures ${ui ? `measured ${ui.measuredAt}, load average ${loads(ui.machine)}, Chromium ${ui.machine.chromium}` : 'not measured yet'}.`,
  `Machine: ${m?.cpu ?? '?'}, ${m?.cores ?? '?'} cores, Node ${m?.node ?? '?'}${node?.machine.platform ? `, ${node.machine.platform}` : ''}. Load averages are 1/5/15-minute; above the core count, wall-clock figures are pessimistic.`,
  '',
  '| figure | budget | measured | |',
  '| --- | --- | --- | --- |',
  ...rows,
  '',
  END,
].join('\n');

if (!args.has('--no-docs')) {
  const doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf('<!-- bench:table:begin');
  const b = doc.indexOf(END);
  const next = a >= 0 && b > a ? `${doc.slice(0, a)}${table}${doc.slice(b + END.length)}` : doc.replace(/^## Figures\n/m, `## Figures\n\n### Latest \`npm run bench\`\n\n${table}\n`);
  writeFileSync(DOC, next);
  console.log('\nwrote the figures table of docs/performance.md');
}
console.log(`\n${table}`);
