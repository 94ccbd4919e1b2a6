// Every stored link and state file still opens, and opens as its normalised form (Compiler
// Explorer's test/state/*.normalized.json). Fixtures are never deleted or regenerated.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateFromFile } from './file.ts';
import { CURRENT_VERSION } from './migrations.ts';
import { fixtureLookup } from './testdata/fixture-lessons.ts';
import { decodeState, encodeState } from './url.ts';

const DIR = join(__dirname, 'testdata');
const files = readdirSync(DIR);
const links = files.filter((f) => f.endsWith('.url'));
const stateFiles = files.filter((f) => f.endsWith('.vmxlab.json'));
const expected = (name: string): unknown => JSON.parse(readFileSync(join(DIR, `${name}.normalized.json`), 'utf8'));

describe('stored links open as their normalised form', () => {
  it('there are fixtures of every format', () => {
    for (let v = 0; v <= CURRENT_VERSION; v++) expect(links.some((f) => f.startsWith(`v${v}-`))).toBe(true);
    expect(stateFiles.length).toBeGreaterThan(0);
  });

  it.each(links)('%s', (file) => {
    const fragment = readFileSync(join(DIR, file), 'utf8').trim();
    const r = decodeState(fragment, fixtureLookup);
    expect(r).toEqual(expected(file.replace(/\.url$/, '')));
    // Re-encoding today's reading and opening it again gives the same state.
    if (r.ok) expect(decodeState(encodeState(r.state), fixtureLookup)).toEqual({ ok: true, state: r.state });
  });

  it.each(stateFiles)('%s', (file) => {
    const r = stateFromFile(readFileSync(join(DIR, file)), fixtureLookup);
    expect(r).toEqual(expected(file.replace(/\.vmxlab\.json$/, '')));
  });
});
