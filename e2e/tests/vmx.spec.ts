// VT-x in the lab: Explain and its fixes, control bits, step back across a VM exit, feature
// control, VMCS write lines, worker crash and hang recovery.
import { test, expect } from '../fixtures.ts';

test('a forbidden control setting is named by Explain and its Fix button repairs it', async ({ lab }) => {
  await lab.toggleBreakpointAt(/^\s*vmlaunch/);
  await lab.runToPause();
  await expect(lab.currentLine).toContainText('vmlaunch');
  const explain = lab.region('Explain');
  await expect(explain).toContainText('VMLAUNCH would pass every check.');
  const pin = await lab.vmcsField('PIN_BASED_VM_EXEC_CONTROL');
  await pin.fill('0x0');
  await lab.region('VMCS').getByRole('button', { name: 'VMWRITE PIN_BASED_VM_EXEC_CONTROL' }).click();
  await expect(lab.page.getByText('vmwrite PIN_BASED_VM_EXEC_CONTROL <- 0x0: VMsucceed')).toBeVisible();
  await expect(explain).toContainText('VMLAUNCH would fail with VMfailValid(7)');
  const fix = explain.getByRole('button', { name: /^Fix / }).first();
  await fix.click();
  await expect(explain).toContainText('VMLAUNCH would pass every check.');
  await lab.button('Step').click();
  await expect(lab.machineState).toContainText('VMX non-root');
});

test('step back across a VM exit returns to the guest', async ({ lab }) => {
  await lab.toggleBreakpointAt(/^vmexit_handler:/);
  await lab.runToPause();
  await expect(lab.machineState).toContainText('VMX root');
  await expect(lab.events().filter({ hasText: 'VM exit: reason 18 (VMCALL)' })).toHaveCount(1);
  await lab.button('Step back').click();
  await expect(lab.machineState).toContainText('VMX non-root');
  await expect(lab.currentLine).toContainText('vmcall');
  await expect(lab.events().filter({ hasText: 'VM exit: reason 18 (VMCALL)' })).toHaveCount(0);
  await lab.button('Step').click();
  await expect(lab.machineState).toContainText('VMX root');
  await expect(lab.events().filter({ hasText: 'VM exit: reason 18 (VMCALL)' })).toHaveCount(1);
});

test('IA32_FEATURE_CONTROL: WRMSR to the locked MSR faults; firmware leaving it unlocked makes the program fail', async ({ lab }) => {
  const msrs = lab.region('MSRs');
  const value = msrs.getByRole('textbox', { name: 'New value of IA32_FEATURE_CONTROL' });
  await value.fill('0x0');
  await msrs.getByRole('button', { name: 'WRMSR' }).click();
  await expect(lab.page.getByText(/^#GP/)).toBeVisible();
  await value.fill('0x0');
  await msrs.getByRole('button', { name: 'Set as firmware value' }).click();
  await expect(lab.page.getByText('MSR 0x3a now starts as 0x0')).toBeVisible();
  await expect(msrs.getByLabel('IA32_FEATURE_CONTROL value')).toHaveText('0x0');
  await lab.runToPause();
  await expect(lab.register('RBX')).toHaveText('0xbad');
});

test('the lab survives a worker crash', async ({ lab }) => {
  await lab.open('?editor=plain&test-hooks');
  await lab.step(4);
  await lab.page.evaluate(() => (window as unknown as { vmxLabTestHooks: { crashWorker(): void } }).vmxLabTestHooks.crashWorker());
  await expect(lab.page.getByText(/worker stopped and was restarted; the program was replayed to step 4/)).toBeVisible();
  await expect(lab.machineState).toContainText('step 4 ');
  await lab.step(1);
});

test('a worker that stops answering is noticed and replaced', async ({ lab }) => {
  await lab.open('?editor=plain&test-hooks');
  await lab.step(3);
  await lab.page.evaluate(() => (window as unknown as { vmxLabTestHooks: { hangWorker(): void } }).vmxLabTestHooks.hangWorker());
  // The watchdog asks every 2 s and gives up after 5 s without an answer.
  await expect(lab.page.getByText(/worker stopped and was restarted; the program was replayed to step 3/)).toBeVisible({ timeout: 15_000 });
  await lab.step(1);
});

test('a VMCS field tells which line wrote it, and one click goes back to that write', async ({ lab }) => {
  await lab.toggleBreakpointAt(/^\s*vmlaunch/);
  await lab.runToPause();
  await lab.vmcsField('HOST_RIP');
  await expect(lab.region('VMCS').getByLabel('Last write of HOST_RIP', { exact: true })).toContainText(/written at line \d+/);
  await lab.region('VMCS').getByRole('button', { name: 'Run back to last write of HOST_RIP', exact: true }).click();
  await expect(lab.currentLine).toContainText('vmwrite rax, rbx');
  await lab.button('Step').click();
  await expect(lab.events().last()).toContainText('vmwrite rax, rbx');
});

test('clicking a control bit VMWRITEs the field with that bit flipped', async ({ lab }) => {
  await lab.toggleBreakpointAt(/^\s*vmlaunch/);
  await lab.runToPause();
  await lab.vmcsField('PIN_BASED_VM_EXEC_CONTROL');
  const bit = lab.region('VMCS').getByRole('button', { name: 'PIN_BASED_VM_EXEC_CONTROL.PIN_BASED_EXT_INTR_MASK', exact: true });
  await expect(bit).toHaveAttribute('aria-pressed', 'false');
  // The field's value box follows each write (the row stays mounted: decision in VmcsPanel.tsx).
  const value = lab.region('VMCS').getByLabel('PIN_BASED_VM_EXEC_CONTROL value', { exact: true });
  const before = await value.inputValue();
  await bit.click();
  await expect(bit).toHaveAttribute('aria-pressed', 'true');
  await expect(value).toHaveValue(`0x${(BigInt(before) | 1n).toString(16)}`);
  await expect(lab.region('Explain')).toContainText('VMLAUNCH would pass every check.');
  await bit.click();
  await expect(bit).toHaveAttribute('aria-pressed', 'false');
  await expect(value).toHaveValue(before);
});
