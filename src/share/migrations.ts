// The migration chain of shared payloads (STYLE rule 17): a payload of format N is lifted to N+1
// by MIGRATIONS[N], step by step, until it has the current format; only then is it read.
// A format change adds one entry here, a fixture of the old format in testdata/, and never
// edits an earlier entry: links already handed out keep opening.
import { plainObject, programText, StateError } from './schema.ts';

/** The format `encodeState` writes. */
export const CURRENT_VERSION = 1;

export interface Migration {
  /** The format this step reads; it writes `from + 1`. */
  readonly from: number;
  readonly what: string;
  readonly up: (payload: unknown) => unknown;
}

/**
 * Format 0: the program-only payload of the first prototype, `{ "code": text, "cpu"?: profile id }`,
 * always read on Core 2 when `cpu` was not given (the prototype's only profile).
 */
function v0ToV1(x: unknown): unknown {
  const o = plainObject(x, 'link (format 0)', ['code', 'cpu']);
  const out: Record<string, unknown> = { p: programText(o.code, 'link.code (format 0 program)'), f: o.cpu ?? 'core2-conroe' };
  return out;
}

export const MIGRATIONS: readonly Migration[] = [
  { from: 0, what: 'program-only payload -> LabState difference', up: v0ToV1 },
];

/** Lifts a payload of format `version` to CURRENT_VERSION; throws StateError for unknown formats. */
export function migrate(payload: unknown, version: number): unknown {
  if (version > CURRENT_VERSION) {
    throw new StateError(`this link was made by a newer VMX Lab (format ${version}); this lab reads formats 0..${CURRENT_VERSION}`);
  }
  let p = payload;
  for (let v = version; v < CURRENT_VERSION; v++) {
    const m = MIGRATIONS.find((x) => x.from === v);
    if (!m) throw new StateError(`no migration from format ${v}`);
    p = m.up(p);
  }
  return p;
}
