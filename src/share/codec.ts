// Bytes <-> URL text: strict base64url (RFC 4648 §5, no padding) and raw DEFLATE (RFC 1951,
// via fflate) whose inflation is capped while it runs, so a decompression bomb costs at most
// the cap plus one chunk's worth of output before it is refused.
import { deflateSync, Inflate } from 'fflate';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Strict base64url decoding: only the 64 URL-safe characters, no padding, no whitespace.
 * Returns a message instead of bytes for anything else.
 */
export function fromBase64Url(text: string): Uint8Array | string {
  if (text.length % 4 === 1) return `the data has a length (${text.length}) no base64url text can have: it was cut short`;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c]! : -1;
    if (v < 0) return `character ${i + 1} of the data ("${String.fromCharCode(c)}") is not base64url (A-Z a-z 0-9 - _)`;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** Raw DEFLATE at the strongest level (links are made rarely and read often). */
export function deflate(bytes: Uint8Array): Uint8Array {
  return deflateSync(bytes, { level: 9 });
}

/** Compressed input is fed in chunks this small: one chunk inflates to at most ~1032 times its size. */
export const INFLATE_CHUNK = 256;

/** What an inflation did: compressed bytes fed in, bytes produced (also those past the cap). */
export interface InflateWork {
  consumed: number;
  produced: number;
}

/**
 * Inflates raw DEFLATE data, refusing (with a message) output longer than `maxBytes` as soon as
 * inflation passes it, and data that ends before the DEFLATE stream does. `work`, when given, is
 * filled with how much was consumed and produced (tests bound it).
 */
export function inflateCapped(data: Uint8Array, maxBytes: number, work: InflateWork = { consumed: 0, produced: 0 }): Uint8Array | string {
  const parts: Uint8Array[] = [];
  let total = 0;
  let over = false;
  let ended = false;
  const inf = new Inflate((chunk, final) => {
    total += chunk.length;
    work.produced = total;
    if (total > maxBytes) over = true;
    else parts.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let i = 0; i < data.length && !over; i += INFLATE_CHUNK) {
      const end = Math.min(i + INFLATE_CHUNK, data.length);
      work.consumed = end;
      inf.push(data.subarray(i, end), end === data.length);
    }
    if (data.length === 0) return 'there is no compressed data';
  } catch (e) {
    const what = e instanceof Error ? e.message : 'invalid data';
    return /EOF|end/i.test(what) ? 'the compressed data is cut short (truncated link?)' : `the compressed data is damaged (${what})`;
  }
  if (over) return `the data inflates to more than ${maxBytes} bytes: refused`;
  if (!ended) return 'the compressed data is cut short (truncated link?)';
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
