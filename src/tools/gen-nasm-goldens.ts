// Runs real NASM on every corpus file (src/asm/testdata/corpus/*.asm) and writes the flat
// binary beside it as the golden (.bin) that src/asm/corpus.golden.test.ts compares our
// assembler with (STYLE rule 18c). NASM is the specification of the bytes.
//
// Usage: npm run goldens            (needs `nasm` on PATH; NASM 2.16 is the reference)
//        npx tsx src/tools/gen-nasm-goldens.ts --check   (exit 1 if a golden is stale)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../asm/testdata/corpus');

/** Assembles one file with NASM (`-f bin`, warnings off) and returns the bytes. */
export function nasmBytes(asmPath: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'vmxlab-nasm-'));
  try {
    const out = join(dir, 'out.bin');
    execFileSync('nasm', ['-f', 'bin', '-w-all', '-o', out, asmPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  // The 64-bit files and the 16/32-bit ones of legacy/ (`bits 16`, `bits 32`).
  const files = [
    ...readdirSync(CORPUS).filter((f) => f.endsWith('.asm')).sort(),
    ...readdirSync(join(CORPUS, 'legacy')).filter((f) => f.endsWith('.asm')).sort().map((f) => `legacy/${f}`),
  ];
  for (const f of files) {
    const bytes = nasmBytes(join(CORPUS, f));
    const binPath = join(CORPUS, f.replace(/\.asm$/, '.bin'));
    if (check) {
      let old: Uint8Array | null = null;
      try { old = new Uint8Array(readFileSync(binPath)); } catch { old = null; }
      if (!old || Buffer.compare(Buffer.from(old), Buffer.from(bytes)) !== 0) { stale++; console.error(`stale golden: ${f}`); }
    } else {
      writeFileSync(binPath, bytes);
    }
  }
  console.log(`${check ? 'checked' : 'wrote'} ${files.length} goldens${check ? `, ${stale} stale` : ''}`);
  if (stale > 0) process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
