// Random edits of the golden programs, for the property and NASM differential tests:
// mutations of real programs reach the deeper stages (layout, encoder, struc, macros)
// that random token soup rarely gets through. Test-only (reads files with Node).

import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const GOLDEN_DIR = join(import.meta.dirname, 'programs');
const GOLDEN = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.asm')).sort()
  .map((f) => readFileSync(join(GOLDEN_DIR, f), 'utf8').split('\n'));

function mutation(token: fc.Arbitrary<string>, charEdits: boolean) {
  return fc.oneof(
    fc.record({ kind: fc.constant(charEdits ? 'drop-char' as const : 'drop-line' as const), at: fc.nat(), line: fc.nat() }),
    fc.record({ kind: fc.constant('drop-line' as const), line: fc.nat() }),
    fc.record({ kind: fc.constant('dup-line' as const), line: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), line: fc.nat(), at: fc.nat(), text: token }),
    fc.record({ kind: fc.constant('swap-lines' as const), line: fc.nat(), other: fc.nat() }),
  );
}

/**
 * A golden program with 1-6 random edits: lines dropped, duplicated or swapped, tokens
 * inserted, and (with `charEdits`) single characters deleted.
 */
export function mutatedProgram(token: fc.Arbitrary<string>, charEdits = true): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(GOLDEN.length - 1), fc.array(mutation(token, charEdits), { minLength: 1, maxLength: 6 })).map(([g, ms]) => {
    const lines = [...GOLDEN[g]!];
    for (const m of ms) {
      const i = m.line % lines.length;
      const l = lines[i] ?? '';
      switch (m.kind) {
        case 'drop-char': {
          const at = m.at % (l.length + 1);
          lines[i] = l.slice(0, at) + l.slice(at + 1);
          break;
        }
        case 'drop-line': lines.splice(i, 1); break;
        case 'dup-line': lines.splice(i, 0, l); break;
        case 'insert': {
          // Without character edits, insert only between words (at a space or line end).
          const spaces = [...l.matchAll(/\s/g)].map((x) => x.index!).concat([l.length]);
          const at = charEdits ? m.at % (l.length + 1) : spaces[m.at % spaces.length]!;
          lines[i] = `${l.slice(0, at)} ${m.text} ${l.slice(at)}`;
          break;
        }
        case 'swap-lines': {
          const j = m.other % lines.length;
          [lines[i], lines[j]] = [lines[j] ?? '', l];
          break;
        }
      }
    }
    return lines.join('\n');
  });
}
