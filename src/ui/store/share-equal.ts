// Structural sharing for snapshots: the parts of a new snapshot equal to the previous one are
// replaced by the previous objects, so narrow selectors return the same reference and React
// skips the panels whose data did not change.

/** Returns `next` with every subtree deep-equal to the matching subtree of `prev` replaced by it. */
export function shareEqual<T>(prev: unknown, next: T): T {
  if (prev === next) return next;
  if (typeof prev !== 'object' || typeof next !== 'object' || prev === null || next === null) return next;
  if (ArrayBuffer.isView(prev) || ArrayBuffer.isView(next)) return next;
  if (Array.isArray(prev) !== Array.isArray(next)) return next;
  if (Array.isArray(next)) {
    const p = prev as unknown[];
    let same = p.length === next.length;
    let fresh = true;
    const out = next.map((v, i) => {
      const s = shareEqual(p[i], v);
      if (s !== p[i]) same = false;
      if (s !== v) fresh = false;
      return s;
    });
    return (same ? prev : fresh ? next : out) as T;
  }
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  const keys = Object.keys(n);
  let same = keys.length === Object.keys(p).length;
  let fresh = true;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const s = shareEqual(p[k], n[k]);
    if (s !== p[k]) same = false;
    if (s !== n[k]) fresh = false;
    out[k] = s;
  }
  // Nothing taken from `prev`: `next` itself (snapshots rebuilt from patches keep their identity).
  return (same ? prev : fresh ? next : out) as T;
}
