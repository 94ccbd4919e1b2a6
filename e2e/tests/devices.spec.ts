// The Devices panel: the 8259A pair and the 8254 as the worker reports them, and Raise IRQ /
// Raise NMI, which reach the devices before the next step (src/worker/devices-view.ts).
import { test, expect } from '../fixtures.ts';

test('a raised IRQ is pending, then waits in the master PIC’s IRR because boot leaves it masked', async ({ lab }) => {
  const devices = lab.region('Devices');
  const master = devices.getByRole('table', { name: /8259A master/ });
  await expect(master).toContainText('vectors from 0x20');
  await expect(devices).toContainText('INTR low');
  await devices.getByLabel('IRQ line').selectOption('IRQ 3');
  await devices.getByRole('button', { name: 'Raise IRQ' }).click();
  await expect(lab.page.getByText(/IRQ 3 raised: .*vector 0x23.*masked/)).toBeVisible();
  await expect(devices).toContainText('arriving before the next step: IRQ 3');
  await expect(master.getByRole('row', { name: /^IRR/ }).getByRole('cell').nth(3)).toHaveText('0');
  await lab.step(1);
  await expect(master.getByRole('row', { name: /^IRR/ }).getByRole('cell').nth(3)).toHaveText('1');
  await expect(master.getByRole('row', { name: /^IMR/ }).getByRole('cell').nth(3)).toHaveText('1');
  await expect(devices).toContainText('INTR low');
  await expect(devices).not.toContainText('arriving before the next step');
  // Step back to before the step it arrived at: it is pending again, not yet in IRR.
  await lab.button('Step back').click();
  await expect(devices).toContainText('arriving before the next step: IRQ 3');
  await expect(master.getByRole('row', { name: /^IRR/ }).getByRole('cell').nth(3)).toHaveText('0');
  await devices.getByRole('button', { name: 'Raise NMI' }).click();
  await expect(devices).toContainText('arriving before the next step: IRQ 3, NMI');
  await lab.page.setViewportSize({ width: 1600, height: 1000 });
  await devices.screenshot({ path: 'e2e/.artifacts/shots/devices-light.png' });
});
