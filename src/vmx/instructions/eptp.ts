// Whether an EPT pointer is one VM entry would accept (SDM Vol. 3C §27.2.1.1 "VM-Execution
// Control Fields", EPTP rules; format: §25.6.11 "Extended-Page-Table Pointer (EPTP)"). INVEPT
// type 1 and VMFUNC's EPTP switching apply the same rules.

import { EPTP } from '../../arch/ept.ts';
import type { VmxCaps } from '../caps.ts';

/** Explains why VM entry would reject this EPTP, or undefined when it would accept it. */
export function eptpProblem(eptp: bigint, caps: VmxCaps): string | undefined {
  const type = EPTP.get(eptp, 'MEMORY_TYPE');
  if (!((type === 0n && caps.eptCap('EPTP_UC')) || (type === 6n && caps.eptCap('EPTP_WB')))) {
    return `EPTP memory type ${type} is not supported (IA32_VMX_EPT_VPID_CAP bits 8 and 14)`;
  }
  const walk = EPTP.get(eptp, 'PAGE_WALK_LENGTH');
  if (!((walk === 3n && caps.eptCap('PAGE_WALK_4')) || (walk === 4n && caps.eptCap('PAGE_WALK_5')))) {
    return `EPTP page-walk length ${walk + 1n} is not supported (IA32_VMX_EPT_VPID_CAP bits 6 and 7)`;
  }
  if (EPTP.has(eptp, 'AD_ENABLE') && !caps.eptCap('AD')) return 'EPTP bit 6 (A/D flags) is set but IA32_VMX_EPT_VPID_CAP[21] = 0';
  if (EPTP.has(eptp, 'SSS_ENABLE') && !caps.eptCap('SUPERVISOR_SHADOW_STACK')) return 'EPTP bit 7 is set but IA32_VMX_EPT_VPID_CAP[23] = 0';
  if ((eptp & EPTP.reservedMask & 0xfffn) !== 0n) return 'EPTP bits 11:8 are reserved and must be 0';
  if (eptp >> BigInt(caps.maxPhysAddr) !== 0n) return `EPTP sets bits beyond the physical-address width (${caps.maxPhysAddr} bits)`;
  return undefined;
}
