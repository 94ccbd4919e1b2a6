// JSON parsing for untrusted text: nesting depth is bounded before parsing (a linear scan), and
// keys that could reach an object's prototype are refused wherever they appear.
import { StateError } from './schema.ts';

/** Deeper nesting than any payload needs (the deepest, a program difference, has 3 levels). */
export const MAX_DEPTH = 16;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses untrusted JSON text; throws StateError with a message on anything refused. */
export function parseUntrustedJson(text: string, what: string): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_DEPTH) throw new StateError(`${what}: nested more than ${MAX_DEPTH} levels deep`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (FORBIDDEN.has(key)) throw new StateError(`${what}: forbidden key "${key}"`);
      return v;
    });
  } catch (e) {
    if (e instanceof StateError) throw e;
    throw new StateError(`${what}: not valid JSON`);
  }
  return value;
}
