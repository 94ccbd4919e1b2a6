// Golden tests of `vmx-lab run --json` (DESIGN section 6): every testdata/*.asm is run in process
// and its JSON line compared with testdata/<name>.jsonl. VMXLAB_ACCEPT=1 rewrites the expected
// files after an intentional change (review the diff before committing).

import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it, expect } from 'vitest';
import { main } from './main.ts';
import { memoryIo } from './testing.ts';

const DIR = resolve(__dirname, 'testdata');
const ACCEPT = process.env.VMXLAB_ACCEPT === '1';
const programs = readdirSync(DIR).filter((f) => f.endsWith('.asm')).sort();
/** Extra arguments per program. Goldens name a profile so a new default profile does not change them. */
const PROFILE = ['--profile', 'skylake-client'];
const ARGS: Record<string, string[]> = { 'loop.asm': ['--max-steps', '1000'], 'feature-unlocked.asm': ['--msr', '0x3a=0x4'] };

describe('run --json goldens', () => {
  it.each(programs)('%s', (name) => {
    const io = memoryIo({ [name]: readFileSync(join(DIR, name), 'utf8') });
    const code = main(['run', name, '--json', ...PROFILE, ...(ARGS[name] ?? [])], io);
    const expectedFile = join(DIR, name.replace(/\.asm$/, '.jsonl'));
    if (ACCEPT) writeFileSync(expectedFile, io.out);
    expect(existsSync(expectedFile), `${expectedFile} missing: run with VMXLAB_ACCEPT=1 and review it`).toBe(true);
    expect(io.out).toBe(readFileSync(expectedFile, 'utf8'));
    const rec = JSON.parse(io.out) as { ok: boolean };
    expect(code).toBe(rec.ok ? 0 : 2);
    expect(io.out.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('runs several files in the order given, one line each, exit 2 if one does not assemble', () => {
    const files = Object.fromEntries(['arith.asm', 'bad-syntax.asm', 'stack.asm'].map((f) => [f, readFileSync(join(DIR, f), 'utf8')]));
    const io = memoryIo(files);
    expect(main(['run', 'arith.asm', 'bad-syntax.asm', 'stack.asm', 'missing.asm', '--json'], io)).toBe(2);
    const lines = io.out.trim().split('\n').map((l) => JSON.parse(l) as { file: string; ok: boolean });
    expect(lines.map((l) => [l.file, l.ok])).toEqual([['arith.asm', true], ['bad-syntax.asm', false], ['stack.asm', true], ['missing.asm', false]]);
  });
});
