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
