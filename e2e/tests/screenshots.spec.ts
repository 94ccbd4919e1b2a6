// Screenshots of every panel in light and dark themes, after a full bring-up, for review
// (kept as artifacts in e2e/.artifacts, not in git).
import { test, expect } from '../fixtures.ts';
import type { PanelName } from '../pages/LabPage.ts';

const PANELS: PanelName[] = ['Program', 'Registers', 'Control registers', 'MSRs', 'VMCS', 'Events', 'Explain', 'Memory'];

test('screenshot of Explain with a failing check (dark)', async ({ lab }) => {
  await lab.page.setViewportSize({ width: 1600, height: 1000 });
  await lab.setTheme(true);
  await lab.toggleBreakpointAt(/^\s*vmlaunch/);
  await lab.runToPause();
  const field = await lab.vmcsField('HOST_CR4');
  await field.fill('0x0');
  await lab.region('VMCS').getByRole('button', { name: 'VMWRITE HOST_CR4' }).click();
  await expect(lab.region('Explain')).toContainText('VMfailValid(8)');
  await lab.region('Explain').screenshot({ path: 'e2e/.artifacts/shots/explain-failing-dark.png' });
  await lab.region('VMCS').screenshot({ path: 'e2e/.artifacts/shots/vmcs-search-dark.png' });
  await lab.page.screenshot({ path: 'e2e/.artifacts/shots/page-failing-dark.png' });
});

for (const dark of [false, true]) {
  test(`screenshots of every panel (${dark ? 'dark' : 'light'})`, async ({ lab }) => {
    await lab.page.setViewportSize({ width: 1600, height: 1000 });
    await lab.setTheme(dark);
    await lab.button('Run').click();
    await expect(lab.machineState).toContainText('Stopped (halted)');
    const theme = dark ? 'dark' : 'light';
    await lab.page.screenshot({ path: `e2e/.artifacts/shots/page-${theme}.png` });
    for (const name of PANELS) {
      await lab.region(name).screenshot({ path: `e2e/.artifacts/shots/${name.replace(/\s+/g, '-').toLowerCase()}-${theme}.png` });
    }
  });
}

test('screenshot at laptop size with projector-sized text', async ({ lab }) => {
  await lab.page.setViewportSize({ width: 1280, height: 720 });
  for (let i = 0; i < 4; i++) await lab.page.getByRole('button', { name: 'Larger text' }).click();
  await lab.step(12);
  await lab.page.screenshot({ path: 'e2e/.artifacts/shots/page-laptop-large-text.png' });
});

test('screenshot in high contrast, with a panel collapsed', async ({ lab }) => {
  await lab.page.setViewportSize({ width: 1600, height: 1000 });
  await lab.page.getByRole('button', { name: 'High contrast' }).click();
  await lab.page.getByRole('button', { name: 'Collapse Memory' }).click();
  await expect(lab.page.getByRole('button', { name: 'Expand Memory' })).toHaveAttribute('aria-expanded', 'false');
  await lab.step(60);
  await lab.page.screenshot({ path: 'e2e/.artifacts/shots/page-contrast.png' });
});
