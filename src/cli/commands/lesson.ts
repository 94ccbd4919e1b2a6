// `vmx-lab lesson list|check|program` (docs/cli.md, docs/lessons.md): lists the lessons, checks a
// program against a lesson's goals, prints a lesson's starting program or its solution.
// check: exit 0 when every goal passes, 1 when one fails, 2 when the program does not assemble
// (or cannot be read, or the lesson/profile is unknown).

import { findProfile } from '../../arch/profiles/index.ts';
import { LESSONS, checkLesson, findLesson, validateLesson, type Lesson, type LessonCheck } from '../../lessons/index.ts';
import { profileIds } from '../../machine/profile.ts';
import { readLessonFile } from '../../worker/authoring.ts';
import type { CliIo } from '../io.ts';

/** Which lesson: a built-in one by id, or an instructor's lesson file (Author mode's export). */
export type LessonSource = { readonly id: string; readonly file?: undefined } | { readonly file: string; readonly id?: undefined };

export type LessonCommand =
  | { readonly action: 'list'; readonly json: boolean }
  | (LessonSource & {
      readonly action: 'check';
      readonly program?: string;
      readonly solution: boolean;
      readonly profile?: string;
      readonly json: boolean;
    })
  | (LessonSource & { readonly action: 'program'; readonly solution: boolean });

function list(json: boolean, io: CliIo): number {
  if (json) {
    const rows = LESSONS.map((l) => ({ id: l.id, kind: l.kind, title: l.title, summary: l.summary, profiles: l.profiles, goals: l.goals.length }));
    io.stdout(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  const width = Math.max(...LESSONS.map((l) => l.id.length));
  for (const l of LESSONS) io.stdout(`${l.id.padEnd(width)}  ${l.title}\n${' '.repeat(width)}  ${l.summary}\n`);
  return 0;
}

function formatCheck(c: LessonCheck, source: string): string {
  const lines = [`lesson ${c.lessonId} on ${c.profile}: ${source}`];
  if (!c.assembled) {
    for (const d of c.diagnostics) lines.push(`  ${d.line}:${d.col}: error: ${d.message}`);
    lines.push('the program did not assemble: no goal was checked');
    return `${lines.join('\n')}\n`;
  }
  for (const g of c.goals) lines.push(`  ${g.passed ? 'PASS' : 'FAIL'}  ${g.label}\n        ${g.detail}`);
  const passed = c.goals.filter((g) => g.passed).length;
  lines.push(`${passed}/${c.goals.length} goals pass (run ended: ${c.stop}, ${c.steps} steps)`);
  return `${lines.join('\n')}\n`;
}

/**
 * An instructor's lesson file, read as the page reads one (src/worker/authoring.ts: size, depth
 * and key limits, the file envelope, then validateLesson); every refusal is printed.
 */
function lessonFromFile(path: string, io: CliIo): Lesson | undefined {
  let text: string;
  try {
    text = io.readText(path);
  } catch {
    io.stderr(`vmx-lab: cannot read ${path}\n`);
    return undefined;
  }
  const r = readLessonFile(text);
  if (!r.ok) {
    io.stderr(`vmx-lab: ${path} is not a lesson VMX Lab can use:\n${r.errors.map((e) => `  ${e}\n`).join('')}`);
    return undefined;
  }
  // The reader hands back plain JSON data; validating it again gives the typed lesson.
  const v = validateLesson(r.lesson);
  if (!v.ok) {
    io.stderr(`vmx-lab: ${path}: ${v.errors.join('; ')}\n`);
    return undefined;
  }
  return v.lesson;
}

/** The `lesson` command. */
export function runLessonCommand(c: LessonCommand, io: CliIo): number {
  if (c.action === 'list') return list(c.json, io);
  const lesson = c.file !== undefined ? lessonFromFile(c.file, io) : findLesson(c.id);
  if (!lesson) {
    if (c.file === undefined) io.stderr(`vmx-lab: no lesson '${c.id}' (see 'vmx-lab lesson list')\n`);
    return 2;
  }
  if (c.action === 'program') {
    io.stdout(c.solution ? lesson.solution : lesson.start);
    return 0;
  }
  if (c.profile !== undefined && !findProfile(c.profile)) {
    io.stderr(`vmx-lab: unknown profile '${c.profile}' (known: ${profileIds().join(', ')})\n`);
    return 2;
  }
  let text: string;
  let source: string;
  if (c.program !== undefined) {
    try {
      text = io.readText(c.program);
    } catch {
      io.stderr(`vmx-lab: cannot read ${c.program}\n`);
      return 2;
    }
    source = c.program;
  } else {
    text = c.solution ? lesson.solution : lesson.start;
    source = c.solution ? 'the reference solution' : 'the starting program';
  }
  const r = checkLesson(lesson, text, { profile: c.profile });
  if (c.json) {
    const record = { lesson: r.lessonId, profile: r.profile, program: c.program ?? null, assembled: r.assembled, passed: r.passed, diagnostics: r.diagnostics, goals: r.goals, stop: r.stop ?? null, steps: r.steps };
    io.stdout(`${JSON.stringify(record)}\n`);
  } else {
    io.stdout(formatCheck(r, source));
  }
  if (!r.assembled) return 2;
  return r.passed ? 0 : 1;
}
