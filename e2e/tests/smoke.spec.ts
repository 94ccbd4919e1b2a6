import { test, expect } from '../fixtures.ts';

test('the lab page loads with its Program region', async ({ lab }) => {
  await expect(lab.heading).toHaveText('VMX Lab');
  await expect(lab.region('Program')).toContainText('cpuid');
});
