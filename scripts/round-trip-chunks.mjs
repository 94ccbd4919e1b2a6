// `src/tools/round-trip-chunks.ts` bundled into one module (as Vite bundles the core into the
// page's worker) and run: the figure the browser's engine sees, without tsx's module-by-module
// loading. Uses the esbuild that tsx and Vite install. Usage: node scripts/round-trip-chunks.mjs [MACHINES]
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}node_modules/.cache/vmx-lab/round-trip-chunks.mjs`;
mkdirSync(`${root}node_modules/.cache/vmx-lab`, { recursive: true });
// The program text is read by the bundle from its source path (the bundle lives elsewhere).
const entry = `import { readFileSync } from 'node:fs';
import { roundTripChunks } from ${JSON.stringify(`${root}src/tools/round-trip-chunks.ts`)};
roundTripChunks(Number(process.argv[2] ?? 4), readFileSync(${JSON.stringify(`${root}src/machine/conformance/round-trips.asm`)}, 'utf8'));
`;
await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', target: 'es2022', outfile: out, logLevel: 'warning' });
await import(pathToFileURL(out).href);
