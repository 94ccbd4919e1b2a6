// LabState v1: everything a shared link or a state file carries (DESIGN section 7, STYLE rule 17).
// `validate` is the one gate between untrusted data (a URL, a file, local storage) and the lab:
// it checks every field by hand, refuses anything unexpected with a precise message, and returns
// a normalised copy built from fresh objects (never the input), so nothing hostile survives it.
// Numbers that can exceed 2^53 (MSR and register values) travel as "0x" hex strings.

/** Registers a shared state may preset (general registers, RIP, RFLAGS and the control registers). */
export const STATE_REGS = [
  'rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
  'rip', 'rflags', 'cr0', 'cr2', 'cr3', 'cr4', 'cr8',
] as const;
export type StateReg = (typeof STATE_REGS)[number];

/** Editor options kept with a state (all optional). */
export interface EditorOptions {
  /** Font size in CSS pixels, 6..72. */
  readonly fontSize?: number;
  readonly wordWrap?: boolean;
}

/** A whole lab state, normalised: every field present, hex values lowercase without leading zeros. */
export interface LabState {
  /** The lesson the state belongs to and the step (hint) the student reached, or null. */
  readonly lesson: { readonly id: string; readonly step: number } | null;
  /** Program text: tabs and newlines ("\n") are the only control characters. */
  readonly program: string;
  /** Profile id (`vmx-lab profiles`). */
  readonly profile: string;
  /** Edited MSRs: index "0x3a" -> value "0x5" (64-bit). Keys sorted. */
  readonly msrs: Readonly<Record<string, string>>;
  /** Edited registers: name -> 64-bit value as hex. Keys in STATE_REGS order. */
  readonly regs: Readonly<Partial<Record<StateReg, string>>>;
  /** Breakpoint line numbers (1-based), sorted, without duplicates. */
  readonly breakpoints: readonly number[];
  readonly editor: EditorOptions;
}

/** Limits of a state; each is far above any lesson and bounds the work of validating hostile data. */
export const LIMITS = {
  programChars: 262_144,
  msrs: 512,
  breakpoints: 10_000,
  maxLine: 1_000_000,
  maxStep: 10_000,
  idChars: 64,
} as const;

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Thrown inside the validator only; `validate` turns it into `{ ok: false, message }`. */
export class StateError extends Error {}

const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const HEX_RE = /^0[xX][0-9a-fA-F]{1,64}$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A short description of a value for messages ("the number 5", "an array"). */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `a string of ${x.length} characters`;
  if (typeof x === 'number') return `the number ${String(x)}`;
  return typeof x === 'object' ? 'an object' : `a ${typeof x}`;
}

/** A plain JSON object (not an array, not null) whose keys are all harmless; throws StateError otherwise. */
export function plainObject(x: unknown, path: string, allowed?: readonly string[]): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new StateError(`${path}: expected an object, got ${describeValue(x)}`);
  const proto: unknown = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) throw new StateError(`${path}: expected a plain object`);
  for (const k of Object.keys(x)) {
    if (FORBIDDEN_KEYS.has(k)) throw new StateError(`${path}: forbidden key "${k}"`);
    if (allowed && !allowed.includes(k)) throw new StateError(`${path}: unknown field "${k.slice(0, 40)}"`);
  }
  return x as Record<string, unknown>;
}

/** A safe integer in [min, max]; throws StateError otherwise. */
export function int(x: unknown, path: string, min: number, max: number): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw new StateError(`${path}: expected a whole number, got ${describeValue(x)}`);
  if (x < min || x > max) throw new StateError(`${path}: ${x} is outside ${min}..${max}`);
  return x;
}

/** A lesson or profile id: lowercase letters, digits and dashes, at most 64 characters. */
export function id(x: unknown, path: string): string {
  if (typeof x !== 'string') throw new StateError(`${path}: expected an id string, got ${describeValue(x)}`);
  if (!ID_RE.test(x)) throw new StateError(`${path}: "${x.slice(0, 64)}" is not an id (lowercase letters, digits, dashes; at most 64)`);
  return x;
}

/** A "0x" hex string of at most `bits` bits, normalised to lowercase without leading zeros. */
export function hex(x: unknown, path: string, bits: number): string {
  if (typeof x !== 'string') throw new StateError(`${path}: expected a hex string like "0x1f", got ${describeValue(x)}`);
  if (!HEX_RE.test(x)) throw new StateError(`${path}: "${x.slice(0, 40)}" is not a hex string like "0x1f"`);
  const v = BigInt(x);
  if (v >> BigInt(bits) !== 0n) throw new StateError(`${path}: ${x.slice(0, 40)} does not fit in ${bits} bits`);
  return `0x${v.toString(16)}`;
}

// C0 controls except tab and newline, DEL, C1 controls; bidirectional overrides and isolates
// (the "Trojan Source" characters, CVE-2021-42574); unpaired surrogates.
const BAD_CHAR_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Program text: a string of at most LIMITS.programChars without control characters beyond tab and newline. */
export function programText(x: unknown, path: string): string {
  if (typeof x !== 'string') throw new StateError(`${path}: expected text, got ${describeValue(x)}`);
  if (x.length > LIMITS.programChars) throw new StateError(`${path}: ${x.length} characters is more than ${LIMITS.programChars}`);
  const m = BAD_CHAR_RE.exec(x);
  if (m) {
    const line = x.slice(0, m.index).split('\n').length;
    const code = m[0].charCodeAt(0).toString(16).padStart(4, '0');
    const what = m[0] === '\r' ? ' (carriage return: use normaliseNewlines first)' : '';
    throw new StateError(`${path}: line ${line} holds the character U+${code}${what}; only tab and newline are allowed among control characters`);
  }
  return x;
}

