// Ivy Bridge (Core i5-3570, 2012): the Westmere/Sandy Bridge VMX feature set: EPT (no
// A/D bits, no 1-GiB pages), VPID, unrestricted guest, TRUE capability MSRs, no VMFUNC
// or VMCS shadowing. Values from a VirtualBox CPU-database dump; see sources/ivy-bridge.txt.

import type { Profile } from './types.ts';

export const ivyBridge: Profile = {
  id: 'ivy-bridge',
  name: 'Ivy Bridge',
  processor: 'Intel Core i5-3570 (Ivy Bridge, 06_3AH)',
  source: 'VirtualBox CPU database Intel_Core_i5_3570.h (VBoxCpuReport on the physical CPU), VirtualBox/virtualbox@4908d8d1',
  provenance: 'hardware-dump',
  isDefault: false,
  maxPhysAddr: 36,
  linearAddressBits: 48,
  featureControl: 0x5n,
  assumedMsrs: [],
  msrs: {
    0x480: 0x00da_0400_0000_0010n,
    0x481: 0x0000_007f_0000_0016n,
    0x482: 0xfff9_fffe_0401_e172n,
    0x483: 0x007f_ffff_0003_6dffn,
    0x484: 0x0000_ffff_0000_11ffn,
    0x485: 0x1004_01e5n,
    0x486: 0x8000_0021n,
    0x487: 0xffff_ffffn,
    0x488: 0x2000n,
    0x489: 0x0017_67ffn,
    0x48a: 0x2an,
    0x48b: 0x0000_08ff_0000_0000n,
    0x48c: 0x0000_0f01_0611_4141n,
    0x48d: 0x0000_007f_0000_0016n,
    0x48e: 0xfff9_fffe_0400_6172n,
    0x48f: 0x007f_ffff_0003_6dfbn,
    0x490: 0x0000_ffff_0000_11fbn,
  },
  cpuid: [
    { leaf: 0x1, subleaf: 0, eax: 0x0003_06a9, ebx: 0x0410_0800, ecx: 0x7fba_e3ff, edx: 0xbfeb_fbff },
    { leaf: 0x7, subleaf: 0, eax: 0, ebx: 0x281, ecx: 0, edx: 0 },
    { leaf: 0xa, subleaf: 0, eax: 0x0730_0803, ebx: 0, ecx: 0, edx: 0x603 },
    { leaf: 0x8000_0001, subleaf: 0, eax: 0, ebx: 0, ecx: 0x1, edx: 0x2810_0800 },
    { leaf: 0x8000_0008, subleaf: 0, eax: 0x3024, ebx: 0, ecx: 0, edx: 0 },
  ],
};
