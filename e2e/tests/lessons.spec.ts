// Lessons and shared states in the page (issue 6): a lesson opened by URL and solved, goals
// turning green; Share, and the link opened in a fresh browser context; refused links and
// lessons leave the lab open with the saved work untouched; hostile text is shown, never run.
import { mkdirSync, readFileSync } from 'node:fs';
import { findLesson } from '../../src/lessons/index.ts';
import { encodeState } from '../../src/share/index.ts';
import { test, expect } from '../fixtures.ts';
import { LabPage } from '../pages/LabPage.ts';

const SHOTS = new URL('../.artifacts/shots/', import.meta.url).pathname;

test('a lesson opened by URL shows its text and goals, and solving it turns every goal green', async ({ lab }) => {
  const lesson = findLesson('vmx-support')!;
  await lab.open('?editor=plain&lesson=vmx-support');
  await expect(lab.lesson.title).toHaveText(lesson.title);
  await expect(lab.programText).toHaveValue(lesson.start);
  await expect(lab.lesson.goals()).toHaveCount(lesson.goals.length);
  await lab.lesson.expectAllGoals('pending');
  // The starting program fails some goal, with the reason shown.
  await lab.lesson.checkGoals.click();
  await expect(lab.lesson.goals().filter({ hasText: 'failed' }).first()).toBeVisible();
  // Hints unlock one at a time.
  await lab.lesson.hintButton().click();
  await expect(lab.lesson.hints()).toHaveCount(1);
  // Solve it: the reference solution typed into the editor, then Run (which checks the goals).
  await lab.setProgram(lesson.solution);
  await lab.button('Run').click();
  await lab.lesson.expectAllGoals('passed');
  await expect(lab.region('Lesson').getByRole('status')).toContainText('lesson solved');
});

test('a lesson starts on its own machine: cr-fixed-bits boots with CR0.NE clear', async ({ lab }) => {
  await lab.open('?editor=plain&lesson=cr-fixed-bits');
  await expect(lab.lesson.title).toHaveText(findLesson('cr-fixed-bits')!.title);
  await expect(lab.crBit('CR0', 'NE')).toHaveAttribute('aria-pressed', 'false');
});

test('an unknown lesson id gives a clear message and the lab still opens', async ({ lab }) => {
  await lab.page.goto('/?editor=plain&lesson=no-such-lesson');
  await expect(lab.lesson.notice).toContainText('There is no lesson "no-such-lesson"');
  await expect(lab.machineState).toContainText('Paused');
  await expect(lab.region('Lesson').getByRole('list', { name: 'Lessons' }).getByRole('button').first()).toBeVisible();
});

test('the lesson list opens a lesson and a challenge', async ({ lab }) => {
  const list = lab.region('Lesson');
  await list.getByRole('list', { name: 'Challenges' }).getByRole('button', { name: findLesson('challenge-host-tr')!.title }).click();
  await expect(lab.lesson.title).toHaveText(`Challenge: ${findLesson('challenge-host-tr')!.title}`);
  await expect(lab.programText).toHaveValue(findLesson('challenge-host-tr')!.start);
});

test('Share makes a link that opens the same program, profile, breakpoints and lesson in a fresh browser', async ({ lab, browser }) => {
  await lab.open('?editor=plain&lesson=vmxon');
  const program = `${findLesson('vmxon')!.start}\n; my own note\n`;
  await lab.setProgram(program);
  await lab.profileSelect.selectOption('core2-conroe');
  await expect(lab.machineState).toContainText('step 0 ');
  const line = await lab.toggleBreakpointAt(/vmxon/);
  await lab.lesson.hintButton().click();
  const url = await lab.share();
  expect(url.length).toBeLessThan(2000);

  const fresh = await browser.newContext();
  try {
    const other = new LabPage(await fresh.newPage());
    const errors: string[] = [];
    other.page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await other.page.goto(url.replace('/#s=', '/?editor=plain#s='));
    await expect(other.machineState).toContainText('Paused');
    await expect(other.lesson.title).toHaveText(findLesson('vmxon')!.title);
    await expect(other.programText).toHaveValue(program);
    await expect(other.profileSelect).toHaveValue('core2-conroe');
    await expect(other.region('Program').getByText(`Breakpoints: line ${line}`)).toBeVisible();
    await expect(other.lesson.hints()).toHaveCount(1);
    expect(errors).toEqual([]);
  } finally {
    await fresh.close();
  }
});

