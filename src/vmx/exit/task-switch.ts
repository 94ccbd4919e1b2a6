// The task-switch VM exit (exit reason 9). Task switches are never allowed in VMX non-root
// operation: any attempt causes a VM exit (SDM Vol. 3C §26.1.2 "Instructions That Cause VM
// Exits Unconditionally"; §26.4.2 "Treatment of Task Switches"). The executor decides that a
// switch will happen (after the checks made before it: privilege, type, presence) and calls the
// `taskSwitch` hook; this file turns that into the exit record:
//  - exit qualification (§28.2.1, Table 28-2 "Exit Qualification for Task Switches"): the
//    selector of the new TSS in bits 15:0, the source in bits 31:30 (0 CALL, 1 IRET, 2 JMP,
//    3 task gate in the IDT), from the arch table QUAL_TASK_SWITCH;
//  - the VM-exit instruction length (§28.2.5): that of the CALL, JMP or IRET; for a task gate
//    in the IDT, that of the software interrupt or exception being delivered, if it is one;
//  - IDT-vectoring information (§28.2.4) for a switch through a task gate in the IDT: the event
//    being delivered;
//  - guest RIP: the instruction that caused the switch (nothing of it executed), or, through the
//    IDT, the RIP the event was being delivered at.

import { QUAL_TASK_SWITCH, TASK_SWITCH_SOURCE, type TaskSwitchSource } from '../../arch/vmx-info.ts';
import type { CpuHandle } from '../../x86/env.ts';
import type { DecodedInstruction } from '../../x86/isa/decoded.ts';
import { EXIT_REASONS } from '../../arch/exit-reasons.ts';
import type { EventInfo, ExitRecord } from './vm-exit.ts';

/** Exit reason 9, "Task switch", from the arch table. */
const TASK_SWITCH = EXIT_REASONS.find((r) => r.name === 'TASK_SWITCH')!.reason;

export type { TaskSwitchSource };

/** Source 3: the switch goes through a task gate in the IDT while an event is delivered. */
const SOURCE_IDT = TASK_SWITCH_SOURCE.IDT;

/** The exit qualification of a task switch: TSS selector and source (SDM Vol. 3C Table 28-2). */
export function taskSwitchQualification(selector: number, source: TaskSwitchSource): bigint {
  return QUAL_TASK_SWITCH.set(QUAL_TASK_SWITCH.set(0n, 'SELECTOR', BigInt(selector & 0xffff)), 'SOURCE', BigInt(source));
}

/**
 * The record of the VM exit caused by a task switch to TSS `selector` from `source`. `insn` is
 * the CALL, JMP or IRET (sources 0-2); `vectoring` the event being delivered (source 3), whose
 * `length` is the instruction length of a software interrupt or exception.
 */
export function taskSwitchExit(
  cpu: CpuHandle, selector: number, source: TaskSwitchSource, insn: DecodedInstruction | undefined, vectoring: EventInfo | null,
): ExitRecord {
  const qualification = taskSwitchQualification(selector, source);
  const guestRip = cpu.state.rip;
  if (source === SOURCE_IDT) {
    const length = vectoring?.length;
    return {
      reason: TASK_SWITCH, qualification, guestRip,
      ...(vectoring ? { vectoring } : {}),
      ...(length !== undefined ? { instruction: { length, info: 0n } } : {}),
    };
  }
  return {
    reason: TASK_SWITCH, qualification, guestRip,
    ...(insn ? { instruction: { length: insn.length, info: 0n } } : {}),
  };
}
