// The real entry point: bin/vmx-lab.mjs as a child process (exit codes and streams), once per
// outcome; everything else is tested in process (main.test.ts, cli.golden.test.ts).

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it, expect } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const BIN = resolve(ROOT, 'bin/vmx-lab.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('bin/vmx-lab.mjs', () => {
  it('runs programs and prints JSON Lines; exit 2 when one does not assemble', { timeout: 60_000 }, () => {
    const r = run('run', 'src/cli/testdata/stack.asm', 'src/cli/testdata/bad-syntax.asm', '--json');
    expect(r.status).toBe(2);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; ok: boolean; final: { stop: string } | null });
    expect(lines.map((l) => [l.file, l.ok])).toEqual([['src/cli/testdata/stack.asm', true], ['src/cli/testdata/bad-syntax.asm', false]]);
    expect(lines[0].final?.stop).toBe('halted');
  });

  it('exits 0 when every program ran, and 2 with a message on a usage error', { timeout: 60_000 }, () => {
    const ok = run('run', 'src/cli/testdata/fault-gp.asm');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('#GP');
    const bad = run('run', '--max-steps', 'x', 'a.asm');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--max-steps');
  });
});
