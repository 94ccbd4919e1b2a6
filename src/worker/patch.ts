// Snapshot patches (decision 0078): after the first full snapshot, the worker sends only what
// changed since the snapshot it sent last, and the page rebuilds the whole snapshot from its
// previous one. Unchanged subtrees of the rebuilt snapshot ARE the previous objects, so the
// structured clone carries a few hundred bytes instead of ~110 KB, and narrow selectors see the
// same references for the panels whose data did not change.
//
// Plain data only (objects, arrays, strings, numbers, booleans, null, undefined): what a
// LabSnapshot holds. Typed arrays and other objects are compared by identity and sent whole.

/** One node of a patch: replace the value, or patch an object's keys / an array's items. */
export type PatchNode =
  | { readonly v: unknown }
  | { readonly o: Readonly<Record<string, PatchNode>>; readonly d?: readonly string[] }
  | { readonly a: number; readonly i: Readonly<Record<number, PatchNode>> };

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype;

/**
 * The patch that turns `prev` into `next`, or undefined when they are deep-equal. Identical
 * references are equal without a walk, so a producer that reuses unchanged view objects pays
 * nothing for them.
 */
export function diff(prev: unknown, next: unknown): PatchNode | undefined {
  if (prev === next) return undefined;
  if (Array.isArray(prev) && Array.isArray(next)) {
    const i: Record<number, PatchNode> = {};
    let changed = prev.length !== next.length;
    for (let k = 0; k < next.length; k++) {
      const n = k < prev.length ? diff(prev[k], next[k]) : { v: next[k] };
      if (n) {
        i[k] = n;
        changed = true;
      }
    }
    return changed ? { a: next.length, i } : undefined;
  }
  if (isPlainObject(prev) && isPlainObject(next)) {
    const o: Record<string, PatchNode> = {};
    let changed = false;
    for (const k in next) {
      const n = k in prev ? diff(prev[k], next[k]) : { v: next[k] };
      if (n) {
        o[k] = n;
        changed = true;
      }
    }
    let d: string[] | undefined;
    for (const k in prev) if (!(k in next)) (d ??= []).push(k);
    if (d) return { o, d };
    return changed ? { o } : undefined;
  }
  // Different kinds, primitives, or non-plain objects: equal only when the same value.
  if (typeof prev === 'number' && typeof next === 'number' && Number.isNaN(prev) && Number.isNaN(next)) return undefined;
  return { v: next };
}

/** Applies a patch made by `diff(prev, next)` to `prev`: returns `next`, sharing every unchanged subtree of `prev`. */
export function applyPatch<T>(prev: unknown, patch: PatchNode | undefined): T {
  if (!patch) return prev as T;
  if ('v' in patch) return patch.v as T;
  if ('a' in patch) {
    const base = Array.isArray(prev) ? prev : [];
    const out = base.slice(0, patch.a);
    for (const [k, n] of Object.entries(patch.i)) out[Number(k)] = applyPatch(base[Number(k)], n);
    return out as T;
  }
  const out: Record<string, unknown> = { ...(isPlainObject(prev) ? prev : {}) };
  for (const [k, n] of Object.entries(patch.o)) out[k] = applyPatch(out[k], n);
  for (const k of patch.d ?? []) delete out[k];
  return out as T;
}
