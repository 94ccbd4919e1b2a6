// Walkthroughs of the challenges: a broken machine, the symptom the page shows, the cause
// found with Explain, the Events timeline or the VMCS panel, and the fix.
import { test, expect, lesson } from './fixture.ts';

test('walkthrough [challenge-controls-not-adjusted]', async ({ walk }) => {
  const l = lesson('challenge-controls-not-adjusted');
  await walk.open(l);
  await walk.runAndExpectFailing({ 'VMLAUNCH does not fail with error 7': 'VMfailValid(7)' });
  await walk.expectVmError(7);
  await walk.events.expectEntry('ctrl.exit.allowed-settings: The VM-exit controls (0x200) do not respect IA32_VMX_TRUE_EXIT_CTLS', 'SDM Vol. 3C §31.4');
  await walk.explain.expectVerdict('VMLAUNCH would fail with VMfailValid(7): ctrl.exit.allowed-settings');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: the exit and entry controls go through adjust_and_write like the others.
  await walk.editor.replaceLines('mov ebx, VM_EXIT_HOST_ADDR_SPACE_SIZE', ['    mov ecx, MSR_IA32_VMX_EXIT_CTLS', '    mov ebx, VM_EXIT_HOST_ADDR_SPACE_SIZE']);
  const exitCtls = await walk.editor.lineOf('mov eax, VM_EXIT_CONTROLS');
  await walk.editor.replaceAt(exitCtls + 1, 1, ['    call adjust_and_write', '    mov ecx, MSR_IA32_VMX_ENTRY_CTLS']);
  const entryCtls = await walk.editor.lineOf('mov eax, VM_ENTRY_CONTROLS');
  await walk.editor.replaceAt(entryCtls + 1, 1, ['    call adjust_and_write']);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
});

test('walkthrough [challenge-error7-one-profile]', async ({ walk }) => {
  const l = lesson('challenge-error7-one-profile');
  await walk.open(l);
  // This machine is a Core 2 (VMX revision 7, no TRUE capability MSRs).
  await expect(walk.lab.profileSelect).toHaveValue('core2-conroe');
  await walk.runAndExpectFailing({ 'VMLAUNCH does not fail with error 7': 'VMfailValid(7)' });
  await walk.expectVmError(7);
  await walk.events.expectEntry('IA32_VMX_PROCBASED_CTLS: bits 15, 16 must be 1');
  await walk.explain.expectVerdict('VMLAUNCH would fail with VMfailValid(7): ctrl.proc.allowed-settings');
  await walk.explain.expectSdm('§27.2.1.1');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: every control field adjusted to this processor's capability MSRs (four blocks).
  await walk.editor.editInto(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
});

test('walkthrough [challenge-activity-state]', async ({ walk }) => {
  const l = lesson('challenge-activity-state');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'no VM-entry failure (exit reason 33)': 'check guest.activity.supported',
    'GUEST_ACTIVITY_STATE is 0 (active)': 'GUEST_ACTIVITY_STATE = 0x1003f9',
  });
  await walk.explain.expectVerdict('VMLAUNCH would fail VM entry with exit reason 33: guest.activity.supported');
  await walk.explain.expectSdm('§27.3.1.5');
  await expect(await walk.vmcs.field('GUEST_ACTIVITY_STATE')).toHaveValue('0x1003f9');
  // Try it by hand: stop at VMLAUNCH, VMWRITE 0 into the field from the VMCS panel: Explain passes.
  await walk.lab.button('Reset').click();
  await walk.editor.toggleBreakpoint(/^\s*vmlaunch/);
  await walk.runToPause();
  await walk.explain.expectVerdict('guest.activity.supported');
  await walk.vmcs.write('GUEST_ACTIVITY_STATE', '0x0');
  await walk.explain.expectVerdict('VMLAUNCH would pass every check.');
  await walk.editor.toggleBreakpoint(/^\s*vmlaunch/, false);
  await walk.lesson.showHint(l.hints[0]);
  // The fix: the value written is rbx, which held a leftover; set it to 0 (active).
  await walk.editor.replaceLines('mov eax, GUEST_ACTIVITY_STATE', ['    xor ebx, ebx                        ; 0 = active', '    mov eax, GUEST_ACTIVITY_STATE']);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await expect(await walk.vmcs.field('GUEST_ACTIVITY_STATE')).toHaveValue('0x0');
});

test('walkthrough [challenge-host-tr]', async ({ walk }) => {
  const l = lesson('challenge-host-tr');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'VMLAUNCH does not fail with error 8': 'VMfailValid(8)',
    'HOST_TR_SELECTOR is the TSS selector (0x18)': 'HOST_TR_SELECTOR = 0x0',
  });
  await walk.expectVmError(8);
  await walk.events.expectEntry('host.seg.tr.selector.nonzero: The host TR selector is 0000H', 'SDM Vol. 3C §31.4');
  await walk.explain.expectVerdict('VMLAUNCH would fail with VMfailValid(8): host.seg.tr.selector.nonzero');
  await walk.explain.expectSdm('§27.2.3');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: STR gives the running task register's selector; write it as HOST_TR_SELECTOR.
  const gs = await walk.editor.lineOf('mov eax, HOST_GS_SELECTOR');
  await walk.editor.replaceAt(gs + 2, 0, ['    str bx', '    movzx ebx, bx', '    mov eax, HOST_TR_SELECTOR', '    call vmw']);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await walk.expectVmError();
});

test('walkthrough [challenge-error-after-vmxoff]', async ({ walk }) => {
  const l = lesson('challenge-error-after-vmxoff');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'no exception': '#UD at line 219',
    'r13 holds the VM-instruction error of VMLAUNCH (7)': 'R13 = 0x0',
    'the program halts outside VMX operation': 'stopped: fault',
  });
  await expect(walk.machineState).toContainText('Stopped (fault)');
  await walk.events.expectEntry('#UD (vector 6): VMREAD outside VMX operation raises #UD', 'SDM Vol. 3A §6.15 Exception and Interrupt Reference');
  await walk.events.expectEntry('VMfailValid(7)');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: read VM_INSTRUCTION_ERROR while the VMCS is still current, then VMXOFF.
  await walk.editor.replaceLines('; VMLAUNCH fell through: leave VMX operation', ['    ; VMLAUNCH fell through: VMfailValid leaves the error number in the current VMCS'], 2);
  await walk.editor.insertAfter('vmread r13, rax', ['    vmxoff']);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await expect(walk.machineState).toContainText('VMX off');
});

test('walkthrough [challenge-virtual-vmxon]', async ({ walk }) => {
  const l = lesson('challenge-virtual-vmxon');
  await walk.open(l);
  await walk.runAndExpectFailing({ 'VMXON succeeds': 'VMfailInvalid' });
  await walk.expectVmError();
  await walk.events.expectEntry('VMXON pointer 0xffff888000101000 is not 4-KByte aligned or exceeds the physical-address width', 'SDM Vol. 3C §31.2 Conventions');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: VMXON takes a physical address.
  await walk.editor.replaceLines('lea rax, [vmxon_region]', "    mov rax, PA(vmxon_region)           ; the region's physical address");
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
});
