// The starting LabState of a lesson, the base that links into it are a difference from.
// Typed structurally on the lesson format (src/lessons/format.ts: id, start, machine, profiles)
// so it works with any lesson object of that shape.
import { validate } from './schema.ts';
import type { LabState } from './schema.ts';

type Num = bigint | number | string;

/** The parts of a lesson a starting state is made from. */
export interface LessonStartSource {
  readonly id: string;
  readonly start: string;
  readonly machine: {
    readonly profile?: string;
    readonly msrs?: Readonly<Record<string, Num>>;
    readonly regs?: Readonly<Record<string, Num | undefined>>;
  };
  readonly profiles: readonly string[];
}

const toHex = (n: Num): string => {
  const t = typeof n === 'string' ? n.trim().replace(/_/g, '') : n;
  const v = typeof t === 'bigint' ? t : BigInt(t);
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
};

/**
 * The state a lesson opens in: its starting program on its profile (machine.profile, else the first
 * of `profiles`, else `fallbackProfile`), step 0, with the MSRs and registers its machine presets.
 * Throws RangeError when the lesson's own data is not a valid state.
 */
export function lessonStartState(lesson: LessonStartSource, fallbackProfile: string): LabState {
  const msrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(lesson.machine.msrs ?? {})) msrs[toHex(k)] = toHex(v);
  const regs: Record<string, string> = {};
  for (const [k, v] of Object.entries(lesson.machine.regs ?? {})) if (v !== undefined) regs[k] = toHex(v);
  const v = validate({
    lesson: { id: lesson.id, step: 0 },
    program: lesson.start.replace(/\r\n?/g, '\n'),
    profile: lesson.machine.profile ?? lesson.profiles[0] ?? fallbackProfile,
    msrs,
    regs,
  });
  if (!v.ok) throw new RangeError(`lesson ${lesson.id}: ${v.message}`);
  return v.state;
}
