// The built page runs under its Content-Security-Policy (index.html, docs/hardening.md) with no
// violation: the plain editor, the lazily loaded Monaco editor with its worker, the machine
// worker, stepping. And the policy bites: an inline script injected into the page does not run.
import { test, expect } from '@playwright/test';
import { LabPage } from '../pages/LabPage.ts';

test('the page loads and runs under its CSP with no violation, with and without Monaco', async ({ page }) => {
  const violations: string[] = [];
  const errors: string[] = [];
  page.on('console', (msg) => {
    const t = msg.text();
    if (/Content Security Policy|CSP violation/i.test(t)) violations.push(t);
    else if (msg.type() === 'error') errors.push(t);
  });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const lab = new LabPage(page);

  await lab.open('?editor=plain');
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  await lab.step(3);

  await lab.open('');
  const program = lab.region('Program');
  await expect(program.getByRole('textbox', { name: 'Program text' })).toBeAttached();
  await expect(program.locator('.monaco-editor .view-lines')).toBeVisible();
  await lab.step(2);
  await expect(lab.currentLine).toContainText('line 16');
  expect(violations, violations.join('\n')).toEqual([]);
  expect(errors, errors.join('\n')).toEqual([]);

  // The policy is in force: an injected inline script is refused.
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.body.appendChild(s);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => violations.length).toBeGreaterThan(0);
});
