// The Events region: the timeline of VMX outcomes, faults, VM entries/exits and stops, each
// with its step, source line, summary and SDM reference; clicking one goes back in time.
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export class EventsPanel {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Events', exact: true });
  }

  entries(): Locator {
    return this.root.getByRole('listitem');
  }

  /** The entries holding this text. */
  entry(text: string | RegExp): Locator {
    return this.entries().filter({ hasText: text });
  }

  /** Some entry holds `text` and, when given, cites `sdm` (e.g. "§31.4 VM Instruction Error Numbers"). */
  async expectEntry(text: string | RegExp, sdm?: string): Promise<Locator> {
    const e = this.entry(text).first();
    await expect(e).toBeVisible();
    if (sdm !== undefined) await expect(e).toContainText(sdm);
    return e;
  }

  /** Goes back to just before the first entry holding `text`. */
  async goBackTo(text: string | RegExp): Promise<void> {
    await this.entry(text).first().getByRole('button').click();
  }
}
