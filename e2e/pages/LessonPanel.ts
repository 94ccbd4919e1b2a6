// The Lesson region as a learner reads it: title, text, SDM reading list, goals with their
// state and detail, hints one at a time, "lesson solved". Roles and accessible names only.
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export type GoalState = 'pending' | 'passed' | 'failed';

/** The Lesson region (DESIGN section 7). */
export class LessonPanel {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Lesson', exact: true });
  }

  /** The open lesson's title (inside its article: the Author form, open beside it, has a heading of its own). */
  get title(): Locator {
    return this.root.getByRole('article').getByRole('heading', { level: 3 });
  }

  goals(): Locator {
    return this.root.getByRole('list', { name: 'Goals' }).getByRole('listitem');
  }

  /** The goal whose label holds this text. */
  goal(label: string | RegExp): Locator {
    return this.goals().filter({ hasText: label });
  }

  get checkGoals(): Locator {
    return this.root.getByRole('button', { name: 'Check goals' });
  }

  get solved(): Locator {
    return this.root.getByRole('status').filter({ hasText: 'lesson solved' });
  }

  hints(): Locator {
    return this.root.getByRole('region', { name: 'Hints' }).getByRole('listitem');
  }

  /** Shows the next hint and expects it to read `text` (when given). */
  async showHint(text?: string): Promise<void> {
    const before = await this.hints().count();
    await this.root.getByRole('button', { name: /^Show (a|the next) hint/ }).click();
    await expect(this.hints()).toHaveCount(before + 1);
    if (text !== undefined) await expect(this.hints().nth(before)).toHaveText(text);
  }

  /** Expects the lesson open: its title (challenges are shown as "Challenge: title"). */
  async expectOpen(title: string, kind: 'lesson' | 'challenge' = 'lesson'): Promise<void> {
    await expect(this.title).toHaveText(kind === 'challenge' ? `Challenge: ${title}` : title);
  }

  /** The goal with this label shows `state`, and (for a failed goal) a detail holding `detail`. */
  async expectGoal(label: string, state: GoalState, detail?: string | RegExp): Promise<void> {
    const g = this.goal(label);
    await expect(g).toHaveCount(1);
    await expect(g).toContainText(new RegExp(`\\s${state}`));
    if (detail !== undefined) await expect(g).toContainText(detail);
  }

  /** Every goal shows `state`. */
  async expectAllGoals(state: GoalState): Promise<void> {
    const n = await this.goals().count();
    expect(n).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) await expect(this.goals().nth(i)).toContainText(new RegExp(`\\s${state}`));
  }

  /** Every goal passed and the panel says the lesson is solved. */
  async expectSolved(): Promise<void> {
    await this.expectAllGoals('passed');
    await expect(this.solved).toBeVisible();
  }
}
