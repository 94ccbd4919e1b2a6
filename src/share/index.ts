// Shared lab state: links (`#s=`) and state files. The page imports from here only.
export type { EditorOptions, LabState, ProfileCheck, StateReg } from './schema.ts';
export { LIMITS, normaliseNewlines, sameState, canonicalJson, STATE_REGS, validate } from './schema.ts';
export type { LessonLookup } from './payload.ts';
export { currentStart } from './payload.ts';
export type { DecodeOptions, DecodeResult } from './url.ts';
export { decodeState, encodeState, fitsInUrl, isStateFragment, MAX_FRAGMENT_CHARS, MAX_INFLATED_BYTES, URL_FRAGMENT_LIMIT } from './url.ts';
export { MAX_FILE_BYTES, stateFromFile, stateToFile } from './file.ts';
export { CURRENT_VERSION } from './migrations.ts';
export { lessonStartState } from './lesson-start.ts';
export type { LessonStartSource } from './lesson-start.ts';
