// The task-switch VM exit (reason 9; SDM Vol. 3C §26.1.2, Table 28-2): the qualification
// format from the arch table, the instruction length, the IDT-vectoring information of a switch
// through a task gate in the IDT, and no exit outside non-root operation. The executor side
// (which instructions reach the hook, after which checks) is tested in src/x86/exec/far.test.ts
// and src/x86/task-switch.test.ts.
import { describe, expect, it } from 'vitest';
import { QUAL_TASK_SWITCH } from '../../arch/vmx-info.ts';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { fieldOf, launchedRig } from '../testing/exits.ts';
import { insn } from '../testing/rig.ts';
import { taskSwitchQualification } from './task-switch.ts';

describe('task-switch exit qualification (SDM Vol. 3C Table 28-2)', () => {
  it('holds the TSS selector in bits 15:0 and the source in bits 31:30; nothing else', () => {
    expect(taskSwitchQualification(0x80, 0)).toBe(0x80n);
    expect(taskSwitchQualification(0x80, 1)).toBe(0x4000_0080n);
    expect(taskSwitchQualification(0xfff8, 2)).toBe(0x8000_fff8n);
    expect(taskSwitchQualification(0x28, 3)).toBe(0xc000_0028n);
    for (const source of [0, 1, 2, 3] as const) {
      const q = taskSwitchQualification(0xffff, source);
      expect(q & QUAL_TASK_SWITCH.reservedMask).toBe(0n);
      expect(QUAL_TASK_SWITCH.get(q, 'SOURCE')).toBe(BigInt(source));
    }
  });
});

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('task-switch VM exits on %s', (_id, p) => {
  it('a JMP to a TSS exits with reason 9, the selector and source 2, the JMP\'s length; guest RIP is the JMP', () => {
    const rig = launchedRig(p);
    const rip = rig.cpu.state.rip;
    expect(rig.model.hooks.taskSwitch!(rig.cpu, 0x80, 2, insn('jmp', [], 7))).toBe(true);
    expect(rig.model.mode()).toBe('root');
    expect([fieldOf(rig, 'VM_EXIT_REASON'), fieldOf(rig, 'EXIT_QUALIFICATION'), fieldOf(rig, 'VM_EXIT_INSTRUCTION_LEN')]).toEqual([9n, 0x8000_0080n, 7n]);
    expect(fieldOf(rig, 'GUEST_RIP')).toBe(BigInt(rip));
    expect(fieldOf(rig, 'IDT_VECTORING_INFO_FIELD')).toBe(0n);
    expect(rig.model.takeReports()).toMatchObject([{ kind: 'vmexit', reason: 9, name: 'TASK_SWITCH', qualification: 0x8000_0080n }]);
  });

  it('CALL (source 0) and IRET (source 1) put their source in bits 31:30', () => {
    const rig = launchedRig(p);
    rig.model.hooks.taskSwitch!(rig.cpu, 0x88, 1, insn('iretd', [], 1));
    expect([fieldOf(rig, 'EXIT_QUALIFICATION'), fieldOf(rig, 'VM_EXIT_INSTRUCTION_LEN')]).toEqual([0x4000_0088n, 1n]);
    const again = launchedRig(p);
    again.model.hooks.taskSwitch!(again.cpu, 0x90, 0, insn('call', [], 5));
    expect(fieldOf(again, 'EXIT_QUALIFICATION')).toBe(0x90n);
  });

  it('through a task gate in the IDT (source 3): the event being delivered is the IDT-vectoring information', () => {
    const rig = launchedRig(p, (f) => f.set('EXCEPTION_BITMAP', 0n));
    // A #GP(0x18) the exception bitmap leaves to the guest IDT; its gate is a task gate.
    expect(rig.model.hooks.interceptEvent!(rig.cpu, 13, 0x18, 'fault')).toBe(false);
    expect(rig.model.hooks.taskSwitch!(rig.cpu, 0x28, 3)).toBe(true);
    expect(fieldOf(rig, 'VM_EXIT_REASON')).toBe(9n);
    expect(fieldOf(rig, 'EXIT_QUALIFICATION')).toBe(0xc000_0028n);
    expect([fieldOf(rig, 'IDT_VECTORING_INFO_FIELD'), fieldOf(rig, 'IDT_VECTORING_ERROR_CODE')]).toEqual([0x8000_0b0dn, 0x18n]);
  });

  it('is no exit in root operation (the executor then switches tasks itself)', () => {
    const rig = launchedRig(p);
    rig.model.hooks.taskSwitch!(rig.cpu, 0x80, 2, insn('jmp', [], 7));
    expect(rig.model.mode()).toBe('root');
    expect(rig.model.hooks.taskSwitch!(rig.cpu, 0x80, 2, insn('jmp', [], 7))).toBe(false);
  });
});
