// A short fingerprint of a lesson's starting state, stored in links that are a difference from it:
// a link made against one version of a lesson's start never silently opens against another.

/** FNV-1a, 32 bits, over the UTF-16 code units of `text`, as 8 hex digits. */
export function fnv1a32(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
