// Westmere (Core i5 M 520, Arrandale, 2010): the first generation with EPT, VPID,
// unrestricted guest and the TRUE capability MSRs; EPT without A/D bits, no VMFUNC, no
// VMCS shadowing, no RDRAND exiting. VMCS revision 0xF. Values from the RDMSR dump and the
// CPUID leaves of the Bochs model of this processor; 0x482/0x483 corrected (the dump lists
// the TRUE values there) and 0x3A, MAXPHYADDR assumed: see sources/westmere-arrandale.txt.

import type { Profile } from './types.ts';

export const westmereArrandale: Profile = {
  id: 'westmere-arrandale',
  name: 'Westmere',
  processor: 'Intel Core i5 M 520 (Arrandale, Westmere, 06_25H)',
  source: 'RDMSR dump and CPUID in Bochs bochs/cpu/cpudb/intel/corei5_arrandale_m520.cc, bochs-emu/Bochs@0e45b736 (0x482/0x483 corrected, 0x3A and MAXPHYADDR assumed)',
  provenance: 'hardware-dump',
  isDefault: false,
  maxPhysAddr: 36,
  linearAddressBits: 48,
  featureControl: 0x5n,
  assumedMsrs: [0x3a, 0x482, 0x483],
  msrs: {
    0x480: 0x00da_0400_0000_000fn,
    0x481: 0x0000_007f_0000_0016n,
    0x482: 0xfff9_fffe_0401_e172n,
    0x483: 0x007f_ffff_0003_6dffn,
    0x484: 0x0000_ffff_0000_11ffn,
    0x485: 0x0004_01e5n,
    0x486: 0x8000_0021n,
    0x487: 0xffff_ffffn,
    0x488: 0x2000n,
    0x489: 0x67ffn,
    0x48a: 0x2an,
    0x48b: 0x0000_00ff_0000_0000n,
    0x48c: 0x0000_0f01_0611_4141n,
    0x48d: 0x0000_007f_0000_0016n,
    0x48e: 0xfff9_fffe_0400_6172n,
    0x48f: 0x007f_ffff_0003_6dfbn,
    0x490: 0x0000_ffff_0000_11fbn,
  },
  cpuid: [
    { leaf: 0x1, subleaf: 0, eax: 0x0002_0652, ebx: 0x0000_0800, ecx: 0x0298_e3ff, edx: 0xbfeb_fbff },
    { leaf: 0x7, subleaf: 0, eax: 0, ebx: 0, ecx: 0, edx: 0 },
    { leaf: 0xa, subleaf: 0, eax: 0x0730_0403, ebx: 0x4, ecx: 0, edx: 0x603 },
    { leaf: 0x8000_0001, subleaf: 0, eax: 0, ebx: 0, ecx: 0x1, edx: 0x2810_0800 },
    { leaf: 0x8000_0008, subleaf: 0, eax: 0x3024, ebx: 0, ecx: 0, edx: 0 },
  ],
};
