// The typed API the lab's Web Worker exposes over comlink. It mirrors the Machine facade and
// returns plain data only (STYLE rule 14): the UI holds snapshots, never core objects. Numbers
// that can exceed 2^53 travel as hex strings; parsing them is the worker's job (`parseValue`).

import { LabSession, parseValue } from './session.ts';
import { vocabulary, type Vocabulary } from './vocabulary.ts';
import { latestEptWalk, walkView } from './walk-view.ts';
import { checkCatalog } from './verdicts.ts';
import { vmcsCatalog } from './vmcs-view.ts';
import { addLesson, checkLessonGoals, decodeShared, decodeSharedFile, encodeShared, lessonList, lessonView, type AddLessonResult } from './lessons.ts';
import { builtInLesson, lessonToFile, lessonToLink, readLessonFile, readLessonLink, tryAuthoredGoals, validateAuthoredLesson, type AuthoredLessonResult, type TryGoalsResult } from './authoring.ts';
import type { LatestEptWalkView, SteppedWatching, WalkRequest, WalkView, WatchRequest } from './types.ts';
import type { EncodedStateView, LessonCheckView, LessonSummaryView, LessonView, SharedStateResult, SharedStateView } from './types.ts';
import type { EditOutcome, LabCatalog, LabSettings, LabSnapshot, LoadOutcome, ProfileInfo, RunOutcome } from './types.ts';

export type * from './types.ts';
export type { Vocabulary } from './vocabulary.ts';
export type { AuthoredLessonResult, TryGoalsResult } from './authoring.ts';
export type { AddLessonResult } from './lessons.ts';

/** Version of the worker protocol, bumped on any incompatible change. */
export const WORKER_API_VERSION = 1;

/** What the worker answers. Every method is async across the worker boundary. */
export interface LabApi {
  version(): number;
  profiles(): ProfileInfo[];
  /** Static labels of VMCS fields and VM-entry checks (fetched once). */
  catalog(): LabCatalog;
  /** Mnemonics and predefined symbols, for the editor. */
  vocabulary(): Vocabulary;
  /** Assembles the program and boots a fresh machine (diagnostics when it does not assemble). */
  load(source: string, settings: LabSettings): LoadOutcome;
  snapshot(): LabSnapshot;
  step(n?: number): LabSnapshot;
  stepBack(n?: number): { ok: boolean; snapshot: LabSnapshot };
  /**
   * `n` steps forward (or back, with `back`), then what the Memory panel watches read from the
   * machine as it is after them: one round trip for a Step of the page instead of three.
   */
  stepWatching(n: number, back: boolean, watch: WatchRequest): SteppedWatching;
  /** Returns to the state after step `step` (a click in the timeline). */
  jumpTo(step: number): { ok: boolean; snapshot: LabSnapshot };
  /** Runs in slices until halt, fault, breakpoint or `stop()`. */
  run(): Promise<RunOutcome>;
  stop(): void;
  reset(): LabSnapshot;
  setBreakpoints(lines: readonly number[]): LabSnapshot;
  /** MOV to CR0/CR4 (or WRMSR to EFER) with one bit flipped. */
  setCrBit(reg: 'CR0' | 'CR4' | 'EFER', bit: number, value: boolean): EditOutcome;
  /** WRMSR for a writable MSR; for a capability MSR, the profile's value (hex string). */
  editMsr(index: number, value: string): EditOutcome;
  /** VMWRITE to a field by its Linux name (hex or decimal string). */
  vmwrite(field: string, value: string): EditOutcome;
  /** `mov reg, imm64` for a general register; RIP moves directly (a jump in place). */
  setRegister(name: string, value: string): EditOutcome;
  readMemory(phys: number, length: number): Uint8Array;
  /** Writes bytes (hex pairs, e.g. "90 90 f4") at a physical address, as `mov byte [rax+i], imm8`. */
  writeMemory(phys: number, bytes: string): EditOutcome;
  /** Raises IRQ `line` (0-15) at the 8259A pair, or an NMI, before the next step (devices-view.ts shows the result). */
  raiseInterrupt(line: number | 'nmi'): EditOutcome;
  /**
   * A paging walk of a linear address (then EPT when the guest uses it), or an EPT walk of a
   * guest-physical address, computed from memory without side effects (no A/D flag is written).
   */
  walk(request: WalkRequest): WalkView;
  /** The EPT walk recorded with the latest EPT violation or misconfiguration VM exit, if any. */
  latestEptWalk(): LatestEptWalkView | undefined;
  /** Every lesson and challenge, in course order. */
  lessons(): LessonSummaryView[];
  /** One lesson for the Lesson panel; undefined for an id the lab does not have. */
  lesson(id: string): LessonView | undefined;
  /** Runs `source` from a fresh lesson machine and judges every goal (checkLesson of src/lessons). */
  checkLesson(id: string, source: string, profile: string): LessonCheckView | undefined;
  /** Validates a lesson from outside the curriculum (an instructor's) and registers it; `id` (`authored:<id>`) opens it like a built-in lesson. */
  addLesson(lesson: unknown): AddLessonResult;
  /** Reads a `#s=` fragment with src/share (a refusal carries its message; never throws). */
  decodeState(fragment: string): SharedStateResult;
  /** Reads a state file's text with src/share. */
  decodeStateFile(text: string): SharedStateResult;
  /** Encodes a state as a link (difference from its lesson's start) and as a file. */
  encodeState(state: SharedStateView): EncodedStateView;
  /** Authoring: validates a lesson written in the page (validateLesson; every error by its path). */
  validateAuthoredLesson(lesson: unknown): AuthoredLessonResult;
  /** Authoring, "Try goals": checkLesson on the lesson's starting program and on its solution. */
  tryAuthoredGoals(lesson: unknown, profile?: string): TryGoalsResult;
  /** Authoring: the lesson file's text (`{ format: "vmx-lab-lesson", version: 1, lesson }`), or the validation errors. */
  lessonToFile(lesson: unknown): { ok: true; text: string } | { ok: false; errors: readonly string[] };
  /** Authoring: reads an untrusted lesson file (size, depth and key limits, then validateLesson). */
  readLessonFile(text: string): AuthoredLessonResult;
  /** Authoring: a built-in lesson whole (solution included) as plain JSON data, to edit a copy; undefined for an unknown id. */
  builtInLesson(id: string): unknown;
  /** Authoring: the lesson as a `#lesson=` link fragment (src/share has no slot for a whole lesson). */
  lessonToLink(lesson: unknown): { ok: true; fragment: string } | { ok: false; errors: readonly string[] };
  /** Authoring: reads an untrusted `#lesson=` fragment (length, inflation and JSON limits, then validateLesson). */
  readLessonLink(fragment: string): AuthoredLessonResult;
  /** Test hook: makes the worker fail as a crash would (the worker entry throws outside any call). */
  crash(): void;
  /** Test hook: makes the worker stop answering (an endless loop), as a hung or killed worker would. */
  hang(): void;
}

