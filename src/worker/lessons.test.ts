// The worker's lesson and share calls: lesson machines built as the CLI builds them, "Check goals"
// from a fresh machine, and links / files through src/share (refusals as messages, never throws).

import { describe, expect, it } from 'vitest';
import { findLesson } from '../lessons/index.ts';
import { createLabApi } from './api.ts';
import type { LabSettings } from './types.ts';

const api = createLabApi();
const crFixed = findLesson('cr-fixed-bits')!;
const vmxSupport = findLesson('vmx-support')!;

describe('lessons in the worker', () => {
  it('lists every lesson and challenge, and refuses an unknown id with undefined', () => {
    const list = api.lessons();
    expect(list.some((l) => l.id === 'vmxon' && l.kind === 'lesson')).toBe(true);
    expect(list.some((l) => l.kind === 'challenge')).toBe(true);
    expect(api.lesson('no-such-lesson')).toBeUndefined();
  });

  it('gives a lesson view with text, hints, goal labels and its firmware MSRs', () => {
    const v = api.lesson('vmx-support')!;
    expect(v.title).toBe(vmxSupport.title);
    expect(v.hints).toEqual([...vmxSupport.hints]);
    expect(v.goals.map((g) => g.label)).toEqual(vmxSupport.goals.map((g) => g.label));
    expect(v.msrs).toEqual({ '0x3a': '0x0' });
  });

  it('builds the lesson machine with its control-register presets (CR0.NE cleared in cr-fixed-bits)', () => {
    const settings: LabSettings = { profile: '', msrEdits: {}, breakpoints: [], lesson: 'cr-fixed-bits' };
    const r = api.load(crFixed.start, settings);
    expect(r.ok).toBe(true);
    const cr0 = BigInt(r.snapshot.crs.find((c) => c.name === 'CR0')!.value);
    expect(cr0 & 0x20n).toBe(0n);
    // Reset builds the lesson machine again: the preset survives.
    const after = api.reset();
    expect(BigInt(after.crs.find((c) => c.name === 'CR0')!.value) & 0x20n).toBe(0n);
    // Without the lesson the same program boots with CR0.NE set.
    const plain = api.load(crFixed.start, { ...settings, lesson: undefined });
    expect(BigInt(plain.snapshot.crs.find((c) => c.name === 'CR0')!.value) & 0x20n).toBe(0x20n);
  });

  it('checks goals: the start fails, the solution passes', () => {
    const start = api.checkLesson('vmx-support', vmxSupport.start, '')!;
    expect(start.assembled).toBe(true);
    expect(start.passed).toBe(false);
    expect(start.goals.some((g) => !g.passed && g.detail.length > 0)).toBe(true);
    const sol = api.checkLesson('vmx-support', vmxSupport.solution, '')!;
    expect(sol.passed).toBe(true);
    expect(sol.goals.every((g) => g.passed)).toBe(true);
    expect(api.checkLesson('nope', '', '')).toBeUndefined();
  });

  it('reports a program that does not assemble without running goals', () => {
    const r = api.checkLesson('vmx-support', 'frobnicate rax', '')!;
    expect(r.assembled).toBe(false);
    expect(r.goals).toEqual([]);
    expect(r.diagnostics.length).toBeGreaterThan(0);
  });
});

describe('shared states in the worker', () => {
  const state = {
    lesson: { id: 'vmxon', step: 1 },
    program: `${findLesson('vmxon')!.start}\n; my note\n`,
    profile: 'core2-conroe',
    msrs: { '0x3a': '0x5' },
    regs: {},
    breakpoints: [3, 7],
    editor: {},
  };

  it('round-trips a state through a link and through a file', () => {
    const e = api.encodeState(state);
    expect(e.ok).toBe(true);
    expect(e.fragment.startsWith('#s=2.')).toBe(true);
    expect(e.fits).toBe(true);
    const back = api.decodeState(e.fragment);
    expect(back.ok && back.state).toMatchObject({ lesson: state.lesson, program: state.program, profile: state.profile, breakpoints: [3, 7] });
    const file = api.decodeStateFile(e.file);
    expect(file.ok && file.state.program).toBe(state.program);
  });

  it('refuses garbage, truncated and hostile fragments with a message', () => {
    const good = api.encodeState(state).fragment;
    for (const f of ['#s=garbage', '#s=1.!!!', good.slice(0, good.length - 6), '#s=99.AAAA', '#s=1.' + 'A'.repeat(70_000)]) {
      const r = api.decodeState(f);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message.length).toBeGreaterThan(5);
    }
    const f = api.decodeStateFile('{"format":"vmx-lab-state","version":1,"state":{"p":"<script>alert(1)</script>","f":"no-such-cpu"}}');
    expect(f.ok).toBe(false);
  });

  it('refuses to encode an invalid state with a message instead of throwing', () => {
    const e = api.encodeState({ ...state, profile: 'no-such-cpu' });
    expect(e.ok).toBe(false);
    expect(e.message).toMatch(/profile/);
  });
});

