// Primary processor-based VM-execution controls (VMCS field 0x4002; capability MSRs
// 0x482 / 0x48E). SDM Vol. 3C §25.6.2 Processor-Based VM-Execution Controls (table
// "Definitions of Primary Processor-Based VM-Execution Controls"); default1 bits 1,
// 4-6, 8, 13-16, 26 per Vol. 3D Appendix A.3.2.

import { sdm } from '../sdm.ts';
import { control, controlBitfield, type ControlWordInfo } from './types.ts';

const R = sdm('3C', '25.6.2', 'Processor-Based VM-Execution Controls');
const c = (bit: number, name: string, sdmName: string, doc: string, aliases: string[] = [], since: 'SDM16' | 'newer' = 'SDM16') =>
  control('primary', bit, name, sdmName, doc, R, { aliases, since });

export const PRIMARY_INFO: ControlWordInfo = {
  word: 'primary', title: 'Primary processor-based VM-execution controls', vmcsField: 'CPU_BASED_VM_EXEC_CONTROL', width: 32,
  capabilityMsr: 0x482, trueMsr: 0x48e, hasAllowed0: true, default1: 0x0401_e172n, sdm: R,
};

export const PRIMARY_CONTROLS = [
  c(2, 'CPU_BASED_INTR_WINDOW_EXITING', 'Interrupt-window exiting', 'VM exit at the start of any instruction when RFLAGS.IF = 1 and nothing blocks interrupts.', ['CPU_BASED_VIRTUAL_INTR_PENDING']),
  c(3, 'CPU_BASED_USE_TSC_OFFSETTING', 'Use TSC offsetting', 'RDTSC/RDTSCP/RDMSR of the TSC return the TSC plus the TSC offset.', ['CPU_BASED_USE_TSC_OFFSETING']),
  c(7, 'CPU_BASED_HLT_EXITING', 'HLT exiting', 'HLT causes a VM exit.'),
  c(9, 'CPU_BASED_INVLPG_EXITING', 'INVLPG exiting', 'INVLPG causes a VM exit.'),
  c(10, 'CPU_BASED_MWAIT_EXITING', 'MWAIT exiting', 'MWAIT causes a VM exit.'),
  c(11, 'CPU_BASED_RDPMC_EXITING', 'RDPMC exiting', 'RDPMC causes a VM exit.'),
  c(12, 'CPU_BASED_RDTSC_EXITING', 'RDTSC exiting', 'RDTSC (and RDTSCP if enabled) causes a VM exit.'),
  c(15, 'CPU_BASED_CR3_LOAD_EXITING', 'CR3-load exiting', 'MOV to CR3 exits unless the value is one of the CR3-target values (default1).'),
  c(16, 'CPU_BASED_CR3_STORE_EXITING', 'CR3-store exiting', 'MOV from CR3 causes a VM exit (default1).'),
  c(17, 'CPU_BASED_ACTIVATE_TERTIARY_CONTROLS', 'Activate tertiary controls', 'The tertiary processor-based controls are used (else treated as 0).', [], 'newer'),
  c(19, 'CPU_BASED_CR8_LOAD_EXITING', 'CR8-load exiting', 'MOV to CR8 causes a VM exit.'),
  c(20, 'CPU_BASED_CR8_STORE_EXITING', 'CR8-store exiting', 'MOV from CR8 causes a VM exit.'),
  c(21, 'CPU_BASED_TPR_SHADOW', 'Use TPR shadow', 'TPR virtualization through the virtual-APIC page.'),
  c(22, 'CPU_BASED_NMI_WINDOW_EXITING', 'NMI-window exiting', 'VM exit when there is no virtual-NMI blocking; requires virtual NMIs.', ['CPU_BASED_VIRTUAL_NMI_PENDING']),
  c(23, 'CPU_BASED_MOV_DR_EXITING', 'MOV-DR exiting', 'MOV to or from a debug register causes a VM exit.'),
  c(24, 'CPU_BASED_UNCOND_IO_EXITING', 'Unconditional I/O exiting', 'Every I/O instruction exits (ignored when I/O bitmaps are used).'),
  c(25, 'CPU_BASED_USE_IO_BITMAPS', 'Use I/O bitmaps', 'I/O bitmaps A and B decide which ports exit.', ['CPU_BASED_ACTIVATE_IO_BITMAP']),
  c(27, 'CPU_BASED_MONITOR_TRAP_FLAG', 'Monitor trap flag', 'VM exit after the first guest instruction (single-stepping the guest).'),
  c(28, 'CPU_BASED_USE_MSR_BITMAPS', 'Use MSR bitmaps', 'MSR bitmaps decide which RDMSR/WRMSR exit (else all do).', ['CPU_BASED_ACTIVATE_MSR_BITMAP']),
  c(29, 'CPU_BASED_MONITOR_EXITING', 'MONITOR exiting', 'MONITOR causes a VM exit.'),
  c(30, 'CPU_BASED_PAUSE_EXITING', 'PAUSE exiting', 'PAUSE causes a VM exit.'),
  c(31, 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS', 'Activate secondary controls', 'The secondary processor-based controls are used (else treated as 0).'),
] as const;

export const PRIMARY = controlBitfield(PRIMARY_INFO, PRIMARY_CONTROLS);
