// Authoring calls of the worker: validation by path, "Try goals" on start and solution, lesson
// files written and read back, hostile files refused with messages (never a throw).

import { describe, expect, it } from 'vitest';
import { findLesson } from '../lessons/index.ts';
import { createLabApi } from './api.ts';
import { LESSON_FILE_FORMAT, MAX_LESSON_FILE_CHARS } from './authoring.ts';

const api = createLabApi();
const vmxSupport = findLesson('vmx-support')!;
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)));
const custom = { ...(asJson(vmxSupport) as object), id: 'my-own-lesson', title: 'My own lesson' };

describe('authoring in the worker', () => {
  it('validates a lesson and names each error by its path', () => {
    expect(api.validateAuthoredLesson(custom)).toMatchObject({ ok: true, builtIn: false });
    expect(api.validateAuthoredLesson(asJson(vmxSupport))).toMatchObject({ ok: true, builtIn: true });
    const bad = api.validateAuthoredLesson({ ...custom, id: 'Bad Id', goals: [{ kind: 'vmx', label: 'x', result: 'nope' }] });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.some((e) => e.startsWith('lesson.id:'))).toBe(true);
    expect(bad.errors.some((e) => e.startsWith('lesson.goals[0].result'))).toBe(true);
  });

  it('gives a built-in lesson whole, valid as it is', () => {
    const l = api.builtInLesson('vmx-support');
    expect(l).toEqual(asJson(vmxSupport));
    expect(api.validateAuthoredLesson(l).ok).toBe(true);
    expect(api.builtInLesson('no-such-lesson')).toBeUndefined();
  });

  it('tries the goals: the start fails and the solution passes', () => {
    const r = api.tryAuthoredGoals(custom);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.start.passed).toBe(false);
    expect(r.solution.passed).toBe(true);
    expect(r.solution.goals.length).toBe(vmxSupport.goals.length);
  });

  it('refuses to try an invalid lesson, with its errors', () => {
    const r = api.tryAuthoredGoals({ ...custom, goals: [] });
    expect(r).toEqual({ ok: false, errors: ['lesson.goals: wants at least one goal'] });
  });

  it('writes a lesson file and reads it back unchanged', () => {
    const f = api.lessonToFile(custom);
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    expect(JSON.parse(f.text).format).toBe(LESSON_FILE_FORMAT);
    const back = api.readLessonFile(f.text);
    expect(back).toEqual({ ok: true, lesson: asJson(custom), builtIn: false });
  });

  it.each([
    ['not JSON', 'hello', 'not valid JSON'],
    ['a state file', JSON.stringify({ format: 'vmx-lab-state', version: 1, state: {} }), 'file.format'],
    ['a newer version', JSON.stringify({ format: LESSON_FILE_FORMAT, version: 99, lesson: {} }), 'newer VMX Lab'],
    ['a prototype key', `{"format":"${LESSON_FILE_FORMAT}","version":1,"lesson":{"__proto__":{"x":1}}}`, 'forbidden key'],
    ['deep nesting', `{"format":"${LESSON_FILE_FORMAT}","version":1,"lesson":${'['.repeat(40)}${']'.repeat(40)}}`, 'nested'],
    ['HTML in the text', JSON.stringify({ format: LESSON_FILE_FORMAT, version: 1, lesson: { ...custom, text: '<img src=x onerror=alert(1)>' } }), 'lesson.text: no HTML'],
    ['script in a hint', JSON.stringify({ format: LESSON_FILE_FORMAT, version: 1, lesson: { ...custom, hints: ['<script>alert(1)</script>'] } }), 'lesson.hints[0]'],
    ['an extra field', JSON.stringify({ format: LESSON_FILE_FORMAT, version: 1, lesson: custom, run: 'x' }), "unknown field 'run'"],
    ['a huge file', ' '.repeat(MAX_LESSON_FILE_CHARS + 1), 'larger than'],
  ])('refuses %s with a message', (_what, text, message) => {
    const r = api.readLessonFile(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.join('\n')).toContain(message);
  });
});

describe('lesson links (#lesson=)', () => {
  it('round-trips a lesson through a link', () => {
    const l = api.lessonToLink(custom);
    expect(l.ok).toBe(true);
    if (!l.ok) return;
    expect(l.fragment).toMatch(/^#lesson=1\.[A-Za-z0-9_-]+$/);
    expect(api.readLessonLink(l.fragment)).toEqual({ ok: true, lesson: asJson(custom), builtIn: false });
  });

  it.each([
    ['a state link', '#s=1.abc', 'not a lesson link'],
    ['no version', '#lesson=abc', 'wants #lesson='],
    ['a newer version', '#lesson=9.AAAA', 'newer VMX Lab'],
    ['bad base64url', '#lesson=1.a', 'cut short'],
    ['not DEFLATE', '#lesson=1.____', 'compressed data'],
    ['too long', `#lesson=1.${'A'.repeat(200_000)}`, 'longer than'],
  ])('refuses %s with a message', (_what, fragment, message) => {
    const r = api.readLessonLink(fragment);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.join('\n')).toContain(message);
  });

  it('refuses a decompression bomb after the cap', async () => {
    const { deflate, toBase64Url } = await import('../share/codec.ts');
    const bomb = `#lesson=1.${toBase64Url(deflate(new Uint8Array(4 * 1024 * 1024).fill(32)))}`;
    const r = api.readLessonLink(bomb);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toContain('inflates to more than');
  });
});
