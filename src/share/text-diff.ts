// The program as a difference from the lesson's starting program: keep the first `head` and the
// last `tail` lines of the start and put `middle` between them. One edited region (the usual case
// in a lesson) costs only its own lines; the encoder falls back to the whole text when that is shorter.

/** [head, tail, middle lines]. */
export type LineDiff = readonly [number, number, readonly string[]];

/** The LineDiff that turns `base` into `text`. */
export function lineDiff(base: string, text: string): LineDiff {
  const a = base.split('\n');
  const b = text.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return [head, tail, b.slice(head, b.length - tail)];
}

/** Applies a LineDiff to `base`; undefined when the diff does not fit the base. */
export function applyLineDiff(base: string, d: LineDiff): string | undefined {
  const a = base.split('\n');
  const [head, tail, middle] = d;
  if (head + tail > a.length) return undefined;
  return [...a.slice(0, head), ...middle, ...a.slice(a.length - tail)].join('\n');
}
