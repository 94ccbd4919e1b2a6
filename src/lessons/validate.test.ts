import { describe, expect, it } from 'vitest';
import { findLesson } from './index.ts';
import { validateLesson } from './validate.ts';

const good = (): Record<string, unknown> => JSON.parse(JSON.stringify(findLesson('vmxon')));
const errorsOf = (v: unknown): readonly string[] => {
  const r = validateLesson(v);
  return r.ok ? [] : r.errors;
};

describe('validateLesson', () => {
  it('accepts a lesson after a JSON round trip (numbers as strings and numbers)', () => {
    expect(errorsOf(good())).toEqual([]);
  });

  it('refuses what is not a lesson, without throwing', () => {
    for (const v of [null, 42, 'x', [], undefined]) expect(errorsOf(v)).toEqual(['lesson: wants an object']);
  });

  it('names each bad value by its path', () => {
    const l = good();
    l.id = 'Bad Id';
    l.text = 'Hello <script>alert(1)</script>';
    l.profiles = ['pentium'];
    l.machine = { profile: 'nope', msrs: { zz: 1 }, extra: 1 };
    l.goals = [
      { kind: 'teleport', label: 'x' },
      { kind: 'vmx', label: 'x', result: 'VMsucceed', error: 7 },
      { kind: 'reg', label: 'x', reg: 'eax', equals: 'ten' },
      { kind: 'vmcs', label: 'x', field: 'GUEST_NOPE', equals: 0 },
      { kind: 'stop', label: '' },
      { kind: 'vmexit', label: 'x', entryFailure: true, check: 'guest.made-up' },
      { kind: 'vmexit', label: 'x', entryFailure: true, reason: 33, check: 'guest.link-pointer.revision' },
    ];
    l.bonus = true;
    expect(errorsOf(l)).toEqual([
      'lesson.bonus: unknown property',
      'lesson.id: wants lowercase letters, digits and dashes (at most 64)',
      'lesson.text: no HTML in lesson text (Markdown only)',
      'lesson.machine.extra: unknown property',
      'lesson.machine.profile: unknown profile',
      "lesson.machine.msrs: 'zz' is not an MSR index",
      "lesson.profiles[0]: unknown profile 'pentium'",
      'lesson.goals[0].kind: wants one of vmx, vmexit, fault, reg, cr, msr, vmcs, stop, resume-advanced',
      'lesson.goals[1].error: only with result VMfailValid',
      'lesson.goals[2].reg: wants one of rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags',
      'lesson.goals[2].equals: wants a whole number (bigint, number or "0x..." string)',
      "lesson.goals[3].field: no VMCS field named 'GUEST_NOPE'",
      'lesson.goals[4].label: wants a non-empty string',
      'lesson.goals[4]: a stop goal wants stop or mode',
      "lesson.goals[5].check: no VM-entry check with id 'guest.made-up'",
    ]);
  });

  it('refuses HTML in every text a page shows, and absurd sizes', () => {
    const l = good();
    l.title = '<img src=x onerror=alert(1)>';
    l.hints = ['fine', '<!-- hidden -->'];
    (l.goals as { label: string }[])[0].label = '</p>';
    expect(errorsOf(l)).toEqual([
      'lesson.title: no HTML in lesson text (Markdown only)',
      'lesson.hints[1]: no HTML (Markdown only)',
      'lesson.goals[0].label: no HTML (Markdown only)',
    ]);
    const big = good();
    big.goals = Array.from({ length: 101 }, () => ({ kind: 'stop', label: 'x', stop: 'halted' }));
    big.text = 'x'.repeat(100_001);
    expect(errorsOf(big)).toEqual(['lesson.text: longer than 100000 characters', 'lesson.goals: at most 100']);
    const comparisons = good();
    comparisons.text = 'a < b, 3 <4 and x <= y are fine in Markdown';
    expect(errorsOf(comparisons)).toEqual([]);
  });

  it('wants at least one goal and one profile', () => {
    const l = good();
    l.goals = [];
    l.profiles = [];
    expect(errorsOf(l)).toEqual(['lesson.profiles: wants at least one profile id', 'lesson.goals: wants at least one goal']);
  });
});

describe('validateLesson on values JSON cannot make', () => {
  it('names a non-string profile entry without converting it, and keeps messages short', async () => {
    const { LESSONS } = await import('./index.ts');
    const base = LESSONS[0]!;
    for (const bad of [Object.create(null), [Symbol('x')], 'x'.repeat(100_000)]) {
      const r = validateLesson({ ...base, profiles: [bad] });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join('\n').length).toBeLessThan(2_000);
    }
  });
});
