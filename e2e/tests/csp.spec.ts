// The built page runs under its Content-Security-Policy (index.html, docs/hardening.md) with no
// violation: the plain editor, the lazily loaded Monaco editor with its worker, the machine
// worker, stepping. And the policy bites: an inline script injected into the page does not run.
// (The `lab` fixture fails the test on any console error, which includes Chromium's CSP reports.)
import { test, expect } from '../fixtures.ts';

test('the page loads and runs under its CSP with no violation, with and without Monaco', async ({ lab }) => {
  const page = lab.page;
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|CSP violation/i.test(msg.text())) violations.push(msg.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.warn(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} ${e.sourceFile}:${e.lineNumber}`);
    });
  });

  await lab.open('?editor=plain');
  // The meta tag has no role: the one CSS locator of this test.
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  await lab.step(3);

  await lab.open('');
  const program = lab.region('Program');
  await expect(program.getByRole('textbox', { name: 'Program text' })).toBeAttached();
  await expect(program).toContainText('CPUID.1:ECX.VMX[bit 5]');
  await lab.step(2);
  await expect(lab.currentLine).toContainText('line 16');
  expect(violations, violations.join('\n')).toEqual([]);
});

test('the policy is in force: an inline script injected into the page does not run', async ({ page }) => {
  // Not the `lab` fixture: Chromium reports the refusal as a console error, which is the point here.
  const reports: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) reports.push(msg.text());
  });
  await page.goto('/?editor=plain');
  await expect(page.getByRole('toolbar', { name: 'Machine' }).getByRole('button', { name: 'Step', exact: true })).toBeVisible();
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.body.appendChild(s);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => reports.length).toBeGreaterThan(0);
});
