// Walkthroughs of lessons 9-12: the first exit and VMRESUME, the machine array, exits you
// choose, EPT.
import { test, expect, lesson } from './fixture.ts';

test('walkthrough [first-exit]', async ({ walk }) => {
  const l = lesson('first-exit');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'after a VMCALL exit the guest resumes past the VMCALL (GUEST_RIP + instruction length)': 'resumed at 0xffff8880001003e5, not 0xffff8880001003e8',
    'the guest reached its second VMCALL (r13 = 2)': 'R13 = 0x4402',
  });
  await walk.lesson.expectGoal('VMLAUNCH enters the guest (no VMfail)', 'passed');
  await walk.events.expectEntry('VM exit: reason 18 (VMCALL)', 'SDM Vol. 3D §C VMX Basic Exit Reasons');
  await walk.events.expectEntry('VM entry: the checks passed', 'SDM Vol. 3C §27 VM Entries');
  // Back in time to just before the exit: the guest is about to execute VMCALL.
  await walk.events.goBackTo('VM exit: reason 18 (VMCALL)');
  await expect(walk.machineState).toContainText('VMX non-root');
  await expect(walk.editor.currentLine).toContainText('vmcall');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: before VMRESUME, advance GUEST_RIP by VM_EXIT_INSTRUCTION_LEN.
  await walk.editor.insertBefore(/^\s*vmresume/, [
    '    mov eax, GUEST_RIP                  ; skip the instruction that exited',
    '    vmread rbx, rax',
    '    mov eax, VM_EXIT_INSTRUCTION_LEN',
    '    vmread rcx, rax',
    '    add rbx, rcx',
    '    mov eax, GUEST_RIP',
    '    vmwrite rax, rbx',
  ]);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await expect(walk.events.entry('VM exit: reason 18 (VMCALL)')).toHaveCount(2);
});

test('walkthrough [machine-array]', async ({ walk }) => {
  const l = lesson('machine-array');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'no VMWRITE fails': 'VMfailValid(12)',
    'GUEST_TR_SELECTOR = 0x18 from the table': 'GUEST_TR_SELECTOR = 0x0',
  });
  await walk.expectVmError(12);
  await walk.events.expectEntry('encoding 0x8 names no VMCS field this processor supports', 'SDM Vol. 3C §31.4 VM Instruction Error Numbers');
  await walk.explain.expectVerdict('VMLAUNCH would fail VM entry with exit reason 33');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: a table entry is two dq (encoding, value): 16 bytes a pair.
  await walk.editor.replaceLines(/^\s*add rsi, 8$/, '    add rsi, 16');
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await walk.expectVmError();
});

test('walkthrough [chosen-exits]', async ({ walk }) => {
  const l = lesson('chosen-exits');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'RDMSR of the TSC does not exit: its bit in the MSR bitmap is 0': 'VM exit, reason 31 (MSR_READ)',
    'OUT to port 0x80 exits: its bit in I/O bitmap A is 1 (reason 30)': 'not seen',
    'HLT exits (reason 12)': 'not seen',
    'the host gets control back and halts in VMX root operation': 'VMX mode non-root',
  });
  await walk.lesson.expectGoal('CPUID exits (reason 10)', 'passed');
  // The guest's HLT stopped the whole machine in VMX non-root operation.
  await expect(walk.machineState).toContainText('VMX non-root');
  await walk.events.expectEntry('VM exit: reason 10 (CPUID)');
  await walk.events.expectEntry('VM exit: reason 31');
  await walk.lesson.showHint(l.hints[0]);
  await walk.lesson.showHint(l.hints[1]);
  // Try it by hand: stop at VMLAUNCH, set HLT exiting in the VMCS panel, continue: HLT now exits.
  await walk.lab.button('Reset').click();
  await walk.editor.toggleBreakpoint(/^\s*vmlaunch/);
  await walk.runToPause();
  await expect(walk.editor.currentLine).toContainText('vmlaunch');
  await walk.vmcs.flipBit('CPU_BASED_VM_EXEC_CONTROL', 'CPU_BASED_HLT_EXITING');
  await walk.editor.toggleBreakpoint(/^\s*vmlaunch/, false);
  await walk.runToPause();
  await walk.events.expectEntry('VM exit: reason 12');
  // The fix: ask for HLT exiting and for the MSR and I/O bitmaps in the primary controls.
  const procbased = await walk.editor.lineOf('mov ecx, MSR_IA32_VMX_PROCBASED_CTLS');
  await walk.editor.replaceAt(procbased + 1, 1, ['    mov ebx, CPU_BASED_HLT_EXITING | CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_USE_IO_BITMAPS']);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await walk.events.expectEntry('VM exit: reason 30');
  await walk.events.expectEntry('VM exit: reason 12');
  await expect(walk.events.entry('VM exit: reason 31')).toHaveCount(0);
});

test('walkthrough [ept]', async ({ walk }) => {
  const l = lesson('ept');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'after the remap and INVEPT the guest reads other_page (rax = 0xbbbb)': 'RAX = 0xaaaa, wanted 0xbbbb',
  });
  await walk.lesson.expectGoal('the jump into locked_page is an EPT violation (exit 48)', 'passed');
  await walk.events.expectEntry('VM exit: reason 48');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: after changing the EPT entry, INVEPT removes the stale cached translation.
  await walk.editor.replaceLines('; (the entry has changed)', [
    '    mov eax, 1                          ; INVEPT single-context: the old translation is gone',
    '    invept rax, [invept_desc]',
    '    jbe fail',
  ]);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
});
