// Links into every real lesson: the start is a valid state, a link to it is tiny, and the
// student's typical edits (the reference solution) round trip as a difference from the start.
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../lessons/index.ts';
import { curriculumLookup } from './curriculum.ts';
import type { LabState } from './schema.ts';
import { decodeState, encodeState, fitsInUrl } from './url.ts';

describe.each(LESSONS.map((l) => [l.id, l] as const))('lesson %s', (id, lesson) => {
  const start = curriculumLookup(id) as LabState;

  it('start state, start link and solution link', () => {
    expect(start.lesson).toEqual({ id, step: 0 });
    const atStart = encodeState(start, start);
    expect(atStart.length).toBeLessThan(64 + id.length);
    expect(decodeState(atStart, curriculumLookup)).toEqual({ ok: true, state: start });
    const solved: LabState = { ...start, lesson: { id, step: lesson.hints.length }, program: lesson.solution.replace(/\r\n?/g, '\n'), breakpoints: [1] };
    const link = encodeState(solved, start);
    expect(fitsInUrl(link)).toBe(true);
    expect(decodeState(link, curriculumLookup)).toEqual({ ok: true, state: solved });
  });
});
