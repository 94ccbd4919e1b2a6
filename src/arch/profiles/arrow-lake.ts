// Arrow Lake (Core Ultra 5 245K, 2024), the default profile: EPT with A/D bits and
// advanced exit information, VPID, unrestricted guest, VMCS shadowing, VMFUNC, PML,
// #VE, mode-based execute control, TSC scaling, tertiary and secondary-exit controls,
// CET/PKS/UINTR/LAM in CR4. Like every client part without LA57 it has no 5-level EPT.
// Values from an AIDA64 report kept in the Bochs repository; 0x3A and 0x491-0x493 are
// not in the report and are assumed (see sources/arrow-lake.txt).

import type { Profile } from './types.ts';

export const arrowLake: Profile = {
  id: 'arrow-lake',
  name: 'Arrow Lake',
  processor: 'Intel Core Ultra 5 245K (Arrow Lake-S, 06_C6H)',
  source: 'AIDA64 report bochs/cpu/cpudb/intel/arrow_lake.txt, bochs-emu/Bochs@910e2e37 (0x3A, 0x491-0x493 assumed)',
  provenance: 'hardware-dump',
  isDefault: true,
  maxPhysAddr: 46,
  linearAddressBits: 48,
  featureControl: 0x5n,
  assumedMsrs: [0x3a, 0x491, 0x492, 0x493],
  msrs: {
    0x480: 0x03da_0600_0000_0015n,
    0x481: 0x0000_00ff_0000_0016n,
    0x482: 0xfffb_fffe_0401_e172n,
    0x483: 0xff7f_ffff_0003_6dffn,
    0x484: 0x007e_ffff_0000_11ffn,
    0x485: 0x7004_c1e7n,
    0x486: 0x8000_0021n,
    0x487: 0xffff_ffffn,
    0x488: 0x2000n,
    0x489: 0x1bf7_6fffn,
    0x48a: 0x2en,
    0x48b: 0xc75f_7fff_0000_0000n,
    0x48c: 0x0000_0f01_06f3_4141n,
    0x48d: 0x0000_00ff_0000_0016n,
    0x48e: 0xfffb_fffe_0400_6172n,
    0x48f: 0xff7f_ffff_0003_6dfbn,
    0x490: 0x007e_ffff_0000_11fbn,
    0x491: 0x1n,
    0x492: 0x0n,
    0x493: 0x0n,
  },
  cpuid: [
    { leaf: 0x1, subleaf: 0, eax: 0x000c_0662, ebx: 0x0080_0800, ecx: 0x7ffa_fbff, edx: 0xbfeb_fbff },
    { leaf: 0x7, subleaf: 0, eax: 0x2, ebx: 0x239c_a7eb, ecx: 0x9940_27ac, edx: 0xfc18_c430 },
    { leaf: 0x8000_0001, subleaf: 0, eax: 0, ebx: 0, ecx: 0x121, edx: 0x2c10_0000 },
    { leaf: 0x8000_0008, subleaf: 0, eax: 0x302e, ebx: 0x200, ecx: 0, edx: 0 },
  ],
};
