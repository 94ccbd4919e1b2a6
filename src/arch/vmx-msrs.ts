// The VMX capability MSRs bit by bit: IA32_VMX_BASIC, IA32_VMX_MISC, IA32_VMX_VMCS_ENUM,
// IA32_VMX_EPT_VPID_CAP and IA32_VMX_VMFUNC. SDM Vol. 3D Appendix A (VMX Capability
// Reporting Facility) A.1, A.6, A.9, A.10, A.11; bits newer than the 2016 SDM come from
// Linux and the ia32-doc Dec-2024 transcription (noted in their docs). The control MSRs'
// allowed-0/allowed-1 halves are read with `allowedSettings` in controls/index.ts.

import { bitfield } from './bitfield.ts';
import { sdm } from './sdm.ts';

const A1 = sdm('3D', 'A.1', 'Basic VMX Information');
const A6 = sdm('3D', 'A.6', 'Miscellaneous Data');
const A9 = sdm('3D', 'A.9', 'VMCS Enumeration');
const A10 = sdm('3D', 'A.10', 'VPID and EPT Capabilities');
const A11 = sdm('3D', 'A.11', 'VM Functions');

export const VMX_BASIC = bitfield({
  name: 'IA32_VMX_BASIC',
  size: 64,
  sdm: A1,
  fields: {
    REVISION_ID: { bit: 0, width: 31, sdmName: 'VMCS revision identifier', doc: 'Must be written at offset 0 of the VMXON region and of every VMCS.', sdm: A1 },
    VMCS_SIZE: { bit: 32, width: 13, sdmName: 'VMXON/VMCS region size', doc: 'Bytes to allocate for the VMXON region and each VMCS (at most 4096).', sdm: A1 },
    PHYS_ADDR_32BIT: { bit: 48, sdmName: 'Physical-address width 32', doc: '1 = VMXON region, VMCS and referenced structures must be below 4 GiB (0 on Intel 64 CPUs).', sdm: A1 },
    DUAL_MONITOR: { bit: 49, sdmName: 'Dual-monitor treatment', doc: 'Dual-monitor treatment of SMIs and SMM is supported.', sdm: A1 },
    MEMORY_TYPE: { bit: 50, width: 4, sdmName: 'Memory type', doc: 'Memory type for the VMCS and referenced structures: 0 = UC, 6 = WB.', sdm: A1 },
    INOUT: { bit: 54, sdmName: 'INS/OUTS instruction information', doc: 'VM exits for INS/OUTS report the instruction-information field.', sdm: A1 },
    TRUE_CTLS: { bit: 55, sdmName: 'TRUE controls', doc: 'Default1 controls may be 0: the IA32_VMX_TRUE_*_CTLS MSRs exist.', sdm: A1 },
    NO_HW_ERROR_CODE_CC: { bit: 56, sdmName: 'No error-code consistency check', doc: 'VM entry may inject hardware exceptions with or without an error code (newer SDM).', sdm: A1 },
    BIT57: { bit: 57, sdmName: 'Bit 57', doc: 'Reads 1 on Arrow Lake; its meaning is not in the sources used (2016 SDM, Linux, ia32-doc), so it is not treated as reserved.', sdm: A1 },
    NESTED_EXCEPTION: { bit: 58, sdmName: 'Nested-exception support', doc: 'FRED nested-exception reporting in event fields (Linux FRED series; unverified).', sdm: A1 },
  },
  // Bit 31 is always 0; 47:45, 59 and 63:60 are reserved (60 is a TDX-only bit in Linux patches).
  reserved: (1n << 31n) | (0x7n << 45n) | (1n << 59n) | (0xfn << 60n),
});

