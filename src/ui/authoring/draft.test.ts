// The Author form's conversions: a lesson survives lesson -> form -> lesson (and then validates),
// a new challenge takes the editor's program, and the form's own problems name their lesson path.

import { describe, expect, it } from 'vitest';
import { findLesson, LESSONS, validateLesson } from '../../lessons/index.ts';
import { addGoal, draftFromLesson, draftFromProgram, GOAL_TEMPLATES, lessonFromDraft } from './draft.ts';

const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)));

describe('the Author form', () => {
  it('round-trips every curriculum lesson through the form, still valid', () => {
    for (const l of LESSONS) {
      const back = lessonFromDraft(draftFromLesson(asJson(l)));
      expect(back.ok, l.id).toBe(true);
      if (!back.ok) continue;
      expect(validateLesson(back.lesson).ok, l.id).toBe(true);
      expect(back.lesson.goals).toEqual(asJson(l.goals));
      expect(back.lesson.start).toBe(l.start);
    }
  });

  it('keeps the starting machine: profile, firmware MSRs, CR presets', () => {
    const l = findLesson('cr-fixed-bits')!;
    const d = draftFromLesson(asJson({ ...l, machine: { profile: 'core2-conroe', msrs: { '0x3a': '0x0' }, cr: { cr0: { clear: '0x20' } } } }));
    expect(d.cr0Clear).toBe('0x20');
    expect(d.msrs).toBe('0x3a = 0x0');
    const back = lessonFromDraft(d);
    expect(back.ok && back.lesson.machine).toEqual({ profile: 'core2-conroe', msrs: { '0x3a': '0x0' }, cr: { cr0: { clear: '0x20' } } });
  });

  it('makes a new challenge from the editor program that validates', () => {
    const d = draftFromProgram('hlt\n', '', { '0x3a': '0x5' });
    expect(d.kind).toBe('challenge');
    const l = lessonFromDraft(d);
    expect(l.ok).toBe(true);
    if (!l.ok) return;
    expect(l.lesson.start).toBe('hlt\n');
    expect(validateLesson(l.lesson).ok).toBe(true);
  });

  it('names the form problems by lesson path', () => {
    const d = { ...draftFromProgram('hlt\n', '', {}), goals: '[{', msrs: 'rubbish' };
    const r = lessonFromDraft(d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatch(/^lesson\.goals: not valid JSON/);
    expect(r.errors[1]).toMatch(/^lesson\.machine\.msrs: line 1/);
  });

  it('adds a goal of every kind, each valid in a lesson', () => {
    let goals = '[]';
    for (const kind of Object.keys(GOAL_TEMPLATES)) goals = addGoal(goals, kind)!;
    const l = lessonFromDraft({ ...draftFromProgram('hlt\n', '', {}), goals });
    expect(l.ok).toBe(true);
    if (!l.ok) return;
    const v = validateLesson(l.lesson);
    expect(v.ok ? [] : v.errors).toEqual([]);
    expect(addGoal('{', 'vmx')).toBeUndefined();
    expect(addGoal('[]', 'no-such-kind')).toBeUndefined();
  });
});
