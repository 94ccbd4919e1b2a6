// VM-entry controls (VMCS field 0x4012; capability MSRs 0x484 / 0x490) and the
// VM-function controls (64-bit field 0x2018; MSR 0x491). SDM Vol. 3C §25.8.1 VM-Entry
// Controls (table "Definitions of VM-Entry Controls"), §25.6.14 VM-Function Controls;
// default1 bits 0-8 and 12 per Vol. 3D Appendix A.5.

import { sdm } from '../sdm.ts';
import { control, controlBitfield, type ControlWordInfo } from './types.ts';

const R = sdm('3C', '25.8.1', 'VM-Entry Controls');
const RF = sdm('3C', '25.6.14', 'VM-Function Controls');
const c = (bit: number, name: string, sdmName: string, doc: string, opts: { aliases?: string[]; since?: 'SDM16' | 'newer'; linux?: boolean } = {}) =>
  control('entry', bit, name, sdmName, doc, R, opts);

export const ENTRY_INFO: ControlWordInfo = {
  word: 'entry', title: 'VM-entry controls', vmcsField: 'VM_ENTRY_CONTROLS', width: 32,
  capabilityMsr: 0x484, trueMsr: 0x490, hasAllowed0: true, default1: 0x0000_11ffn, sdm: R,
};

export const ENTRY_CONTROLS = [
  c(2, 'VM_ENTRY_LOAD_DEBUG_CONTROLS', 'Load debug controls', 'DR7 and IA32_DEBUGCTL are loaded from the guest-state area (default1).'),
  c(9, 'VM_ENTRY_IA32E_MODE', 'IA-32e mode guest', 'The guest is in IA-32e mode after entry (loaded into guest EFER.LMA).'),
  c(10, 'VM_ENTRY_SMM', 'Entry to SMM', 'Entry into SMM (only legal in SMM, dual-monitor treatment).'),
  c(11, 'VM_ENTRY_DEACT_DUAL_MONITOR', 'Deactivate dual-monitor treatment', 'Turn off dual-monitor treatment of SMM (only legal in SMM).'),
  c(13, 'VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL', 'Load IA32_PERF_GLOBAL_CTRL', 'IA32_PERF_GLOBAL_CTRL is loaded from the guest-state area.'),
  c(14, 'VM_ENTRY_LOAD_IA32_PAT', 'Load IA32_PAT', 'IA32_PAT is loaded from the guest-state area.', { aliases: ['VM_ENTRY_LOAD_GUEST_PAT'] }),
  c(15, 'VM_ENTRY_LOAD_IA32_EFER', 'Load IA32_EFER', 'IA32_EFER is loaded from the guest-state area.'),
  c(16, 'VM_ENTRY_LOAD_BNDCFGS', 'Load IA32_BNDCFGS', 'IA32_BNDCFGS is loaded from the guest-state area.'),
  c(17, 'VM_ENTRY_PT_CONCEAL_PIP', 'Conceal VM entries from Intel PT', 'Intel PT does not report the VM entry.'),
  c(18, 'VM_ENTRY_LOAD_IA32_RTIT_CTL', 'Load IA32_RTIT_CTL', 'IA32_RTIT_CTL is loaded from the guest-state area (newer SDM).', { since: 'newer' }),
  c(19, 'VM_ENTRY_LOAD_UINV', 'Load UINV', 'The user-interrupt notification vector is loaded (newer SDM; not a Linux name).', { since: 'newer', linux: false }),
  c(20, 'VM_ENTRY_LOAD_CET_STATE', 'Load CET state', 'Guest CET state is loaded from the guest-state area (newer SDM).', { since: 'newer' }),
  c(21, 'VM_ENTRY_LOAD_IA32_LBR_CTL', 'Load guest IA32_LBR_CTL', 'IA32_LBR_CTL is loaded from the guest-state area (newer SDM).', { since: 'newer' }),
  c(22, 'VM_ENTRY_LOAD_IA32_PKRS', 'Load PKRS', 'IA32_PKRS is loaded from the guest-state area (newer SDM; not a Linux name).', { since: 'newer', linux: false }),
  c(23, 'VM_ENTRY_LOAD_IA32_FRED', 'Load FRED state', 'Guest FRED MSRs are loaded (newer SDM).', { since: 'newer' }),
  c(24, 'VM_ENTRY_LOAD_IA32_SPEC_CTRL', 'Load guest IA32_SPEC_CTRL', 'IA32_SPEC_CTRL is loaded from the guest-state area (Bochs; unverified against the SDM).', { since: 'newer', linux: false }),
] as const;

export const VMFUNC_INFO: ControlWordInfo = {
  word: 'vmfunc', title: 'VM-function controls', vmcsField: 'VM_FUNCTION_CONTROL', width: 64,
  capabilityMsr: 0x491, trueMsr: null, hasAllowed0: false, default1: 0n, sdm: RF,
};

export const VMFUNC_CONTROLS = [
  control('vmfunc', 0, 'VMX_VMFUNC_EPTP_SWITCHING', 'EPTP switching', 'VMFUNC leaf 0 loads EPTP number ECX from the EPTP list.', RF),
] as const;

export const ENTRY = controlBitfield(ENTRY_INFO, ENTRY_CONTROLS);
export const VMFUNC = controlBitfield(VMFUNC_INFO, VMFUNC_CONTROLS);
