// The Program region as a learner uses it with the plain editor (`?editor=plain`): find a line,
// replace it, insert after it, set a breakpoint, assemble (Reset). Edits go through the
// textarea with real input events (select the lines, type the new text), never by setting state.
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

/** A line to find: the first line containing this text, or matching this pattern. */
export type LineMatch = string | RegExp;

function matches(line: string, m: LineMatch): boolean {
  return typeof m === 'string' ? line.includes(m) : m.test(line);
}

/** The editor of the Program region (plain textarea). */
export class ProgramEditor {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Program', exact: true });
  }

  get text(): Locator {
    return this.root.getByRole('textbox', { name: 'Program text' });
  }

  get currentLine(): Locator {
    return this.root.getByLabel('Current line');
  }

  get diagnostics(): Locator {
    return this.root.getByRole('list', { name: 'Assembler diagnostics' });
  }

  /** The program as the editor holds it. */
  async value(): Promise<string> {
    return this.text.inputValue();
  }

  /** 1-based number of the first line that matches (after line `after`, if given). */
  async lineOf(m: LineMatch, after = 0): Promise<number> {
    const lines = (await this.value()).split('\n');
    const i = lines.findIndex((l, n) => n >= after && matches(l, m));
    if (i < 0) throw new Error(`no line of the program matches ${String(m)}`);
    return i + 1;
  }

  /** Selects from the start of line `first` to the start of line `next` (1-based; past the end: to the end). */
  private async select(first: number, next: number): Promise<void> {
    await this.text.evaluate((t, [a, b]) => {
      const ta = t as HTMLTextAreaElement;
      const lines = ta.value.split('\n');
      const at = (k: number) => (k > lines.length ? ta.value.length : lines.slice(0, k - 1).reduce((n, l) => n + l.length + 1, 0));
      ta.focus();
      ta.setSelectionRange(at(a), at(b));
    }, [first, next] as const);
  }

  /** Replaces `count` lines starting at the first line that matches `m` with `lines` (typed). */
  async replaceLines(m: LineMatch, lines: string | readonly string[], count = 1): Promise<void> {
    const first = await this.lineOf(m);
    await this.replaceAt(first, count, typeof lines === 'string' ? [lines] : lines);
  }

  /** Replaces `count` lines from line `first` (1-based) with `lines`; count 0 inserts before it. */
  async replaceAt(first: number, count: number, lines: readonly string[]): Promise<void> {
    const all = (await this.value()).split('\n');
    const toEnd = first + count > all.length;
    await this.select(first, first + count);
    const typed = toEnd ? lines.join('\n') : lines.map((l) => `${l}\n`).join('');
    if (typed === '') await this.page.keyboard.press('Delete');
    else await this.page.keyboard.insertText(typed);
    all.splice(first - 1, count, ...lines);
    await expect(this.text).toHaveValue(all.join('\n'));
  }

  /** Types `lines` on new lines after the first line that matches `m`. */
  async insertAfter(m: LineMatch, lines: readonly string[]): Promise<void> {
    await this.replaceAt((await this.lineOf(m)) + 1, 0, lines);
  }

  /** Types `lines` on new lines before the first line that matches `m`. */
  async insertBefore(m: LineMatch, lines: readonly string[]): Promise<void> {
    await this.replaceAt(await this.lineOf(m), 0, lines);
  }

  /** Deletes the first line that matches `m`. */
  async deleteLine(m: LineMatch): Promise<void> {
    await this.replaceAt(await this.lineOf(m), 1, []);
  }

  /**
   * Edits the program into `target` the way a person would: only the lines that differ are
   * selected and retyped (bottom-up, so line numbers above stay valid). For a fix that is a
   * handful of lines; a lesson's reference solution, for example.
   */
  async editInto(target: string): Promise<number> {
    const hunks = diffHunks((await this.value()).split('\n'), target.split('\n'));
    for (const h of [...hunks].reverse()) await this.replaceAt(h.at, h.remove, h.insert);
    await expect(this.text).toHaveValue(target);
    return hunks.length;
  }

  /** Puts the cursor on the first line that matches and presses F9: sets a breakpoint there (or clears it: `set` false). */
  async toggleBreakpoint(m: LineMatch, set = true): Promise<number> {
    const line = await this.lineOf(m);
    await this.select(line, line);
    await this.page.keyboard.press('F9');
    const shown = this.root.getByText(new RegExp(`Breakpoints: .*line ${line}\\b`));
    if (set) await expect(shown).toBeVisible();
    else await expect(shown).toHaveCount(0);
    return line;
  }
}

/** A run of changed lines: at line `at` (1-based, in the old text) remove `remove`, insert `insert`. */
export interface Hunk {
  at: number;
  remove: number;
  insert: string[];
}

/** Line hunks turning `a` into `b` (longest common subsequence; programs are a few hundred lines). */
export function diffHunks(a: readonly string[], b: readonly string[]): Hunk[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const hunks: Hunk[] = [];
  let i = 0;
  let j = 0;
  let open: Hunk | null = null;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      open = null;
      i++;
      j++;
      continue;
    }
    if (!open) {
      open = { at: i + 1, remove: 0, insert: [] };
      hunks.push(open);
    }
    if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) open.insert.push(b[j++]!);
    else {
      open.remove++;
      i++;
    }
  }
  return hunks;
}
