// Task switches (SDM Vol. 3A §8.3 "Task Switching"): the one place every source of a switch
// arrives once the checks made before it have passed — a far JMP or CALL to a TSS descriptor
// or task gate (exec/far.ts), IRET with NT = 1 (interrupts-legacy.ts) and an interrupt or
// exception through a task gate in the IDT (interrupts-legacy.ts).
//
// In VMX non-root operation every task switch causes a VM exit (SDM Vol. 3C §26.1.2
// "Instructions That Cause VM Exits Unconditionally"): the `taskSwitch` VMX hook performs it
// and the step ends. In root operation (or with no VT-x model) the 32-bit TSS switch itself
// is done by task-state.ts.

import { EXIT_REASONS } from '../arch/exit-reasons.ts';
import { TASK_SWITCH_SOURCE, type TaskSwitchSource } from '../arch/vmx-info.ts';
import { VmExitUnwind } from './env.ts';
import type { Cpu } from './cpu.ts';
import type { DecodedInstruction } from './isa/decoded.ts';
import { performTaskSwitch } from './task-state.ts';

/** Source of a task switch, as the exit qualification encodes it (src/arch/vmx-info.ts). */
export const TASK_SOURCE = TASK_SWITCH_SOURCE;
export type TaskSource = TaskSwitchSource;

/** Exit reason 9, "Task switch" (SDM Vol. 3C Appendix C "VMX Basic Exit Reasons"), from the arch table. */
const EXIT_TASK_SWITCH = EXIT_REASONS.find((r) => r.name === 'TASK_SWITCH')!.reason;

/** What the switch needs beyond the new TSS selector. */
export interface TaskSwitchRequest {
  /** Selector of the new TSS (for a task gate: the TSS selector the gate names). */
  readonly selector: number;
  readonly source: TaskSource;
  /** The CALL, JMP or IRET that causes the switch (for the VM exit's instruction length). */
  readonly insn?: DecodedInstruction;
  /** Error code of an exception delivered through a task gate: pushed on the new task's stack. */
  readonly errorCode?: number;
  /** For CALL/JMP/IRET: the RIP after the instruction, saved as the old task's EIP. */
  readonly returnRip?: number;
}

/**
 * Switches to the task whose TSS selector is given, or, in VMX non-root operation, lets the
 * VMX layer take the VM exit (then throws `VmExitUnwind`, which ends the step).
 */
export function switchTask(cpu: Cpu, req: TaskSwitchRequest): void {
  const vmx = cpu.env.vmx;
  if (vmx !== null && vmx.inNonRoot?.() === true && vmx.taskSwitch?.(cpu, req.selector, req.source, req.insn) === true) {
    throw new VmExitUnwind(EXIT_TASK_SWITCH, `task switch to TSS selector 0x${req.selector.toString(16)}`);
  }
  performTaskSwitch(cpu, req);
}