test('a stored format-2 link that carries an instructor\'s lesson opens it in the student view, where it can be solved', async ({ lab }) => {
  // src/share/testdata: made against the frozen FIXTURE_AUTHORED lesson, which the lab does not have.
  const fragment = readFileSync(new URL('../../src/share/testdata/v2-authored-edited.url', import.meta.url), 'utf8').trim();
  await lab.open(`?editor=plain${fragment}`);
  await expect(lab.lesson.title).toHaveText('Challenge: Fixture: the unlocked feature control');
  await expect(lab.lesson.root).toContainText("An instructor's lesson");
  await expect(lab.programText).toHaveValue(/or eax, 5/);
  await expect(lab.profileSelect).toHaveValue('arrow-lake');
  await expect(lab.lesson.hints()).toHaveCount(2);
  await lab.lesson.root.getByRole('button', { name: 'Check goals' }).click();
  await expect(lab.lesson.root.getByRole('status').filter({ hasText: 'lesson solved' })).toBeVisible();
});

test('a garbage or truncated #s= link shows a message, runs nothing and leaves the saved work untouched', async ({ lab }) => {
  let dialogs = 0;
  lab.page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
  await lab.setProgram('mov eax, 1\nhlt\n');
  for (const bad of ['#s=garbage', '#s=1.q1YqzU0sSk0uKS', '#s=1.' + '%3Cscript%3E']) {
    await lab.page.goto(`/?editor=plain${bad}`);
    await expect(lab.lesson.notice).toContainText('could not be opened');
    await expect(lab.machineState).toContainText('Paused');
    await expect(lab.programText).toHaveValue('mov eax, 1\nhlt\n');
    await lab.lesson.notice.getByRole('button', { name: 'Dismiss' }).click();
    await expect(lab.lesson.notice).toHaveCount(0);
  }
  expect(dialogs).toBe(0);
});

test('a link whose program holds HTML shows it as text in the editor and runs nothing', async ({ lab }) => {
  let dialogs = 0;
  lab.page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
  const hostile = '; <script>alert(1)</script> <img src=x onerror=alert(2)>\nhlt\n';
  const fragment = encodeState({ lesson: null, program: hostile, profile: 'skylake-client', msrs: {}, regs: {}, breakpoints: [], editor: {} });
  await lab.page.goto(`/?editor=plain${fragment}`);
  await expect(lab.programText).toHaveValue(hostile);
  expect(await lab.page.locator('script:not([type="module"]), img').count()).toBe(0);
  expect(dialogs).toBe(0);
});

test('?embed=1 shows the lesson without the chrome', async ({ lab }) => {
  await lab.page.goto('/?editor=plain&embed=1&lesson=vmxon');
  await expect(lab.lesson.title).toHaveText(findLesson('vmxon')!.title);
  await expect(lab.page.getByRole('button', { name: 'Dark theme' })).toHaveCount(0);
  await expect(lab.button('Run')).toBeVisible();
  mkdirSync(SHOTS, { recursive: true });
  await lab.page.screenshot({ path: `${SHOTS}page-embed-light.png` });
});

test('screenshots of the Lesson panel, light and dark', async ({ lab }) => {
  mkdirSync(SHOTS, { recursive: true });
  const lesson = findLesson('vmxon')!;
  await lab.open('?editor=plain&lesson=vmxon');
  await expect(lab.lesson.title).toHaveText(lesson.title);
  await lab.lesson.hintButton().click();
  await lab.lesson.checkGoals.click();
  await expect(lab.lesson.goals().filter({ hasText: 'failed' }).first()).toBeVisible();
  await lab.region('Lesson').screenshot({ path: `${SHOTS}lesson-light.png` });
  await lab.setTheme(true);
  await lab.setProgram(lesson.solution);
  await lab.lesson.checkGoals.click();
  await lab.lesson.expectAllGoals('passed');
  await lab.region('Lesson').screenshot({ path: `${SHOTS}lesson-dark.png` });
  await lab.page.screenshot({ path: `${SHOTS}page-lesson-dark.png`, fullPage: true });
});

