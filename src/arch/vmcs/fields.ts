// Every VMCS field of SDM Vol. 3D Appendix B (Field Encoding in VMCS), one row each:
// encoding, Linux vmx.h name, SDM name, width, area, the control that makes the field
// exist, doc, SDM reference. Fields newer than the 2016 SDM come from the ia32-doc
// Dec-2024 transcription, Bochs and Linux (reference §1.2); those only Bochs knows are
// marked unverified in their doc. Each 64-bit field's HIGH alias (encoding | 1) is
// derived below, not written by hand (STYLE rule 4).

import type { ControlName } from '../controls/index.ts';
import { sdm, type SdmRef } from '../sdm.ts';
import type { VmcsArea, VmcsWidth } from './encoding.ts';

/** What makes a field exist: any of these controls allowed-1, or only in a SEAM (TDX-module) VMCS. */
export type FieldRequirement = readonly ControlName[] | 'seam' | null;

export interface VmcsField {
  readonly encoding: number;
  /** Linux `enum vmcs_field` name, or (when `linux` is false) a name in Linux style chosen by the lab. */
  readonly name: string;
  readonly linux: boolean;
  /** Other names the seed hypervisors use (`GUEST_EFER` for GUEST_IA32_EFER); also predefined symbols. */
  readonly aliases: readonly string[];
  readonly sdmName: string;
  readonly width: VmcsWidth;
  readonly area: VmcsArea;
  /** Access type high: the upper 32 bits of the 64-bit field `encoding & ~1`. */
  readonly high: boolean;
  /** null = always present; else the field exists only if one of the controls may be 1. */
  readonly requires: FieldRequirement;
  readonly doc: string;
  readonly sdm: SdmRef;
}

const AREA_REF: Record<VmcsArea, SdmRef> = {
  control: sdm('3C', '25.6', 'VM-Execution Control Fields'),
  'exit-info': sdm('3C', '25.9', 'VM-Exit Information Fields'),
  guest: sdm('3C', '25.4', 'Guest-State Area'),
  host: sdm('3C', '25.5', 'Host-State Area'),
};
const EXIT_CTL_REF = sdm('3C', '25.7', 'VM-Exit Control Fields');
const ENTRY_CTL_REF = sdm('3C', '25.8', 'VM-Entry Control Fields');

type Opts = { linux?: boolean; sdm?: SdmRef; aliases?: readonly string[] };
const group = (width: VmcsWidth, area: VmcsArea) =>
  (encoding: number, name: string, sdmName: string, requires: FieldRequirement, doc: string, o: Opts = {}): VmcsField =>
    ({ encoding, name, linux: o.linux ?? true, aliases: o.aliases ?? [], sdmName, width, area, high: false, requires, doc, sdm: o.sdm ?? AREA_REF[area] });

const c16 = group('16', 'control'), g16 = group('16', 'guest'), h16 = group('16', 'host');
const c64 = group('64', 'control'), x64 = group('64', 'exit-info'), g64 = group('64', 'guest'), h64 = group('64', 'host');
const c32 = group('32', 'control'), x32 = group('32', 'exit-info'), g32 = group('32', 'guest'), h32 = group('32', 'host');
const cN = group('natural', 'control'), xN = group('natural', 'exit-info'), gN = group('natural', 'guest'), hN = group('natural', 'host');
const LAB = { linux: false } as const;
const X = { sdm: EXIT_CTL_REF } as const;
const E = { sdm: ENTRY_CTL_REF } as const;

const FRED_GUEST: ControlName[] = ['VM_ENTRY_LOAD_IA32_FRED', 'SECONDARY_VM_EXIT_SAVE_IA32_FRED'];
const FRED_HOST: ControlName[] = ['SECONDARY_VM_EXIT_LOAD_IA32_FRED'];
const CET_GUEST: ControlName[] = ['VM_ENTRY_LOAD_CET_STATE'];
const CET_HOST: ControlName[] = ['VM_EXIT_LOAD_CET_STATE'];
const VID: ControlName[] = ['SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY'];
const EPT: ControlName[] = ['SECONDARY_EXEC_ENABLE_EPT'];
const SEG = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'LDTR', 'TR'] as const;

