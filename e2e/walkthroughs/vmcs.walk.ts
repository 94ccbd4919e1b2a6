// Walkthroughs of lessons 5-8: VMREAD/VMWRITE, the control fields (error 7), host state
// (error 8), guest state (exit reason 33). The page shows each failure three ways: the
// VM-instruction error element, the Events entry with its SDM section, and Explain's verdict.
import { test, expect, lesson } from './fixture.ts';

test('walkthrough [vmread-vmwrite]', async ({ walk }) => {
  const l = lesson('vmread-vmwrite');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'no VMWRITE to a read-only field (error 13)': 'VMfailValid(13)',
    'no VMREAD of an unsupported field (error 12)': 'VMfailValid(12)',
    'rcx = GUEST_RIP as written (0x1234)': 'RCX = 0x480',
    'VM_INSTRUCTION_ERROR is 0 at the end (r13)': 'R13 = 0xc',
  });
  // The last VMfailValid left error 12 in the current VMCS.
  await walk.expectVmError(12);
  await walk.events.expectEntry('VMfailValid(12): VMREAD/VMWRITE from/to unsupported VMCS component', 'SDM Vol. 3C §31.4 VM Instruction Error Numbers');
  await walk.events.expectEntry('VMfailValid(13)');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: no write to the read-only exit reason; GUEST_RIP is natural-width, read it whole.
  await walk.editor.replaceLines('; start clean: clear the exit reason', [
    '    ; read GUEST_RIP back (a natural-width field: one access gives all 64 bits)',
    '    mov eax, GUEST_RIP',
  ], 6);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await walk.expectVmError();
});

test('walkthrough [controls]', async ({ walk }) => {
  const l = lesson('controls');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'VMLAUNCH does not fail with error 7': 'VMfailValid(7)',
    'the guest exits with VMCALL (reason 18) twice': 'not seen',
  });
  await walk.expectVmError(7);
  await walk.events.expectEntry('VMfailValid(7): VM entry with invalid control field(s). ctrl.pin.allowed-settings', 'SDM Vol. 3C §31.4');
  // Stop at VMLAUNCH and ask Explain: it names the check, its SDM section, and offers a fix.
  await walk.lab.button('Reset').click();
  await walk.editor.toggleBreakpoint(/^\s*vmlaunch/);
  await walk.runToPause();
  await expect(walk.editor.currentLine).toContainText('vmlaunch');
  await walk.explain.expectVerdict('VMLAUNCH would fail with VMfailValid(7): ctrl.pin.allowed-settings');
  await walk.explain.expectSdm('§27.2.1.1');
  await walk.explain.fixAll();
  await walk.lab.button('Step').click();
  await expect(walk.machineState).toContainText('VMX non-root');
  // Explain's fixes were VMWRITEs from the panel; the program itself must adjust the controls
  // to the capability MSRs: allowed-0 bits ORed in, allowed-1 bits ANDed.
  await walk.lesson.showHint(l.hints[0]);
  await walk.editor.replaceLines('(the wanted bits are written as they are)', [
    '    or ebx, eax                         ; bits that must be 1 (allowed-0 = 1)',
    '    and ebx, edx                        ; bits that may be 1 (allowed-1 = 1)',
  ]);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.editor.toggleBreakpoint(/^\s*vmlaunch/, false);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await walk.events.expectEntry('VM exit: reason 18 (VMCALL)', 'SDM Vol. 3D §C VMX Basic Exit Reasons');
});

test('walkthrough [host-state]', async ({ walk }) => {
  const l = lesson('host-state');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'VMLAUNCH does not fail with error 8': 'VMfailValid(8)',
    'HOST_CR4 has CR4.VMXE set': 'HOST_CR4 (bits 0x2000) = 0x0',
  });
  await walk.expectVmError(8);
  await walk.events.expectEntry('VMfailValid(8): VM entry with invalid host-state field(s). host.cr0.fixed-bits', 'SDM Vol. 3C §31.4');
  await walk.explain.expectVerdict('VMLAUNCH would fail with VMfailValid(8): host.cr0.fixed-bits');
  await walk.explain.expectSdm('§27.2.2');
  expect(await (await walk.vmcs.field('HOST_CR0')).inputValue()).toBe('0x0');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: the host CR0 and CR4 are the running kernel's.
  await walk.editor.insertAfter('; -- 6. host state', [
    '    mov rbx, cr0',
    '    mov eax, HOST_CR0',
    '    call vmw',
    '    mov rbx, cr4',
    '    mov eax, HOST_CR4',
    '    call vmw',
  ]);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  await walk.expectVmError();
});

test('walkthrough [guest-state]', async ({ walk }) => {
  const l = lesson('guest-state');
  await walk.open(l);
  await walk.runAndExpectFailing({
    'no VM-entry failure (exit reason 33)': 'exit reason 33 (INVALID_GUEST_STATE), check guest.link-pointer.revision',
    'VMCS_LINK_POINTER is all ones': 'VMCS_LINK_POINTER = 0x0',
  });
  // The failed entry is a VM exit with reason 33; the handler then tried VMRESUME (error 5).
  await walk.expectVmError(5);
  await walk.explain.expectVerdict('VMLAUNCH would fail VM entry with exit reason 33: guest.link-pointer.revision');
  await walk.explain.expectSdm('§27.3.1.5');
  await walk.lesson.showHint(l.hints[0]);
  // The fix: no shadow VMCS, so the link pointer is all ones.
  const rflags = await walk.editor.lineOf('mov eax, GUEST_RFLAGS');
  await walk.editor.replaceAt(rflags + 2, 0, ['    mov rbx, -1', '    mov eax, VMCS_LINK_POINTER', '    call vmw']);
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  expect(await (await walk.vmcs.field('VMCS_LINK_POINTER')).inputValue()).toBe('0xffffffffffffffff');
});