describe('authored lessons in the worker (an instructor\'s lesson opened as a student sees it)', () => {
  const authored = {
    id: 'rax-good', kind: 'challenge', title: 'RAX must be good', summary: 'Make RAX good.', text: 'The program ends with the **wrong** RAX.',
    start: 'mov rax, 1\nhlt\n', solution: 'mov rax, 0x600d\nhlt\n',
    machine: { profile: 'core2-conroe', msrs: { '0x3a': '0x0' }, cr: { cr0: { clear: '0x20' } }, regs: { rbx: '0x77' } },
    profiles: ['core2-conroe'], hints: ['Look at RAX.'],
    goals: [{ kind: 'reg', label: 'RAX ends as 0x600d', reg: 'rax', equals: '0x600d' }],
  };

  it('addLesson validates, registers under authored:<id>, and the lesson then opens, loads and checks like a built-in one', () => {
    const r = api.addLesson(authored);
    expect(r).toEqual({ ok: true, id: 'authored:rax-good' });
    const v = api.lesson('authored:rax-good')!;
    expect(v).toMatchObject({ id: 'authored:rax-good', title: 'RAX must be good', profile: 'core2-conroe', msrs: { '0x3a': '0x0' }, hints: ['Look at RAX.'] });
    // The session builds the lesson's machine: its CR and register presets apply.
    const load = api.load(authored.start, { profile: '', msrEdits: {}, breakpoints: [], lesson: 'authored:rax-good' });
    expect(load.ok).toBe(true);
    expect(load.snapshot.profile).toBe('core2-conroe');
    expect(load.snapshot.gprs.find((x) => x.name.toUpperCase() === 'RBX')?.value).toMatch(/0x0*77$/);
    expect(api.checkLesson('authored:rax-good', authored.start, '')!.passed).toBe(false);
    expect(api.checkLesson('authored:rax-good', authored.solution, '')!.passed).toBe(true);
    // A built-in id is never shadowed.
    expect(api.addLesson({ ...authored, id: 'vmxon' })).toEqual({ ok: true, id: 'authored:vmxon' });
    expect(api.lesson('vmxon')!.title).toBe('3. VMXON');
  });

  it('addLesson refuses what validateLesson refuses (HTML, bad goals), naming every error by its path', () => {
    const r = api.addLesson({ ...authored, text: '<img src=x onerror=alert(1)>', goals: [{ kind: 'eval', label: 'x' }] });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.join('\n')).toMatch(/lesson\.text: no HTML[\s\S]*lesson\.goals\[0\]\.kind/);
    expect(api.addLesson('lesson').ok).toBe(false);
  });

  it('Share of an authored lesson\'s state carries the lesson; opening the link registers it again and names it by its key', () => {
    api.addLesson(authored);
    const e = api.encodeState({ lesson: { id: 'authored:rax-good', step: 1 }, program: 'mov rax, 2\nhlt\n', profile: 'core2-conroe', msrs: { '0x3a': '0x0' }, regs: {}, breakpoints: [1], editor: {} });
    expect(e).toMatchObject({ ok: true, fits: true });
    expect(e.fragment).toMatch(/^#s=2\./);
    expect(e.file).toContain('"L"');
    const other = createLabApi();
    const r = other.decodeState(e.fragment);
    expect(r.ok && r.state).toEqual({ lesson: { id: 'authored:rax-good', step: 1 }, program: 'mov rax, 2\nhlt\n', profile: 'core2-conroe', msrs: { '0x3a': '0x0' }, regs: {}, breakpoints: [1], editor: {} });
    expect(r.ok && (r.lesson as { id: string }).id).toBe('rax-good');
    expect(other.lesson('authored:rax-good')?.title).toBe('RAX must be good');
    const f = other.decodeStateFile(e.file);
    expect(f.ok && f.state.lesson?.id).toBe('authored:rax-good');
    // An authored key the worker does not know cannot be shared (nothing to carry).
    expect(api.encodeState({ lesson: { id: 'authored:never-added', step: 0 }, program: '', profile: 'arrow-lake', msrs: {}, regs: {}, breakpoints: [], editor: {} }))
      .toMatchObject({ ok: false, message: expect.stringContaining('no longer known') });
  });
});
