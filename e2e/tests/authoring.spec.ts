// Instructor authoring in the page (issue 6): a challenge made from the current program, a goal
// added, goals tried on the start and the solution, the lesson exported as a file and as a link,
// each opened in a fresh browser context in the STUDENT view (text, goals, hints, Check goals)
// with Author one click away, solved there, and shared on with the lesson carried in the `#s=`
// link; hostile lesson files refused with messages, nothing rendered.
import { mkdirSync } from 'node:fs';
import { test, expect } from '../fixtures.ts';
import { AuthoringPanel } from '../pages/AuthoringPanel.ts';
import { LabPage } from '../pages/LabPage.ts';
import { LessonPanel } from '../pages/LessonPanel.ts';

const SHOTS = new URL('../.artifacts/shots/', import.meta.url).pathname;
const START = 'mov rax, 1\nhlt\n';
const SOLUTION = 'mov rax, 0x600d\nhlt\n';

test('a challenge from the current program: add a goal, try goals, export, import in a fresh browser and open it', async ({ lab, browser }) => {
  mkdirSync(SHOTS, { recursive: true });
  await lab.setProgram(START);
  const author = new AuthoringPanel(lab.page);
  await author.open();
  await author.button('New challenge from current program').click();
  await expect(author.field('Starting program')).toHaveValue(START);
  await author.field('Lesson id').fill('good-rax');
  await author.field('Title').fill('RAX must be good');
  await author.field('Text (Markdown, no HTML)').fill('The program ends with the **wrong** value in `RAX`.');
  await expect(author.region.getByRole('region', { name: 'Text preview' }).getByText('wrong')).toBeVisible();
  await author.field('Solution program').fill(SOLUTION);
  await author.field('Hints (one a line: the symptom, then the cause, then the fix)').fill('Look at RAX when it halts.');
  await author.addGoal('reg');
  await expect(author.field('Goals (JSON, docs/lessons.md)')).toHaveValue(/"reg": "rax"/);

  await author.button('Try goals').click();
  await expect(author.tried('Starting program')).toContainText('some goal failed (as it should)');
  await expect(author.tried('Solution')).toContainText('every goal passed (as it should)');
  await expect(author.tried('Starting program').getByRole('listitem').filter({ hasText: 'RAX ends as 0x600d' })).toContainText('failed');
  await author.region.screenshot({ path: `${SHOTS}author-try-goals.png` });

  // A goal the form cannot read is named by its path, and nothing is tried.
  const goals = await author.field('Goals (JSON, docs/lessons.md)').inputValue();
  await author.field('Goals (JSON, docs/lessons.md)').fill(goals.replace('"halted"', '"nowhere"'));
  await author.button('Try goals').click();
  await expect(author.problems.first()).toContainText('lesson.goals[0].stop');
  await author.field('Goals (JSON, docs/lessons.md)').fill(goals);

  const download = await author.download();
  expect(download.suggestedFilename()).toBe('good-rax.vmxlab-lesson.json');
  const path = await download.path();

  const fresh = await browser.newContext();
  try {
    const other = new LabPage(await fresh.newPage());
    const errors: string[] = [];
    other.page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await other.open();
    const otherAuthor = new AuthoringPanel(other.page);
    await otherAuthor.open();
    await otherAuthor.importFile(path);
    // The imported lesson opens as a student sees it; the form closes, its draft kept.
    const lesson = new LessonPanel(other.page);
    await lesson.expectOpen('RAX must be good', 'challenge');
    await expect(otherAuthor.region).toHaveCount(0);
    await expect(other.programText).toHaveValue(START);
    await expect(other.machineState).toContainText('step 0 ');
    await otherAuthor.open();
    await expect(otherAuthor.status).toContainText('Lesson "RAX must be good" imported');
    await expect(otherAuthor.field('Solution program')).toHaveValue(SOLUTION);
    await otherAuthor.button('Try goals').click();
    await expect(otherAuthor.tried('Solution')).toContainText('every goal passed');
    await other.page.screenshot({ path: `${SHOTS}author-imported.png`, fullPage: true });
    expect(errors).toEqual([]);
  } finally {
    await fresh.close();
  }
});

