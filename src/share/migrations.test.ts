import { describe, expect, it } from 'vitest';
import { CURRENT_VERSION, migrate, MIGRATIONS } from './migrations.ts';
import { StateError } from './schema.ts';
import { fixtureLookup } from './testdata/fixture-lessons.ts';
import { decodeState, encodePayloadText } from './url.ts';

describe('migration chain', () => {
  it('has exactly one step from every older format to the current one', () => {
    expect(MIGRATIONS.map((m) => m.from)).toEqual(Array.from({ length: CURRENT_VERSION }, (_, i) => i));
  });

  it('format 0 (program only) becomes a v1 payload on Core 2 unless it named a cpu', () => {
    expect(migrate({ code: 'hlt\n' }, 0)).toEqual({ p: 'hlt\n', f: 'core2-conroe' });
    expect(migrate({ code: 'hlt\n', cpu: 'ivy-bridge' }, 0)).toEqual({ p: 'hlt\n', f: 'ivy-bridge' });
    expect(migrate({ p: 'x', f: 'y' }, 1)).toEqual({ p: 'x', f: 'y' });
  });

  it('format 1 becomes format 2 unchanged (2 only adds the carried lesson L, which a format-1 payload may not hold)', () => {
    const v1 = { l: 'fixture-vmxon', bh: '01234567', s: 2, d: [1, 1, ['x']], m: { '0x3a': '0x5' }, b: [3], e: { fontSize: 12 } };
    expect(migrate(v1, 1)).toEqual(v1);
    expect(() => migrate({ L: {} }, 1)).toThrow(/link \(format 1\): unknown field "L"/);
    expect(() => migrate('text', 1)).toThrow(/link \(format 1\): expected an object/);
    const r = decodeState(`#s=${encodePayloadText({ p: 'nop\n', f: 'arrow-lake' }, 1)}`, fixtureLookup);
    expect(r).toEqual({ ok: true, migratedFrom: 1, state: expect.objectContaining({ program: 'nop\n', profile: 'arrow-lake' }) });
  });

  it('a v0 link opens, says it was migrated, and keeps every check', () => {
    const r = decodeState(`#s=${encodePayloadText({ code: 'nop\n' }, 0)}`, fixtureLookup);
    expect(r).toEqual({ ok: true, migratedFrom: 0, state: expect.objectContaining({ program: 'nop\n', profile: 'core2-conroe', lesson: null }) });
    const bad = decodeState(`#s=${encodePayloadText({ code: 'nop\u0000' }, 0)}`, fixtureLookup);
    expect(bad.ok || bad.message).toMatch(/format 0 program.*U\+0000/);
    const wrong = decodeState(`#s=${encodePayloadText({ program: 'nop' }, 0)}`, fixtureLookup);
    expect(wrong.ok || wrong.message).toMatch(/link \(format 0\): unknown field "program"/);
    const cpu = decodeState(`#s=${encodePayloadText({ code: '', cpu: 'pentium' }, 0)}`, fixtureLookup);
    expect(cpu.ok || cpu.message).toMatch(/"pentium" is not a profile/);
  });

  it('refuses formats newer than this lab', () => {
    expect(() => migrate({}, CURRENT_VERSION + 1)).toThrow(StateError);
    expect(() => migrate({}, CURRENT_VERSION + 1)).toThrow(/newer VMX Lab/);
  });
});
