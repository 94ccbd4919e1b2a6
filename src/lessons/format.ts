// The lesson format (docs/lessons.md): what a lesson or broken-machine challenge holds, and the
// goal language: declarative assertions over the machine's events and final state, evaluated
// the same way by the page (worker), the CLI (`vmx-lab lesson check`) and Playwright.
// Everything here is plain data (numbers may be given as bigint, number or a "0x..." string), so
// a lesson can travel as JSON in a file or a URL.

import type { StopReason } from '../machine/events.ts';
import type { VmxMode } from '../machine/vmx-plug.ts';

/** A number as a lesson writes it: a bigint, a safe integer, or a decimal / "0x" hex string. */
export type LessonNumber = bigint | number | string;

/** VMX instruction outcomes (SDM Vol. 3C §31.2 "Conventions"). */
export type VmxResultName = 'VMsucceed' | 'VMfailInvalid' | 'VMfailValid';

/** General registers a `reg` goal may name, plus RIP and RFLAGS. */
export const GOAL_REGS = [
  'rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags',
] as const;
export type GoalReg = (typeof GOAL_REGS)[number];

/** Control registers a `cr` goal may name. */
export const GOAL_CRS = ['cr0', 'cr3', 'cr4'] as const;
export type GoalCr = (typeof GOAL_CRS)[number];

interface GoalBase {
  /** What the goal asks, in plain words, as the student sees it ("VMXON succeeds"). */
  readonly label: string;
}

/** Event goals match events of the run; `absent: true` turns "some event matches" into "no event matches". */
interface EventGoalBase extends GoalBase {
  readonly absent?: boolean;
}

/** A VMX instruction in VMX root operation had this outcome. */
export interface VmxGoal extends EventGoalBase {
  readonly kind: 'vmx';
  /** The instruction's mnemonic ("vmxon", "vmlaunch"). */
  readonly mnemonic?: string;
  /** A piece of the instruction's disassembly ("vmxon", "vmwrite rax"), matched case-insensitively. */
  readonly text?: string;
  readonly result?: VmxResultName;
  /** VM-instruction error number (with result VMfailValid). */
  readonly error?: number;
}

/** A VM exit, or (entryFailure) a VM-entry failure on guest state or MSR loading. */
export interface VmExitGoal extends EventGoalBase {
  readonly kind: 'vmexit';
  /** Basic exit reason (bits 15:0 of the exit-reason field). */
  readonly reason?: number;
  readonly entryFailure?: boolean;
  /** Id of the VM-entry check that decided an entry failure. */
  readonly check?: string;
  /** At least this many matching exits (default 1). */
  readonly count?: number;
}

/** An exception in the host that stopped the machine. */
export interface FaultGoal extends EventGoalBase {
  readonly kind: 'fault';
  readonly vector?: number;
  /** Mnemonic of the faulting instruction. */
  readonly mnemonic?: string;
}

/** A register's final value (optionally only the bits of `mask`). */
export interface RegGoal extends GoalBase {
  readonly kind: 'reg';
  readonly reg: GoalReg;
  readonly equals: LessonNumber;
  readonly mask?: LessonNumber;
}

/** Bits of a control register at the end: `set` all 1, `clear` all 0. */
export interface CrGoal extends GoalBase {
  readonly kind: 'cr';
  readonly cr: GoalCr;
  readonly set?: LessonNumber;
  readonly clear?: LessonNumber;
}

/** An MSR's final value (writable MSRs and the profile's read-only ones), optionally masked. */
export interface MsrGoal extends GoalBase {
  readonly kind: 'msr';
  readonly msr: LessonNumber;
  readonly equals: LessonNumber;
  readonly mask?: LessonNumber;
}

/** A field of the current VMCS at the end (by its vmx.h name), optionally masked. */
export interface VmcsGoal extends GoalBase {
  readonly kind: 'vmcs';
  readonly field: string;
  readonly equals: LessonNumber;
  readonly mask?: LessonNumber;
}

