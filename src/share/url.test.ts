import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureLookup, FIXTURE_STARTS } from './testdata/fixture-lessons.ts';
import { programArb, stateArb } from './testdata/arbitrary.ts';
import { decodeState, encodeState, fitsInUrl, isStateFragment, readPayloadText, URL_FRAGMENT_LIMIT } from './url.ts';
import type { LabState } from './schema.ts';
import { currentStart } from './payload.ts';

/** 10^5 runs with VMXLAB_SLOW=1 take minutes: those runs get an hour instead of the 60 s default. */
const SLOW_TIMEOUT = process.env.VMXLAB_SLOW === '1' ? 3_600_000 : undefined;
const RUNS = process.env.VMXLAB_SLOW === '1' ? 100_000 : 1_500;
const start = (id: string): LabState => FIXTURE_STARTS.get(id)!;

function payloadOf(fragment: string): Record<string, unknown> {
  return readPayloadText(fragment.slice(3)).payload as Record<string, unknown>;
}

describe('encodeState / decodeState round trip', () => {
  it('every piece of state survives, whole and as a difference from the lesson start', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const whole = decodeState(encodeState(s), fixtureLookup);
        expect(whole).toEqual({ ok: true, state: s });
        const base = s.lesson ? start(s.lesson.id) : undefined;
        const diff = decodeState(encodeState(s, base), fixtureLookup);
        expect(diff).toEqual({ ok: true, state: s });
      }),
      { numRuns: RUNS },
    );
  }, SLOW_TIMEOUT);

  it('edits of a lesson start round trip through the line difference', () => {
    const base = start('fixture-vmxon');
    const lines = base.program.split('\n');
    fc.assert(
      fc.property(fc.nat(lines.length), fc.nat(3), fc.array(programArb.map((t) => t.replace(/\n/g, '')), { maxLength: 4 }), (at, del, ins) => {
        const edited = [...lines];
        edited.splice(at, del, ...ins);
        const s: LabState = { ...base, program: edited.join('\n'), lesson: { id: 'fixture-vmxon', step: 1 } };
        const f = encodeState(s, base);
        expect(decodeState(f, fixtureLookup)).toEqual({ ok: true, state: s });
      }),
      { numRuns: Math.min(RUNS, 500) },
    );
  }, SLOW_TIMEOUT);

  it('a state equal to its lesson start is just the lesson and the fingerprint', () => {
    const base = start('fixture-vmxon');
    const f = encodeState(base, base);
    expect(Object.keys(payloadOf(f)).sort()).toEqual(['bh', 'l']);
    expect(f.length).toBeLessThan(64);
    expect(decodeState(f, fixtureLookup)).toEqual({ ok: true, state: base });
  });

  it('one edited line is stored as a difference, not the whole program', () => {
    const base = start('fixture-vmxon');
    const s = { ...base, program: base.program.replace('; TODO: check bit 2 (VMX outside SMX)', '    test eax, 4') };
    const p = payloadOf(encodeState(s, base));
    expect(p.p).toBeUndefined();
    expect(p.d).toEqual([8, 7, ['        test eax, 4']]);
    expect(encodeState(s, base).length).toBeLessThan(encodeState(s).length);
  });

  it('currentStart gives the first of the lesson starts', () => {
    expect(currentStart(fixtureLookup, 'fixture-vmxon')).toBe(start('fixture-vmxon'));
    expect(currentStart(fixtureLookup, 'fixture-empty')).toBe(start('fixture-empty'));
    expect(currentStart(fixtureLookup, 'nope')).toBeUndefined();
  });

  it('a link made against an older start of the lesson opens against that start', () => {
    const old = (fixtureLookup('fixture-vmxon') as readonly LabState[])[1]!;
    const s = { ...old, program: `${old.program}; mine\n` };
    expect(decodeState(encodeState(s, old), fixtureLookup)).toEqual({ ok: true, state: s });
  });

  it('a difference from a start the lab no longer has is refused, not opened differently', () => {
    const changed = { ...start('fixture-vmxon'), program: 'something else\n' };
    const f = encodeState({ ...changed, program: 'something else\nmore\n' }, changed);
    const r = decodeState(f, fixtureLookup);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/has changed since this link was made/);
  });

  it('a whole (base-less) link keeps opening when the lesson start changes', () => {
    const s = { ...start('fixture-vmxon'), program: 'mine\n' };
    const f = encodeState(s);
    expect(payloadOf(f).bh).toBeUndefined();
    expect(decodeState(f, fixtureLookup)).toEqual({ ok: true, state: s });
  });

  it('accepts the fragment with or without "#s="', () => {
    const s = start('fixture-empty');
    const f = encodeState(s);
    expect(decodeState(f.slice(1), fixtureLookup)).toEqual(decodeState(f, fixtureLookup));
    expect(decodeState(f.slice(3), fixtureLookup)).toEqual(decodeState(f, fixtureLookup));
  });

  it('encodeState refuses an invalid state with the validator message', () => {
    expect(() => encodeState({ ...start('fixture-empty'), program: 'a\u0007b' })).toThrow(/U\+0007/);
  });
});

describe('isStateFragment', () => {
  it('only #s= hashes', () => {
    expect(isStateFragment(encodeState(start('fixture-empty')))).toBe(true);
    expect(isStateFragment('')).toBe(false);
    expect(isStateFragment('#lesson')).toBe(false);
  });
});

describe('fitsInUrl', () => {
  it('accepts up to the limit and refuses beyond it', () => {
    expect(fitsInUrl('#s=1.' + 'A'.repeat(URL_FRAGMENT_LIMIT - 5))).toBe(true);
    expect(fitsInUrl('#s=1.' + 'A'.repeat(URL_FRAGMENT_LIMIT - 4))).toBe(false);
  });

  it('a large random program does not fit, and the file export is the way', () => {
    let seed = 7;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const text = Array.from({ length: 3000 }, () => `    mov rax, 0x${rnd().toString(16)}${rnd().toString(16)}`).join('\n');
    const s: LabState = { ...start('fixture-empty'), lesson: null, program: text };
    expect(fitsInUrl(encodeState(s))).toBe(false);
  });
});
