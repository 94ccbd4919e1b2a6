// fast-check arbitraries of LabStates (normalised), for the round-trip properties.
import fc from 'fast-check';
import { PROFILES } from '../../arch/profiles/index.ts';
import { STATE_REGS } from '../schema.ts';
import type { LabState } from '../schema.ts';

const hex64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => `0x${v.toString(16)}`);
const hex32 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((v) => `0x${v.toString(16)}`);
/** Characters a program may hold: printable ASCII, tab, newline, and some non-ASCII (incl. astral). */
const programChar = fc.oneof(
  { weight: 20, arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 ,;:[]+-*_.\t\n'), minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('é', 'λ', '→', '😀', 'Ω', '\u00a0') },
);
export const programArb = fc.array(programChar, { maxLength: 400 }).map((a) => a.join(''));

function sortMsrs(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0))) out[k] = m[k]!;
  return out;
}

export const stateArb: fc.Arbitrary<LabState> = fc.record({
  lesson: fc.option(fc.record({ id: fc.constantFrom('fixture-vmxon', 'fixture-empty'), step: fc.integer({ min: 0, max: 10_000 }) }), { nil: null }),
  program: programArb,
  profile: fc.constantFrom(...PROFILES.map((p) => p.id)),
  msrs: fc.dictionary(hex32, hex64, { maxKeys: 6 }).map(sortMsrs),
  regs: fc.subarray([...STATE_REGS]).chain((names) => fc.tuple(...names.map(() => hex64)).map((vals) => {
    const r: Record<string, string> = {};
    names.forEach((n, i) => { r[n] = vals[i]!; });
    return r;
  })),
  breakpoints: fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 8 }).map((a) => [...a].sort((x, y) => x - y)),
  editor: fc.record({ fontSize: fc.integer({ min: 6, max: 72 }), wordWrap: fc.boolean() }, { requiredKeys: [] }),
});
