// A lesson as the Author form edits it: plain strings per field (MSRs and control-register bits as
// short text, hints one per line, goals as JSON) and the two conversions, form -> lesson value
// (for validateLesson in the worker; problems the form itself can see are named by the lesson
// path they belong to) and lesson -> form. Pure data: no DOM, no worker.

/** The Author form's fields. */
export interface LessonDraft {
  readonly id: string;
  readonly kind: 'lesson' | 'challenge';
  readonly title: string;
  readonly summary: string;
  readonly text: string;
  readonly start: string;
  readonly solution: string;
  /** The starting machine's profile id ('' = the lab's default profile). */
  readonly profile: string;
  /** Profiles the solution is checked on, comma separated. */
  readonly profiles: string;
  /** Firmware MSR values, one `index = value` a line (`0x3a = 0x5`). */
  readonly msrs: string;
  /** Control-register bits changed after boot, `0x...` masks ('' = none). */
  readonly cr0Set: string;
  readonly cr0Clear: string;
  readonly cr4Set: string;
  readonly cr4Clear: string;
  /** One hint a line. */
  readonly hints: string;
  /** The goals as a JSON array (docs/lessons.md, Goals). */
  readonly goals: string;
}

/** A goal of each kind as a starting point (docs/lessons.md, Goals), for "Add goal". */
export const GOAL_TEMPLATES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  vmx: { kind: 'vmx', label: 'VMLAUNCH does not fail with error 7', mnemonic: 'vmlaunch', result: 'VMfailValid', error: 7, absent: true },
  vmexit: { kind: 'vmexit', label: 'The guest exits with reason 18 (VMCALL)', reason: 18 },
  fault: { kind: 'fault', label: 'No exception stops the machine', absent: true },
  reg: { kind: 'reg', label: 'RAX ends as 0x600d', reg: 'rax', equals: '0x600d' },
  cr: { kind: 'cr', label: 'CR4.VMXE is set', cr: 'cr4', set: '0x2000' },
  msr: { kind: 'msr', label: 'IA32_FEATURE_CONTROL is locked with VMXON outside SMX enabled', msr: '0x3a', equals: '0x5', mask: '0x5' },
  vmcs: { kind: 'vmcs', label: 'GUEST_ACTIVITY_STATE is active (0)', field: 'GUEST_ACTIVITY_STATE', equals: 0 },
  stop: { kind: 'stop', label: 'The program halts', stop: 'halted' },
  'resume-advanced': { kind: 'resume-advanced', label: 'The handler skips the exiting instruction', reason: 18 },
};

/** A new challenge from the program in the editor: a broken machine is a lesson whose start is broken. */
export function draftFromProgram(program: string, profile: string, msrEdits: Readonly<Record<string, string>>): LessonDraft {
  return {
    id: 'my-challenge',
    kind: 'challenge',
    title: 'My challenge',
    summary: 'Find out why this machine fails, and fix it.',
    text: 'Describe the **symptom** the student sees, not the cause.\n\nCite the SDM by section number and title.',
    start: program,
    solution: program,
    profile,
    profiles: profile || 'arrow-lake',
    msrs: Object.entries(msrEdits).map(([k, v]) => `${k} = ${v}`).join('\n'),
    cr0Set: '', cr0Clear: '', cr4Set: '', cr4Clear: '',
    hints: '',
    goals: JSON.stringify([GOAL_TEMPLATES.stop], null, 2),
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : '');
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {});

/** The form of a lesson value (one that passed validateLesson, as plain JSON data). */
export function draftFromLesson(value: unknown): LessonDraft {
  const l = obj(value);
  const machine = obj(l.machine);
  const cr = obj(machine.cr);
  const profiles = Array.isArray(l.profiles) ? l.profiles.map(str) : [];
  return {
    id: str(l.id),
    kind: l.kind === 'challenge' ? 'challenge' : 'lesson',
    title: str(l.title),
    summary: str(l.summary),
    text: str(l.text),
    start: str(l.start),
    solution: str(l.solution),
    profile: str(machine.profile),
    profiles: profiles.join(', '),
    msrs: Object.entries(obj(machine.msrs)).map(([k, v]) => `${k} = ${str(v)}`).join('\n'),
    cr0Set: str(obj(cr.cr0).set), cr0Clear: str(obj(cr.cr0).clear),
    cr4Set: str(obj(cr.cr4).set), cr4Clear: str(obj(cr.cr4).clear),
    hints: (Array.isArray(l.hints) ? l.hints.map(str) : []).join('\n'),
    goals: JSON.stringify(Array.isArray(l.goals) ? l.goals : [], null, 2),
  };
}

/** The form as a lesson value for validateLesson, or the problems the form can see (by lesson path). */
export function lessonFromDraft(d: LessonDraft): { ok: true; lesson: Record<string, unknown> } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  let goals: unknown = [];
  try {
    goals = JSON.parse(d.goals);
  } catch (e) {
    errors.push(`lesson.goals: not valid JSON (${e instanceof Error ? e.message : 'parse error'})`);
  }
  const msrs: Record<string, string> = {};
  d.msrs.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (t === '') return;
    const m = /^(\S+)\s*[=:]\s*(\S+)$/.exec(t);
    if (!m) errors.push(`lesson.machine.msrs: line ${i + 1} wants "index = value" (e.g. 0x3a = 0x5), got '${t}'`);
    else msrs[m[1]!] = m[2]!;
  });
  const cr: Record<string, Record<string, string>> = {};
  const bits = (reg: 'cr0' | 'cr4', set: string, clear: string): void => {
    const e: Record<string, string> = {};
    if (set.trim()) e.set = set.trim();
    if (clear.trim()) e.clear = clear.trim();
    if (Object.keys(e).length) cr[reg] = e;
  };
  bits('cr0', d.cr0Set, d.cr0Clear);
  bits('cr4', d.cr4Set, d.cr4Clear);
  if (errors.length) return { ok: false, errors };
  const machine: Record<string, unknown> = {};
  if (d.profile) machine.profile = d.profile;
  if (Object.keys(msrs).length) machine.msrs = msrs;
  if (Object.keys(cr).length) machine.cr = cr;
  return {
    ok: true,
    lesson: {
      id: d.id.trim(),
      kind: d.kind,
      title: d.title,
      summary: d.summary,
      text: d.text,
      start: d.start,
      solution: d.solution,
      machine,
      profiles: d.profiles.split(',').map((p) => p.trim()).filter(Boolean),
      hints: d.hints.split('\n').map((h) => h.trim()).filter(Boolean),
      goals,
    },
  };
}

/** Appends a goal of `kind` (its template) to the goals JSON; text that is not a JSON array is kept and the goal added after it fails to parse is reported by the caller. */
export function addGoal(goalsJson: string, kind: string): string | undefined {
  const t = GOAL_TEMPLATES[kind];
  if (!t) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(goalsJson.trim() === '' ? '[]' : goalsJson);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  return JSON.stringify([...list, t], null, 2);
}
