// Walkthrough of lesson 13: a virtual-8086 guest under a 64-bit host (seed 004), on Core 2.
// The start writes the guest's segments with real-mode access rights: the VM entry fails with
// exit reason 33 on the v8086 access-rights check, which Explain names with its SDM section.
import { test, expect, lesson } from './fixture.ts';

test('walkthrough [v8086-guest]', async ({ walk }) => {
  const l = lesson('v8086-guest');
  await walk.open(l);
  await expect(walk.lab.profileSelect).toHaveValue('core2-conroe');
  await walk.runAndExpectFailing({
    'no VM-entry failure (exit reason 33)': 'exit reason 33 (INVALID_GUEST_STATE), check guest.seg.cs.access-rights.v86',
    'GUEST_CS_AR_BYTES = 0xf3 (present, DPL 3, read/write accessed data)': 'GUEST_CS_AR_BYTES = 0x93, wanted 0xf3',
    'the guest\'s OUT to port 80h exits (reason 30)': 'not seen',
    'the program reports success (rbx = 0x600d)': 'RBX = 0xbad',
  });
  // RFLAGS.VM was written: the guest state asks for virtual-8086 mode, the segments do not fit it.
  await walk.lesson.expectGoal('GUEST_RFLAGS.VM (bit 17) = 1: the guest runs in virtual-8086 mode', 'passed');
  await walk.explain.expectVerdict('VMLAUNCH would fail VM entry with exit reason 33: guest.seg.cs.access-rights.v86');
  await walk.explain.expectSdm('§27.3.1.2');
  expect(await (await walk.vmcs.field('GUEST_CS_BASE')).inputValue()).toBe('0x100');
  await walk.lesson.showHint(l.hints[0]);
  await walk.lesson.showHint(l.hints[1]);
  // The fix: DPL 3 data segments, as the processor loads them in virtual-8086 mode.
  await walk.editor.replaceLines('mov ebx, 0x93', '    mov ebx, 0xf3                       ; access rights: present, DPL 3, read/write accessed data');
  await expect(walk.editor.text).toHaveValue(l.solution);
  await walk.assemble();
  await walk.runAndExpectSolved();
  // The monitor's view: the OUT exited through the VMX I/O bitmap, INT 21h and HLT as #GP.
  await walk.events.expectEntry('VM exit: reason 30 (IO_INSTRUCTION)', 'SDM Vol. 3D §C VMX Basic Exit Reasons');
  await expect(walk.events.entry('VM exit: reason 0 (EXCEPTION_NMI)')).toHaveCount(2);
  await expect(walk.lab.register('R13')).toContainText('21');
  await expect(walk.machineState).toContainText('VMX root');
});
