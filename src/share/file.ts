// A lab state as a file, for states too large for a link: UTF-8 JSON
// `{ "format": "vmx-lab-state", "version": N, "state": <payload of format N, written whole> }`.
// It is read through the same migrations and checks as a link.
import { findProfile } from '../arch/profiles/index.ts';
import { parseUntrustedJson } from './json.ts';
import { CURRENT_VERSION, migrate } from './migrations.ts';
import { readPayload, toPayload } from './payload.ts';
import type { Lesson } from '../lessons/format.ts';
import type { LessonLookup } from './payload.ts';
import { plainObject, StateError, validate } from './schema.ts';
import type { LabState } from './schema.ts';
import { decoded } from './url.ts';
import type { DecodeOptions, DecodeResult } from './url.ts';

/** Largest state file read (bytes). */
export const MAX_FILE_BYTES = 2_097_152;
export const FILE_FORMAT = 'vmx-lab-state';

/**
 * The file text of a state (self-contained: not a difference from a built-in lesson; with `lesson`,
 * an instructor's lesson the lab need not have, the file carries it as a link does). Throws
 * RangeError on an invalid state.
 */
export function stateToFile(state: LabState, lesson?: Lesson): string {
  const v = validate(state);
  if (!v.ok) throw new RangeError(v.message);
  return `${JSON.stringify({ format: FILE_FORMAT, version: CURRENT_VERSION, state: toPayload(v.state, undefined, lesson) }, null, 1)}\n`;
}

/** Reads a state file (text or bytes). Never throws. */
export function stateFromFile(data: string | Uint8Array, lessonLookup: LessonLookup, options: DecodeOptions = {}): DecodeResult {
  try {
    const size = typeof data === 'string' ? data.length : data.length;
    if (size > MAX_FILE_BYTES) return { ok: false, message: `the file is ${size} bytes, more than ${MAX_FILE_BYTES}: refused` };
    let text: string;
    if (typeof data === 'string') text = data;
    else {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(data);
      } catch {
        return { ok: false, message: 'the file is not UTF-8 text' };
      }
    }
    const o = plainObject(parseUntrustedJson(text, 'file'), 'file', ['format', 'version', 'state']);
    if (o.format !== FILE_FORMAT) return { ok: false, message: `the file is not a VMX Lab state (format "${String(o.format).slice(0, 40)}")` };
    if (typeof o.version !== 'number' || !Number.isSafeInteger(o.version) || o.version < 0) return { ok: false, message: 'file.version: expected a format number' };
    return decoded(readPayload(migrate(o.state, o.version), lessonLookup, options.knownProfile ?? ((id) => findProfile(id) !== undefined)), o.version);
  } catch (e) {
    if (e instanceof StateError) return { ok: false, message: e.message };
    return { ok: false, message: `the file could not be read (${e instanceof Error ? e.name : 'error'})` };
  }
}
