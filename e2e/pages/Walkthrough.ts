// A lesson walkthrough in a few lines (docs/walkthroughs.md): the lab page with every panel's
// page object, and the moves a learner makes: open the lesson, run, read what failed, fix, run
// again. Everything is located by role and accessible name and asserted with web-first
// expectations.
import type { Locator } from '@playwright/test';
import { expect } from '@playwright/test';
import type { Lesson } from '../../src/lessons/index.ts';
import { LabPage } from './LabPage.ts';
import { ControlRegisters } from './ControlRegisters.ts';
import { EventsPanel } from './EventsPanel.ts';
import { ExplainPanel } from './ExplainPanel.ts';
import { LessonPanel } from './LessonPanel.ts';
import { ProgramEditor } from './ProgramEditor.ts';
import { VmcsPanel } from './VmcsPanel.ts';

export class Walkthrough {
  readonly editor: ProgramEditor;
  readonly lesson: LessonPanel;
  readonly crs: ControlRegisters;
  readonly explain: ExplainPanel;
  readonly events: EventsPanel;
  readonly vmcs: VmcsPanel;

  constructor(readonly lab: LabPage) {
    this.editor = new ProgramEditor(lab.page);
    this.lesson = new LessonPanel(lab.page);
    this.crs = new ControlRegisters(lab.page);
    this.explain = new ExplainPanel(lab.page);
    this.events = new EventsPanel(lab.page);
    this.vmcs = new VmcsPanel(lab.page);
  }

  get page() {
    return this.lab.page;
  }

  /** The status-bar element labelled "VM-instruction error" (DESIGN section 7). */
  get vmInstructionError(): Locator {
    return this.lab.vmInstructionError;
  }

  get machineState(): Locator {
    return this.lab.machineState;
  }

  /**
   * Opens `?lesson=ID` with the plain editor and reads it as a learner: the title, the
   * starting program in the editor, every goal pending, the SDM reading list.
   */
  async open(lesson: Lesson): Promise<void> {
    await this.lab.open(`?editor=plain&lesson=${lesson.id}`);
    await this.lesson.expectOpen(lesson.title, lesson.kind);
    await expect(this.editor.text).toHaveValue(lesson.start);
    await expect(this.lesson.goals()).toHaveCount(lesson.goals.length);
    await this.lesson.expectAllGoals('pending');
    const sdm = lesson.sdm ?? [];
    if (sdm.length > 0) await expect(this.lesson.root).toContainText(`SDM: ${sdm[0]}`);
  }

  /** Clicks Run (from step 0) and waits until the run ends and the goals are checked (some goal is judged). */
  async run(): Promise<void> {
    await this.lab.button('Run').click();
    // The run has left step 0 (Step back is enabled) and has ended.
    await expect(this.lab.button('Step back')).toBeEnabled();
    await expect(this.machineState).toContainText(/Stopped|Paused/);
    await expect(this.machineState).not.toContainText('Running');
    await expect(this.lesson.goals().filter({ hasText: /\s(passed|failed)/ }).first()).toBeVisible();
  }

  /** Runs to the breakpoint (or the end) without waiting for goals: for looking at the machine mid-way. */
  async runToPause(): Promise<void> {
    await this.lab.runToPause();
  }

  /** Runs the program and expects these goals to fail (with the detail shown), and no "solved". */
  async runAndExpectFailing(failing: Record<string, string | RegExp | undefined>): Promise<void> {
    await this.run();
    for (const [label, detail] of Object.entries(failing)) await this.lesson.expectGoal(label, 'failed', detail);
    await expect(this.lesson.solved).toHaveCount(0);
  }

  /** Assembles the edited program (Reset) and expects no assembler diagnostics. */
  async assemble(): Promise<void> {
    await this.lab.button('Reset').click();
    await expect(this.machineState).toContainText('step 0 ');
    await expect(this.editor.diagnostics).toHaveCount(0);
  }

  /** Runs again and expects every goal green and "lesson solved". */
  async runAndExpectSolved(): Promise<void> {
    await this.run();
    await this.lesson.expectSolved();
  }

  /** The VM-instruction error element shows this number (or "none" for 0/undefined). */
  async expectVmError(n?: number): Promise<void> {
    await expect(this.vmInstructionError).toContainText(n ? `VM-instruction error ${n}:` : 'VM-instruction error: none');
  }
}
