// Core 2 Extreme X6800 (Conroe, 2006): the first VMX generation. VMCS revision 7, no
// secondary controls (so no EPT, VPID or unrestricted guest), no TRUE capability MSRs (so
// the default1 controls must be 1). Values from a VirtualBox CPU-database dump; see
// sources/core2-conroe.txt.

import type { Profile } from './types.ts';

export const core2Conroe: Profile = {
  id: 'core2-conroe',
  name: 'Core 2',
  processor: 'Intel Core 2 Extreme X6800 (Conroe, 06_0FH)',
  source: 'VirtualBox CPU database Intel_Core2_X6800_2_93GHz.h (VBoxCpuReport on the physical CPU), VirtualBox/virtualbox@4908d8d1',
  provenance: 'hardware-dump',
  isDefault: false,
  maxPhysAddr: 36,
  linearAddressBits: 48,
  featureControl: 0x5n,
  assumedMsrs: [],
  msrs: {
    0x480: 0x001a_0400_0000_0007n,
    0x481: 0x0000_001f_0000_0016n,
    0x482: 0x77b9_fffe_0401_e172n,
    0x483: 0x0003_efff_0003_6dffn,
    0x484: 0x0000_1fff_0000_11ffn,
    0x485: 0x0004_03c0n,
    0x486: 0x8000_0021n,
    0x487: 0xffff_ffffn,
    0x488: 0x2000n,
    0x489: 0x27ffn,
    0x48a: 0x2cn,
  },
  cpuid: [
    { leaf: 0x1, subleaf: 0, eax: 0x0000_06f6, ebx: 0x0002_0800, ecx: 0x0000_e3bd, edx: 0xbfeb_fbff },
    { leaf: 0x7, subleaf: 0, eax: 0, ebx: 0, ecx: 0, edx: 0 },
    { leaf: 0x8000_0001, subleaf: 0, eax: 0, ebx: 0, ecx: 0x1, edx: 0x2010_0800 },
    { leaf: 0x8000_0008, subleaf: 0, eax: 0x3024, ebx: 0, ecx: 0, edx: 0 },
  ],
};
