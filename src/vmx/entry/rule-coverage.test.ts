// Every check has a rule test (STYLE rule 18d): each id is named by some test in
// src/vmx/entry — literally, or by a template such as `guest.seg.${lc(r)}.base.v86`
// whose placeholders stand for one id segment.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTRY_CHECKS } from './checks/index.ts';

function testSources(): string {
  const dirs = [__dirname, join(__dirname, 'checks')];
  return dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.test.ts') && f !== 'rule-coverage.test.ts').map((f) => readFileSync(join(d, f), 'utf8'))).join('\n');
}

/** Id patterns in test sources: quoted literals and template literals with placeholders. */
function idPatterns(src: string): RegExp[] {
  const out: RegExp[] = [];
  for (const m of src.matchAll(/(['"`])((?:ctrl|host|guest|msr-load|\$\{[^}]+\}\.)[^'"`\n]*)\1/g)) {
    const raw = m[2]!;
    const parts = raw.split(/\$\{[^}]*\}/).map((s) => s.replace(/[.*+?^()|[\]\\]/g, '\\$&').replace(/\\\*/g, '[a-z0-9.-]+'));
    out.push(new RegExp(`^${parts.join('[a-z0-9-]+')}$`));
  }
  return out;
}

describe('rule-test coverage', () => {
  it('names every check in at least one rule test', () => {
    const patterns = idPatterns(testSources());
    const untested = ENTRY_CHECKS.map((c) => c.id).filter((id) => !patterns.some((p) => p.test(id)));
    expect(untested).toEqual([]);
  });
});
