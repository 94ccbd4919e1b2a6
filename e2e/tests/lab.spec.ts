// The lab's everyday moves: stepping, running to the guest's VMCALL exit, CR4.VMXE, profiles,
// Stop, reload, register and memory edits, diagnostics.
import { test, expect } from '../fixtures.ts';

test('stepping changes the registers and step back undoes it', async ({ lab }) => {
  await expect(lab.currentLine).toContainText('line 13:');
  await lab.step(3);
  await expect(lab.register('RAX')).toHaveText('0x1');
  await expect(lab.region('Registers').getByRole('row', { name: /^RAX / })).toHaveClass(/changed/);
  await lab.page.keyboard.press('F10'); // cpuid
  await expect(lab.machineState).toContainText('step 4 ');
  await expect(lab.register('RAX')).not.toHaveText('0x1');
  await lab.button('Step back').click();
  await expect(lab.machineState).toContainText('step 3 ');
  await expect(lab.register('RAX')).toHaveText('0x1');
  const events = lab.region('Events');
  await events.getByRole('textbox', { name: 'Go back to step' }).fill('1');
  await events.getByRole('button', { name: 'Go' }).click();
  await expect(lab.machineState).toContainText('step 1 ');
});

test('running the bring-up shows the guest VMCALL exit in Events, and a click jumps back in time', async ({ lab }) => {
  await lab.button('Run').click();
  await expect(lab.machineState).toContainText('Stopped (halted)');
  const exit = lab.events().filter({ hasText: 'VM exit: reason 18 (VMCALL)' }).first();
  await expect(exit).toBeVisible();
  await expect(lab.register('RBX')).toHaveText('0x600d');
  await expect(lab.region('VMCS').getByRole('list', { name: 'Active VMCSes' })).toContainText('launched (current)');
  await exit.getByRole('button').click();
  await expect(lab.machineState).toContainText('VMX non-root');
  await expect(lab.currentLine).toContainText('vmcall');
});

test('clearing CR4.VMXE before VMXON makes VMXON fault with #UD', async ({ lab }) => {
  await lab.setProgram('mov rax, cr4\nor rax, X86_CR4_VMXE\nmov cr4, rax\nvmxon [rel ptr]\nhlt\nptr: dq 0\n');
  await lab.step(3);
  await expect(lab.crBit('CR4', 'VMXE')).toHaveAttribute('aria-pressed', 'true');
  await lab.crBit('CR4', 'VMXE').click();
  await expect(lab.crBit('CR4', 'VMXE')).toHaveAttribute('aria-pressed', 'false');
  await lab.button('Step').click();
  await expect(lab.machineState).toContainText('Stopped (fault)');
  await expect(lab.events().filter({ hasText: '#UD (vector 6)' })).toContainText('vmxon');
});

test('the Core 2 profile reports VMCS revision identifier 7', async ({ lab }) => {
  const msrs = lab.region('MSRs');
  const revision = msrs.getByRole('row', { name: /VMCS revision identifier/ }).getByRole('cell');
  await expect(revision).not.toHaveText('7');
  await msrs.getByLabel('CPU profile').selectOption('core2-conroe');
  await expect(revision).toHaveText('7');
});

test('Stop interrupts an endless loop', async ({ lab }) => {
  await lab.setProgram('top:\n    jmp top\n');
  await lab.button('Run').click();
  await expect(lab.machineState).toContainText('Running');
  await expect(lab.button('Step')).toBeDisabled();
  await lab.button('Stop').click();
  await expect(lab.machineState).toContainText('Paused');
  await expect(lab.page.getByText(/Stopped by you at step \d+/)).toBeVisible();
});

test('a reload keeps the program, profile and breakpoints', async ({ lab }) => {
  await lab.setProgram('mov eax, 1\nmov ebx, 2\nhlt\n');
  await lab.step(1);
  await lab.page.keyboard.press('F9');
  await expect(lab.region('Program').getByText('Breakpoints: line 2')).toBeVisible();
  await lab.region('MSRs').getByLabel('CPU profile').selectOption('ivy-bridge');
  await lab.page.reload();
  await expect(lab.machineState).toContainText('Paused');
  await expect(lab.programText).toHaveValue('mov eax, 1\nmov ebx, 2\nhlt\n');
  await expect(lab.region('Program').getByText('Breakpoints: line 2')).toBeVisible();
  await expect(lab.region('MSRs').getByLabel('CPU profile')).toHaveValue('ivy-bridge');
  await lab.button('Run').click();
  await expect(lab.page.getByText('Paused at the breakpoint on line 2.')).toBeVisible();
});

test('a register edited while paused takes part in the next instruction', async ({ lab }) => {
  await lab.setProgram('mov eax, 1\nmov ebx, 2\nadd eax, ebx\nhlt\n');
  await lab.step(2);
  await lab.region('Registers').getByRole('button', { name: 'Edit RBX' }).click();
  const input = lab.region('Registers').getByRole('textbox', { name: 'New value of RBX' });
  await input.fill('0x40');
  await input.press('Enter');
  await expect(lab.register('RBX')).toHaveText('0x40');
  await lab.step(1);
  await expect(lab.register('RAX')).toHaveText('0x41');
  await lab.region('Registers').getByRole('button', { name: 'Radix of RAX' }).click();
  await expect(lab.register('RAX')).toHaveText('65');
  await lab.region('Registers').getByRole('button', { name: 'Radix of RAX' }).click();
  await expect(lab.register('RAX')).toHaveText('0b1000001');
});

test('Memory: go to an address, write bytes, see them', async ({ lab }) => {
  const mem = lab.region('Memory');
  await mem.getByRole('combobox', { name: 'Go to address or label' }).fill('0x200000');
  await mem.getByRole('button', { name: 'Go' }).click();
  await expect(mem.getByLabel('Memory bytes')).toContainText('00200000  00 00');
  await mem.getByRole('textbox', { name: 'Write at physical address' }).fill('200000');
  await mem.getByRole('textbox', { name: 'Bytes to write' }).fill('12 ab');
  await mem.getByRole('button', { name: 'Write' }).click();
  await expect(mem.getByLabel('Memory bytes')).toContainText('00200000  12 ab 00');
  await mem.getByRole('button', { name: 'program image' }).click();
  await expect(mem.getByLabel('Memory bytes')).toContainText('00100000  ');
});

test('a program that does not assemble shows its diagnostics and cannot run', async ({ lab }) => {
  await lab.setProgram('mov eax, 1\nfrobnicate rax\n');
  const diags = lab.region('Program').getByRole('list', { name: 'Assembler diagnostics' });
  await expect(diags.getByRole('listitem').first()).toContainText('line 2:');
  await expect(lab.button('Step')).toBeDisabled();
  await expect(lab.button('Run')).toBeDisabled();
  await lab.setProgram('mov eax, 1\nhlt\n');
  await expect(diags).toHaveCount(0);
  await expect(lab.button('Step')).toBeEnabled();
});
