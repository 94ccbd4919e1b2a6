// Whether an EPT pointer is one VM entry would accept (SDM Vol. 3C §27.2.1.1 "VM-Execution
// Control Fields", EPTP rules; format: §25.6.11 "Extended-Page-Table Pointer (EPTP)"). INVEPT
// type 1 and VMFUNC's EPTP switching apply the same rules.

import { bitfield } from '../../arch/bitfield.ts';
import { sdm } from '../../arch/sdm.ts';
import type { VmxCaps } from '../caps.ts';

// TEMPORARY until src/arch/ept.ts lands (STYLE rule 1).
const EPTP = bitfield({
  name: 'EPTP',
  size: 64,
  sdm: sdm('3C', '25.6.11', 'Extended-Page-Table Pointer (EPTP)'),
  fields: {
    MEMTYPE: { bit: 0, width: 3, doc: 'Memory type of the EPT paging structures: 0 UC, 6 WB.' },
    WALK_LENGTH_MINUS_1: { bit: 3, width: 3, doc: 'EPT page-walk length minus 1.' },
    AD_ENABLE: { bit: 6, doc: 'Enables accessed and dirty flags for EPT.' },
    SSS: { bit: 7, doc: 'Enables supervisor shadow-stack access rights.' },
    PML4_ADDR: { bit: 12, width: 40, doc: 'Physical address of the EPT PML4 (or PML5) table.' },
  },
  reserved: 0xf00n,
});

/** Explains why VM entry would reject this EPTP, or undefined when it would accept it. */
export function eptpProblem(eptp: bigint, caps: VmxCaps): string | undefined {
  const type = EPTP.get(eptp, 'MEMTYPE');
  if (!((type === 0n && caps.eptCap('MEMTYPE_UC')) || (type === 6n && caps.eptCap('MEMTYPE_WB')))) {
    return `EPTP memory type ${type} is not supported (IA32_VMX_EPT_VPID_CAP bits 8 and 14)`;
  }
  const walk = EPTP.get(eptp, 'WALK_LENGTH_MINUS_1');
  if (!((walk === 3n && caps.eptCap('WALK_4')) || (walk === 4n && caps.eptCap('WALK_5')))) {
    return `EPTP page-walk length ${walk + 1n} is not supported (IA32_VMX_EPT_VPID_CAP bits 6 and 7)`;
  }
  if (EPTP.has(eptp, 'AD_ENABLE') && !caps.eptCap('AD_FLAGS')) return 'EPTP bit 6 (A/D flags) is set but IA32_VMX_EPT_VPID_CAP[21] = 0';
  if (EPTP.has(eptp, 'SSS') && !caps.eptCap('SUPERVISOR_SHADOW_STACK')) return 'EPTP bit 7 is set but IA32_VMX_EPT_VPID_CAP[23] = 0';
  if ((eptp & EPTP.reservedMask) !== 0n) return 'EPTP bits 11:8 are reserved and must be 0';
  if (eptp >> BigInt(caps.maxPhysAddr) !== 0n) return `EPTP sets bits beyond the physical-address width (${caps.maxPhysAddr} bits)`;
  return undefined;
}
