// The goal language and checkLesson on small programs: each goal kind passes and fails, with details.

import { describe, expect, it } from 'vitest';
import { checkLesson } from './check.ts';
import type { Goal, Lesson } from './format.ts';
import { assembleLessonProgram, prepareLessonMachine } from './run.ts';

function lesson(goals: Goal[], machine: Lesson['machine'] = {}): Lesson {
  return { id: 'probe', kind: 'lesson', title: 'probe', summary: 's', text: 't', start: 'hlt', solution: 'hlt', machine, profiles: ['arrow-lake'], hints: [], goals };
}

const verdicts = (l: Lesson, program: string) => checkLesson(l, program).goals.map((g) => g.passed);

describe('checkLesson', () => {
  it('a program that does not assemble: assembled false, diagnostics, no goals', () => {
    const r = checkLesson(lesson([{ kind: 'stop', label: 'halts', stop: 'halted' }]), 'nop\nfrobnicate eax\n');
    expect(r).toMatchObject({ assembled: false, passed: false, goals: [] });
    expect(r.diagnostics[0].line).toBe(2);
  });

  it('reg, stop and fault goals', () => {
    const l = lesson([
      { kind: 'reg', label: 'rbx = 5', reg: 'rbx', equals: 5 },
      { kind: 'reg', label: 'low byte of rcx', reg: 'rcx', equals: '0x34', mask: '0xff' },
      { kind: 'stop', label: 'halts outside VMX', stop: 'halted', mode: 'off' },
      { kind: 'fault', label: 'no exception', absent: true },
    ]);
    expect(verdicts(l, 'mov ebx, 5\nmov ecx, 0x1234\nhlt\n')).toEqual([true, true, true, true]);
    const bad = checkLesson(l, 'mov ebx, 6\nud2\n');
    expect(bad.goals.map((g) => g.passed)).toEqual([false, false, false, false]);
    expect(bad.goals[0].detail).toBe('RBX = 0x6, wanted 0x5');
    expect(bad.goals[3].detail).toMatch(/^seen: #UD at line 2/);
    expect(bad.stop).toBe('fault');
  });

  it('fault goal by vector, and the step budget', () => {
    const l = lesson([{ kind: 'fault', label: '#UD', vector: 6 }, { kind: 'stop', label: 'budget', stop: 'max-steps' }]);
    expect(verdicts(l, 'ud2\n')).toEqual([true, false]);
    expect(verdicts(l, 'spin: jmp spin\n')).toEqual([false, true]);
  });

  it('vmx goals: mnemonic, result, error, absent; cr and msr goals', () => {
    const l = lesson([
      { kind: 'vmx', label: 'vmxon fails invalid', mnemonic: 'vmxon', result: 'VMfailInvalid' },
      { kind: 'vmx', label: 'no vmxon succeeds', text: 'vmxon', result: 'VMsucceed', absent: true },
      { kind: 'cr', label: 'CR4.VMXE', cr: 'cr4', set: '0x2000' },
      { kind: 'msr', label: 'feature control locked', msr: '0x3a', mask: 1, equals: 1 },
    ]);
    const program = 'mov rax, cr4\nor rax, X86_CR4_VMXE\nmov cr4, rax\nmov rax, PA(region)\nmov [ptr], rax\nvmxon [ptr]\nhlt\nalign 8\nptr: dq 0\nalign 4096\nregion: times 4096 db 0\n';
    expect(verdicts(l, program)).toEqual([true, true, true, true]);
    const noVmxe = checkLesson(l, 'hlt\n');
    expect(noVmxe.goals.map((g) => g.passed)).toEqual([false, true, false, true]);
    expect(noVmxe.goals[0].detail).toContain('no VMXON ran');
    expect(noVmxe.goals[2].detail).toContain('bits 0x2000 should be 1');
  });

  it('the starting machine: firmware MSRs, CR bits and registers preset', () => {
    const l = lesson([], { msrs: { '0x3a': 0 }, cr: { cr0: { clear: '0x20' } }, regs: { rsi: '0x1234' } });
    const m = prepareLessonMachine(l, assembleLessonProgram('hlt\n').result);
    expect(m.cpu.msrs.get(0x3a)).toBe(0n);
    expect(m.cpu.cr0 & 0x20).toBe(0);
    expect(m.cpu.getGpr64(6)).toBe(0x1234n);
    const unchanged = prepareLessonMachine(lesson([]), assembleLessonProgram('hlt\n').result);
    expect(unchanged.cpu.cr0 & 0x20).toBe(0x20);
  });
});
