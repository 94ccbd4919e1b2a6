// Golden programs (STYLE rule 18c): each testdata/programs/*.asm has the .bin real NASM
// produced with vmx.inc pre-included. We compare with the committed .bin always, and
// with a fresh NASM run when nasm is installed. VMXLAB_ACCEPT=1 rewrites the .bin files
// from NASM (the "accept new output" command).

import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from './index.ts';
import { HAVE_NASM, nasm } from './testdata/nasm.ts';

const DIR = join(import.meta.dirname, 'testdata', 'programs');
const programs = readdirSync(DIR).filter((f) => f.endsWith('.asm')).sort();

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `offset 0x${i.toString(16)}: ours ${hex(a.subarray(i, i + 8))} nasm ${hex(b.subarray(i, i + 8))}`;
  return `lengths ${a.length} vs ${b.length}`;
}

describe('golden programs: byte-identical to nasm -f bin with vmx.inc', () => {
  it('has programs', () => expect(programs.length).toBeGreaterThanOrEqual(8));

  for (const file of programs) {
    it(file, () => {
      const source = readFileSync(join(DIR, file), 'utf8');
      const ours = assemble(source, { fileName: file });
      expect(ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(ours.ok).toBe(true);
      const binPath = join(DIR, file.replace(/\.asm$/, '.bin'));
      if (HAVE_NASM) {
        const ref = nasm(source);
        expect(ref.ok, ref.messages.join('\n')).toBe(true);
        if (process.env.VMXLAB_ACCEPT === '1') writeFileSync(binPath, ref.bytes);
        expect(hex(ours.bytes) === hex(ref.bytes), firstDifference(ours.bytes, ref.bytes)).toBe(true);
      }
      expect(existsSync(binPath), `${binPath} missing: run with VMXLAB_ACCEPT=1 where nasm is installed`).toBe(true);
      const golden = new Uint8Array(readFileSync(binPath));
      expect(hex(ours.bytes) === hex(golden), firstDifference(ours.bytes, golden)).toBe(true);
      // Every byte belongs to exactly one line.
      const covered = ours.lineMap.reduce((n, s) => n + s.size, 0);
      expect(covered).toBe(ours.bytes.length);
    });
  }
});
