// Every lesson and challenge: valid, its solution passes on every profile it names, its starting
// program fails on its own machine (for the reason it teaches: a goal about that reason fails).

import { describe, expect, it } from 'vitest';
import { PROFILES } from '../arch/profiles/index.ts';
import { profileFeatures } from '../arch/profiles/matrix.ts';
import { LESSONS, checkLesson, findLesson, validateLesson } from './index.ts';

describe('the curriculum', () => {
  it('has lessons 1-13 and six challenges, with unique ids', () => {
    expect(LESSONS.filter((l) => l.kind === 'lesson')).toHaveLength(13);
    expect(LESSONS.filter((l) => l.kind === 'challenge')).toHaveLength(6);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    expect(findLesson('vmxon')?.title).toBe('3. VMXON');
    expect(findLesson('nope')).toBeUndefined();
  });

  for (const lesson of LESSONS) {
    describe(lesson.id, () => {
      it('validates', () => {
        const v = validateLesson(lesson);
        expect(v.ok ? [] : v.errors).toEqual([]);
      });

      for (const profile of lesson.profiles) {
        it(`its solution passes every goal on ${profile}`, () => {
          const r = checkLesson(lesson, lesson.solution, { profile });
          expect(r.assembled).toBe(true);
          expect(r.goals.filter((g) => !g.passed).map((g) => `${g.label}: ${g.detail}`)).toEqual([]);
          expect(r.passed).toBe(true);
        });
      }

      it('its starting program fails on the lesson\'s machine', () => {
        const r = checkLesson(lesson);
        expect(r.assembled).toBe(true);
        expect(r.passed).toBe(false);
        expect(r.goals.some((g) => !g.passed)).toBe(true);
      });
    });
  }

  it('beyond the profiles they name: every solution passes and every starting program fails on every CPU profile', () => {
    const wrong: string[] = [];
    for (const l of LESSONS) {
      for (const p of PROFILES) {
        // EPT (lesson 12) cannot work where the processor has none (Core 2): there VMLAUNCH refuses it.
        const solutionShouldPass = l.id !== 'ept' || profileFeatures(p).ept;
        if (checkLesson(l, l.solution, { profile: p.id }).passed !== solutionShouldPass) wrong.push(`${l.id} solution ${solutionShouldPass ? 'fails' : 'passes'} on ${p.id}`);
        // The one-profile challenge is about a program that works everywhere but on Core 2.
        const startShouldPass = l.id === 'challenge-error7-one-profile' && p.id !== 'core2-conroe';
        if (checkLesson(l, l.start, { profile: p.id }).passed !== startShouldPass) wrong.push(`${l.id} start ${startShouldPass ? 'fails' : 'passes'} on ${p.id}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every lesson survives a JSON round trip (a lesson file) and still validates and checks the same', () => {
    for (const l of LESSONS) {
      const v = validateLesson(JSON.parse(JSON.stringify(l)));
      expect(v.ok ? [] : v.errors, l.id).toEqual([]);
    }
    const copy = validateLesson(JSON.parse(JSON.stringify(findLesson('chosen-exits'))));
    if (!copy.ok) throw new Error('chosen-exits does not validate');
    expect(checkLesson(copy.lesson, copy.lesson.solution).goals).toEqual(checkLesson(findLesson('chosen-exits')!, findLesson('chosen-exits')!.solution).goals);
  });

  it('a goal on the VM-entry check that failed (guest-state lesson)', () => {
    const l = findLesson('guest-state')!;
    const probe = { ...l, goals: [{ kind: 'vmexit' as const, label: 'link pointer check fails', entryFailure: true, reason: 33, check: 'guest.link-pointer.revision' }] };
    expect(validateLesson(probe).ok).toBe(true);
    expect(checkLesson(probe).passed).toBe(true);
    expect(checkLesson(probe, l.solution).passed).toBe(false);
  });

  it('error 7 on one profile: the starting program works on arrow-lake, fails on core2-conroe', () => {
    const l = findLesson('challenge-error7-one-profile')!;
    expect(checkLesson(l, l.start, { profile: 'arrow-lake' }).passed).toBe(true);
    const core2 = checkLesson(l, l.start, { profile: 'core2-conroe' });
    expect(core2.goals[0]).toMatchObject({ passed: false, label: 'VMLAUNCH does not fail with error 7' });
    expect(core2.goals[0].detail).toContain('VMfailValid(7)');
  });

  it('each starting program fails first the goal about what its lesson teaches', () => {
    const expected: Record<string, string> = {
      'vmx-support': 'IA32_FEATURE_CONTROL is locked with VMX outside SMX enabled',
      'cr-fixed-bits': 'VMXON succeeds',
      'controls': 'VMLAUNCH does not fail with error 7',
      'host-state': 'VMLAUNCH does not fail with error 8',
      'guest-state': 'no VM-entry failure (exit reason 33)',
      'first-exit': 'after a VMCALL exit the guest resumes past the VMCALL (GUEST_RIP + instruction length)',
      'challenge-error-after-vmxoff': 'no exception',
      'challenge-virtual-vmxon': 'VMXON succeeds',
      'vmxon': 'VMXON succeeds',
      'current-vmcs': 'VMPTRLD succeeds',
      'vmread-vmwrite': 'no VMWRITE to a read-only field (error 13)',
      'machine-array': 'no VMWRITE fails',
      'chosen-exits': 'RDMSR of the TSC does not exit: its bit in the MSR bitmap is 0',
      'ept': 'after the remap and INVEPT the guest reads other_page (rax = 0xbbbb)',
      'v8086-guest': 'no VM-entry failure (exit reason 33)',
      'challenge-controls-not-adjusted': 'VMLAUNCH does not fail with error 7',
      'challenge-error7-one-profile': 'VMLAUNCH does not fail with error 7',
      'challenge-activity-state': 'no VM-entry failure (exit reason 33)',
      'challenge-host-tr': 'VMLAUNCH does not fail with error 8',
    };
    expect(Object.keys(expected).sort()).toEqual(LESSONS.map((l) => l.id).sort());
    for (const l of LESSONS) expect(checkLesson(l).goals.find((g) => !g.passed)?.label, l.id).toBe(expected[l.id]);
  });
});

describe('lesson 13 (v8086-guest)', () => {
  const l = findLesson('v8086-guest')!;

  it('starts on Core 2 (no unrestricted guest) and its start differs from the solution only in the access rights', () => {
    expect(l.machine.profile).toBe('core2-conroe');
    const diff = l.start.split('\n').filter((line, i) => line !== l.solution.split('\n')[i]);
    expect(diff).toHaveLength(1);
    expect(diff[0]).toContain('mov ebx, 0x93');
    expect(l.solution).toContain('bits 16');
  });

  it('the start fails VM entry on the v8086 access-rights check of CS (SDM Vol. 3C §27.3.1.2)', () => {
    const r = checkLesson(l);
    expect(r.profile).toBe('core2-conroe');
    expect(r.goals[0]!.detail).toContain('guest.seg.cs.access-rights.v86');
  });

  it('with RFLAGS.VM left 0 the same guest fails VM entry too: F3H is not a code segment outside virtual-8086 mode', () => {
    const noVm = l.solution.replace('mov ebx, 0x20002                    ; RFLAGS', 'mov ebx, 0x2                        ; RFLAGS');
    expect(noVm).not.toBe(l.solution);
    const r = checkLesson(l, noVm);
    expect(r.passed).toBe(false);
    expect(r.goals[0]).toMatchObject({ passed: false, label: 'no VM-entry failure (exit reason 33)' });
  });

  it('without the TSS I/O permission bitmap the OUT raises #GP before any I/O exit (SDM Vol. 3C §26.1.1): three #GP exits, no reason 30', () => {
    const noBitmap = l.solution.replace('mov ebx, 0x88 ', 'mov ebx, 0x67 ');
    expect(noBitmap).not.toBe(l.solution);
    const r = checkLesson(l, noBitmap);
    expect(r.goals.find((g) => g.kind === 'vmexit' && g.label.includes('OUT'))?.passed).toBe(false);
    expect(r.goals.find((g) => g.label.startsWith('the program reports success'))?.passed).toBe(false);
  });
});

describe('authored lessons (registered for this process)', () => {
  it('are found under authored:<id>, never under a built-in id; re-registering replaces; the oldest are forgotten past the cap', async () => {
    const { addAuthoredLesson, MAX_AUTHORED_LESSONS } = await import('./index.ts');
    const vmxon = findLesson('vmxon')!;
    const mine = { ...vmxon, title: 'My VMXON' };
    const key = addAuthoredLesson(mine);
    expect(key).toBe('authored:vmxon');
    expect(findLesson(key)?.title).toBe('My VMXON');
    expect(findLesson('vmxon')?.title).toBe('3. VMXON');
    expect(LESSONS).not.toContain(mine);
    addAuthoredLesson({ ...mine, title: 'My VMXON, edited' });
    expect(findLesson(key)?.title).toBe('My VMXON, edited');
    for (let i = 0; i < MAX_AUTHORED_LESSONS; i++) addAuthoredLesson({ ...mine, id: `mine-${i}` });
    expect(findLesson(key)).toBeUndefined();
    expect(findLesson(`authored:mine-${MAX_AUTHORED_LESSONS - 1}`)?.id).toBe(`mine-${MAX_AUTHORED_LESSONS - 1}`);
    expect(checkLesson(findLesson('authored:mine-3')!, vmxon.solution).passed).toBe(true);
  });
});
