// The `lab` fixture: opens the lab and fails the test on any console error or any
// request that leaves localhost (DESIGN section 7: the page works offline).
import { test as base, expect } from '@playwright/test';
import { LabPage } from './pages/LabPage.ts';

export const test = base.extend<{ lab: LabPage }>({
  lab: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (!['127.0.0.1', 'localhost'].includes(url.hostname) && url.protocol !== 'data:') {
        problems.push(`request off host: ${req.url()}`);
      }
    });
    const lab = new LabPage(page);
    await lab.open();
    await use(lab);
    expect(problems, problems.join('\n')).toEqual([]);
  },
});
export { expect };