test('an exported lesson link opens in the student view in a fresh browser, is solved there, and its shared state carries the lesson; a damaged link is refused', async ({ lab, browser }) => {
  mkdirSync(SHOTS, { recursive: true });
  await lab.setProgram(START);
  const author = new AuthoringPanel(lab.page);
  await author.open();
  await author.button('New challenge from current program').click();
  await author.field('Lesson id').fill('linked-rax');
  await author.field('Title').fill('A linked challenge');
  await author.field('Text (Markdown, no HTML)').fill('RAX ends **wrong**. Make it `0x600d`.');
  await author.field('Solution program').fill(SOLUTION);
  await author.field('Hints (one a line: the symptom, then the cause, then the fix)').fill('Look at RAX when it halts.\nmov rax, 0x600d');
  await author.addGoal('reg');
  await author.button('Lesson link').click();
  const link = await author.region.getByRole('textbox', { name: 'Lesson link' }).inputValue();
  expect(link).toMatch(/#lesson=1\.[A-Za-z0-9_-]+$/);

  const fresh = await browser.newContext();
  try {
    const other = new LabPage(await fresh.newPage());
    const errors: string[] = [];
    other.page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await other.page.goto(link.replace('/#lesson=', '/?editor=plain#lesson='));
    // The student view: title, Markdown text, goals pending, hints one at a time, Check goals.
    const lesson = new LessonPanel(other.page);
    await lesson.expectOpen('A linked challenge', 'challenge');
    await expect(lesson.root.getByText('wrong', { exact: true })).toBeVisible();
    await expect(lesson.root).toContainText("An instructor's lesson");
    await expect(lesson.goals()).toHaveCount(2);
    await lesson.expectAllGoals('pending');
    await expect(other.programText).toHaveValue(START);
    expect(new URL(other.page.url()).hash).toBe('');
    const otherAuthor = new AuthoringPanel(other.page);
    await expect(otherAuthor.region).toHaveCount(0);
    await lesson.checkGoals.click();
    await lesson.expectGoal('RAX ends as 0x600d', 'failed', 'RAX = 0x1');
    await lesson.showHint('Look at RAX when it halts.');
    await other.setProgram(SOLUTION);
    await lesson.checkGoals.click();
    await lesson.expectSolved();
    await other.page.screenshot({ path: `${SHOTS}author-student-view.png`, fullPage: true });
    // Author mode is one click away, with the lesson in the form.
    await otherAuthor.open();
    await expect(otherAuthor.field('Title')).toHaveValue('A linked challenge');
    await otherAuthor.toggle.click();

    // Share: the lab does not have this lesson built in, so the link carries it (format 2).
    const shared = await other.share();
    expect(shared).toMatch(/#s=2\./);
    const third = await browser.newContext();
    try {
      const student = new LabPage(await third.newPage());
      await student.open(`?editor=plain${shared.slice(shared.indexOf('#'))}`);
      const theirs = new LessonPanel(student.page);
      await theirs.expectOpen('A linked challenge', 'challenge');
      await expect(student.programText).toHaveValue(SOLUTION);
      await expect(theirs.hints()).toHaveCount(1);
      await theirs.checkGoals.click();
      await theirs.expectSolved();
    } finally {
      await third.close();
    }
    // A reload keeps the lesson and the learner's program.
    await other.page.reload();
    await lesson.expectOpen('A linked challenge', 'challenge');
    await expect(other.programText).toHaveValue(SOLUTION);
    await expect(lesson.goals()).toHaveCount(2);
    expect(errors).toEqual([]);

    await other.page.goto('/?editor=plain#lesson=1.AAAA_not-deflate');
    await expect(otherAuthor.status).toContainText('This lesson link was refused');
    await expect(otherAuthor.problems.first()).toContainText('link:');
    await expect(other.machineState).toContainText('Paused');
  } finally {
    await fresh.close();
  }
});

test('a copy of a built-in lesson: its goals tried on its start and solution', async ({ lab }) => {
  await lab.open('?editor=plain&lesson=vmxon');
  const author = new AuthoringPanel(lab.page);
  await author.open();
  await author.button('Edit a copy of this lesson').click();
  await expect(author.field('Lesson id')).toHaveValue('vmxon-copy');
  await author.button('Try goals').click();
  await expect(author.tried('Starting program')).toContainText('(as it should)');
  await expect(author.tried('Solution')).toContainText('every goal passed (as it should)');
});

test('hostile lesson files are refused with messages and nothing in them renders', async ({ lab }) => {
  mkdirSync(SHOTS, { recursive: true });
  const author = new AuthoringPanel(lab.page);
  await author.open();
  const file = (lesson: unknown) => ({ name: 'evil.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: 'vmx-lab-lesson', version: 1, lesson })) });
  const base = { id: 'evil', kind: 'challenge', title: 'Evil', summary: 's', text: 't', start: 'hlt\n', solution: 'hlt\n', machine: {}, profiles: ['arrow-lake'], hints: [], goals: [{ kind: 'stop', label: 'halts', stop: 'halted' }] };

  await author.importFile(file({ ...base, text: '<img src=x onerror="window.pwned=1">', title: '<script>window.pwned=1</script>' }));
  await expect(author.status).toContainText('refused');
  await expect(author.problems.filter({ hasText: 'lesson.text: no HTML' })).toHaveCount(1);
  await expect(author.problems.filter({ hasText: 'lesson.title: no HTML' })).toHaveCount(1);
  await expect(lab.page.locator('img')).toHaveCount(0);

  await author.importFile({ name: 'proto.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"vmx-lab-lesson","version":1,"lesson":{"__proto__":{"polluted":1}}}') });
  await expect(author.problems.first()).toContainText('forbidden key "__proto__"');

  await author.importFile({ name: 'junk.json', mimeType: 'application/json', buffer: Buffer.from('\u0000\u00ff not json') });
  await expect(author.problems.first()).toContainText('not valid JSON');

  // Nothing was imported: the form never opened, and the page did not run anything.
  await expect(author.field('Lesson id')).toHaveCount(0);
  expect(await lab.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  await author.region.screenshot({ path: `${SHOTS}author-refused.png` });
});
