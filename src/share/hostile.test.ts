// Bad, truncated, oversized and hostile links are refused with a message, never with an exception.
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CURRENT_VERSION } from './migrations.ts';
import { toBase64Url } from './codec.ts';
import { fixtureLookup, FIXTURE_STARTS } from './testdata/fixture-lessons.ts';
import { decodeState, encodePayloadText, encodeState, MAX_FRAGMENT_CHARS } from './url.ts';
import type { DecodeResult } from './url.ts';

const enc = (payload: unknown): string => `#s=${encodePayloadText(payload)}`;
const rawJson = (json: string, version = 1): string => `#s=${version}.${toBase64Url(deflateSync(new TextEncoder().encode(json)))}`;

function refused(fragment: string): string {
  const r: DecodeResult = decodeState(fragment, fixtureLookup);
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('opened');
  expect(typeof r.message).toBe('string');
  expect(r.message.length).toBeGreaterThan(10);
  return r.message;
}

const OK = { f: 'core2-conroe', p: 'hlt\n' };

describe('refused encodings', () => {
  it('characters outside base64url', () => {
    expect(refused('#s=1.abc$def')).toMatch(/character 4 .*not base64url/);
    expect(refused('#s=1.ab cde')).toMatch(/not base64url/);
    expect(refused('#s=1.YWJj==')).toMatch(/not base64url/);
    expect(refused('#s=1.\u00e9\u00e9\u00e9\u00e9')).toMatch(/not base64url/);
  });
  it('no format number, an unknown newer format', () => {
    expect(refused('#s=')).toMatch(/format number/);
    expect(refused('#s=hello')).toMatch(/format number/);
    expect(refused(`#s=${encodePayloadText(OK, CURRENT_VERSION + 1)}`)).toMatch(new RegExp(`newer VMX Lab \\(format ${CURRENT_VERSION + 1}\\)`));
    expect(refused('#s=9999.AAAA')).toMatch(/newer/);
  });
  it('every truncation of a valid link', () => {
    const s = { ...FIXTURE_STARTS.get('fixture-vmxon')!, program: 'mov eax, 1\n'.repeat(20) };
    const f = encodeState(s);
    expect(decodeState(f, fixtureLookup).ok).toBe(true);
    for (let n = 0; n < f.length; n++) refused(f.slice(0, n));
  });
  it('data that is not DEFLATE, not UTF-8, not JSON', () => {
    refused(`#s=1.${toBase64Url(new Uint8Array([0xff, 0xfe, 0xfd, 0xfc, 0xfb]))}`);
    expect(refused(`#s=1.${toBase64Url(deflateSync(new Uint8Array([0x7b, 0xff, 0x7d])))}`)).toMatch(/not UTF-8/);
    expect(refused(rawJson('{"f": "core2-conroe",'))).toMatch(/not valid JSON/);
    expect(refused(rawJson(''))).toMatch(/not valid JSON/);
  });
});

describe('refused sizes', () => {
  it('a fragment longer than the cap is refused before decoding', () => {
    expect(refused(`#s=1.${'A'.repeat(MAX_FRAGMENT_CHARS)}`)).toMatch(/more than 65536/);
  });
  it('a decompression bomb: 8 MiB of zeros in 11 KB of link', () => {
    const bomb = `#s=1.${toBase64Url(deflateSync(new Uint8Array(8 << 20), { level: 9 }))}`;
    expect(bomb.length).toBeLessThan(MAX_FRAGMENT_CHARS);
    expect(refused(bomb)).toMatch(/inflates to more than 1048576 bytes/);
  });
  it('a valid JSON payload just over the inflated cap', () => {
    expect(refused(enc({ f: 'core2-conroe', p: 'x'.repeat(1_048_576) }))).toMatch(/inflates to more than/);
  });
  it('a program longer than the state limit', () => {
    expect(refused(enc({ f: 'core2-conroe', p: 'nop\n'.repeat(70_000) }))).toMatch(/more than 262144/);
  });
  it('JSON nested absurdly deep', () => {
    expect(refused(rawJson('['.repeat(100_000) + ']'.repeat(100_000)))).toMatch(/nested more than 16/);
    expect(refused(enc({ f: 'core2-conroe', e: { fontSize: [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]] } }))).toMatch(/nested/);
  });
});

