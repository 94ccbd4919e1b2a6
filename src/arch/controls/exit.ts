// Primary and secondary VM-exit controls (VMCS fields 0x400C and 64-bit 0x2044;
// capability MSRs 0x483 / 0x48F and 0x493). SDM Vol. 3C §25.7.1 VM-Exit Controls
// (tables "Definitions of Primary VM-Exit Controls", "Definitions of Secondary VM-Exit
// Controls"); default1 bits 0-8, 10, 11, 13, 14, 16, 17 per Vol. 3D Appendix A.4.

import { sdm } from '../sdm.ts';
import { control, controlBitfield, type ControlWordInfo } from './types.ts';

const R = sdm('3C', '25.7.1', 'VM-Exit Controls');
const c = (bit: number, name: string, sdmName: string, doc: string, opts: { aliases?: string[]; since?: 'SDM16' | 'newer'; linux?: boolean } = {}) =>
  control('exit', bit, name, sdmName, doc, R, opts);
const c2 = (bit: number, name: string, sdmName: string, doc: string, linux: boolean) =>
  control('exit2', bit, name, sdmName, doc, R, { since: 'newer', linux });

export const EXIT_INFO: ControlWordInfo = {
  word: 'exit', title: 'Primary VM-exit controls', vmcsField: 'VM_EXIT_CONTROLS', width: 32,
  capabilityMsr: 0x483, trueMsr: 0x48f, hasAllowed0: true, default1: 0x0003_6dffn, sdm: R,
};

export const EXIT_CONTROLS = [
  c(2, 'VM_EXIT_SAVE_DEBUG_CONTROLS', 'Save debug controls', 'DR7 and IA32_DEBUGCTL are saved into the guest-state area (default1).'),
  c(9, 'VM_EXIT_HOST_ADDR_SPACE_SIZE', 'Host address-space size', 'The host runs in 64-bit mode after the VM exit (must be 1 for a 64-bit host).', { aliases: ['VM_EXIT_IA32E_MODE'] }),
  c(12, 'VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL', 'Load IA32_PERF_GLOBAL_CTRL', 'IA32_PERF_GLOBAL_CTRL is loaded from the host-state area.'),
  c(15, 'VM_EXIT_ACK_INTR_ON_EXIT', 'Acknowledge interrupt on exit', 'An external interrupt that causes an exit is acknowledged and its vector saved.'),
  c(18, 'VM_EXIT_SAVE_IA32_PAT', 'Save IA32_PAT', 'IA32_PAT is saved into the guest-state area.'),
  c(19, 'VM_EXIT_LOAD_IA32_PAT', 'Load IA32_PAT', 'IA32_PAT is loaded from the host-state area.'),
  c(20, 'VM_EXIT_SAVE_IA32_EFER', 'Save IA32_EFER', 'IA32_EFER is saved into the guest-state area.'),
  c(21, 'VM_EXIT_LOAD_IA32_EFER', 'Load IA32_EFER', 'IA32_EFER is loaded from the host-state area.'),
  c(22, 'VM_EXIT_SAVE_VMX_PREEMPTION_TIMER', 'Save VMX-preemption timer value', 'The preemption-timer value is saved on VM exit.'),
  c(23, 'VM_EXIT_CLEAR_BNDCFGS', 'Clear IA32_BNDCFGS', 'IA32_BNDCFGS is cleared on VM exit.'),
  c(24, 'VM_EXIT_PT_CONCEAL_PIP', 'Conceal VM exits from Intel PT', 'Intel PT does not report the VM exit.'),
  c(25, 'VM_EXIT_CLEAR_IA32_RTIT_CTL', 'Clear IA32_RTIT_CTL', 'IA32_RTIT_CTL is cleared on VM exit (newer SDM).', { since: 'newer' }),
  c(26, 'VM_EXIT_CLEAR_IA32_LBR_CTL', 'Clear IA32_LBR_CTL', 'IA32_LBR_CTL is cleared on VM exit (newer SDM).', { since: 'newer' }),
  c(27, 'VM_EXIT_CLEAR_UINV', 'Clear UINV', 'The user-interrupt notification vector is cleared on VM exit (newer SDM; not a Linux name).', { since: 'newer', linux: false }),
  c(28, 'VM_EXIT_LOAD_CET_STATE', 'Load CET state', 'Host CET state (IA32_S_CET, SSP, interrupt SSP table) is loaded (newer SDM).', { since: 'newer' }),
  c(29, 'VM_EXIT_LOAD_IA32_PKRS', 'Load PKRS', 'IA32_PKRS is loaded from the host-state area (newer SDM).', { since: 'newer', linux: false }),
  c(30, 'VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL', 'Save IA32_PERF_GLOBAL_CTL', 'IA32_PERF_GLOBAL_CTRL is saved into the guest-state area (newer SDM; not a Linux name).', { since: 'newer', linux: false }),
  c(31, 'VM_EXIT_ACTIVATE_SECONDARY_CONTROLS', 'Activate secondary controls', 'The secondary VM-exit controls are used (newer SDM).', { since: 'newer' }),
] as const;

export const EXIT2_INFO: ControlWordInfo = {
  word: 'exit2', title: 'Secondary VM-exit controls', vmcsField: 'SECONDARY_VM_EXIT_CONTROLS', width: 64,
  capabilityMsr: 0x493, trueMsr: null, hasAllowed0: false, default1: 0n, sdm: R,
};

export const EXIT2_CONTROLS = [
  c2(0, 'SECONDARY_VM_EXIT_SAVE_IA32_FRED', 'Save FRED state', 'Guest FRED MSRs are saved on VM exit.', true),
  c2(1, 'SECONDARY_VM_EXIT_LOAD_IA32_FRED', 'Load FRED state', 'Host FRED MSRs are loaded on VM exit.', true),
  c2(2, 'SECONDARY_VM_EXIT_LOAD_IA32_SPEC_CTRL', 'Load host IA32_SPEC_CTRL', 'Host IA32_SPEC_CTRL is loaded on VM exit (Bochs; unverified against the SDM).', false),
  c2(3, 'SECONDARY_VM_EXIT_PREMATURELY_BUSY_SHSTK', 'Prematurely busy shadow stack', 'Report a shadow stack found busy prematurely in the exit qualification.', false),
] as const;

export const EXIT = controlBitfield(EXIT_INFO, EXIT_CONTROLS);
export const EXIT2 = controlBitfield(EXIT2_INFO, EXIT2_CONTROLS);