test('a state too large for a link is offered as a file, and Open file reads it back (a bad file is refused)', async ({ lab }) => {
  // Pseudo-random comment lines that DEFLATE cannot shrink below the link limit.
  let x = 12345;
  const lines: string[] = [];
  for (let i = 0; i < 700; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    lines.push(`; ${x.toString(36)} ${(x * 7 % 1000003).toString(16)} ${(x % 99991).toString(36)}`);
  }
  const program = `${lines.join('\n')}\nhlt\n`;
  await lab.setProgram(program);
  await lab.button('Share').click();
  await expect(lab.page.getByRole('group', { name: 'Shared state' })).toContainText('Too large for a link');
  await expect(lab.page.getByRole('textbox', { name: 'Share link' })).toHaveCount(0);
  const [download] = await Promise.all([
    lab.page.waitForEvent('download'),
    lab.page.getByRole('button', { name: 'Download state file' }).click(),
  ]);
  const path = await download.path();
  await lab.setProgram('hlt\n');
  await lab.page.getByLabel('State file').setInputFiles(path);
  await expect(lab.programText).toHaveValue(program);

  await lab.page.getByLabel('State file').setInputFiles({ name: 'evil.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"vmx-lab-state","version":1,"state":{"p":"<script>alert(1)</script>"}}') });
  await expect(lab.lesson.notice).toContainText('This file could not be opened');
  await expect(lab.programText).toHaveValue(program);
});

test('lesson Markdown is sanitised in the browser: no script, handler, image or javascript: link survives', async ({ lab }) => {
  let dialogs = 0;
  lab.page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
  await lab.open('?editor=plain&test-hooks');
  const hostile = [
    '# Title', '<script>alert(1)</script>', '<img src=x onerror="alert(2)">', '[click](javascript:alert(3))',
    '<a href="javascript:alert(4)">a</a>', '<iframe src="data:text/html,<script>alert(5)</script>"></iframe>',
    '<svg onload=alert(6)></svg>', '**bold** and `code` and [SDM](https://www.intel.com/sdm)',
  ].join('\n\n');
  const seen = await lab.page.evaluate(async (text) => {
    const hooks = (window as unknown as { vmxLabTestHooks: { renderLessonMarkdown(t: string): Promise<string> } }).vmxLabTestHooks;
    const html = await hooks.renderLessonMarkdown(text);
    const box = document.createElement('div');
    box.innerHTML = html;
    document.body.append(box);
    const all = [...box.querySelectorAll('*')];
    return {
      html,
      tags: [...new Set(all.map((e) => e.tagName.toLowerCase()))].sort(),
      handlers: all.flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')),
      hrefs: [...box.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      text: box.textContent ?? '',
    };
  }, hostile);
  expect(seen.tags).toEqual(['a', 'code', 'h1', 'p', 'strong']);
  expect(seen.handlers).toEqual([]);
  expect(seen.hrefs).toEqual([null, 'https://www.intel.com/sdm']);
  // The HTML a lesson wrote is shown as text, so an author sees the mistake.
  expect(seen.text).toContain('<script>alert(1)</script>');
  expect(dialogs).toBe(0);
});

test('with the Monaco editor, opening a lesson from the list puts its program in the editor', async ({ lab }) => {
  await lab.open('');
  const program = lab.region('Program');
  await expect(program.getByRole('textbox', { name: 'Program text' })).toBeAttached();
  await lab.region('Lesson').getByRole('list', { name: 'Lessons' }).getByRole('button', { name: findLesson('vmxon')!.title }).click();
  await expect(lab.lesson.title).toHaveText(findLesson('vmxon')!.title);
  await expect(program).toContainText('Lesson 3: VMXON.');
});
