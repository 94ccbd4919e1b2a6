// Every built-in lesson and challenge has a walkthrough in this folder (a test titled
// "walkthrough [ID]"), and every walkthrough names a lesson that exists.
import { readdirSync, readFileSync } from 'node:fs';
import { LESSONS } from '../../src/lessons/index.ts';
import { test, expect } from '@playwright/test';

test('every lesson and challenge has exactly one walkthrough', () => {
  const dir = new URL('./', import.meta.url).pathname;
  const ids = readdirSync(dir)
    .filter((f) => f.endsWith('.walk.ts'))
    .flatMap((f) => [...readFileSync(dir + f, 'utf8').matchAll(/test\('walkthrough \[([a-z0-9-]+)\]'/g)].map((m) => m[1]!));
  expect([...ids].sort()).toEqual(LESSONS.map((l) => l.id).sort());
});
