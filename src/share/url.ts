// Lab states in URL fragments: `#s=<version>.<base64url(raw DEFLATE(UTF-8 JSON payload))>`.
// The fragment never reaches a server. Decoding refuses, with a message and without throwing,
// anything that is not a valid state: see docs/url-state.md for the format and its limits.
import { findProfile } from '../arch/profiles/index.ts';
import { deflate, fromBase64Url, inflateCapped, toBase64Url } from './codec.ts';
import { parseUntrustedJson } from './json.ts';
import { CURRENT_VERSION, migrate } from './migrations.ts';
import { readPayload, toPayload } from './payload.ts';
import type { Lesson } from '../lessons/format.ts';
import type { LessonLookup } from './payload.ts';
import { StateError, validate } from './schema.ts';
import type { LabState, ProfileCheck } from './schema.ts';

/** Longest fragment read at all (characters); longer ones are refused before any decoding. */
export const MAX_FRAGMENT_CHARS = 65_536;
/** Most bytes a payload may inflate to; inflation stops as soon as it passes this. */
export const MAX_INFLATED_BYTES = 1_048_576;
/**
 * Longest fragment `fitsInUrl` accepts: with the page's address it keeps the whole URL under
 * 8 KiB, which mail clients, chat tools and servers' logs pass intact in practice.
 */
export const URL_FRAGMENT_LIMIT = 7_680;

export type DecodeResult =
  | {
    readonly ok: true;
    readonly state: LabState;
    readonly migratedFrom?: number;
    /** The lesson the link carries (format 2 `L`, validated; its solution is its start), when it carries one. */
    readonly lesson?: Lesson;
  }
  | { readonly ok: false; readonly message: string };

export interface DecodeOptions {
  /** Which profile ids exist (default: the lab's profile registry). */
  readonly knownProfile?: ProfileCheck;
}

const defaultProfileCheck: ProfileCheck = (id) => findProfile(id) !== undefined;
const encoder = new TextEncoder();

/** The payload text of a state: `<version>.<base64url>`. */
export function encodePayloadText(payload: unknown, version: number = CURRENT_VERSION): string {
  return `${version}.${toBase64Url(deflate(encoder.encode(JSON.stringify(payload))))}`;
}

/**
 * The URL fragment (`#s=...`) of a lab state. With `base` (the starting state of the state's
 * lesson) only what differs from the start is stored. With `lesson` (the state's lesson when the
 * lab does not have it built in: an instructor's) the link carries that lesson, without its
 * solution, and stores the difference from its start. Throws a RangeError when `state` is not a
 * valid LabState (the page validates what it shares) or `lesson` is not its lesson or too large.
 */
export function encodeState(state: LabState, base?: LabState, lesson?: Lesson): string {
  const v = validate(state);
  if (!v.ok) throw new RangeError(v.message);
  const b = base === undefined ? undefined : validate(base);
  if (b && !b.ok) throw new RangeError(`base: ${b.message}`);
  return `#s=${encodePayloadText(toPayload(v.state, b?.state, lesson))}`;
}

/** Reads `<version>.<base64url>` payload text into its (unvalidated, migrated) payload. */
export function readPayloadText(text: string): { payload: unknown; version: number } {
  const m = /^([0-9]{1,4})\.(.*)$/s.exec(text);
  if (!m) throw new StateError(`the link data does not start with a format number ("${CURRENT_VERSION}.")`);
  const version = Number(m[1]);
  if (version > CURRENT_VERSION) migrate(null, version);
  const bytes = fromBase64Url(m[2]!);
  if (typeof bytes === 'string') throw new StateError(bytes);
  const raw = inflateCapped(bytes, MAX_INFLATED_BYTES);
  if (typeof raw === 'string') throw new StateError(raw);
  let text8: string;
  try {
    text8 = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new StateError('the link data is not UTF-8 text');
  }
  return { payload: parseUntrustedJson(text8, 'link'), version };
}

/** The answer for a payload read from format `version`. */
export function decoded(read: { readonly state: LabState; readonly lesson?: Lesson }, version: number): DecodeResult {
  return {
    ok: true,
    state: read.state,
    ...(version < CURRENT_VERSION ? { migratedFrom: version } : {}),
    ...(read.lesson ? { lesson: read.lesson } : {}),
  };
}

function fail(e: unknown): { ok: false; message: string } {
  if (e instanceof StateError) return { ok: false, message: e.message };
  return { ok: false, message: `the link could not be read (${e instanceof Error ? e.name : 'error'})` };
}

/**
 * Reads a fragment (`#s=...`, `s=...` or the bare payload) into a validated LabState, migrating
 * older formats. Never throws: every refusal is `{ ok: false, message }`.
 */
export function decodeState(fragment: string, lessonLookup: LessonLookup, options: DecodeOptions = {}): DecodeResult {
  try {
    if (typeof fragment !== 'string') return { ok: false, message: 'the link data is not text' };
    if (fragment.length > MAX_FRAGMENT_CHARS) {
      return { ok: false, message: `the link data is ${fragment.length} characters, more than ${MAX_FRAGMENT_CHARS}: refused` };
    }
    let text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
    if (text.startsWith('s=')) text = text.slice(2);
    const { payload, version } = readPayloadText(text);
    const read = readPayload(migrate(payload, version), lessonLookup, options.knownProfile ?? defaultProfileCheck);
    return decoded(read, version);
  } catch (e) {
    return fail(e);
  }
}

/** True when a location hash carries a shared state (`#s=...`): the page decodes only those. */
export function isStateFragment(hash: string): boolean {
  return hash.startsWith('#s=');
}

/** True when a fragment is short enough to share as a link; otherwise offer `stateToFile`. */
export function fitsInUrl(fragment: string): boolean {
  return fragment.length <= URL_FRAGMENT_LIMIT;
}
