// Every stored link and state file still opens, and opens as its normalised form (Compiler
// Explorer's test/state/*.normalized.json). Fixtures are never deleted or regenerated.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateFromFile } from './file.ts';
import { CURRENT_VERSION } from './migrations.ts';
import { fixtureLookup } from './testdata/fixture-lessons.ts';
import { decodeState, encodeState } from './url.ts';
import type { DecodeResult } from './url.ts';

const DIR = join(__dirname, 'testdata');
const files = readdirSync(DIR);
const links = files.filter((f) => f.endsWith('.url'));
const stateFiles = files.filter((f) => f.endsWith('.vmxlab.json'));
const expected = (name: string): unknown => JSON.parse(readFileSync(join(DIR, `${name}.normalized.json`), 'utf8'));
/** The format a fixture was made in: its name starts with `v<format>-`. */
const formatOf = (name: string): number => Number(/^v(\d+)-/.exec(name)![1]);

/**
 * A fixture's answer as stored: what it opens as (the state, or the refusal) and the lesson it
 * carries. `migratedFrom` is left out: it grows true as the format moves on (a fixture stored
 * when its format was current records none) and is checked on its own.
 */
function opened(r: DecodeResult | Record<string, unknown>): unknown {
  const { migratedFrom: _m, ...rest } = r as Record<string, unknown>;
  return rest;
}

function expectOpened(r: DecodeResult, name: string): void {
  expect(opened(r)).toEqual(opened(expected(name) as Record<string, unknown>));
  const format = formatOf(name);
  if (r.ok) expect(r.migratedFrom).toBe(format < CURRENT_VERSION ? format : undefined);
}

describe('stored links open as their normalised form', () => {
  it('there are fixtures of every format', () => {
    for (let v = 0; v <= CURRENT_VERSION; v++) expect(links.some((f) => f.startsWith(`v${v}-`))).toBe(true);
    expect(stateFiles.length).toBeGreaterThan(0);
  });

  it.each(links)('%s', (file) => {
    const fragment = readFileSync(join(DIR, file), 'utf8').trim();
    const r = decodeState(fragment, fixtureLookup);
    expectOpened(r, file.replace(/\.url$/, ''));
    // Re-encoding today's reading (with its lesson, if it carries one) and opening it again gives the same.
    if (r.ok) expect(decodeState(encodeState(r.state, undefined, r.lesson), fixtureLookup)).toEqual(r.lesson ? { ok: true, state: r.state, lesson: r.lesson } : { ok: true, state: r.state });
  });

  it.each(stateFiles)('%s', (file) => {
    const r = stateFromFile(readFileSync(join(DIR, file)), fixtureLookup);
    expectOpened(r, file.replace(/\.vmxlab\.json$/, ''));
  });
});
