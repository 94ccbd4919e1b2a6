// A V8 CPU profile (CDP Profiler.stop) summed by function, for the profiling aids of this folder:
// self time (the function itself) and inclusive time (it and what it called), in milliseconds.

/** `name file:line` of a profile node. */
function nameOf(n) {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
}

/** Self and inclusive milliseconds by function (a function on a stack twice counts once). */
export function timeByFunction(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const total = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    let id = profile.samples[i];
    const leaf = nameOf(byId.get(id));
    self.set(leaf, (self.get(leaf) ?? 0) + ms);
    const seen = new Set();
    while (id !== undefined) {
      const k = nameOf(byId.get(id));
      if (!seen.has(k)) {
        total.set(k, (total.get(k) ?? 0) + ms);
        seen.add(k);
      }
      id = parent.get(id);
    }
  }
  return { self, total };
}

/** The `n` largest entries of a time map, largest first. */
export const largest = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
