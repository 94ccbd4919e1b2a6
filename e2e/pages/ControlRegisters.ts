// The Control registers region: CR0/CR4/EFER bits as toggle buttons named "CR0.NE" etc.
// Clicking one executes the real MOV to CR (WRMSR for EFER) in the machine.
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export class ControlRegisters {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Control registers', exact: true });
  }

  /** A bit, e.g. bit('CR0', 'NE'); aria-pressed tells whether it is set. */
  bit(reg: 'CR0' | 'CR4' | 'EFER', name: string): Locator {
    return this.root.getByRole('button', { name: `${reg}.${name}`, exact: true });
  }

  async expectBit(reg: 'CR0' | 'CR4' | 'EFER', name: string, set: boolean): Promise<void> {
    await expect(this.bit(reg, name)).toHaveAttribute('aria-pressed', String(set));
  }

  /** Flips a bit and waits until the panel shows it flipped. */
  async flip(reg: 'CR0' | 'CR4' | 'EFER', name: string): Promise<void> {
    const b = this.bit(reg, name);
    const was = await b.getAttribute('aria-pressed');
    await b.click();
    await expect(b).toHaveAttribute('aria-pressed', was === 'true' ? 'false' : 'true');
  }
}
