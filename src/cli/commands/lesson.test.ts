import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../lessons/index.ts';
import { builtInLesson, lessonToFile } from '../../worker/authoring.ts';
import { main } from '../main.ts';
import { memoryIo } from '../testing.ts';

interface CheckRecord {
  lesson: string;
  profile: string;
  assembled: boolean;
  passed: boolean;
  goals: { label: string; passed: boolean; detail: string }[];
}

describe('vmx-lab lesson', () => {
  it('check: every solution passes (exit 0) and every starting program fails (exit 1), through --program files', () => {
    const files: Record<string, string> = {};
    for (const l of LESSONS) {
      files[`${l.id}.start.asm`] = l.start;
      files[`${l.id}.solution.asm`] = l.solution;
    }
    for (const l of LESSONS) {
      const ok = memoryIo(files);
      expect(main(['lesson', 'check', l.id, '--program', `${l.id}.solution.asm`, '--json'], ok), l.id).toBe(0);
      const rec = JSON.parse(ok.out) as CheckRecord;
      expect(rec).toMatchObject({ lesson: l.id, assembled: true, passed: true });
      expect(rec.goals).toHaveLength(l.goals.length);
      const bad = memoryIo(files);
      expect(main(['lesson', 'check', l.id, '--program', `${l.id}.start.asm`, '--json'], bad), l.id).toBe(1);
      expect((JSON.parse(bad.out) as CheckRecord).goals.some((g) => !g.passed)).toBe(true);
    }
  });

  it('check without --program checks the starting program; text output lists PASS/FAIL per goal', () => {
    const io = memoryIo();
    expect(main(['lesson', 'check', 'vmxon'], io)).toBe(1);
    expect(io.out).toContain('lesson vmxon on arrow-lake: the starting program');
    expect(io.out).toMatch(/FAIL {2}VMXON succeeds\n {8}not seen; instead: vmxon .* VMfailInvalid/);
    expect(io.out).toContain('0/4 goals pass');
    const sol = memoryIo();
    expect(main(['lesson', 'check', 'vmxon', '--solution', '--profile', 'core2-conroe'], sol)).toBe(0);
    expect(sol.out).toContain('4/4 goals pass');
  });

  it('check exits 2 for a program that does not assemble, an unreadable file, an unknown lesson or profile', () => {
    const io = memoryIo({ 'bad.asm': 'frobnicate eax\n' });
    expect(main(['lesson', 'check', 'vmxon', '--program', 'bad.asm'], io)).toBe(2);
    expect(io.out).toMatch(/1:\d+: error: /);
    expect(io.out).toContain('did not assemble');
    const missing = memoryIo();
    expect(main(['lesson', 'check', 'vmxon', '--program', 'nope.asm'], missing)).toBe(2);
    expect(missing.err).toContain('cannot read nope.asm');
    const unknown = memoryIo();
    expect(main(['lesson', 'check', 'no-such-lesson'], unknown)).toBe(2);
    expect(unknown.err).toContain("no lesson 'no-such-lesson'");
    const prof = memoryIo();
    expect(main(['lesson', 'check', 'vmxon', '--profile', 'pentium'], prof)).toBe(2);
    const usage = memoryIo();
    expect(main(['lesson', 'check'], usage)).toBe(2);
    expect(main(['lesson', 'check', 'vmxon', '--solution', '--program', 'x.asm'], usage)).toBe(2);
    expect(main(['lesson'], usage)).toBe(2);
  });

  it('list names every lesson; program prints the starting program or the solution', () => {
    const io = memoryIo();
    expect(main(['lesson', 'list', '--json'], io)).toBe(0);
    const rows = JSON.parse(io.out) as { id: string; kind: string }[];
    expect(rows.map((r) => r.id)).toEqual(LESSONS.map((l) => l.id));
    const text = memoryIo();
    expect(main(['lesson', 'list'], text)).toBe(0);
    for (const l of LESSONS) expect(text.out).toContain(l.title);
    const start = memoryIo();
    expect(main(['lesson', 'program', 'vmxon'], start)).toBe(0);
    expect(start.out).toBe(LESSONS.find((l) => l.id === 'vmxon')!.start);
    const sol = memoryIo();
    expect(main(['lesson', 'program', 'vmxon', '--solution'], sol)).toBe(0);
    expect(sol.out).toBe(LESSONS.find((l) => l.id === 'vmxon')!.solution);
  });
});

describe('vmx-lab lesson --file (an instructor lesson file, as Author mode exports it)', () => {
  // An instructor's copy of lesson 3 under an id of their own, written the way the page exports it.
  const base = LESSONS.find((l) => l.id === 'vmxon')!;
  const exported = lessonToFile({ ...builtInLesson('vmxon') as object, id: 'my-vmxon', title: 'My VMXON' });
  if (!exported.ok) throw new Error(exported.errors.join('; '));
  const files = { 'my.json': exported.text, 'sol.asm': base.solution, 'junk.json': '{"format": "something else"}', 'bad.json': '{ nope' };

  it('check: the starting program fails (exit 1), the solution passes (exit 0), by --solution or --program', () => {
    const start = memoryIo(files);
    expect(main(['lesson', 'check', '--file', 'my.json', '--json'], start)).toBe(1);
    expect(JSON.parse(start.out)).toMatchObject({ lesson: 'my-vmxon', assembled: true, passed: false });
    const sol = memoryIo(files);
    expect(main(['lesson', 'check', '--file=my.json', '--solution'], sol)).toBe(0);
    expect(sol.out).toContain('lesson my-vmxon on');
    expect(sol.out).toContain(`${base.goals.length}/${base.goals.length} goals pass`);
    expect(main(['lesson', 'check', '--file', 'my.json', '--program', 'sol.asm'], memoryIo(files))).toBe(0);
  });

  it('program --file prints the file lesson\'s start or solution', () => {
    const io = memoryIo(files);
    expect(main(['lesson', 'program', '--file', 'my.json', '--solution'], io)).toBe(0);
    expect(io.out).toBe(base.solution);
  });

  it('refuses a file that is not a lesson, or not JSON, or missing, with exit 2 and the reason', () => {
    const junk = memoryIo(files);
    expect(main(['lesson', 'check', '--file', 'junk.json'], junk)).toBe(2);
    expect(junk.err).toContain('junk.json is not a lesson VMX Lab can use');
    expect(junk.err).toContain('file.format');
    const bad = memoryIo(files);
    expect(main(['lesson', 'check', '--file', 'bad.json'], bad)).toBe(2);
    expect(bad.err).toContain('bad.json is not a lesson');
    const missing = memoryIo(files);
    expect(main(['lesson', 'check', '--file', 'nowhere.json'], missing)).toBe(2);
    expect(missing.err).toContain('cannot read nowhere.json');
  });

  it('takes a lesson ID or --file, not both and not neither', () => {
    const both = memoryIo(files);
    expect(main(['lesson', 'check', 'vmxon', '--file', 'my.json'], both)).toBe(2);
    expect(both.err).toContain('not both');
    const neither = memoryIo(files);
    expect(main(['lesson', 'check'], neither)).toBe(2);
    expect(neither.err).toContain('--file LESSON.json');
  });
});
