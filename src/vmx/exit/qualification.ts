// Exit qualifications of VM exits due to exceptions (SDM Vol. 3C §28.2.1 "Basic VM-Exit
// Information": for #PF the faulting linear address (CR2 is not written), for #DB the
// debug-exception format of Table 28-1 (DR6 is not written), 0 for other vectors).

import { QUAL_DEBUG } from '../../arch/vmx-info.ts';
import type { CpuHandle } from '../../x86/env.ts';

const PF = 14;
const DB = 1;

/** Exit qualification of an exception VM exit; `cr2` is the page fault's linear address. */
export function exceptionQualification(cpu: CpuHandle, vector: number, cr2: number | undefined): bigint {
  if (vector === PF) return BigInt.asUintN(64, BigInt(cr2 ?? 0));
  if (vector !== DB) return 0n;
  // The executor records the debug condition in DR6 before raising #DB; the qualification
  // takes the same bits (B3-B0, BD, BS).
  const dr6 = cpu.state.dr[6] ?? 0n;
  return dr6 & QUAL_DEBUG.definedMask;
}
