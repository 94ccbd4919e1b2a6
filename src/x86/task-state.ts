// The 32-bit TSS task switch in root operation (SDM Vol. 3A §8.3 "Task Switching").

import type { Cpu } from './cpu.ts';
import { gp } from './fault.ts';
import type { TaskSwitchRequest } from './task-switch.ts';

/** Performs the task switch `req` describes (root operation). */
export function performTaskSwitch(_cpu: Cpu, req: TaskSwitchRequest): void {
  throw gp(`task switch to TSS selector 0x${req.selector.toString(16)}: task switching in root operation is not modelled by the lab`);
}
