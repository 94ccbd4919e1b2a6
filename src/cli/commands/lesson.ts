// `vmx-lab lesson list|check|program` (docs/cli.md, docs/lessons.md): lists the lessons, checks a
// program against a lesson's goals, prints a lesson's starting program or its solution.
// check: exit 0 when every goal passes, 1 when one fails, 2 when the program does not assemble
// (or cannot be read, or the lesson/profile is unknown).

import { findProfile } from '../../arch/profiles/index.ts';
import { LESSONS, checkLesson, findLesson, type LessonCheck } from '../../lessons/index.ts';
import { profileIds } from '../../machine/profile.ts';
import type { CliIo } from '../io.ts';

export type LessonCommand =
  | { readonly action: 'list'; readonly json: boolean }
  | {
      readonly action: 'check';
      readonly id: string;
      readonly program?: string;
      readonly solution: boolean;
      readonly profile?: string;
      readonly json: boolean;
    }
  | { readonly action: 'program'; readonly id: string; readonly solution: boolean };

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

/** The `lesson` command. */
export function runLessonCommand(c: LessonCommand, io: CliIo): number {
  if (c.action === 'list') return list(c.json, io);
  const lesson = findLesson(c.id);
  if (!lesson) {
    io.stderr(`vmx-lab: no lesson '${c.id}' (see 'vmx-lab lesson list')\n`);
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