/** The full (and 16/32/natural) fields, in encoding order. */
const BASE_FIELDS: readonly VmcsField[] = [
  // 16-bit control fields
  c16(0x0000, 'VIRTUAL_PROCESSOR_ID', 'Virtual-processor identifier (VPID)', ['SECONDARY_EXEC_ENABLE_VPID'], 'Tag of this guest\'s cached translations; must not be 0 when VPID is enabled.'),
  c16(0x0002, 'POSTED_INTR_NV', 'Posted-interrupt notification vector', ['PIN_BASED_POSTED_INTR'], 'Vector that signals posted interrupts.'),
  c16(0x0004, 'EPTP_INDEX', 'EPTP index', ['SECONDARY_EXEC_EPT_VIOLATION_VE'], 'Index of the current EPTP in the EPTP list (reported in #VE information).', LAB),
  c16(0x0006, 'HLAT_PREFIX_SIZE', 'HLAT prefix size', ['TERTIARY_EXEC_ENABLE_HLAT'], 'Number of upper linear-address bits that select HLAT translation (newer SDM).', LAB),
  c16(0x0008, 'LAST_PID_POINTER_INDEX', 'Last PID-pointer index', ['TERTIARY_EXEC_IPI_VIRT'], 'Highest valid index of the PID-pointer table (IPI virtualization).'),
  c16(0x000a, 'VIRTUAL_TIMER_VECTOR', 'Virtual timer vector', ['TERTIARY_EXEC_APIC_TIMER_VIRT'], 'Vector of the virtualized APIC timer (Bochs only; unverified).', LAB),
  // 16-bit guest-state fields
  ...SEG.map((s, i) => g16(0x0800 + 2 * i, `GUEST_${s}_SELECTOR`, `Guest ${s} selector`, null, `Selector of guest ${s} loaded by VM entry.`)),
  g16(0x0810, 'GUEST_INTR_STATUS', 'Guest interrupt status', VID, 'RVI (low byte) and SVI (high byte) for virtual-interrupt delivery.'),
  g16(0x0812, 'GUEST_PML_INDEX', 'PML index', ['SECONDARY_EXEC_ENABLE_PML'], 'Next entry of the page-modification log to write (counts down from 511).'),
  g16(0x0814, 'GUEST_UINV', 'Guest UINV', ['VM_ENTRY_LOAD_UINV', 'VM_EXIT_CLEAR_UINV'], 'Guest user-interrupt notification vector (newer SDM).', LAB),
  // 16-bit host-state fields
  ...(['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'TR'] as const).map((s, i) =>
    h16(0x0c00 + 2 * i, `HOST_${s}_SELECTOR`, `Host ${s} selector`, null, `Selector of host ${s} loaded by VM exit; RPL and TI must be 0.`)),
  // 64-bit control fields
  c64(0x2000, 'IO_BITMAP_A', 'Address of I/O bitmap A', null, 'Physical address of the 4-KiB bitmap for ports 0000H-7FFFH.'),
  c64(0x2002, 'IO_BITMAP_B', 'Address of I/O bitmap B', null, 'Physical address of the 4-KiB bitmap for ports 8000H-FFFFH.'),
  c64(0x2004, 'MSR_BITMAP', 'Address of MSR bitmaps', ['CPU_BASED_USE_MSR_BITMAPS'], 'Physical address of the 4-KiB MSR read/write bitmaps.'),
  c64(0x2006, 'VM_EXIT_MSR_STORE_ADDR', 'VM-exit MSR-store address', null, 'Physical address of the MSR area the VM exit stores guest MSRs to.', X),
  c64(0x2008, 'VM_EXIT_MSR_LOAD_ADDR', 'VM-exit MSR-load address', null, 'Physical address of the MSR area the VM exit loads host MSRs from.', X),
  c64(0x200a, 'VM_ENTRY_MSR_LOAD_ADDR', 'VM-entry MSR-load address', null, 'Physical address of the MSR area VM entry loads guest MSRs from.', E),
  c64(0x200c, 'EXECUTIVE_VMCS_POINTER', 'Executive-VMCS pointer', null, 'Used only by the dual-monitor treatment of SMM.', LAB),
  c64(0x200e, 'PML_ADDRESS', 'PML address', ['SECONDARY_EXEC_ENABLE_PML'], 'Physical address of the 4-KiB page-modification log.'),
  c64(0x2010, 'TSC_OFFSET', 'TSC offset', null, 'Added to the TSC value the guest reads when TSC offsetting is on.'),
  c64(0x2012, 'VIRTUAL_APIC_PAGE_ADDR', 'Virtual-APIC address', ['CPU_BASED_TPR_SHADOW'], 'Physical address of the 4-KiB virtual-APIC page.'),
  c64(0x2014, 'APIC_ACCESS_ADDR', 'APIC-access address', ['SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES'], 'Physical address of the 4-KiB APIC-access page.'),
  c64(0x2016, 'POSTED_INTR_DESC_ADDR', 'Posted-interrupt descriptor address', ['PIN_BASED_POSTED_INTR'], 'Physical address of the 64-byte posted-interrupt descriptor.'),
  c64(0x2018, 'VM_FUNCTION_CONTROL', 'VM-function controls', ['SECONDARY_EXEC_ENABLE_VMFUNC'], 'Which VM functions VMFUNC may invoke.'),
  c64(0x201a, 'EPT_POINTER', 'EPT pointer (EPTP)', EPT, 'Root of the EPT paging structures, memory type, walk length and A/D enable.'),
  ...[0, 1, 2, 3].map((i) => c64(0x201c + 2 * i, `EOI_EXIT_BITMAP${i}`, `EOI-exit bitmap ${i}`, VID, `Vectors ${64 * i}-${64 * i + 63}: which EOIs cause a VM exit.`)),
  c64(0x2024, 'EPTP_LIST_ADDRESS', 'EPTP-list address', ['VMX_VMFUNC_EPTP_SWITCHING'], 'Physical address of the 512-entry EPTP list for EPTP switching.'),
  c64(0x2026, 'VMREAD_BITMAP', 'VMREAD-bitmap address', ['SECONDARY_EXEC_SHADOW_VMCS'], 'Which encodings a guest VMREAD reads from the shadow VMCS.'),
  c64(0x2028, 'VMWRITE_BITMAP', 'VMWRITE-bitmap address', ['SECONDARY_EXEC_SHADOW_VMCS'], 'Which encodings a guest VMWRITE writes to the shadow VMCS.'),
  c64(0x202a, 'VE_INFORMATION_ADDRESS', 'Virtualization-exception information address', ['SECONDARY_EXEC_EPT_VIOLATION_VE'], 'Physical address of the #VE information area.'),
  c64(0x202c, 'XSS_EXIT_BITMAP', 'XSS-exiting bitmap', ['SECONDARY_EXEC_ENABLE_XSAVES'], 'XSS bits for which XSAVES/XRSTORS cause VM exits.'),
  c64(0x202e, 'ENCLS_EXITING_BITMAP', 'ENCLS-exiting bitmap', ['SECONDARY_EXEC_ENCLS_EXITING'], 'ENCLS leaf functions that cause VM exits.'),
  c64(0x2030, 'SPPT_POINTER', 'Sub-page-permission-table pointer', ['SECONDARY_EXEC_SPP'], 'Root of the sub-page permission table (newer SDM).', LAB),
  c64(0x2032, 'TSC_MULTIPLIER', 'TSC multiplier', ['SECONDARY_EXEC_TSC_SCALING'], 'Fixed-point factor applied to guest TSC reads.'),
  c64(0x2034, 'TERTIARY_VM_EXEC_CONTROL', 'Tertiary processor-based VM-execution controls', ['CPU_BASED_ACTIVATE_TERTIARY_CONTROLS'], 'The 64-bit tertiary controls.'),
  c64(0x2036, 'ENCLV_EXITING_BITMAP', 'ENCLV-exiting bitmap', ['SECONDARY_EXEC_ENCLV_EXITING'], 'ENCLV leaf functions that cause VM exits (newer SDM).', LAB),
  c64(0x2038, 'LOW_PASID_DIRECTORY', 'Low PASID directory address', ['SECONDARY_EXEC_PASID_TRANSLATION'], 'PASID directory for PASIDs 0-0x7FFFF (newer SDM).', LAB),
  c64(0x203a, 'HIGH_PASID_DIRECTORY', 'High PASID directory address', ['SECONDARY_EXEC_PASID_TRANSLATION'], 'PASID directory for PASIDs 0x80000-0xFFFFF (newer SDM).', LAB),
  c64(0x203c, 'SHARED_EPT_POINTER', 'Shared EPT pointer', 'seam', 'EPTP for shared guest memory; exists only in a TDX-module (SEAM) VMCS.'),
  c64(0x203e, 'PCONFIG_EXITING_BITMAP', 'PCONFIG-exiting bitmap', ['SECONDARY_EXEC_ENABLE_PCONFIG'], 'PCONFIG leaf functions that cause VM exits (newer SDM).', LAB),
  c64(0x2040, 'HLAT_POINTER', 'HLAT pointer (HLATP)', ['TERTIARY_EXEC_ENABLE_HLAT'], 'Root of the HLAT paging structures (newer SDM).', LAB),
  c64(0x2042, 'PID_POINTER_TABLE', 'PID-pointer table address', ['TERTIARY_EXEC_IPI_VIRT'], 'Table of posted-interrupt descriptor pointers for IPI virtualization.'),
  c64(0x2044, 'SECONDARY_VM_EXIT_CONTROLS', 'Secondary VM-exit controls', ['VM_EXIT_ACTIVATE_SECONDARY_CONTROLS'], 'The 64-bit secondary VM-exit controls.', X),
  c64(0x204a, 'IA32_SPEC_CTRL_MASK', 'IA32_SPEC_CTRL mask', ['TERTIARY_EXEC_VIRT_SPEC_CTRL'], 'IA32_SPEC_CTRL bits the guest cannot change (newer SDM).', LAB),
  c64(0x204c, 'IA32_SPEC_CTRL_SHADOW', 'IA32_SPEC_CTRL shadow', ['TERTIARY_EXEC_VIRT_SPEC_CTRL'], 'Value guest RDMSR of IA32_SPEC_CTRL returns (newer SDM).', LAB),
  c64(0x204e, 'GUEST_DEADLINE_VIR', 'Virtual guest deadline', ['TERTIARY_EXEC_APIC_TIMER_VIRT'], 'Virtualized TSC deadline (Bochs and a Linux patch only; unverified).', LAB),
  c64(0x2052, 'INJECTED_EVENT_DATA', 'Injected-event data', ['VM_ENTRY_LOAD_IA32_FRED'], 'FRED event data delivered with an injected event (Bochs; unverified).', LAB),
  // 64-bit read-only data fields
  x64(0x2400, 'GUEST_PHYSICAL_ADDRESS', 'Guest-physical address', EPT, 'Guest-physical address of an EPT violation or misconfiguration.'),
  x64(0x2402, 'EXIT_MSR_DATA', 'MSR data', ['TERTIARY_EXEC_ENABLE_MSRLIST'], 'MSR data of an RDMSRLIST/WRMSRLIST exit (Bochs; unverified).', LAB),
  x64(0x2404, 'ORIGINAL_EVENT_DATA', 'Original-event data', ['VM_ENTRY_LOAD_IA32_FRED'], 'FRED event data of the event being delivered at exit (Bochs; unverified).', LAB),
  // 64-bit guest-state fields
  g64(0x2800, 'VMCS_LINK_POINTER', 'VMCS link pointer', null, 'Shadow VMCS address, or all ones (~0) when unused; checked at VM entry.'),
  g64(0x2802, 'GUEST_IA32_DEBUGCTL', 'Guest IA32_DEBUGCTL', null, 'Loaded with "load debug controls", saved with "save debug controls".'),
  g64(0x2804, 'GUEST_IA32_PAT', 'Guest IA32_PAT', ['VM_ENTRY_LOAD_IA32_PAT', 'VM_EXIT_SAVE_IA32_PAT'], 'Guest PAT, loaded/saved by the PAT controls.'),
  g64(0x2806, 'GUEST_IA32_EFER', 'Guest IA32_EFER', ['VM_ENTRY_LOAD_IA32_EFER', 'VM_EXIT_SAVE_IA32_EFER'], 'Guest EFER, loaded/saved by the EFER controls.', { aliases: ['GUEST_EFER'] }),
  g64(0x2808, 'GUEST_IA32_PERF_GLOBAL_CTRL', 'Guest IA32_PERF_GLOBAL_CTRL', ['VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL', 'VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL'], 'Guest performance-counter global enables.'),
  ...[0, 1, 2, 3].map((i) => g64(0x280a + 2 * i, `GUEST_PDPTR${i}`, `Guest PDPTE${i}`, EPT, `PAE page-directory-pointer entry ${i}, loaded by VM entry with EPT and PAE paging.`)),
  g64(0x2812, 'GUEST_BNDCFGS', 'Guest IA32_BNDCFGS', ['VM_ENTRY_LOAD_BNDCFGS', 'VM_EXIT_CLEAR_BNDCFGS'], 'Guest MPX configuration.'),
  g64(0x2814, 'GUEST_IA32_RTIT_CTL', 'Guest IA32_RTIT_CTL', ['VM_ENTRY_LOAD_IA32_RTIT_CTL', 'VM_EXIT_CLEAR_IA32_RTIT_CTL'], 'Guest Intel PT control.'),
  g64(0x2816, 'GUEST_IA32_LBR_CTL', 'Guest IA32_LBR_CTL', ['VM_ENTRY_LOAD_IA32_LBR_CTL', 'VM_EXIT_CLEAR_IA32_LBR_CTL'], 'Guest architectural-LBR control.'),
  g64(0x2818, 'GUEST_IA32_PKRS', 'Guest IA32_PKRS', ['VM_ENTRY_LOAD_IA32_PKRS'], 'Guest supervisor protection-key rights (newer SDM).', LAB),
  ...(['CONFIG', 'RSP1', 'RSP2', 'RSP3', 'STKLVLS', 'SSP1', 'SSP2', 'SSP3'] as const).map((r, i) =>
    g64(0x281a + 2 * i, `GUEST_IA32_FRED_${r}`, `Guest IA32_FRED_${r}`, FRED_GUEST, `Guest FRED MSR IA32_FRED_${r} (FRED series; newer than the 2016 SDM).`)),
  g64(0x282e, 'GUEST_IA32_SPEC_CTRL', 'Guest IA32_SPEC_CTRL', ['VM_ENTRY_LOAD_IA32_SPEC_CTRL'], 'Guest speculation control (Bochs; unverified).', LAB),
  g64(0x2830, 'GUEST_DEADLINE', 'Guest deadline', ['TERTIARY_EXEC_APIC_TIMER_VIRT'], 'Guest TSC deadline under APIC-timer virtualization (Bochs; unverified).', LAB),
  // 64-bit host-state fields
  h64(0x2c00, 'HOST_IA32_PAT', 'Host IA32_PAT', ['VM_EXIT_LOAD_IA32_PAT'], 'Host PAT loaded by VM exit.'),
  h64(0x2c02, 'HOST_IA32_EFER', 'Host IA32_EFER', ['VM_EXIT_LOAD_IA32_EFER'], 'Host EFER loaded by VM exit.', { aliases: ['HOST_EFER'] }),
  h64(0x2c04, 'HOST_IA32_PERF_GLOBAL_CTRL', 'Host IA32_PERF_GLOBAL_CTRL', ['VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL'], 'Host performance-counter global enables.'),
  h64(0x2c06, 'HOST_IA32_PKRS', 'Host IA32_PKRS', ['VM_EXIT_LOAD_IA32_PKRS'], 'Host supervisor protection-key rights (newer SDM).', LAB),
  ...(['CONFIG', 'RSP1', 'RSP2', 'RSP3', 'STKLVLS', 'SSP1', 'SSP2', 'SSP3'] as const).map((r, i) =>
    h64(0x2c08 + 2 * i, `HOST_IA32_FRED_${r}`, `Host IA32_FRED_${r}`, FRED_HOST, `Host FRED MSR IA32_FRED_${r} (FRED series; newer than the 2016 SDM).`)),
  h64(0x2c1a, 'HOST_IA32_SPEC_CTRL', 'Host IA32_SPEC_CTRL', ['SECONDARY_VM_EXIT_LOAD_IA32_SPEC_CTRL'], 'Host speculation control (Bochs; unverified).', LAB),
  // 32-bit control fields
  c32(0x4000, 'PIN_BASED_VM_EXEC_CONTROL', 'Pin-based VM-execution controls', null, 'Handling of external interrupts, NMIs, preemption timer, posted interrupts.'),
  c32(0x4002, 'CPU_BASED_VM_EXEC_CONTROL', 'Primary processor-based VM-execution controls', null, 'Which instructions exit; activates secondary and tertiary controls.'),
  c32(0x4004, 'EXCEPTION_BITMAP', 'Exception bitmap', null, 'Bit n set: guest exception with vector n causes a VM exit.'),
  c32(0x4006, 'PAGE_FAULT_ERROR_CODE_MASK', 'Page-fault error-code mask', null, 'With the match field, filters which #PF exit (error code & mask == match).'),
  c32(0x4008, 'PAGE_FAULT_ERROR_CODE_MATCH', 'Page-fault error-code match', null, 'See the page-fault error-code mask.'),
  c32(0x400a, 'CR3_TARGET_COUNT', 'CR3-target count', null, 'How many CR3-target values are valid (at most IA32_VMX_MISC[24:16]).'),
  c32(0x400c, 'VM_EXIT_CONTROLS', 'Primary VM-exit controls', null, 'What a VM exit saves and loads (host 64-bit, EFER, PAT, ...).', X),
  c32(0x400e, 'VM_EXIT_MSR_STORE_COUNT', 'VM-exit MSR-store count', null, 'Number of MSRs stored on VM exit.', X),
  c32(0x4010, 'VM_EXIT_MSR_LOAD_COUNT', 'VM-exit MSR-load count', null, 'Number of MSRs loaded on VM exit.', X),
  c32(0x4012, 'VM_ENTRY_CONTROLS', 'VM-entry controls', null, 'What VM entry loads (IA-32e mode guest, EFER, PAT, ...).', E),
  c32(0x4014, 'VM_ENTRY_MSR_LOAD_COUNT', 'VM-entry MSR-load count', null, 'Number of MSRs loaded on VM entry.', E),
  c32(0x4016, 'VM_ENTRY_INTR_INFO_FIELD', 'VM-entry interruption-information field', null, 'Event to inject on VM entry (vector, type, error-code flag, valid bit 31).', E),
  c32(0x4018, 'VM_ENTRY_EXCEPTION_ERROR_CODE', 'VM-entry exception error code', null, 'Error code delivered with an injected exception.', E),
  c32(0x401a, 'VM_ENTRY_INSTRUCTION_LEN', 'VM-entry instruction length', null, 'Length pushed as return address offset for injected software events.', E),
  c32(0x401c, 'TPR_THRESHOLD', 'TPR threshold', ['CPU_BASED_TPR_SHADOW'], 'VM exit when the virtual TPR drops below this (bits 3:0).'),
  c32(0x401e, 'SECONDARY_VM_EXEC_CONTROL', 'Secondary processor-based VM-execution controls', ['CPU_BASED_ACTIVATE_SECONDARY_CONTROLS'], 'EPT, VPID, unrestricted guest, and the other secondary controls.'),
  c32(0x4020, 'PLE_GAP', 'PLE_Gap', ['SECONDARY_EXEC_PAUSE_LOOP_EXITING'], 'Maximum TSC cycles between two PAUSEs of one loop.'),
  c32(0x4022, 'PLE_WINDOW', 'PLE_Window', ['SECONDARY_EXEC_PAUSE_LOOP_EXITING'], 'TSC cycles a PAUSE loop may last before a VM exit.'),
  c32(0x4024, 'NOTIFY_WINDOW', 'Instruction-timeout control', ['SECONDARY_EXEC_NOTIFY_VM_EXITING'], 'Cycles without progress before a notify VM exit (newer SDM).'),
  c32(0x4026, 'GUEST_KEYID', 'Guest KeyID', 'seam', 'Memory-encryption KeyID of a TD guest; SEAM only (Bochs; unverified).', LAB),
  // 32-bit read-only data fields
  x32(0x4400, 'VM_INSTRUCTION_ERROR', 'VM-instruction error', null, 'Error number of the last VMfailValid.'),
  x32(0x4402, 'VM_EXIT_REASON', 'Exit reason', null, 'Basic exit reason (bits 15:0) and flags; bit 31 = VM-entry failure.'),
  x32(0x4404, 'VM_EXIT_INTR_INFO', 'VM-exit interruption information', null, 'Event that caused the exit (vector, type, error-code valid, NMI unblocking).'),
  x32(0x4406, 'VM_EXIT_INTR_ERROR_CODE', 'VM-exit interruption error code', null, 'Error code of the exception that caused the exit.'),
  x32(0x4408, 'IDT_VECTORING_INFO_FIELD', 'IDT-vectoring information field', null, 'Event being delivered when the exit happened.'),
  x32(0x440a, 'IDT_VECTORING_ERROR_CODE', 'IDT-vectoring error code', null, 'Error code of the event being delivered.'),
  x32(0x440c, 'VM_EXIT_INSTRUCTION_LEN', 'VM-exit instruction length', null, 'Length of the instruction that caused the exit.'),
  x32(0x440e, 'VMX_INSTRUCTION_INFO', 'VM-exit instruction information', null, 'Operand details (registers, scaling, segment) of the exiting instruction.'),
  // 32-bit guest-state fields
  ...SEG.map((s, i) => g32(0x4800 + 2 * i, `GUEST_${s}_LIMIT`, `Guest ${s} limit`, null, `Segment limit of guest ${s} in bytes.`)),
  g32(0x4810, 'GUEST_GDTR_LIMIT', 'Guest GDTR limit', null, 'Limit of the guest GDT (bits 31:16 must be 0).'),
  g32(0x4812, 'GUEST_IDTR_LIMIT', 'Guest IDTR limit', null, 'Limit of the guest IDT (bits 31:16 must be 0).'),
  ...SEG.map((s, i) => g32(0x4814 + 2 * i, `GUEST_${s}_AR_BYTES`, `Guest ${s} access rights`, null, `Access rights of guest ${s} (type, S, DPL, P, L, D/B, G, unusable bit 16).`)),
  g32(0x4824, 'GUEST_INTERRUPTIBILITY_INFO', 'Guest interruptibility state', null, 'Blocking by STI, MOV SS, SMI, NMI; enclave interruption.'),
  g32(0x4826, 'GUEST_ACTIVITY_STATE', 'Guest activity state', null, '0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI.'),
  g32(0x4828, 'GUEST_SMBASE', 'Guest SMBASE', null, 'SMBASE of the guest (used with SMM treatment).', LAB),
  g32(0x482a, 'GUEST_SYSENTER_CS', 'Guest IA32_SYSENTER_CS', null, 'Guest SYSENTER code selector.'),
  g32(0x482e, 'VMX_PREEMPTION_TIMER_VALUE', 'VMX-preemption timer value', ['PIN_BASED_VMX_PREEMPTION_TIMER'], 'Current preemption-timer count.'),
  // 32-bit host-state field
  h32(0x4c00, 'HOST_IA32_SYSENTER_CS', 'Host IA32_SYSENTER_CS', null, 'Host SYSENTER code selector.'),
  // natural-width control fields
  cN(0x6000, 'CR0_GUEST_HOST_MASK', 'CR0 guest/host mask', null, 'CR0 bits owned by the host: guest writes that change them exit.'),
  cN(0x6002, 'CR4_GUEST_HOST_MASK', 'CR4 guest/host mask', null, 'CR4 bits owned by the host: guest writes that change them exit.'),
  cN(0x6004, 'CR0_READ_SHADOW', 'CR0 read shadow', null, 'Value the guest reads for host-owned CR0 bits.'),
  cN(0x6006, 'CR4_READ_SHADOW', 'CR4 read shadow', null, 'Value the guest reads for host-owned CR4 bits.'),
  ...[0, 1, 2, 3].map((i) => cN(0x6008 + 2 * i, `CR3_TARGET_VALUE${i}`, `CR3-target value ${i}`, null, 'A CR3 value the guest may load without a VM exit.')),
  // natural-width read-only data fields
  xN(0x6400, 'EXIT_QUALIFICATION', 'Exit qualification', null, 'Details of the exit; format depends on the exit reason.'),
  xN(0x6402, 'IO_RCX', 'I/O RCX', null, 'RCX before an SMI that arrived right after an I/O instruction.', LAB),
  xN(0x6404, 'IO_RSI', 'I/O RSI', null, 'RSI before an SMI after an I/O instruction.', LAB),
  xN(0x6406, 'IO_RDI', 'I/O RDI', null, 'RDI before an SMI after an I/O instruction.', LAB),
  xN(0x6408, 'IO_RIP', 'I/O RIP', null, 'RIP of the I/O instruction before an SMI.', LAB),
  xN(0x640a, 'GUEST_LINEAR_ADDRESS', 'Guest-linear address', null, 'Linear address of the access that caused the exit, for some exits.'),
  // natural-width guest-state fields
  gN(0x6800, 'GUEST_CR0', 'Guest CR0', null, 'Guest CR0 loaded by VM entry; must satisfy the CR0 fixed bits (PE/PG relaxed for unrestricted guests).'),
  gN(0x6802, 'GUEST_CR3', 'Guest CR3', null, 'Guest page-table root; bits beyond MAXPHYADDR must be 0.'),
  gN(0x6804, 'GUEST_CR4', 'Guest CR4', null, 'Guest CR4 loaded by VM entry; must satisfy the CR4 fixed bits.'),
  ...['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'LDTR', 'TR'].map((s, i) => gN(0x6806 + 2 * i, `GUEST_${s}_BASE`, `Guest ${s} base`, null, `Base address of guest ${s}.`)),
  gN(0x6816, 'GUEST_GDTR_BASE', 'Guest GDTR base', null, 'Linear base of the guest GDT (must be canonical).'),
  gN(0x6818, 'GUEST_IDTR_BASE', 'Guest IDTR base', null, 'Linear base of the guest IDT (must be canonical).'),
  gN(0x681a, 'GUEST_DR7', 'Guest DR7', null, 'Guest debug control; bits 63:32 must be 0 with "load debug controls".'),
  gN(0x681c, 'GUEST_RSP', 'Guest RSP', null, 'Guest stack pointer.'),
  gN(0x681e, 'GUEST_RIP', 'Guest RIP', null, 'Where the guest starts (or resumes).'),
  gN(0x6820, 'GUEST_RFLAGS', 'Guest RFLAGS', null, 'Guest flags; reserved bits must be 0 and bit 1 must be 1.'),
  gN(0x6822, 'GUEST_PENDING_DBG_EXCEPTIONS', 'Guest pending debug exceptions', null, 'Debug exceptions pending at VM entry (B0-B3, BS, RTM).'),
  gN(0x6824, 'GUEST_SYSENTER_ESP', 'Guest IA32_SYSENTER_ESP', null, 'Guest SYSENTER stack pointer (must be canonical).'),
  gN(0x6826, 'GUEST_SYSENTER_EIP', 'Guest IA32_SYSENTER_EIP', null, 'Guest SYSENTER entry point (must be canonical).'),
  gN(0x6828, 'GUEST_S_CET', 'Guest IA32_S_CET', CET_GUEST, 'Guest supervisor CET configuration (newer SDM).'),
  gN(0x682a, 'GUEST_SSP', 'Guest SSP', CET_GUEST, 'Guest shadow-stack pointer (newer SDM).'),
  gN(0x682c, 'GUEST_INTR_SSP_TABLE', 'Guest IA32_INTERRUPT_SSP_TABLE_ADDR', CET_GUEST, 'Guest interrupt shadow-stack table (newer SDM).'),
  // natural-width host-state fields
  hN(0x6c00, 'HOST_CR0', 'Host CR0', null, 'CR0 loaded by VM exit; must satisfy the CR0 fixed bits.'),
  hN(0x6c02, 'HOST_CR3', 'Host CR3', null, 'Host page-table root loaded by VM exit.'),
  hN(0x6c04, 'HOST_CR4', 'Host CR4', null, 'CR4 loaded by VM exit; must satisfy the CR4 fixed bits (VMXE = 1).'),
  hN(0x6c06, 'HOST_FS_BASE', 'Host FS base', null, 'FS base loaded by VM exit (must be canonical).'),
  hN(0x6c08, 'HOST_GS_BASE', 'Host GS base', null, 'GS base loaded by VM exit (must be canonical).'),
  hN(0x6c0a, 'HOST_TR_BASE', 'Host TR base', null, 'TR base loaded by VM exit (must be canonical).'),
  hN(0x6c0c, 'HOST_GDTR_BASE', 'Host GDTR base', null, 'GDT base loaded by VM exit (must be canonical).'),
  hN(0x6c0e, 'HOST_IDTR_BASE', 'Host IDTR base', null, 'IDT base loaded by VM exit (must be canonical).'),
  hN(0x6c10, 'HOST_IA32_SYSENTER_ESP', 'Host IA32_SYSENTER_ESP', null, 'SYSENTER stack pointer loaded by VM exit.'),
  hN(0x6c12, 'HOST_IA32_SYSENTER_EIP', 'Host IA32_SYSENTER_EIP', null, 'SYSENTER entry point loaded by VM exit.'),
  hN(0x6c14, 'HOST_RSP', 'Host RSP', null, 'Stack pointer of the host after every VM exit.'),
  hN(0x6c16, 'HOST_RIP', 'Host RIP', null, 'Where the host continues after every VM exit.'),
  hN(0x6c18, 'HOST_S_CET', 'Host IA32_S_CET', CET_HOST, 'Host supervisor CET configuration (newer SDM).'),
  hN(0x6c1a, 'HOST_SSP', 'Host SSP', CET_HOST, 'Host shadow-stack pointer (newer SDM).'),
  hN(0x6c1c, 'HOST_INTR_SSP_TABLE', 'Host IA32_INTERRUPT_SSP_TABLE_ADDR', CET_HOST, 'Host interrupt shadow-stack table (newer SDM).'),
];

/** The HIGH alias of a 64-bit field: its upper 32 bits, encoding | 1, name + `_HIGH`. */
function highAlias(f: VmcsField): VmcsField {
  return { ...f, encoding: f.encoding | 1, name: `${f.name}_HIGH`, aliases: f.aliases.map((a) => `${a}_HIGH`), sdmName: `${f.sdmName} (high 32 bits)`, high: true, doc: `Upper 32 bits of ${f.name}.` };
}

/** Every VMCS field, with each 64-bit field followed by its HIGH alias, in encoding order. */
export const VMCS_FIELDS: readonly VmcsField[] = BASE_FIELDS.flatMap((f) => (f.width === '64' ? [f, highAlias(f)] : [f]));

const byEncoding = new Map(VMCS_FIELDS.map((f) => [f.encoding, f]));
const byName = new Map(VMCS_FIELDS.flatMap((f) => [f.name, ...f.aliases].map((n) => [n, f] as const)));

/** The field with an encoding, or undefined (then VMREAD/VMWRITE fail with error 12 on every CPU). */
export function fieldByEncoding(encoding: number): VmcsField | undefined {
  return byEncoding.get(encoding);
}

/** The field with a name (Linux name, lab name or `_HIGH` alias), or undefined. */
export function fieldByName(name: string): VmcsField | undefined {
  return byName.get(name);
}

/** Encodings by name, for code: `VMCS.GUEST_RIP` = 0x681E. */
export const VMCS: Readonly<Record<string, number>> = Object.fromEntries(VMCS_FIELDS.map((f) => [f.name, f.encoding]));
