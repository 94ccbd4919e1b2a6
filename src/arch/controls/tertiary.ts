// Tertiary processor-based VM-execution controls (64-bit VMCS field 0x2034; capability
// MSR 0x492, a plain allowed-1 mask). Newer than the 2016 SDM: SDM Vol. 3C §25.6.2
// (table "Definitions of Tertiary Processor-Based VM-Execution Controls"), taken from
// the ia32-doc transcription of the Dec-2024 SDM, Bochs and Linux.

import { sdm } from '../sdm.ts';
import { control, controlBitfield, type ControlWordInfo } from './types.ts';

const R = sdm('3C', '25.6.2', 'Processor-Based VM-Execution Controls');
const c = (bit: number, name: string, sdmName: string, doc: string, linux = false) =>
  control('tertiary', bit, name, sdmName, doc, R, { since: 'newer', linux });

export const TERTIARY_INFO: ControlWordInfo = {
  word: 'tertiary', title: 'Tertiary processor-based VM-execution controls', vmcsField: 'TERTIARY_VM_EXEC_CONTROL', width: 64,
  capabilityMsr: 0x492, trueMsr: null, hasAllowed0: false, default1: 0n, sdm: R,
};

export const TERTIARY_CONTROLS = [
  c(0, 'TERTIARY_EXEC_LOADIWKEY_EXITING', 'LOADIWKEY exiting', 'LOADIWKEY (Key Locker) causes a VM exit.'),
  c(1, 'TERTIARY_EXEC_ENABLE_HLAT', 'Enable HLAT', 'Hypervisor-managed linear-address translation for selected guest addresses.'),
  c(2, 'TERTIARY_EXEC_EPT_PAGING_WRITE', 'EPT paging-write control', 'EPT paging-write permission lets guest paging A/D updates through read-only EPT pages.'),
  c(3, 'TERTIARY_EXEC_GUEST_PAGING_VERIFY', 'Guest-paging verification', 'Checks that guest translations go through EPT pages marked for verified paging.'),
  c(4, 'TERTIARY_EXEC_IPI_VIRT', 'IPI virtualization', 'Guest IPIs are delivered through posted-interrupt descriptors without exits.', true),
  c(6, 'TERTIARY_EXEC_ENABLE_MSRLIST', 'Enable MSR-list instructions', 'RDMSRLIST/WRMSRLIST are allowed in the guest.'),
  c(7, 'TERTIARY_EXEC_VIRT_SPEC_CTRL', 'Virtualize IA32_SPEC_CTRL', 'Guest writes to IA32_SPEC_CTRL go through a mask and shadow.'),
  c(8, 'TERTIARY_EXEC_APIC_TIMER_VIRT', 'APIC-timer virtualization', 'The guest TSC-deadline timer is virtualized (Bochs and a Linux patch only; unverified against the SDM).'),
] as const;

export const TERTIARY = controlBitfield(TERTIARY_INFO, TERTIARY_CONTROLS);
