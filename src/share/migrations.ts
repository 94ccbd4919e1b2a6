// The migration chain of shared payloads (STYLE rule 17): a payload of format N is lifted to N+1
// by MIGRATIONS[N], step by step, until it has the current format; only then is it read.
// A format change adds one entry here, a fixture of the old format in testdata/, and never
// edits an earlier entry: links already handed out keep opening.
import { KEYS_V1 } from './payload.ts';
import { plainObject, programText, StateError } from './schema.ts';

/** The format `encodeState` writes. */
export const CURRENT_VERSION = 2;

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

/**
 * Format 1 -> 2: format 2 only adds the carried lesson `L`, so a format-1 payload is a format-2
 * payload as it stands. Format 1 had no `L`: a format-1 payload that holds one is refused here,
 * not read with rules it was never written under.
 */
function v1ToV2(x: unknown): unknown {
  return plainObject(x, 'link (format 1)', KEYS_V1);
}

export const MIGRATIONS: readonly Migration[] = [
  { from: 0, what: 'program-only payload -> LabState difference', up: v0ToV1 },
  { from: 1, what: 'format 2 adds a carried lesson (L); nothing else changes', up: v1ToV2 },
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
