// Assertions shared by the rule tests: a check's verdict is pass/not-applicable or fail
// as expected, a failure explains itself, and the fix it proposes satisfies the check.
// Test helper only (imports the test framework).

import { expect } from 'vitest';
import type { FakeEntry } from './fake-context.ts';
import { applyFix, verdict } from './rules.ts';

/** Asserts check `id` fails exactly when `ok` is false; on failure, checks the explanation and the fix. */
export function expectRule(e: FakeEntry, id: string, ok: boolean, label = ''): void {
  const v = verdict(e, id);
  expect(v.kind === 'fail', `${id} ${label}: expected ${ok ? 'no failure' : 'a failure'}${v.kind === 'fail' ? `, got: ${v.message}` : ''}`).toBe(!ok);
  if (v.kind !== 'fail') return;
  expect(v.message.length, `${id} message`).toBeGreaterThan(10);
  expect(v.expected.length, `${id} expected`).toBeGreaterThan(3);
  if (applyFix(e, v)) expect(verdict(e, id).kind, `${id} ${label}: the proposed fix still fails`).not.toBe('fail');
}

/** Asserts check `id` is not applicable (its precondition does not hold). */
export function expectNotApplicable(e: FakeEntry, id: string, label = ''): void {
  expect(verdict(e, id).kind, `${id} ${label}`).toBe('not-applicable');
}
