// The CPU profiles the VM-entry rule tests run on: every profile of src/arch/profiles,
// plus Broadwell from ../shared/reference/vmx-reference.md section 9 (VirtualBox CPU
// database dump), a generation src/arch does not hold: VMFUNC and #VE without PML or
// VMCS-shadowing bitmaps checks in the TRUE-MSR era. Test helper only.

import { PROFILES } from '../../../arch/profiles/index.ts';
import type { Profile } from '../../../arch/profiles/index.ts';

/** What the entry checks need of a profile. */
export interface TestProfile {
  readonly id: string;
  readonly processor: string;
  readonly maxPhysAddr: number;
  readonly linearAddressBits: number;
  readonly msrs: Readonly<Record<number, bigint>>;
}

/** Core i7-5600U (Broadwell): VMFUNC, PML-less, #VE. VBox Intel_Core_i7_5600U.h. */
const broadwell: TestProfile = {
  id: 'ref-broadwell',
  processor: 'Intel Core i7-5600U (reference section 9.1)',
  maxPhysAddr: 39,
  linearAddressBits: 48,
  msrs: {
    0x480: 0x00da_0400_0000_0012n, 0x481: 0x0000_007f_0000_0016n, 0x482: 0xfff9_fffe_0401_e172n,
    0x483: 0x007f_ffff_0003_6dffn, 0x484: 0x0000_ffff_0000_11ffn, 0x485: 0x3004_81e5n,
    0x486: 0x8000_0021n, 0x487: 0xffff_ffffn, 0x488: 0x2000n, 0x489: 0x0037_67ffn, 0x48a: 0x2an,
    0x48b: 0x0005_7cff_0000_0000n, 0x48c: 0x0000_0f01_0633_4141n, 0x48d: 0x0000_007f_0000_0016n,
    0x48e: 0xfff9_fffe_0400_6172n, 0x48f: 0x007f_ffff_0003_6dfbn, 0x490: 0x0000_ffff_0000_11fbn,
    0x491: 0x1n,
  },
};

function fromArch(p: Profile): TestProfile {
  return { id: p.id, processor: p.processor, maxPhysAddr: p.maxPhysAddr, linearAddressBits: p.linearAddressBits, msrs: p.msrs };
}

/** Every profile to sweep: src/arch's, then the reference-section fallbacks. */
export const TEST_PROFILES: readonly TestProfile[] = [...PROFILES.map(fromArch), broadwell];