export const VMX_MISC = bitfield({
  name: 'IA32_VMX_MISC',
  size: 64,
  sdm: A6,
  fields: {
    PREEMPTION_TIMER_RATE: { bit: 0, width: 5, sdmName: 'Preemption-timer rate', doc: 'The VMX-preemption timer counts down each time TSC bit X changes.', sdm: A6 },
    SAVE_EFER_LMA: { bit: 5, sdmName: 'Store EFER.LMA', doc: 'VM exits store EFER.LMA into the "IA-32e mode guest" entry control.', sdm: A6 },
    ACTIVITY_HLT: { bit: 6, sdmName: 'Activity state HLT', doc: 'Guest activity state 1 (HLT) is supported.', sdm: A6 },
    ACTIVITY_SHUTDOWN: { bit: 7, sdmName: 'Activity state shutdown', doc: 'Guest activity state 2 (shutdown) is supported.', sdm: A6 },
    ACTIVITY_WAIT_SIPI: { bit: 8, sdmName: 'Activity state wait-for-SIPI', doc: 'Guest activity state 3 (wait-for-SIPI) is supported.', sdm: A6 },
    INTEL_PT: { bit: 14, sdmName: 'Intel PT in VMX operation', doc: 'Intel PT may be used in VMX operation.', sdm: A6 },
    RDMSR_SMBASE: { bit: 15, sdmName: 'RDMSR IA32_SMBASE in SMM', doc: 'RDMSR can read IA32_SMBASE in SMM.', sdm: A6 },
    CR3_TARGETS: { bit: 16, width: 9, sdmName: 'Number of CR3-target values', doc: 'How many CR3-target values are supported (CR3_TARGET_COUNT limit).', sdm: A6 },
    MAX_MSR_LIST: { bit: 25, width: 3, sdmName: 'MSR-list size', doc: 'Recommended maximum MSR-list entries = 512 * (N + 1).', sdm: A6 },
    SMM_MONITOR_CTL_B2: { bit: 28, sdmName: 'IA32_SMM_MONITOR_CTL bit 2', doc: 'Bit 2 of IA32_SMM_MONITOR_CTL may be set (VMXOFF unblocks SMIs).', sdm: A6 },
    VMWRITE_ANY_FIELD: { bit: 29, sdmName: 'VMWRITE to any field', doc: 'VMWRITE may write read-only VM-exit information fields (else error 13).', sdm: A6 },
    ZERO_LEN_INJECTION: { bit: 30, sdmName: 'Zero-length instruction injection', doc: 'Software interrupts/exceptions may be injected with instruction length 0.', sdm: A6 },
    MSEG_REVISION: { bit: 32, width: 32, sdmName: 'MSEG revision identifier', doc: 'Revision identifier of the SMM-transfer monitor segment.', sdm: A6 },
  },
  // Bits 13:9 and 31 are reserved (Core 2 nevertheless reads bit 9 as 1: do not check it).
  reserved: (1n << 31n),
});

export const VMX_VMCS_ENUM = bitfield({
  name: 'IA32_VMX_VMCS_ENUM',
  size: 64,
  sdm: A9,
  fields: {
    MAX_INDEX: { bit: 1, width: 9, sdmName: 'Highest index', doc: 'Highest index used in any supported VMCS encoding (real CPUs under-report).', sdm: A9 },
  },
  reserved: 0xffff_ffff_ffff_fc01n,
});

