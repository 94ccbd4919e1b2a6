// The bundled Monaco editor: loads lazily, offline, with the lab-asm language and hover.
import { test, expect } from '../fixtures.ts';

test('the Monaco editor loads lazily (screenshot shows highlighting and the current line)', async ({ lab }) => {
  await lab.page.setViewportSize({ width: 1600, height: 1000 });
  await lab.open('');
  const program = lab.region('Program');
  // Monaco's input is named by its ariaLabel; its view shows the visible lines of the program.
  await expect(program.getByRole('textbox', { name: 'Program text' })).toBeAttached();
  await expect(program).toContainText('CPUID.1:ECX.VMX[bit 5]');
  await lab.step(2);
  await expect(lab.currentLine).toContainText('line 16: mov eax, 1');
  await lab.page.screenshot({ path: 'e2e/.artifacts/shots/page-monaco-light.png' });
  await program.screenshot({ path: 'e2e/.artifacts/shots/program-monaco-light.png' });

  // Hover: the symbol's value and doc, and the register's value now.
  await program.getByText(/^,?\s*MSR_IA32_FEATURE_CONTROL\s*$/).first().hover();
  await expect(lab.page.getByText('MSR_IA32_FEATURE_CONTROL = 0x3a')).toBeVisible();
});
