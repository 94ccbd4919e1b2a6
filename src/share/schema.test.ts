import { describe, expect, it } from 'vitest';
import { normaliseNewlines, sameState, validate } from './schema.ts';

const known = (id: string): boolean => id === 'core2-conroe';

describe('validate', () => {
  it('fills empty fields and normalises hex, MSR order and breakpoints', () => {
    const r = validate({ profile: 'core2-conroe', msrs: { '0X480': '0x00DA04', '0x3A': '0x5' }, regs: { rbx: '0x0010', rax: '0XFF' }, breakpoints: [5, 2, 5] });
    expect(r).toEqual({
      ok: true,
      state: { lesson: null, program: '', profile: 'core2-conroe', msrs: { '0x3a': '0x5', '0x480': '0xda04' }, regs: { rax: '0xff', rbx: '0x10' }, breakpoints: [2, 5], editor: {} },
    });
    if (r.ok) expect(Object.keys(r.state.regs)).toEqual(['rax', 'rbx']);
  });

  it('returns fresh objects, never the input', () => {
    const input = { profile: 'core2-conroe', msrs: {}, regs: {}, breakpoints: [], editor: {} };
    const r = validate(input);
    expect(r.ok && r.state.msrs !== input.msrs && r.state.breakpoints !== input.breakpoints).toBe(true);
  });

  it('names the offending field', () => {
    const msg = (x: unknown): string => { const r = validate(x, known); return r.ok ? 'ok' : r.message; };
    expect(msg(undefined)).toBe('state: expected an object, got a undefined');
    expect(msg({})).toBe('state.profile: expected an id string, got a undefined');
    expect(msg({ profile: 'ivy-bridge' })).toBe('state.profile: "ivy-bridge" is not a profile of this lab');
    expect(msg({ profile: 'core2-conroe', lesson: { id: 'x', step: -1 } })).toBe('state.lesson.step: -1 is outside 0..10000');
    expect(msg({ profile: 'core2-conroe', regs: { rax: 1 } })).toBe('state.regs.rax: expected a hex string like "0x1f", got the number 1');
    expect(msg({ profile: 'core2-conroe', program: 'a\n\u001b[2J' })).toBe('state.program: line 2 holds the character U+001b; only tab and newline are allowed among control characters');
    expect(msg({ profile: 'core2-conroe', program: 'a\r\n' })).toMatch(/U\+000d \(carriage return: use normaliseNewlines first\)/);
    expect(msg({ profile: 'core2-conroe', editor: { theme: 'dark' } })).toBe('state.editor: unknown field "theme"');
    expect(msg(Object.assign(Object.create({ evil: 1 }) as object, { profile: 'core2-conroe' }))).toBe('state: expected a plain object');
    expect(msg(JSON.parse('{"profile":"core2-conroe","__proto__":{"x":1}}'))).toBe('state: forbidden key "__proto__"');
  });

  it('normaliseNewlines and sameState', () => {
    expect(normaliseNewlines('a\r\nb\rc\n')).toBe('a\nb\nc\n');
    const a = validate({ profile: 'core2-conroe', breakpoints: [2, 1] });
    const b = validate({ profile: 'core2-conroe', breakpoints: [1, 2], editor: {} });
    expect(a.ok && b.ok && sameState(a.state, b.state)).toBe(true);
  });
});
