// Secondary processor-based VM-execution controls (VMCS field 0x401E; capability MSR
// 0x48B, allowed-1 in bits 63:32; no default1 bits). SDM Vol. 3C §25.6.2 (table
// "Definitions of Secondary Processor-Based VM-Execution Controls"); bits 21-24 and
// 26-31 are newer than the 2016 SDM (ia32-doc Dec-2024 transcription, Bochs, Linux).

import { sdm } from '../sdm.ts';
import { control, controlBitfield, type ControlWordInfo } from './types.ts';

const R = sdm('3C', '25.6.2', 'Processor-Based VM-Execution Controls');
const c = (bit: number, name: string, sdmName: string, doc: string, opts: { aliases?: string[]; since?: 'SDM16' | 'newer'; linux?: boolean } = {}) =>
  control('secondary', bit, name, sdmName, doc, R, opts);

export const SECONDARY_INFO: ControlWordInfo = {
  word: 'secondary', title: 'Secondary processor-based VM-execution controls', vmcsField: 'SECONDARY_VM_EXEC_CONTROL', width: 32,
  capabilityMsr: 0x48b, trueMsr: null, hasAllowed0: true, default1: 0n, sdm: R,
};

export const SECONDARY_CONTROLS = [
  c(0, 'SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES', 'Virtualize APIC accesses', 'Accesses to the APIC-access page are virtualized or exit.'),
  c(1, 'SECONDARY_EXEC_ENABLE_EPT', 'Enable EPT', 'Guest-physical addresses are translated through extended page tables.', { aliases: ['CPU_BASED_CTL2_ENABLE_EPT'] }),
  c(2, 'SECONDARY_EXEC_DESC', 'Descriptor-table exiting', 'LGDT, LIDT, LLDT, LTR, SGDT, SIDT, SLDT, STR cause VM exits.'),
  c(3, 'SECONDARY_EXEC_ENABLE_RDTSCP', 'Enable RDTSCP', 'RDTSCP is allowed in the guest (else #UD).', { aliases: ['SECONDARY_EXEC_RDTSCP', 'CPU_BASED_CTL2_RDTSCP'] }),
  c(4, 'SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE', 'Virtualize x2APIC mode', 'RDMSR/WRMSR of x2APIC MSRs use the virtual-APIC page.'),
  c(5, 'SECONDARY_EXEC_ENABLE_VPID', 'Enable VPID', 'Cached translations are tagged with the virtual-processor identifier.', { aliases: ['CPU_BASED_CTL2_ENABLE_VPID'] }),
  c(6, 'SECONDARY_EXEC_WBINVD_EXITING', 'WBINVD exiting', 'WBINVD and WBNOINVD cause VM exits.'),
  c(7, 'SECONDARY_EXEC_UNRESTRICTED_GUEST', 'Unrestricted guest', 'The guest may run unpaged or in real mode; requires EPT.', { aliases: ['CPU_BASED_CTL2_UNRESTRICTED_GUEST'] }),
  c(8, 'SECONDARY_EXEC_APIC_REGISTER_VIRT', 'APIC-register virtualization', 'Reads of most APIC registers are satisfied from the virtual-APIC page.'),
  c(9, 'SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY', 'Virtual-interrupt delivery', 'Pending virtual interrupts are evaluated and delivered without exits.'),
  c(10, 'SECONDARY_EXEC_PAUSE_LOOP_EXITING', 'PAUSE-loop exiting', 'A PAUSE loop longer than PLE_Window causes a VM exit.'),
  c(11, 'SECONDARY_EXEC_RDRAND_EXITING', 'RDRAND exiting', 'RDRAND causes a VM exit.'),
  c(12, 'SECONDARY_EXEC_ENABLE_INVPCID', 'Enable INVPCID', 'INVPCID is allowed in the guest (else #UD).', { aliases: ['CPU_BASED_CTL2_ENABLE_INVPCID'] }),
  c(13, 'SECONDARY_EXEC_ENABLE_VMFUNC', 'Enable VM functions', 'VMFUNC is allowed in the guest, per the VM-function controls.', { aliases: ['CPU_BASED_CTL2_ENABLE_VMFUNC'] }),
  c(14, 'SECONDARY_EXEC_SHADOW_VMCS', 'VMCS shadowing', 'Guest VMREAD/VMWRITE may access a shadow VMCS without exiting.'),
  c(15, 'SECONDARY_EXEC_ENCLS_EXITING', 'Enable ENCLS exiting', 'ENCLS leaves selected by the ENCLS-exiting bitmap cause VM exits.'),
  c(16, 'SECONDARY_EXEC_RDSEED_EXITING', 'RDSEED exiting', 'RDSEED causes a VM exit.'),
  c(17, 'SECONDARY_EXEC_ENABLE_PML', 'Enable PML', 'Page-modification logging of guest-physical addresses whose EPT dirty bit is set.'),
  c(18, 'SECONDARY_EXEC_EPT_VIOLATION_VE', 'EPT-violation #VE', 'Some EPT violations cause a #VE in the guest instead of a VM exit.'),
  c(19, 'SECONDARY_EXEC_PT_CONCEAL_VMX', 'Conceal VMX from PT', 'Intel PT suppresses packets that would reveal non-root operation.'),
  c(20, 'SECONDARY_EXEC_ENABLE_XSAVES', 'Enable XSAVES/XRSTORS', 'XSAVES/XRSTORS are allowed in the guest; the XSS-exiting bitmap selects exits.', { aliases: ['SECONDARY_EXEC_XSAVES', 'CPU_BASED_CTL2_ENABLE_XSAVE_XRSTORS'] }),
  c(21, 'SECONDARY_EXEC_PASID_TRANSLATION', 'PASID translation', 'ENQCMD/ENQCMDS PASIDs are translated through the PASID directory (newer SDM; not a Linux name).', { since: 'newer', linux: false }),
  c(22, 'SECONDARY_EXEC_MODE_BASED_EPT_EXEC', 'Mode-based execute control for EPT', 'EPT execute permission is split into supervisor and user (newer SDM).', { since: 'newer' }),
  c(23, 'SECONDARY_EXEC_SPP', 'Sub-page write permissions for EPT', 'EPT write permission at 128-byte granularity (newer SDM; not a Linux name).', { since: 'newer', linux: false }),
  c(24, 'SECONDARY_EXEC_PT_USE_GPA', 'Intel PT uses guest-physical addresses', 'Intel PT output addresses are guest-physical and translated by EPT (newer SDM).', { since: 'newer' }),
  c(25, 'SECONDARY_EXEC_TSC_SCALING', 'Use TSC scaling', 'Guest TSC reads are multiplied by the TSC multiplier.'),
  c(26, 'SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE', 'Enable user wait and pause', 'TPAUSE, UMONITOR and UMWAIT are allowed in the guest (newer SDM).', { since: 'newer' }),
  c(27, 'SECONDARY_EXEC_ENABLE_PCONFIG', 'Enable PCONFIG', 'PCONFIG is allowed; the PCONFIG-exiting bitmap selects exits (newer SDM; not a Linux name).', { since: 'newer', linux: false }),
  c(28, 'SECONDARY_EXEC_ENCLV_EXITING', 'Enable ENCLV exiting', 'ENCLV leaves selected by the ENCLV-exiting bitmap exit (newer SDM; not a Linux name).', { since: 'newer', linux: false }),
  c(30, 'SECONDARY_EXEC_BUS_LOCK_DETECTION', 'VMM bus-lock detection', 'A bus lock in the guest causes a VM exit (newer SDM).', { since: 'newer' }),
  c(31, 'SECONDARY_EXEC_NOTIFY_VM_EXITING', 'Instruction timeout', 'A VM exit when the processor makes no progress for the notify window (newer SDM).', { since: 'newer' }),
] as const;

export const SECONDARY = controlBitfield(SECONDARY_INFO, SECONDARY_CONTROLS);
