// IA32_EFER (MSR 0xC0000080), the extended feature enable register (SDM Vol. 3A §2.2.1
// Extended Feature Enable Register). SVME..TCE are AMD bits: on an Intel processor they
// are reserved, so WRMSR setting one raises #GP(0); `EFER_INTEL_RESERVED` says so.

import { bitfield } from './bitfield.ts';
import { SDM_EFER as R } from './sdm-refs.ts';

export const EFER = bitfield({
  name: 'IA32_EFER',
  size: 64,
  sdm: R,
  fields: {
    SCE: { bit: 0, sdmName: 'SYSCALL Enable', doc: 'Enables SYSCALL/SYSRET in 64-bit mode.', sdm: R },
    LME: { bit: 8, sdmName: 'IA-32e Mode Enable', doc: 'IA-32e (long) mode becomes active when paging is enabled.', sdm: R },
    LMA: { bit: 10, sdmName: 'IA-32e Mode Active', doc: 'Set by the processor when IA-32e mode is active (LME and CR0.PG); read-only to WRMSR.', sdm: R },
    NXE: { bit: 11, sdmName: 'Execute Disable Bit Enable', doc: 'Enables the XD (NX) bit 63 in paging entries.', sdm: R },
    SVME: { bit: 12, sdmName: 'Secure Virtual Machine Enable (AMD)', doc: 'AMD SVM enable; reserved on Intel processors.', sdm: R },
    LMSLE: { bit: 13, sdmName: 'Long Mode Segment Limit Enable (AMD)', doc: 'AMD segment limit checks in 64-bit mode; reserved on Intel processors.', sdm: R },
    FFXSR: { bit: 14, sdmName: 'Fast FXSAVE/FXRSTOR (AMD)', doc: 'AMD fast FXSAVE/FXRSTOR; reserved on Intel processors.', sdm: R },
    TCE: { bit: 15, sdmName: 'Translation Cache Extension (AMD)', doc: 'AMD INVLPG scope reduction; reserved on Intel processors.', sdm: R },
  },
  // Reserved on every vendor: bits 1-7, 9 and 63:16.
  reserved: 0xffff_ffff_ffff_0000n | 0x2fen,
});

/** Bits an Intel processor reserves in IA32_EFER: everything but SCE, LME, LMA and NXE. */
export const EFER_INTEL_RESERVED = ~(EFER.of('SCE', 'LME', 'LMA', 'NXE')) & 0xffff_ffff_ffff_ffffn;