function bad(session: LabSession, text: string): EditOutcome {
  return { ok: false, message: `not a number: '${text}' (use 0x1f, 1fh or 31)`, snapshot: session.snapshot() };
}

/** Builds the API over a fresh session (the worker exposes it; tests call it over a MessageChannel). */
export function createLabApi(
  session = new LabSession(),
  crash: () => void = () => { throw new Error('crash requested'); },
  hang: () => void = () => { throw new Error('hang requested'); },
): LabApi {
  return {
    version: () => WORKER_API_VERSION,
    profiles: () => session.profiles(),
    vocabulary,
    catalog: () => ({ vmcsFields: vmcsCatalog(), checks: checkCatalog() }),
    load: (source, settings) => session.load(source, settings),
    snapshot: () => session.snapshot(),
    step: (n) => session.step(n),
    stepBack: (n) => session.stepBack(n),
    stepWatching(n, back, watch) {
      const r = back ? session.stepBack(n) : { ok: true, snapshot: session.step(n) };
      const out: { -readonly [K in keyof SteppedWatching]: SteppedWatching[K] } = { ok: r.ok, snapshot: r.snapshot };
      // A read that fails leaves its key out: the Step's answer is never lost to it.
      if (watch.memory) {
        try {
          out.memory = session.readMemory(watch.memory.phys, watch.memory.length);
        } catch { /* not readable: left out */ }
      }
      if (watch.latestEpt) {
        try {
          const { machine, model } = session.inspect();
          out.latestEpt = { view: latestEptWalk(machine, model) };
        } catch { /* left out */ }
      }
      return out;
    },
    jumpTo: (step) => session.jumpTo(step),
    run: () => session.run(),
    stop: () => session.stop(),
    reset: () => session.reset(),
    setBreakpoints: (lines) => session.setBreakpoints(lines),
    setCrBit: (reg, bit, value) => session.setCrBit(reg, bit, value),
    editMsr(index, text) {
      const v = parseValue(text);
      return v === undefined ? bad(session, text) : session.setCapabilityMsr(index, v);
    },
    vmwrite(field, text) {
      const v = parseValue(text);
      return v === undefined ? bad(session, text) : session.vmwrite(field, v);
    },
    setRegister(name, text) {
      const v = parseValue(text);
      return v === undefined ? bad(session, text) : session.setRegister(name, v);
    },
    readMemory: (phys, length) => session.readMemory(phys, length),
    writeMemory(phys, text) {
      const parts = text.trim().split(/[\s,]+/).filter(Boolean);
      if (parts.length === 0 || !parts.every((p) => /^(0x)?[0-9a-f]{1,2}$/i.test(p))) {
        return { ok: false, message: `write bytes as hex pairs, e.g. "90 90 f4" (got '${text}')`, snapshot: session.snapshot() };
      }
      return session.writeMemory(phys, parts.map((p) => Number.parseInt(p.replace(/^0x/i, ''), 16)));
    },
    raiseInterrupt: (line) => session.raiseInterrupt(line),
    walk(request) {
      const { machine, model } = session.inspect();
      return walkView(machine, model, request);
    },
    latestEptWalk() {
      const { machine, model } = session.inspect();
      return latestEptWalk(machine, model);
    },
    lessons: () => lessonList(),
    lesson: (id) => lessonView(id),
    checkLesson: (id, source, profile) => checkLessonGoals(id, source, profile),
    addLesson: (lesson) => addLesson(lesson),
    decodeState: (fragment) => decodeShared(fragment),
    decodeStateFile: (text) => decodeSharedFile(text),
    encodeState: (state) => encodeShared(state),
    validateAuthoredLesson: (lesson) => validateAuthoredLesson(lesson),
    tryAuthoredGoals: (lesson, profile) => tryAuthoredGoals(lesson, profile),
    lessonToFile: (lesson) => lessonToFile(lesson),
    readLessonFile: (text) => readLessonFile(text),
    lessonToLink: (lesson) => lessonToLink(lesson),
    builtInLesson: (id) => builtInLesson(id),
    readLessonLink: (fragment) => readLessonLink(fragment),
    crash,
    hang,
  };
}
