// JSON Lines output of `vmx-lab run --json` (DESIGN section 6, a contract): field names and order
// as the contract shows them, numbers that can exceed 2^53 as lower-case hex strings ("0x1f").

import type { MachineEvent, StopReason } from '../machine/events.ts';

/** "0x" + lower-case hex of the unsigned 64-bit value, no padding ("0x0"). */
export function hex(v: bigint | number): string {
  return `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
}

/** A diagnostic as the contract shows it: `{line, col, message}`. */
export interface JsonDiagnostic {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** The `final` object: how the program stopped and its registers. */
export interface JsonFinal {
  readonly stop: StopReason;
  readonly mode: 'root' | 'non-root' | 'off';
  readonly rip: string;
  readonly rflags: string;
  readonly regs: Record<string, string>;
}

/** One line of output: one program. `final` is null when the program did not assemble. */
export interface JsonProgram {
  readonly file: string;
  readonly ok: boolean;
  readonly profile: string;
  readonly diagnostics: readonly JsonDiagnostic[];
  readonly events: readonly Record<string, unknown>[];
  readonly final: JsonFinal | null;
}

/** An event as a plain JSON object, keys in the contract's order (step, line, rip, text, kind, ...). */
export function eventToJson(e: MachineEvent): Record<string, unknown> {
  const o: Record<string, unknown> = { step: e.step };
  if (e.line !== undefined) o.line = e.line;
  if (e.rip !== undefined && e.kind !== 'vmexit') o.rip = hex(e.rip);
  if (e.text !== undefined && e.kind !== 'vmexit') o.text = e.text;
  o.kind = e.kind;
  switch (e.kind) {
    case 'vmx':
      o.result = e.result;
      if (e.error !== undefined) o.error = e.error;
      if (e.explain !== undefined) o.explain = e.explain;
      break;
    case 'fault':
      o.vector = e.vector;
      o.name = e.name;
      if (e.errorCode !== undefined) o.errorCode = e.errorCode;
      o.explain = e.explain;
      break;
    case 'vmentry':
      break;
    case 'vmexit':
      o.reason = e.reason;
      o.name = e.name;
      o.entryFailure = e.entryFailure;
      o.qualification = hex(e.qualification);
      if (e.guestRip !== undefined) o.guestRip = hex(e.guestRip);
      if (e.check !== undefined) o.check = e.check;
      if (e.instruction !== undefined) o.instruction = e.instruction;
      if (e.eptWalk !== undefined) o.eptWalk = e.eptWalk;
      break;
    case 'stop':
      o.reason = e.reason;
      o.message = e.message;
      break;
  }
  return o;
}

/** One JSON Lines line (no trailing newline). */
export function programLine(p: JsonProgram): string {
  return JSON.stringify(p);
}
