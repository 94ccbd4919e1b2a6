// Page object of Author mode (instructor authoring, in the Lesson region): fields, buttons and
// results located by role and accessible name only.
import type { Download, Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export class AuthoringPanel {
  constructor(readonly page: Page) {}

  get lessonRegion(): Locator {
    return this.page.getByRole('region', { name: 'Lesson', exact: true });
  }

  /** The Author toggle in the Lesson panel's header. */
  get toggle(): Locator {
    return this.lessonRegion.getByRole('button', { name: 'Author', exact: true });
  }

  get region(): Locator {
    return this.page.getByRole('region', { name: 'Author', exact: true });
  }

  async open(): Promise<void> {
    await this.toggle.click();
    await expect(this.region).toBeVisible();
  }

  button(name: string): Locator {
    return this.region.getByRole('button', { name, exact: true });
  }

  /** A text field or list of the form by its label. */
  field(label: string): Locator {
    return this.region.getByLabel(label, { exact: true });
  }

  get problems(): Locator {
    return this.region.getByRole('list', { name: 'Lesson problems' }).getByRole('listitem');
  }

  get status(): Locator {
    return this.region.getByRole('status');
  }

  /** Goals of one "Try goals" verdict ('Starting program' or 'Solution'). */
  tried(which: 'Starting program' | 'Solution'): Locator {
    return this.region.getByRole('region', { name: which, exact: true });
  }

  async addGoal(kind: string): Promise<void> {
    await this.field('Goal kind').selectOption(kind);
    await this.button('Add goal').click();
  }

  async download(): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.button('Download lesson file').click()]);
    return download;
  }

  async importFile(file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
    await this.page.getByLabel('Lesson file', { exact: true }).setInputFiles(file);
  }
}
