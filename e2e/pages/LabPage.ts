// Page object of the lab (STYLE rule 20): panels, buttons and controls located by role and
// accessible name only, plus the few multi-step moves the tests share.
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

/** The names of DESIGN section 7, located by role and accessible name only. */
export type PanelName = 'Program' | 'Registers' | 'MSRs' | 'Control registers' | 'VMCS' | 'Events' | 'Explain' | 'Memory' | 'Lesson' | 'Devices';
export type ButtonName = 'Step' | 'Step back' | 'Run' | 'Stop' | 'Reset' | 'Share';

/** The whole lab page; panels are found by their accessible names (DESIGN section 7). */
export class LabPage {
  constructor(readonly page: Page) {}

  async open(query = '?editor=plain'): Promise<void> {
    await this.page.goto(`/${query}`);
    await expect(this.machineState).toContainText('Paused');
  }

  region(name: PanelName): Locator {
    return this.page.getByRole('region', { name, exact: true });
  }

  button(name: ButtonName): Locator {
    return this.page.getByRole('toolbar', { name: 'Machine' }).getByRole('button', { name, exact: true });
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  get machineState(): Locator {
    return this.page.getByRole('status', { name: 'Machine state' });
  }

  get vmInstructionError(): Locator {
    return this.page.getByLabel('VM-instruction error', { exact: true });
  }

  get programText(): Locator {
    return this.region('Program').getByRole('textbox', { name: 'Program text' });
  }

  get currentLine(): Locator {
    return this.region('Program').getByLabel('Current line');
  }

  /** A general register's value in the Registers panel. */
  register(name: string): Locator {
    return this.region('Registers').getByRole('button', { name: `Edit ${name}`, exact: true });
  }

  /** Clicks Step `n` times, waiting for the step counter each time. */
  async step(n = 1): Promise<void> {
    for (let i = 0; i < n; i++) {
      const before = await this.steps();
      await this.button('Step').click();
      await expect(this.machineState).toContainText(`step ${before + 1} `);
    }
  }

  /** The step counter shown in the status line. */
  async steps(): Promise<number> {
    const t = (await this.machineState.textContent()) ?? '';
    return Number(/step (\d+)/.exec(t)?.[1] ?? 0);
  }

  /** Replaces the program text and assembles it (Reset). */
  async setProgram(text: string): Promise<void> {
    await this.programText.fill(text);
    await this.button('Reset').click();
    await expect(this.machineState).toContainText('step 0 ');
  }

  /** A bit of CR0/CR4/EFER in the Control registers panel. */
  crBit(reg: string, bit: string): Locator {
    return this.region('Control registers').getByRole('button', { name: `${reg}.${bit}`, exact: true });
  }

  events(): Locator {
    return this.region('Events').getByRole('listitem');
  }

  /** Puts the editor's cursor on the first line whose text matches, and presses F9 there. */
  async toggleBreakpointAt(lineText: RegExp): Promise<number> {
    const line = await this.programText.evaluate((t, src) => {
      const ta = t as HTMLTextAreaElement;
      const re = new RegExp(src);
      const lines = ta.value.split('\n');
      const i = lines.findIndex((l) => re.test(l));
      const at = lines.slice(0, i).reduce((n, l) => n + l.length + 1, 0);
      ta.focus();
      ta.setSelectionRange(at, at);
      return i + 1;
    }, lineText.source);
    await this.page.keyboard.press('F9');
    await expect(this.region('Program').getByText(new RegExp(`Breakpoints: .*line ${line}\\b`))).toBeVisible();
    return line;
  }

  /** Runs and waits until the run ends (halt, fault, breakpoint or Stop). */
  async runToPause(): Promise<void> {
    await this.button('Run').click();
    await expect(this.button('Step back')).toBeEnabled();
    await expect(this.machineState).not.toContainText('Running');
  }

  /** The input of a VMCS field (after searching for it). */
  async vmcsField(name: string): Promise<Locator> {
    const vmcs = this.region('VMCS');
    await vmcs.getByRole('searchbox', { name: 'Search VMCS fields' }).fill(name);
    return vmcs.getByRole('textbox', { name: `${name} value`, exact: true });
  }

  async setTheme(dark: boolean): Promise<void> {
    const t = this.page.getByRole('button', { name: 'Dark theme' });
    if ((await t.getAttribute('aria-pressed')) !== String(dark)) await t.click();
    await expect(t).toHaveAttribute('aria-pressed', String(dark));
  }

  /** The Lesson region's parts. */
  get lesson(): LessonPart {
    return new LessonPart(this.region('Lesson'));
  }

  get profileSelect(): Locator {
    return this.region('MSRs').getByLabel('CPU profile');
  }

  /** Clicks Share and returns the link it shows. */
  async share(): Promise<string> {
    await this.button('Share').click();
    const link = this.page.getByRole('textbox', { name: 'Share link' });
    await expect(link).toHaveValue(/#s=\d+\./);
    return link.inputValue();
  }
}

/** The Lesson region: title, goals with their state, hints, the lesson list. */
export class LessonPart {
  constructor(readonly root: Locator) {}

  /** The open lesson's title (inside its article: the Author form, open beside it, has a heading of its own). */
  get title(): Locator {
    return this.root.getByRole('article').getByRole('heading', { level: 3 });
  }

  goals(): Locator {
    return this.root.getByRole('list', { name: 'Goals' }).getByRole('listitem');
  }

  get checkGoals(): Locator {
    return this.root.getByRole('button', { name: 'Check goals' });
  }

  get notice(): Locator {
    return this.root.getByRole('alert');
  }

  hintButton(): Locator {
    return this.root.getByRole('button', { name: /^Show (a|the next) hint/ });
  }

  hints(): Locator {
    return this.root.getByRole('region', { name: 'Hints' }).getByRole('listitem');
  }

  /** Every goal shows `state` (pending / passed / failed). */
  async expectAllGoals(state: 'pending' | 'passed' | 'failed'): Promise<void> {
    const n = await this.goals().count();
    expect(n).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) await expect(this.goals().nth(i)).toContainText(new RegExp(`\\s${state}\\b`));
  }
}
