// IA32_FEATURE_CONTROL (MSR 0x3A): the firmware-set lock and enables that VMXON checks
// (SDM Vol. 3C §24.7 Enabling and Entering VMX Operation; Vol. 4 §2.1 Architectural MSRs).
// Once LOCKED is 1, any WRMSR to the MSR raises #GP(0) until reset.

import { bitfield } from './bitfield.ts';
import { SDM_ARCH_MSRS as V4, SDM_FEATURE_CONTROL as R } from './sdm-refs.ts';

export const FEATURE_CONTROL = bitfield({
  name: 'IA32_FEATURE_CONTROL',
  size: 64,
  sdm: R,
  fields: {
    LOCKED: { bit: 0, sdmName: 'Lock bit', doc: 'Locks the MSR: WRMSR raises #GP(0); VMXON raises #GP(0) while it is 0.', sdm: R },
    VMX_ENABLED_INSIDE_SMX: { bit: 1, sdmName: 'Enable VMX inside SMX operation', doc: 'VMXON allowed after GETSEC[SENTER].', sdm: R },
    VMX_ENABLED_OUTSIDE_SMX: { bit: 2, sdmName: 'Enable VMX outside SMX operation', doc: 'VMXON allowed in normal operation.', sdm: R },
    SENTER_LOCAL_ENABLES: { bit: 8, width: 7, sdmName: 'SENTER Local Function Enables', doc: 'Which GETSEC[SENTER] local functions are enabled.', sdm: V4 },
    SENTER_GLOBAL_ENABLE: { bit: 15, sdmName: 'SENTER Global Enable', doc: 'GETSEC[SENTER] enabled.', sdm: V4 },
    SGX_LC_ENABLED: { bit: 17, sdmName: 'SGX Launch Control Enable', doc: 'Lets software write the SGX launch-enclave public-key hash MSRs.', sdm: V4 },
    SGX_ENABLED: { bit: 18, sdmName: 'SGX Global Enable', doc: 'Enables SGX (ENCLS/ENCLU).', sdm: V4 },
    LMCE_ENABLED: { bit: 20, sdmName: 'LMCE On', doc: 'Local machine-check exceptions enabled.', sdm: V4 },
  },
  reserved: 0xffff_ffff_ffe0_0000n | 0x9_00f8n,
});

/** Linux names (msr-index.h `FEAT_CTL_*`) of the feature-control bits. */
export const FEATURE_CONTROL_LINUX_PREFIX = 'FEAT_CTL_';

/** What firmware usually leaves: locked, VMX enabled outside SMX (0x5). */
export const FEATURE_CONTROL_FIRMWARE_DEFAULT = FEATURE_CONTROL.of('LOCKED', 'VMX_ENABLED_OUTSIDE_SMX');
