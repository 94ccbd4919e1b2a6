// Skylake client (Core i7-6700K): EPT with A/D bits, VPID, unrestricted guest, VMCS
// shadowing, PML, VMFUNC (EPTP switching), EPT-violation #VE, XSAVES exiting, TSC
// scaling. Values from a VirtualBox CPU-database dump; see sources/skylake-client.txt.

import type { Profile } from './types.ts';

export const skylakeClient: Profile = {
  id: 'skylake-client',
  name: 'Skylake',
  processor: 'Intel Core i7-6700K (Skylake-S, 06_5EH)',
  source: 'VirtualBox CPU database Intel_Core_i7_6700K.h (VBoxCpuReport on the physical CPU, 2015), VirtualBox/virtualbox@4908d8d1',
  provenance: 'hardware-dump',
  isDefault: false,
  maxPhysAddr: 39,
  linearAddressBits: 48,
  featureControl: 0x5n,
  assumedMsrs: [],
  msrs: {
    0x480: 0x00da_0400_0000_0004n,
    0x481: 0x0000_007f_0000_0016n,
    0x482: 0xfff9_fffe_0401_e172n,
    0x483: 0x01ff_ffff_0003_6dffn,
    0x484: 0x0003_ffff_0000_11ffn,
    0x485: 0x7004_c1e7n,
    0x486: 0x8000_0021n,
    0x487: 0xffff_ffffn,
    0x488: 0x2000n,
    0x489: 0x0037_27ffn,
    0x48a: 0x2en,
    0x48b: 0x001f_fcff_0000_0000n,
    0x48c: 0x0000_0f01_0633_4141n,
    0x48d: 0x0000_007f_0000_0016n,
    0x48e: 0xfff9_fffe_0400_6172n,
    0x48f: 0x01ff_ffff_0003_6dfbn,
    0x490: 0x0003_ffff_0000_11fbn,
    0x491: 0x1n,
  },
  cpuid: [
    { leaf: 0x1, subleaf: 0, eax: 0x0005_06e3, ebx: 0x0210_0800, ecx: 0x7ffa_fbbf, edx: 0xbfeb_fbff },
    { leaf: 0x7, subleaf: 0, eax: 0, ebx: 0x029c_6fbf, ecx: 0, edx: 0 },
    { leaf: 0xa, subleaf: 0, eax: 0x0730_0404, ebx: 0, ecx: 0, edx: 0x603 },
    { leaf: 0x8000_0001, subleaf: 0, eax: 0, ebx: 0, ecx: 0x121, edx: 0x2c10_0800 },
    { leaf: 0x8000_0008, subleaf: 0, eax: 0x3027, ebx: 0, ecx: 0, edx: 0 },
  ],
};
