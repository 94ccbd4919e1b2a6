// Pin-based VM-execution controls (VMCS field 0x4000; capability MSRs 0x481 / 0x48D).
// SDM Vol. 3C §25.6.1 Pin-Based VM-Execution Controls (table "Definitions of Pin-Based
// VM-Execution Controls"); default1 bits 1, 2, 4 per Vol. 3D Appendix A.3.1.

import { sdm } from '../sdm.ts';
import { control, controlBitfield, type ControlWordInfo } from './types.ts';

const R = sdm('3C', '25.6.1', 'Pin-Based VM-Execution Controls');
const c = (bit: number, name: string, sdmName: string, doc: string, aliases: string[] = []) => control('pin', bit, name, sdmName, doc, R, { aliases });

export const PIN_BASED_INFO: ControlWordInfo = {
  word: 'pin', title: 'Pin-based VM-execution controls', vmcsField: 'PIN_BASED_VM_EXEC_CONTROL', width: 32,
  capabilityMsr: 0x481, trueMsr: 0x48d, hasAllowed0: true, default1: 0x16n, sdm: R,
};

export const PIN_BASED_CONTROLS = [
  c(0, 'PIN_BASED_EXT_INTR_MASK', 'External-interrupt exiting', 'External interrupts cause VM exits instead of guest IDT delivery.', ['PIN_BASED_VM_EXECUTION_CONTROLS_EXTERNAL_INTERRUPT']),
  c(3, 'PIN_BASED_NMI_EXITING', 'NMI exiting', 'Non-maskable interrupts cause VM exits.', ['PIN_BASED_VM_EXECUTION_CONTROLS_NMI_EXITING']),
  c(5, 'PIN_BASED_VIRTUAL_NMIS', 'Virtual NMIs', 'NMIs are never blocked and virtual-NMI blocking is tracked; requires NMI exiting.', ['PIN_BASED_VM_EXECUTION_CONTROLS_VIRTUAL_NMI']),
  c(6, 'PIN_BASED_VMX_PREEMPTION_TIMER', 'Activate VMX-preemption timer', 'The VMX-preemption timer counts down in non-root operation and exits at zero.', ['PIN_BASED_VM_EXECUTION_CONTROLS_ACTIVE_VMX_TIMER']),
  c(7, 'PIN_BASED_POSTED_INTR', 'Process posted interrupts', 'Interrupts with the notification vector are processed as posted interrupts.', ['PIN_BASED_VM_EXECUTION_CONTROLS_PROCESS_POSTED_INTERRUPTS']),
] as const;

export const PIN_BASED = controlBitfield(PIN_BASED_INFO, PIN_BASED_CONTROLS);
