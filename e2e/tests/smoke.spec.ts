// The page and its contract (DESIGN section 7): regions, buttons, VM-instruction error, Share, shortcuts.
import { test, expect } from '../fixtures.ts';

test('the lab page loads with its panels and toolbar', async ({ lab }) => {
  await expect(lab.heading).toHaveText('VMX Lab');
  await expect(lab.programText).toHaveValue(/vmlaunch/);
  for (const name of ['Program', 'Registers', 'MSRs', 'Control registers', 'VMCS', 'Events', 'Explain', 'Memory', 'Lesson'] as const) {
    await expect(lab.region(name)).toBeVisible();
  }
  for (const b of ['Step', 'Step back', 'Run', 'Stop', 'Reset', 'Share'] as const) await expect(lab.button(b)).toBeVisible();
  await expect(lab.vmInstructionError).toHaveText('VM-instruction error: none');
});

test('Share shows a link that carries the lab state, and offers the state file', async ({ lab }) => {
  await expect(lab.button('Share')).toHaveAttribute('title', /Copy a link that opens this lab state/);
  const url = await lab.share();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:4173\/#s=\d+\./);
  await expect(lab.page.getByText(/^(Link copied|Copy the link below)/)).toBeVisible();
  await expect(lab.page.getByRole('button', { name: 'Download state file' })).toBeVisible();
});

test('the shortcut list names every shortcut', async ({ lab }) => {
  await lab.page.getByText('Keyboard shortcuts').click();
  const terms = lab.page.getByRole('term');
  await expect(terms).toHaveText(['F10', 'Shift+F10', 'F5', 'Shift+F5', 'F9']);
  await expect(lab.page.getByRole('definition')).toHaveText(['Step', 'Step back', 'Run', 'Stop', 'Toggle breakpoint']);
});
