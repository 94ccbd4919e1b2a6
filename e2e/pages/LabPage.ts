import type { Locator, Page } from '@playwright/test';

/** The whole lab page; panels are found by their accessible names (DESIGN section 7). */
export class LabPage {
  constructor(readonly page: Page) {}

  async open(query = '?editor=plain'): Promise<void> {
    await this.page.goto(`/${query}`);
  }

  region(name: string): Locator {
    return this.page.getByRole('region', { name });
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }
}
