// The Explain region: the live verdict of every VM-entry check on the current VMCS, failing
// checks with their SDM section, and a Fix button per fixable check ("Fix <check id>").
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export class ExplainPanel {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Explain', exact: true });
  }

  /** The Fix button of a failing check, e.g. fix('ctrl.pin.allowed-settings'). */
  fix(checkId: string): Locator {
    return this.root.getByRole('button', { name: `Fix ${checkId}`, exact: true });
  }

  get fixes(): Locator {
    return this.root.getByRole('button', { name: /^Fix / });
  }

  /** The verdict reads `text` ("VMLAUNCH would fail with VMfailValid(7): ...", "... would pass every check."). */
  async expectVerdict(text: string | RegExp): Promise<void> {
    await expect(this.root).toContainText(text);
  }

  /** A failing check names this SDM section (e.g. "§27.2.1"). */
  async expectSdm(section: string | RegExp): Promise<void> {
    await expect(this.root.getByRole('listitem').filter({ hasText: section }).first()).toBeVisible();
  }

  /** Clicks Fix buttons until none is left and expects the verdict to pass. */
  async fixAll(mnemonic: 'VMLAUNCH' | 'VMRESUME' = 'VMLAUNCH'): Promise<number> {
    let n = 0;
    while ((await this.fixes.count()) > 0) {
      const name = (await this.fixes.first().getAttribute('aria-label')) ?? '';
      await this.fixes.first().click();
      await expect(this.fix(name.replace(/^Fix /, ''))).toHaveCount(0);
      if (++n > 20) throw new Error('Explain still offers fixes after 20');
    }
    await this.expectVerdict(`${mnemonic} would pass every check.`);
    return n;
  }
}
