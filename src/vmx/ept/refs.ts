// SDM references of the EPT model, in the current SDM's numbering (Vol. 3C ch. 29 "VMX Support
// for Address Translation": 29.3 is EPT, 29.4 the caching of translations). src/arch/ept.ts
// still cites the older §29.2.x/§29.3.3 numbers for the same sections.

import { sdm } from '../../arch/sdm.ts';

export const SDM_EPT_TRANSLATION = sdm('3C', '29.3.2', 'EPT Translation Mechanism');
export const SDM_EPT_MISCONFIG = sdm('3C', '29.3.3.1', 'EPT Misconfigurations');
export const SDM_EPT_VIOLATION = sdm('3C', '29.3.3.2', 'EPT Violations');
export const SDM_EPT_AD = sdm('3C', '29.3.4', 'Accessed and Dirty Flags for EPT');
export const SDM_EPT_MEMTYPE = sdm('3C', '29.3.7', 'EPT and Memory Typing');
export const SDM_EPT_VIOLATION_QUAL = sdm('3C', '28.2.1', 'Basic VM-Exit Information (Exit Qualification for EPT Violations)');
export const SDM_CACHED_INFO = sdm('3C', '29.4.1', 'Information That May Be Cached');
export const SDM_CACHE_USE = sdm('3C', '29.4.2', 'Creating and Using Cached Translation Information');
export const SDM_INVALIDATE = sdm('3C', '29.4.3.1', 'Operations that Invalidate Cached Mappings');
export const SDM_INVEPT_GUIDE = sdm('3C', '29.4.3.4', 'Guidelines for Use of the INVEPT Instruction');