/** How the run ended: the stop reason and/or the VMX mode at the end. */
export interface StopGoal extends GoalBase {
  readonly kind: 'stop';
  readonly stop?: StopReason;
  readonly mode?: VmxMode;
}

/**
 * After a VM exit (of `reason`, if given) the host resumed the guest at the exit's guest RIP plus
 * VM_EXIT_INSTRUCTION_LEN: it skipped the instruction that caused the exit
 * (SDM Vol. 3C §28.2.5 "Information for VM Exits Due to Instruction Execution").
 */
export interface ResumeGoal extends GoalBase {
  readonly kind: 'resume-advanced';
  readonly reason?: number;
}

export type Goal = VmxGoal | VmExitGoal | FaultGoal | RegGoal | CrGoal | MsrGoal | VmcsGoal | StopGoal | ResumeGoal;
export type GoalKind = Goal['kind'];
export const GOAL_KINDS: readonly GoalKind[] = ['vmx', 'vmexit', 'fault', 'reg', 'cr', 'msr', 'vmcs', 'stop', 'resume-advanced'];

/** The machine a lesson starts on (DESIGN section 5, changed as the lesson says). */
export interface LessonMachine {
  /** Profile id (`vmx-lab profiles`); default: the registry's default profile. */
  readonly profile?: string;
  /** MSR values as firmware left them (index -> value), e.g. { "0x3a": "0" }: feature control unlocked. */
  readonly msrs?: Readonly<Record<string, LessonNumber>>;
  /** Control-register bits changed after boot, before the first instruction. */
  readonly cr?: Readonly<Partial<Record<GoalCr, { readonly set?: LessonNumber; readonly clear?: LessonNumber }>>>;
  /** General registers preset before the first instruction. */
  readonly regs?: Readonly<Partial<Record<Exclude<GoalReg, 'rip' | 'rflags' | 'rsp'>, LessonNumber>>>;
}

/** A lesson of the curriculum or a broken-machine challenge. */
export interface Lesson {
  /** Stable id used in URLs (`?lesson=ID`) and the CLI: lowercase letters, digits and dashes. */
  readonly id: string;
  readonly kind: 'lesson' | 'challenge';
  readonly title: string;
  /** One sentence for lists. */
  readonly summary: string;
  /** Markdown (no HTML: the page renders it sanitised). */
  readonly text: string;
  /** The program the student starts from; it fails the goals for the reason the lesson teaches. */
  readonly start: string;
  /** A reference solution; it passes the goals on every profile of `profiles`. */
  readonly solution: string;
  readonly machine: LessonMachine;
  /** Profiles the solution is checked on (the first is the lesson's own when machine.profile is unset). */
  readonly profiles: readonly string[];
  /** Hints, shown one at a time, in order. */
  readonly hints: readonly string[];
  readonly goals: readonly Goal[];
  /** Step budget of a check (default DEFAULT_LESSON_STEPS). */
  readonly maxSteps?: number;
  /** SDM sections the lesson relies on, "§24.11.4 Software Access to Related Structures"-style. */
  readonly sdm?: readonly string[];
}

/** Default step budget of a lesson check. */
export const DEFAULT_LESSON_STEPS = 200_000;

/**
 * Reads a LessonNumber as a bigint; undefined when it is not a whole number (or a non-negative
 * decimal / 0x-hex / negative decimal string).
 */
export function toBig(n: LessonNumber | undefined): bigint | undefined {
  if (n === undefined) return undefined;
  if (typeof n === 'bigint') return n;
  if (typeof n === 'number') return Number.isSafeInteger(n) ? BigInt(n) : undefined;
  const t = n.trim().replace(/_/g, '');
  if (/^-?[0-9]+$/.test(t) || /^0[xX][0-9a-fA-F]+$/.test(t)) return BigInt(t);
  return undefined;
}
