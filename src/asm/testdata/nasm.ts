// Runs the real NASM (when installed) on a lab program with vmx.inc pre-included, the
// reference the assembler is compared with (DESIGN.md section 4). Test-only: uses Node.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vmxInc } from '../vmx-inc.ts';

/** Whether `nasm` can be run here. */
export const HAVE_NASM = spawnSync('nasm', ['-v'], { encoding: 'utf8' }).status === 0;

export interface NasmResult {
  readonly ok: boolean;
  readonly bytes: Uint8Array;
  /** NASM's messages, `file:line: severity: text`. */
  readonly messages: string[];
}

let dir: string | null = null;

function workDir(): string {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'labasm-nasm-'));
    writeFileSync(join(dir, 'vmx.inc'), vmxInc());
    process.once('exit', () => { if (dir) rmSync(dir, { recursive: true, force: true }); });
  }
  return dir;
}

/** Assembles `source` with `nasm -f bin -P vmx.inc`. */
export function nasm(source: string): NasmResult {
  const d = workDir();
  const src = join(d, 'prog.asm');
  const out = join(d, 'prog.bin');
  writeFileSync(src, source);
  rmSync(out, { force: true });
  const r = spawnSync('nasm', ['-f', 'bin', '-P', join(d, 'vmx.inc'), '-o', out, src], { encoding: 'utf8' });
  const messages = (r.stderr ?? '').split('\n').filter((l) => l.trim() !== '');
  if (r.status !== 0) return { ok: false, bytes: new Uint8Array(0), messages };
  return { ok: true, bytes: new Uint8Array(readFileSync(out)), messages };
}

/** The 1-based line numbers NASM reported errors on. */
export function nasmErrorLines(r: NasmResult): number[] {
  return r.messages.map((m) => /prog\.asm:(\d+): error/.exec(m)).filter((m) => m !== null).map((m) => Number(m[1]));
}
