// Enforces the layer order of DESIGN section 2: a layer imports only layers below it,
// and the core never reaches the DOM, React or worker APIs.
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname);
/**
 * Lowest first. Layers on the same rank may not import each other. Lessons sit above the
 * machine (their goals are evaluated on it) and below everything that shows or checks them;
 * shared-URL state (share) reads lessons, and the worker reads both.
 */
const RANK: Record<string, number> = {
  arch: 0, x86: 1, asm: 2, vmx: 3, machine: 4, lessons: 5, share: 6, worker: 7, cli: 8, ui: 9,
  testing: 10, tools: 10,
};
const CORE = new Set(['arch', 'x86', 'asm', 'vmx', 'machine']);
const FORBIDDEN_IN_CORE = ['react', 'react-dom', 'zustand', 'monaco-editor', 'comlink', '@monaco-editor/react'];

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'testdata' && name !== 'node_modules') yield* sourceFiles(p);
    } else if (/\.(ts|tsx)$/.test(name)) yield p;
  }
}

function layerOf(file: string): string | undefined {
  const rel = relative(SRC, file).split(sep);
  return rel.length > 1 ? rel[0] : undefined;
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function violations(): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const layer = layerOf(file);
    if (!layer || !(layer in RANK)) continue;
    const isTest = /\.test\.tsx?$/.test(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) {
        const target = layerOf(resolve(dirname(file), spec));
        if (!target || target === layer || !(target in RANK)) continue;
        // Tests may use shared helpers in src/testing.
        if (isTest && target === 'testing') continue;
        if (RANK[target] >= RANK[layer]) out.push(`${relative(SRC, file)} imports ${spec} (${layer} -> ${target})`);
      } else if (CORE.has(layer) && !isTest && FORBIDDEN_IN_CORE.some((f) => spec === f || spec.startsWith(`${f}/`))) {
        out.push(`${relative(SRC, file)} imports ${spec}: the core never imports UI or worker libraries`);
      }
    }
    if (CORE.has(layer) && !isTest && /\b(document|window|localStorage|self\.postMessage)\./.test(text)) {
      out.push(`${relative(SRC, file)} touches the DOM or worker globals`);
    }
  }
  return out;
}

describe('layers', () => {
  it('no import points up the layer order, and the core stays free of UI', () => {
    expect(violations()).toEqual([]);
  });

  it('would catch an upward import and a UI import in the core', () => {
    const probe = join(SRC, 'x86', '__layer_probe__.ts');
    writeFileSync(probe, "import { x } from '../machine/machine.ts';\nimport { create } from 'zustand';\n");
    try {
      const found = violations().filter((v) => v.includes('__layer_probe__'));
      expect(found).toHaveLength(2);
    } finally {
      unlinkSync(probe);
    }
  });
});
