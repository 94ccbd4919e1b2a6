// Walkthroughs of lessons 1-4: VMX support, CR0/CR4 fixed bits, VMXON, the current VMCS.
// Each performs the lesson as a learner would: read it, run the starting program, see what
// fails and where the page says why, fix the program as the lesson teaches, run again.
import { test, expect, lesson } from './fixture.ts';

test('walkthrough [vmx-support]', async ({ walk }) => {
  const l = lesson('vmx-support');
  await walk.open(l);
  // Firmware left IA32_FEATURE_CONTROL unlocked: the program locks it but forgets the enable bit.
  await walk.runAndExpectFailing({
    'IA32_FEATURE_CONTROL is locked with VMX outside SMX enabled': 'MSR 0x3a (bits 0x5) = 0x1, wanted 0x5',
    'the program concludes VMX can be used (rbx = 2)': 'RBX = 0x1, wanted 0x2',
  });
  const featureControl = walk.page.getByRole('region', { name: 'MSRs', exact: true }).getByLabel('IA32_FEATURE_CONTROL value');
  await expect(featureControl).toHaveText('0x1');
  await walk.expectVmError();
  await walk.lesson.showHint(l.hints[0]);
  // The fix: set bit 2 (VMX outside SMX) together with the lock bit.
  await walk.editor.replaceLines('or eax, FEAT_CTL_LOCKED', '    or eax, FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX   ; enable VMX outside SMX, and lock');
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await expect(featureControl).toHaveText('0x5');
});

test('walkthrough [cr-fixed-bits]', async ({ walk }) => {
  const l = lesson('cr-fixed-bits');
  await walk.open(l);
  // This machine boots with CR0.NE clear.
  await walk.crs.expectBit('CR0', 'NE', false);
  await walk.runAndExpectFailing({
    'VMXON succeeds': 'no VMXON ran',
    'CR0.NE, CR0.PE and CR0.PG are set': 'bits 0x20 should be 1',
    'no #GP': 'VMXON: CR0.NE (bit 5) must be 1 in VMX operation',
  });
  await expect(walk.machineState).toContainText('Stopped (fault)');
  await walk.events.expectEntry('#GP (vector 13, error code 0): VMXON: CR0.NE (bit 5) must be 1', 'SDM Vol. 3A §6.15 Exception and Interrupt Reference');
  // Try it by hand: from the start, flip CR0.NE in the Control registers panel; VMXON now succeeds.
  await walk.lab.button('Reset').click();
  await expect(walk.machineState).toContainText('step 0 ');
  await walk.crs.flip('CR0', 'NE');
  await walk.runToPause();
  await walk.events.expectEntry(/vmxon .*VMsucceed/);
  await expect(walk.machineState).toContainText('VMX root');
  // But the goals run the program on a fresh machine: the program itself must apply
  // IA32_VMX_CR0_FIXED0/FIXED1 and IA32_VMX_CR4_FIXED0/FIXED1. The fix is a dozen lines.
  await walk.lesson.showHint(l.hints[0]);
  await walk.editor.editInto(l.solution);
  await walk.assemble();
  await walk.crs.expectBit('CR0', 'NE', false);
  await walk.runAndExpectSolved();
  await walk.crs.expectBit('CR0', 'NE', true);
  await walk.crs.expectBit('CR4', 'VMXE', true);
});

test('walkthrough [vmxon]', async ({ walk }) => {
  const l = lesson('vmxon');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'VMXON succeeds': 'VMfailInvalid',
    'no VMXON fails': 'VMfailInvalid',
    'the program ends in VMX root operation': 'VMX mode off',
    'rbx = 0x600d': 'RBX = 0xbad',
  });
  // VMfailInvalid: there is no current VMCS to hold an error number, so the status bar has none;
  // the Events timeline says why.
  await walk.expectVmError();
  await walk.events.expectEntry('VMXON region revision 0x0 differs from IA32_VMX_BASIC[30:0]', 'SDM Vol. 3C §31.2 Conventions');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: write the revision identifier into the region before VMXON.
  await walk.editor.insertAfter('mov cr4, rbx', [
    '    ; revision identifier (IA32_VMX_BASIC[30:0]) into the first 4 bytes of the VMXON region',
    '    mov ecx, MSR_IA32_VMX_BASIC',
    '    rdmsr',
    '    and eax, 0x7fffffff',
    '    mov [vmxon_region], eax',
  ]);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await expect(walk.machineState).toContainText('VMX root');
  await walk.events.expectEntry(/vmxon .*VMsucceed/);
});

test('walkthrough [current-vmcs]', async ({ walk }) => {
  const l = lesson('current-vmcs');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'VMPTRLD succeeds': 'VMfailInvalid',
    'VMPTRST succeeds': 'no VMPTRST ran',
    'VMPTRST gave VMCS B (rbx = 0x600d)': 'RBX = 0xbad',
  });
  await walk.lesson.expectGoal('VMCLEAR succeeds', 'passed');
  await walk.events.expectEntry('VMCS region revision 0x0 differs from IA32_VMX_BASIC[30:0]', 'SDM Vol. 3C §31.2 Conventions');
  await walk.expectVmError();
  await walk.lesson.showHint(l.hints[0]);
  // The fix: every VMCS region starts with the revision identifier, like the VMXON region.
  await walk.editor.insertAfter('mov [vmxon_region], eax', ['    mov [vmcs_a], eax', '    mov [vmcs_b], eax']);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await walk.events.expectEntry(/vmptrst .*VMsucceed/);
});
