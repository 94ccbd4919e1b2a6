// The SDM sections the VM-entry checks cite, named once. Numbers follow the current SDM
// (order no. 325462, as src/arch/sdm-refs.ts does), where "VM Entries" is Vol. 3C
// chapter 27; the June-2016 edition numbered the same sections 26.x (and, before
// "Trace-Address Pre-Translation" became §27.5, VM-entry failures were §26.7). Titles
// are stable across editions.

import { sdm } from '../../arch/sdm.ts';

export const SDM_BASIC_ENTRY_CHECKS = sdm('3C', '27.1', 'Basic VM-Entry Checks');
export const SDM_EXEC_CONTROLS = sdm('3C', '27.2.1.1', 'VM-Execution Control Fields');
export const SDM_EXIT_CONTROLS = sdm('3C', '27.2.1.2', 'VM-Exit Control Fields');
export const SDM_ENTRY_CONTROLS = sdm('3C', '27.2.1.3', 'VM-Entry Control Fields');
export const SDM_HOST_REGS = sdm('3C', '27.2.2', 'Checks on Host Control Registers, MSRs, and SSP');
export const SDM_HOST_SEGS = sdm('3C', '27.2.3', 'Checks on Host Segment and Descriptor-Table Registers');
export const SDM_ADDR_SPACE = sdm('3C', '27.2.4', 'Checks Related to Address-Space Size');
export const SDM_GUEST_REGS = sdm('3C', '27.3.1.1', 'Checks on Guest Control Registers, Debug Registers, and MSRs');
export const SDM_GUEST_SEGS = sdm('3C', '27.3.1.2', 'Checks on Guest Segment Registers');
export const SDM_GUEST_DTRS = sdm('3C', '27.3.1.3', 'Checks on Guest Descriptor-Table Registers');
export const SDM_GUEST_RIP_RFLAGS = sdm('3C', '27.3.1.4', 'Checks on Guest RIP, RFLAGS, and SSP');
export const SDM_GUEST_NON_REG = sdm('3C', '27.3.1.5', 'Checks on Guest Non-Register State');
export const SDM_GUEST_PDPTES = sdm('3C', '27.3.1.6', 'Checks on Guest Page-Directory-Pointer-Table Entries');
export const SDM_MSR_LOADING = sdm('3C', '27.4', 'Loading MSRs');
export const SDM_ENTRY_FAILURES = sdm('3C', '27.8', 'VM-Entry Failures During or After Loading Guest State');
