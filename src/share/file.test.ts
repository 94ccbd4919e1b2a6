import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, stateFromFile, stateToFile } from './file.ts';
import { fixtureLookup, FIXTURE_STARTS } from './testdata/fixture-lessons.ts';

const s = FIXTURE_STARTS.get('fixture-vmxon')!;
const msg = (data: string | Uint8Array): string => {
  const r = stateFromFile(data, fixtureLookup);
  return r.ok ? 'ok' : r.message;
};

describe('state files', () => {
  it('round trip as text and as UTF-8 bytes, self-contained (no lesson difference)', () => {
    const text = stateToFile(s);
    expect(text).not.toContain('"bh"');
    expect(stateFromFile(text, fixtureLookup)).toEqual({ ok: true, state: s });
    expect(stateFromFile(new TextEncoder().encode(text), fixtureLookup)).toEqual({ ok: true, state: s });
  });
  it('refuses what is not a state file', () => {
    expect(msg(' '.repeat(MAX_FILE_BYTES + 1))).toMatch(/more than 2097152/);
    expect(msg(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]))).toMatch(/not UTF-8/);
    expect(msg('{"format":"other","version":1,"state":{}}')).toMatch(/not a VMX Lab state/);
    expect(msg('{"format":"vmx-lab-state","version":-1,"state":{}}')).toMatch(/format number/);
    expect(msg('{"format":"vmx-lab-state","version":7,"state":{}}')).toMatch(/newer VMX Lab/);
    expect(msg('{"format":"vmx-lab-state","version":1,"state":{"f":"core2-conroe"},"x":1}')).toMatch(/unknown field "x"/);
    expect(msg('{"format":"vmx-lab-state","version":1,"state":{"f":"core2-conroe","__proto__":1}}')).toMatch(/forbidden key/);
    expect(msg('{"format":"vmx-lab-state","version":0,"state":{"code":"nop\\n"}}')).toBe('ok');
  });
  it('stateToFile refuses an invalid state', () => {
    expect(() => stateToFile({ ...s, breakpoints: [0] })).toThrow(/state.breakpoints\[0\]: 0 is outside/);
  });
});
