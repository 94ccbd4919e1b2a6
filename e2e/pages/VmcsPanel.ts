// The VMCS region: search a field, read it, VMWRITE a value, flip a control bit, jump to the
// line that wrote it.
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export class VmcsPanel {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'VMCS', exact: true });
  }

  /** Searches for a field and returns its value box. */
  async field(name: string): Promise<Locator> {
    await this.root.getByRole('searchbox', { name: 'Search VMCS fields' }).fill(name);
    return this.root.getByRole('textbox', { name: `${name} value`, exact: true });
  }

  /** VMWRITEs `value` into the field from the panel and waits for the outcome. */
  async write(name: string, value: string): Promise<void> {
    await (await this.field(name)).fill(value);
    await this.root.getByRole('button', { name: `VMWRITE ${name}`, exact: true }).click();
    await expect(this.page.getByText(`vmwrite ${name} <- ${value}: VMsucceed`)).toBeVisible();
  }

  /** A named control bit of a control field, e.g. bit('PIN_BASED_VM_EXEC_CONTROL', 'PIN_BASED_NMI_EXITING'). */
  bit(field: string, control: string): Locator {
    return this.root.getByRole('button', { name: `${field}.${control}`, exact: true });
  }

  /** Searches for a control field and flips one of its named bits (a VMWRITE), waiting for the new state. */
  async flipBit(field: string, control: string): Promise<void> {
    await this.field(field);
    const b = this.bit(field, control);
    const was = await b.getAttribute('aria-pressed');
    await b.click();
    await expect(b).toHaveAttribute('aria-pressed', was === 'true' ? 'false' : 'true');
  }
}
