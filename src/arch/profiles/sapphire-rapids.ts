// Sapphire Rapids (4th-generation Xeon Scalable, 2023) as QEMU's SapphireRapids CPU model
// presents it to a nested guest under KVM: the one profile with 5-level EPT (and LA57),
// plus EPT A/D bits, VPID, unrestricted guest, VMCS shadowing, PML, VMFUNC and posted
// interrupts. CONSTRUCTED, not dumped: no public raw capability-MSR dump of a server part
// was found, so each MSR is composed from the model's feature words the way QEMU and KVM
// compose them (revision 0x11E57ED0 and the 4-KiB region are KVM's). How each value was
// obtained, and what is assumed, is in sources/sapphire-rapids.txt.

import type { Profile } from './types.ts';

export const sapphireRapids: Profile = {
  id: 'sapphire-rapids',
  name: 'Sapphire Rapids',
  processor: 'Intel Xeon (Sapphire Rapids, 06_8FH) as QEMU model SapphireRapids-v1 under KVM',
  source: 'QEMU target/i386/cpu.c model "SapphireRapids" (qemu commit 7eb061b06e9, QEMU 8.0) composed as QEMU kvm.c/KVM nested VMX do; 0x3A and MAXPHYADDR assumed',
  provenance: 'constructed',
  isDefault: false,
  maxPhysAddr: 46,
  linearAddressBits: 57,
  featureControl: 0x5n,
  assumedMsrs: [0x3a],
  msrs: {
    0x480: 0x00d8_1000_11e5_7ed0n,
    0x481: 0x0000_00ff_0000_0016n,
    0x482: 0xfff9_fffe_0401_e172n,
    0x483: 0x007f_ffff_0003_6dffn,
    0x484: 0x0000_f3ff_0000_11ffn,
    0x485: 0x2000_0065n,
    0x486: 0x8000_0021n,
    0x487: 0xffff_ffffn,
    0x488: 0x2000n,
    0x489: 0x0077_3fffn,
    0x48a: 0x2en,
    0x48b: 0x0013_7bff_0000_0000n,
    0x48c: 0x0000_0f01_0633_40c1n,
    0x48d: 0x0000_00ff_0000_0016n,
    0x48e: 0xfff9_fffe_0400_6172n,
    0x48f: 0x007f_ffff_0003_6dfbn,
    0x490: 0x0000_f3ff_0000_11fbn,
    0x491: 0x1n,
  },
  cpuid: [
    { leaf: 0x1, subleaf: 0, eax: 0x0008_06f4, ebx: 0x0000_0800, ecx: 0x77fa_3223, edx: 0x078b_fbff },
    { leaf: 0x7, subleaf: 0, eax: 0x1, ebx: 0xf1bf_0fb9, ecx: 0x0141_5f4e, edx: 0xa7c1_4010 },
    { leaf: 0x8000_0001, subleaf: 0, eax: 0, ebx: 0, ecx: 0x121, edx: 0x2c10_0800 },
    { leaf: 0x8000_0008, subleaf: 0, eax: 0x392e, ebx: 0x200, ecx: 0, edx: 0 },
  ],
};