export const VMX_EPT_VPID_CAP = bitfield({
  name: 'IA32_VMX_EPT_VPID_CAP',
  size: 64,
  sdm: A10,
  fields: {
    EXECUTE_ONLY: { bit: 0, sdmName: 'Execute-only translations', doc: 'EPT entries may be execute-only (R=0, W=0, X=1).', sdm: A10 },
    PAGE_WALK_4: { bit: 6, sdmName: 'Page-walk length 4', doc: '4-level EPT is supported.', sdm: A10 },
    PAGE_WALK_5: { bit: 7, sdmName: 'Page-walk length 5', doc: '5-level EPT is supported (newer SDM).', sdm: A10 },
    EPTP_UC: { bit: 8, sdmName: 'UC memory type', doc: 'EPT paging structures may be uncacheable.', sdm: A10 },
    EPTP_WB: { bit: 14, sdmName: 'WB memory type', doc: 'EPT paging structures may be write-back.', sdm: A10 },
    PAGE_2MB: { bit: 16, sdmName: '2-MByte pages', doc: 'EPT PDEs may map 2-MiB pages.', sdm: A10 },
    PAGE_1GB: { bit: 17, sdmName: '1-GByte pages', doc: 'EPT PDPTEs may map 1-GiB pages.', sdm: A10 },
    INVEPT: { bit: 20, sdmName: 'INVEPT', doc: 'INVEPT is supported.', sdm: A10 },
    AD: { bit: 21, sdmName: 'Accessed and dirty flags', doc: 'EPT accessed/dirty flags (EPTP bit 6) are supported.', sdm: A10 },
    ADVANCED_EXIT_INFO: { bit: 22, sdmName: 'Advanced VM-exit information for EPT violations', doc: 'EPT-violation qualification reports linear-address details.', sdm: A10 },
    SUPERVISOR_SHADOW_STACK: { bit: 23, sdmName: 'Supervisor shadow-stack control', doc: 'EPTP bit 7 and EPT entry bit 60 are supported (newer SDM).', sdm: A10 },
    INVEPT_SINGLE: { bit: 25, sdmName: 'Single-context INVEPT', doc: 'INVEPT type 1 is supported.', sdm: A10 },
    INVEPT_ALL: { bit: 26, sdmName: 'All-context INVEPT', doc: 'INVEPT type 2 is supported.', sdm: A10 },
    INVVPID: { bit: 32, sdmName: 'INVVPID', doc: 'INVVPID is supported.', sdm: A10 },
    INVVPID_ADDRESS: { bit: 40, sdmName: 'Individual-address INVVPID', doc: 'INVVPID type 0 is supported.', sdm: A10 },
    INVVPID_SINGLE: { bit: 41, sdmName: 'Single-context INVVPID', doc: 'INVVPID type 1 is supported.', sdm: A10 },
    INVVPID_ALL: { bit: 42, sdmName: 'All-context INVVPID', doc: 'INVVPID type 2 is supported.', sdm: A10 },
    INVVPID_SINGLE_NON_GLOBAL: { bit: 43, sdmName: 'Single-context-retaining-globals INVVPID', doc: 'INVVPID type 3 is supported.', sdm: A10 },
    MAX_HLAT_PREFIX: { bit: 48, width: 6, sdmName: 'Maximum HLAT prefix size', doc: 'Largest HLAT prefix size (newer SDM).', sdm: A10 },
  },
});

/** Linux `VMX_EPT_*` / `VMX_VPID_*` names (asm/vmx.h) of EPT_VPID_CAP bits, as bit numbers (`_BIT`). */
export const EPT_VPID_CAP_LINUX = {
  EXECUTE_ONLY: 'VMX_EPT_EXECUTE_ONLY_BIT', PAGE_WALK_4: 'VMX_EPT_PAGE_WALK_4_BIT', PAGE_WALK_5: 'VMX_EPT_PAGE_WALK_5_BIT',
  EPTP_UC: 'VMX_EPTP_UC_BIT', EPTP_WB: 'VMX_EPTP_WB_BIT', PAGE_2MB: 'VMX_EPT_2MB_PAGE_BIT', PAGE_1GB: 'VMX_EPT_1GB_PAGE_BIT',
  INVEPT: 'VMX_EPT_INVEPT_BIT', AD: 'VMX_EPT_AD_BIT', INVEPT_SINGLE: 'VMX_EPT_EXTENT_CONTEXT_BIT', INVEPT_ALL: 'VMX_EPT_EXTENT_GLOBAL_BIT',
  INVVPID: 'VMX_VPID_INVVPID_BIT', INVVPID_ADDRESS: 'VMX_VPID_EXTENT_INDIVIDUAL_ADDR_BIT', INVVPID_SINGLE: 'VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT',
  INVVPID_ALL: 'VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT', INVVPID_SINGLE_NON_GLOBAL: 'VMX_VPID_EXTENT_SINGLE_NON_GLOBAL_BIT',
} as const;

export const VMX_VMFUNC_CAP = bitfield({
  name: 'IA32_VMX_VMFUNC',
  size: 64,
  sdm: A11,
  fields: {
    EPTP_SWITCHING: { bit: 0, sdmName: 'EPTP switching', doc: 'VM-function control 0 (EPTP switching) may be 1.', sdm: A11 },
  },
});
