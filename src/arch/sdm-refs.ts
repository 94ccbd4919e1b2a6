// SDM references used by more than one table of src/arch, named once so that every
// table cites the same section number and title. Numbers follow the current SDM
// (order no. 325462); titles make them findable in any edition.

import { sdm } from './sdm.ts';

export const SDM_CONTROL_REGISTERS = sdm('3A', '2.5', 'Control Registers');
export const SDM_EFER = sdm('3A', '2.2.1', 'Extended Feature Enable Register');
export const SDM_EFLAGS = sdm('1', '3.4.3', 'EFLAGS Register');
export const SDM_SYSTEM_FLAGS = sdm('3A', '2.3', 'System Flags and Fields in the EFLAGS Register');
export const SDM_SELECTORS = sdm('3A', '3.4.2', 'Segment Selectors');
export const SDM_DESCRIPTORS = sdm('3A', '3.4.5', 'Segment Descriptors');
export const SDM_CODE_DATA_TYPES = sdm('3A', '3.4.5.1', 'Code- and Data-Segment Descriptor Types');
export const SDM_SYSTEM_TYPES = sdm('3A', '3.5', 'System Descriptor Types');
export const SDM_SEGMENT_LOAD_64 = sdm('3A', '3.5.2', 'Segment Descriptor Tables in IA-32e Mode');
export const SDM_IDT_64 = sdm('3A', '6.14.1', '64-Bit Mode IDT');
export const SDM_TSS_64 = sdm('3A', '8.7', 'Task Management in 64-bit Mode');
export const SDM_EXCEPTION_TABLE = sdm('3A', '6.15', 'Exception and Interrupt Reference');
export const SDM_EXCEPTION_CLASSES = sdm('3A', '6.5', 'Exception Classifications');
export const SDM_DOUBLE_FAULT = sdm('3A', '6.15', 'Exception and Interrupt Reference: Interrupt 8—Double Fault Exception (#DF), table Conditions for Generating a Double Fault');
export const SDM_ERROR_CODE = sdm('3A', '6.13', 'Error Code');
export const SDM_PF_ERROR_CODE = sdm('3A', '4.7', 'Page-Fault Exceptions');
export const SDM_PAGING_4_5 = sdm('3A', '4.5', '4-Level Paging and 5-Level Paging');
export const SDM_ARCH_MSRS = sdm('4', '2.1', 'Architectural MSRs');
export const SDM_CPUID = sdm('2A', '3.3', 'CPUID—CPU Identification');
export const SDM_FEATURE_CONTROL = sdm('3C', '24.7', 'Enabling and Entering VMX Operation');
export const SDM_VMX_CAPABILITIES = sdm('3D', 'A.1', 'Basic VMX Information (Appendix A: VMX Capability Reporting Facility)');
export const SDM_VMX_ACCESS_RIGHTS = sdm('3C', '25.4.1', 'Guest Register State (segment access rights)');