describe('refused contents', () => {
  it('prototype pollution keys anywhere', () => {
    expect(refused(rawJson('{"__proto__": {"polluted": 1}, "f": "core2-conroe"}'))).toMatch(/forbidden key "__proto__"/);
    expect(refused(rawJson('{"f": "core2-conroe", "m": {"__proto__": "0x1"}}'))).toMatch(/forbidden key/);
    expect(refused(rawJson('{"f": "core2-conroe", "e": {"constructor": {"prototype": {"x": 1}}}}'))).toMatch(/forbidden key/);
    expect(refused(rawJson('{"f": "core2-conroe", "r": {"prototype": "0x1"}}'))).toMatch(/forbidden key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('x');
  });
  it('absurd numbers', () => {
    expect(refused(enc({ ...OK, l: 'fixture-empty', s: 1e308 }))).toMatch(/link.s \(step\): expected a whole number, got the number 1e\+308/);
    expect(refused(enc({ ...OK, l: 'fixture-empty', s: 2 ** 53 }))).toMatch(/whole number/);
    expect(refused(enc({ ...OK, l: 'fixture-empty', s: 10_001 }))).toMatch(/10001 is outside 0..10000/);
    expect(refused(enc({ ...OK, b: [-1] }))).toMatch(/link.b \(breakpoints\)\[0\]: -1 is outside/);
    expect(refused(enc({ ...OK, b: [1.5] }))).toMatch(/whole number/);
    expect(refused(rawJson('{"f":"core2-conroe","b":[1e400]}'))).toMatch(/whole number, got the number Infinity/);
    expect(refused(enc({ ...OK, e: { fontSize: 1e9 } }))).toMatch(/fontSize: 1000000000 is outside 6..72/);
    expect(refused(enc({ ...OK, r: { rax: `0x1${'0'.repeat(16)}` } }))).toMatch(/does not fit in 64 bits/);
    expect(refused(enc({ ...OK, m: { '0x100000000': '0x1' } }))).toMatch(/does not fit in 32 bits/);
    expect(refused(enc({ ...OK, r: { rax: `0x${'f'.repeat(100)}` } }))).toMatch(/not a hex string/);
    expect(refused(enc({ ...OK, b: Array.from({ length: 10_001 }, (_, i) => i + 1) }))).toMatch(/more than 10000/);
    expect(refused(enc({ ...OK, l: 'fixture-vmxon', bh: 'ffffffff', d: [1e9, 0, []] }))).toMatch(/changed since/);
  });
  it('wrong types', () => {
    for (const p of [null, 1, 'x', [], true]) expect(refused(enc(p))).toMatch(/link: expected an object/);
    expect(refused(enc({ f: 7 }))).toMatch(/link.f \(profile\): expected an id string, got the number 7/);
    expect(refused(enc({ ...OK, p: ['hlt'] }))).toMatch(/expected text, got an array/);
    expect(refused(enc({ ...OK, m: ['0x1'] }))).toMatch(/expected an object, got an array/);
    expect(refused(enc({ ...OK, m: { '0x3a': 5 } }))).toMatch(/hex string like "0x1f", got the number 5/);
    expect(refused(enc({ ...OK, r: { xmm0: '0x1' } }))).toMatch(/unknown field "xmm0"/);
    expect(refused(enc({ ...OK, e: { wordWrap: 'yes' } }))).toMatch(/expected true or false/);
    expect(refused(enc({ ...OK, extra: 1 }))).toMatch(/unknown field "extra"/);
    expect(refused(enc({ p: 'hlt' }))).toMatch(/no profile/);
  });
  it('unknown lesson and profile ids, inconsistent fields', () => {
    expect(refused(enc({ ...OK, l: 'no-such-lesson' }))).toMatch(/lesson "no-such-lesson", which this lab does not have/);
    expect(refused(enc({ ...OK, l: 'Bad Id!' }))).toMatch(/is not an id/);
    expect(refused(enc({ ...OK, f: 'pentium-4' }))).toMatch(/"pentium-4" is not a profile of this lab/);
    expect(refused(enc({ ...OK, s: 2 }))).toMatch(/step without a lesson/);
    expect(refused(enc({ ...OK, bh: '00000000' }))).toMatch(/fingerprint without a lesson/);
    expect(refused(enc({ f: 'core2-conroe', d: [0, 0, ['x']] }))).toMatch(/difference without a lesson start/);
    expect(refused(enc({ ...OK, m: { '0x3a': '0x1', '0x03A': '0x2' } }))).toMatch(/appears twice/);
  });
  it('control characters beyond tab and newline in the program', () => {
    for (const c of ['\u0000', '\u0007', '\u001b[31m', '\r', '\u007f', '\u0085', '\u202e', '\u2066', '\ud800', '\udc00x']) {
      expect(refused(enc({ ...OK, p: `mov eax, 1\n nop ${c}\n` }))).toMatch(/line 2 holds the character U\+/);
    }
    const ok = decodeState(enc({ ...OK, p: 'a\tb\n😀\n' }), fixtureLookup);
    expect(ok.ok && ok.state.program).toBe('a\tb\n😀\n');
  });
  it('markup in the program stays inert text', () => {
    const p = '<script>alert(1)</script><img src=x onerror=alert(1)>\n';
    const r = decodeState(enc({ ...OK, p }), fixtureLookup);
    expect(r.ok && r.state.program).toBe(p);
  });
});
