// The VMX part of the `run --json` contract (DESIGN section 6) on the conformance bring-up
// program (src/machine/conformance/bringup.asm): each VMX instruction gives exactly one event
// at its line; a VMLAUNCH/VMRESUME that passed its VMfail checks gives `vmentry`, followed by
// the matching `vmexit`.

import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it, expect } from 'vitest';
import { PROFILES } from '../arch/profiles/index.ts';
import { main } from './main.ts';
import { memoryIo } from './testing.ts';

const BRINGUP = resolve(__dirname, '../machine/conformance/bringup.asm');

describe.skipIf(!existsSync(BRINGUP))('run --json: VMX events of a full bring-up', () => {
  it.each(PROFILES.map((p) => p.id))('%s', (profile) => {
    const io = memoryIo({ 'bringup.asm': readFileSync(BRINGUP, 'utf8') });
    expect(main(['run', 'bringup.asm', '--json', '--profile', profile], io)).toBe(0);
    const rec = JSON.parse(io.out) as { ok: boolean; events: Record<string, unknown>[]; final: { stop: string; mode: string } };
    expect(rec.ok).toBe(true);
    const kinds = rec.events.map((e) => e.kind);
    expect(kinds).not.toContain('fault');
    const entry = kinds.indexOf('vmentry');
    expect(entry).toBeGreaterThan(0);
    const exit = rec.events[entry + 1];
    expect(exit).toMatchObject({ kind: 'vmexit', reason: 18, name: 'VMCALL', entryFailure: false, qualification: '0x0', instruction: 'vmcall' });
    expect(exit.guestRip).toMatch(/^0x[0-9a-f]+$/);
    expect(Object.keys(exit)).toEqual(['step', 'kind', 'reason', 'name', 'entryFailure', 'qualification', 'guestRip', 'instruction']);
    for (const e of rec.events) {
      if (e.kind === 'vmexit') continue;
      expect(e.line).toEqual(expect.any(Number));
      expect(e.rip).toMatch(/^0x[0-9a-f]+$/);
      expect(typeof e.text).toBe('string');
    }
    // Every event of a VMX instruction sits at a distinct step: one event per instruction.
    const steps = rec.events.filter((e) => e.kind !== 'vmexit').map((e) => e.step);
    expect(new Set(steps).size).toBe(steps.length);
    expect(rec.final).toMatchObject({ stop: 'halted', mode: 'root' });
  });
});
