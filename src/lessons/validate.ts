// Validation of lesson objects (they may come from a file or a URL: never trust their shape).
// A small hand-written schema check: every error names the path of the bad value.

import { findProfile } from '../arch/profiles/index.ts';
import { fieldByName } from '../arch/vmcs/fields.ts';
import { ENTRY_CHECKS } from '../vmx/entry/checks/index.ts';
import { GOAL_CRS, GOAL_KINDS, GOAL_REGS, toBig, type Lesson } from './format.ts';

export type LessonValidation = { readonly ok: true; readonly lesson: Lesson } | { readonly ok: false; readonly errors: readonly string[] };

const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Something a browser could take for a tag or comment: lesson text is Markdown only. */
const HTML_RE = /<[a-zA-Z!/?]/;
const MAX_GOALS = 100;
const MAX_HINTS = 50;
const MAX_TEXT = 100_000;
const RESULTS = ['VMsucceed', 'VMfailInvalid', 'VMfailValid'];
const STOPS = ['halted', 'fault', 'max-steps', 'shutdown'];
const MODES = ['off', 'root', 'non-root'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): boolean => (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string') && toBig(v as string) !== undefined;
const isInt = (v: unknown, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** Checks the keys of an object against the allowed ones. */
function keys(o: Obj, allowed: readonly string[], path: string, errors: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) errors.push(`${path}.${k}: unknown property`);
}

function text(o: Obj, k: string, path: string, errors: string[], optional = false): void {
  const v = o[k];
  if (v === undefined && optional) return;
  if (typeof v !== 'string' || v.length === 0) errors.push(`${path}.${k}: wants a non-empty string`);
  else if (v.length > MAX_TEXT) errors.push(`${path}.${k}: longer than ${MAX_TEXT} characters`);
}

function num(o: Obj, k: string, path: string, errors: string[], optional = true): void {
  if (o[k] === undefined && optional) return;
  if (!isNum(o[k])) errors.push(`${path}.${k}: wants a whole number (bigint, number or "0x..." string)`);
}

function oneOf(o: Obj, k: string, values: readonly string[], path: string, errors: string[], optional = true): void {
  if (o[k] === undefined && optional) return;
  if (typeof o[k] !== 'string' || !values.includes(o[k] as string)) errors.push(`${path}.${k}: wants one of ${values.join(', ')}`);
}

function int(o: Obj, k: string, max: number, path: string, errors: string[]): void {
  if (o[k] !== undefined && !isInt(o[k], max)) errors.push(`${path}.${k}: wants a whole number 0..${max}`);
}

function validateGoal(g: unknown, path: string, errors: string[]): void {
  if (!isObj(g)) return void errors.push(`${path}: wants an object`);
  text(g, 'label', path, errors);
  if (typeof g.label === 'string' && HTML_RE.test(g.label)) errors.push(`${path}.label: no HTML (Markdown only)`);
  const kind = g.kind;
  if (typeof kind !== 'string' || !(GOAL_KINDS as readonly string[]).includes(kind)) {
    return void errors.push(`${path}.kind: wants one of ${GOAL_KINDS.join(', ')}`);
  }
  const absent = (): void => {
    if (g.absent !== undefined && typeof g.absent !== 'boolean') errors.push(`${path}.absent: wants true or false`);
  };
  switch (kind) {
    case 'vmx':
      keys(g, ['kind', 'label', 'absent', 'mnemonic', 'text', 'result', 'error'], path, errors);
      absent();
      text(g, 'mnemonic', path, errors, true);
      text(g, 'text', path, errors, true);
      oneOf(g, 'result', RESULTS, path, errors);
      int(g, 'error', 255, path, errors);
      if (g.error !== undefined && g.result !== 'VMfailValid') errors.push(`${path}.error: only with result VMfailValid`);
      break;
    case 'vmexit':
      keys(g, ['kind', 'label', 'absent', 'reason', 'entryFailure', 'check', 'count'], path, errors);
      absent();
      int(g, 'reason', 0xffff, path, errors);
      int(g, 'count', 1_000_000, path, errors);
      if (g.entryFailure !== undefined && typeof g.entryFailure !== 'boolean') errors.push(`${path}.entryFailure: wants true or false`);
      text(g, 'check', path, errors, true);
      if (typeof g.check === 'string' && !ENTRY_CHECKS.some((c) => c.id === g.check)) errors.push(`${path}.check: no VM-entry check with id '${g.check}'`);
      break;
    case 'fault':
      keys(g, ['kind', 'label', 'absent', 'vector', 'mnemonic'], path, errors);
      absent();
      int(g, 'vector', 31, path, errors);
      text(g, 'mnemonic', path, errors, true);
      break;
    case 'reg':
      keys(g, ['kind', 'label', 'reg', 'equals', 'mask'], path, errors);
      oneOf(g, 'reg', GOAL_REGS, path, errors, false);
      num(g, 'equals', path, errors, false);
      num(g, 'mask', path, errors);
      break;
    case 'cr':
      keys(g, ['kind', 'label', 'cr', 'set', 'clear'], path, errors);
      oneOf(g, 'cr', GOAL_CRS, path, errors, false);
      num(g, 'set', path, errors);
      num(g, 'clear', path, errors);
      if (g.set === undefined && g.clear === undefined) errors.push(`${path}: a cr goal wants set or clear`);
      break;
    case 'msr':
      keys(g, ['kind', 'label', 'msr', 'equals', 'mask'], path, errors);
      num(g, 'msr', path, errors, false);
      num(g, 'equals', path, errors, false);
      num(g, 'mask', path, errors);
      break;
    case 'vmcs':
      keys(g, ['kind', 'label', 'field', 'equals', 'mask'], path, errors);
      text(g, 'field', path, errors);
      if (typeof g.field === 'string' && !fieldByName(g.field)) errors.push(`${path}.field: no VMCS field named '${g.field}'`);
      num(g, 'equals', path, errors, false);
      num(g, 'mask', path, errors);
      break;
    case 'stop':
      keys(g, ['kind', 'label', 'stop', 'mode'], path, errors);
      oneOf(g, 'stop', STOPS, path, errors);
      oneOf(g, 'mode', MODES, path, errors);
      if (g.stop === undefined && g.mode === undefined) errors.push(`${path}: a stop goal wants stop or mode`);
      break;
    case 'resume-advanced':
      keys(g, ['kind', 'label', 'reason'], path, errors);
      int(g, 'reason', 0xffff, path, errors);
      break;
  }
}

function validateMachine(m: unknown, path: string, errors: string[]): void {
  if (!isObj(m)) return void errors.push(`${path}: wants an object`);
  keys(m, ['profile', 'msrs', 'cr', 'regs'], path, errors);
  if (m.profile !== undefined && (typeof m.profile !== 'string' || !findProfile(m.profile))) errors.push(`${path}.profile: unknown profile`);
  if (m.msrs !== undefined) {
    if (!isObj(m.msrs)) errors.push(`${path}.msrs: wants an object of index -> value`);
    else {
      for (const [k, v] of Object.entries(m.msrs)) {
        const i = toBig(k);
        if (i === undefined || i < 0n || i > 0xffffffffn) errors.push(`${path}.msrs: '${k}' is not an MSR index`);
        if (!isNum(v)) errors.push(`${path}.msrs.${k}: wants a whole number`);
      }
    }
  }
  if (m.cr !== undefined) {
    if (!isObj(m.cr)) errors.push(`${path}.cr: wants an object`);
    else {
      keys(m.cr, GOAL_CRS, `${path}.cr`, errors);
      for (const [k, v] of Object.entries(m.cr)) {
        if (!isObj(v)) errors.push(`${path}.cr.${k}: wants { set?, clear? }`);
        else {
          keys(v, ['set', 'clear'], `${path}.cr.${k}`, errors);
          num(v, 'set', `${path}.cr.${k}`, errors);
          num(v, 'clear', `${path}.cr.${k}`, errors);
        }
      }
    }
  }
  if (m.regs !== undefined) {
    if (!isObj(m.regs)) errors.push(`${path}.regs: wants an object`);
    else {
      keys(m.regs, GOAL_REGS.filter((r) => r !== 'rip' && r !== 'rflags' && r !== 'rsp'), `${path}.regs`, errors);
      for (const k of Object.keys(m.regs)) num(m.regs, k, `${path}.regs`, errors);
    }
  }
}

/** Validates an unknown value as a Lesson; on success returns it typed. Never throws. */
export function validateLesson(value: unknown): LessonValidation {
  const errors: string[] = [];
  const path = 'lesson';
  if (!isObj(value)) return { ok: false, errors: [`${path}: wants an object`] };
  const l = value;
  keys(l, ['id', 'kind', 'title', 'summary', 'text', 'start', 'solution', 'machine', 'profiles', 'hints', 'goals', 'maxSteps', 'sdm'], path, errors);
  if (typeof l.id !== 'string' || !ID_RE.test(l.id)) errors.push(`${path}.id: wants lowercase letters, digits and dashes (at most 64)`);
  oneOf(l, 'kind', ['lesson', 'challenge'], path, errors, false);
  for (const k of ['title', 'summary', 'text', 'start', 'solution']) text(l, k, path, errors);
  for (const k of ['title', 'summary', 'text']) {
    if (typeof l[k] === 'string' && HTML_RE.test(l[k])) errors.push(`${path}.${k}: no HTML in lesson text (Markdown only)`);
  }
  validateMachine(l.machine, `${path}.machine`, errors);
  if (!Array.isArray(l.profiles) || l.profiles.length === 0) errors.push(`${path}.profiles: wants at least one profile id`);
  else l.profiles.forEach((p, i) => {
    if (typeof p !== 'string') errors.push(`${path}.profiles[${i}]: wants a profile id (a string), not ${Array.isArray(p) ? 'an array' : p === null ? 'null' : typeof p}`);
    else if (!findProfile(p)) errors.push(`${path}.profiles[${i}]: unknown profile '${p.length > 40 ? `${p.slice(0, 40)}…` : p}'`);
  });
  if (!Array.isArray(l.hints)) errors.push(`${path}.hints: wants a list of strings`);
  else if (l.hints.length > MAX_HINTS) errors.push(`${path}.hints: at most ${MAX_HINTS}`);
  else l.hints.forEach((h, i) => {
    if (typeof h !== 'string' || h.length === 0 || h.length > MAX_TEXT) errors.push(`${path}.hints[${i}]: wants a non-empty string`);
    else if (HTML_RE.test(h)) errors.push(`${path}.hints[${i}]: no HTML (Markdown only)`);
  });
  if (!Array.isArray(l.goals) || l.goals.length === 0) errors.push(`${path}.goals: wants at least one goal`);
  else if (l.goals.length > MAX_GOALS) errors.push(`${path}.goals: at most ${MAX_GOALS}`);
  else l.goals.forEach((g, i) => validateGoal(g, `${path}.goals[${i}]`, errors));
  if (l.maxSteps !== undefined && !isInt(l.maxSteps, 10_000_000)) errors.push(`${path}.maxSteps: wants a whole number up to 10,000,000`);
  if (l.sdm !== undefined && (!Array.isArray(l.sdm) || l.sdm.some((s) => typeof s !== 'string'))) errors.push(`${path}.sdm: wants a list of strings`);
  return errors.length ? { ok: false, errors } : { ok: true, lesson: value as unknown as Lesson };
}