/** Turns CRLF and lone CR line ends into "\n" (what the page does before sharing editor text). */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** A profile check: true when the id names a profile this lab has. */
export type ProfileCheck = (id: string) => boolean;

/** MSR index -> value map, normalised and sorted by index; throws StateError. */
export function msrMap(x: unknown, path: string): Record<string, string> {
  const o = plainObject(x, path);
  const keys = Object.keys(o);
  if (keys.length > LIMITS.msrs) throw new StateError(`${path}: ${keys.length} MSRs is more than ${LIMITS.msrs}`);
  const entries: [bigint, string, string][] = [];
  for (const k of keys) {
    const key = hex(k, `${path} key "${k.slice(0, 40)}"`, 32);
    if (entries.some((e) => e[1] === key)) throw new StateError(`${path}: MSR ${key} appears twice`);
    entries.push([BigInt(key), key, hex(o[k], `${path}["${key}"]`, 64)]);
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const out: Record<string, string> = {};
  for (const [, k, v] of entries) out[k] = v;
  return out;
}

/** Register name -> value map over STATE_REGS, normalised; throws StateError. */
export function regMap(x: unknown, path: string): Partial<Record<StateReg, string>> {
  const o = plainObject(x, path, STATE_REGS);
  const out: Partial<Record<StateReg, string>> = {};
  for (const r of STATE_REGS) if (r in o) out[r] = hex(o[r], `${path}.${r}`, 64);
  return out;
}

/** Breakpoint lines, sorted and unique; throws StateError. */
export function breakpointList(x: unknown, path: string): number[] {
  if (!Array.isArray(x)) throw new StateError(`${path}: expected a list of line numbers, got ${describeValue(x)}`);
  if (x.length > LIMITS.breakpoints) throw new StateError(`${path}: ${x.length} breakpoints is more than ${LIMITS.breakpoints}`);
  const lines = x.map((v: unknown, i) => int(v, `${path}[${i}]`, 1, LIMITS.maxLine));
  return [...new Set(lines)].sort((a, b) => a - b);
}

/** Editor options; throws StateError. */
export function editorOptions(x: unknown, path: string): EditorOptions {
  const o = plainObject(x, path, ['fontSize', 'wordWrap']);
  const out: { fontSize?: number; wordWrap?: boolean } = {};
  if (o.fontSize !== undefined) out.fontSize = int(o.fontSize, `${path}.fontSize`, 6, 72);
  if (o.wordWrap !== undefined) {
    if (typeof o.wordWrap !== 'boolean') throw new StateError(`${path}.wordWrap: expected true or false, got ${describeValue(o.wordWrap)}`);
    out.wordWrap = o.wordWrap;
  }
  return out;
}

function checkState(x: unknown, knownProfile: ProfileCheck | undefined): LabState {
  const o = plainObject(x, 'state', ['lesson', 'program', 'profile', 'msrs', 'regs', 'breakpoints', 'editor']);
  let lesson: LabState['lesson'] = null;
  if (o.lesson !== null && o.lesson !== undefined) {
    const l = plainObject(o.lesson, 'state.lesson', ['id', 'step']);
    lesson = { id: id(l.id, 'state.lesson.id'), step: l.step === undefined ? 0 : int(l.step, 'state.lesson.step', 0, LIMITS.maxStep) };
  }
  const profile = id(o.profile, 'state.profile');
  if (knownProfile && !knownProfile(profile)) throw new StateError(`state.profile: "${profile}" is not a profile of this lab`);
  return {
    lesson,
    program: programText(o.program ?? '', 'state.program'),
    profile,
    msrs: msrMap(o.msrs ?? {}, 'state.msrs'),
    regs: regMap(o.regs ?? {}, 'state.regs'),
    breakpoints: breakpointList(o.breakpoints ?? [], 'state.breakpoints'),
    editor: editorOptions(o.editor ?? {}, 'state.editor'),
  };
}

/**
 * Checks an untrusted value as a LabState v1 and returns its normalised copy, or a message naming
 * the first offending field. Never throws. Missing optional fields (msrs, regs, breakpoints, editor,
 * lesson, program) take their empty value; `profile` is required and, when `knownProfile` is given,
 * must name one of the lab's profiles.
 */
export function validate(x: unknown, knownProfile?: ProfileCheck): { ok: true; state: LabState } | { ok: false; message: string } {
  try {
    return { ok: true, state: checkState(x, knownProfile) };
  } catch (e) {
    if (e instanceof StateError) return { ok: false, message: e.message };
    return { ok: false, message: `state: not readable (${e instanceof Error ? e.name : 'error'})` };
  }
}

/** Canonical JSON of a normalised state (fixed key order): equal states give equal text. */
export function canonicalJson(s: LabState): string {
  return JSON.stringify({
    lesson: s.lesson && { id: s.lesson.id, step: s.lesson.step },
    program: s.program,
    profile: s.profile,
    msrs: s.msrs,
    regs: s.regs,
    breakpoints: s.breakpoints,
    editor: { fontSize: s.editor.fontSize, wordWrap: s.editor.wordWrap },
  });
}

/** True when two normalised states are the same. */
export function sameState(a: LabState, b: LabState): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
