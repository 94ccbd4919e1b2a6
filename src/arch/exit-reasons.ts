// Basic VM-exit reasons and the exit-reason field. SDM Vol. 3D Appendix C (VMX Basic
// Exit Reasons, table "Basic Exit Reasons"); Vol. 3C §25.9.1 Basic VM-Exit Information.
// Reasons 65-85 are newer than the 2016 SDM (ia32-doc Dec-2024 transcription, Bochs,
// Linux); those only Bochs lists are marked unverified in their doc.

import { bitfield } from './bitfield.ts';
import { sdm, type SdmRef } from './sdm.ts';

const C = sdm('3D', 'C', 'VMX Basic Exit Reasons');
const R = sdm('3C', '25.9.1', 'Basic VM-Exit Information');

export interface ExitReason {
  readonly reason: number;
  /** Display name used in events and `run --json` (Linux's suffix unless DESIGN.md names it otherwise). */
  readonly name: string;
  /** Linux `EXIT_REASON_*` suffix (uapi/asm/vmx.h), or null when Linux has none. */
  readonly linux: string | null;
  readonly sdmName: string;
  /** Exits that happen whatever the controls say (SDM §26.1.2 Instructions That Cause VM Exits Unconditionally). */
  readonly unconditional: boolean;
  /** Only as a VM-entry failure (bit 31 of the exit reason set). */
  readonly entryFailure: boolean;
  readonly doc: string;
  readonly sdm: SdmRef;
}

type O = { linux?: string | null; unconditional?: boolean; entryFailure?: boolean };
const r = (reason: number, name: string, sdmName: string, doc: string, o: O = {}): ExitReason => ({
  reason, name, linux: o.linux === undefined ? name : o.linux, sdmName,
  unconditional: o.unconditional ?? false, entryFailure: o.entryFailure ?? false, doc, sdm: C,
});
const U = { unconditional: true } as const;
const NL = { linux: null } as const;

export const EXIT_REASONS = [
  r(0, 'EXCEPTION_NMI', 'Exception or non-maskable interrupt (NMI)', 'A guest exception selected by the exception bitmap, or an NMI with NMI exiting.'),
  r(1, 'EXTERNAL_INTERRUPT', 'External interrupt', 'An external interrupt arrived with external-interrupt exiting on.'),
  r(2, 'TRIPLE_FAULT', 'Triple fault', 'The guest triple-faulted (always exits).', U),
  r(3, 'INIT_SIGNAL', 'INIT signal', 'An INIT signal arrived (always exits).', U),
  r(4, 'SIPI_SIGNAL', 'Start-up IPI (SIPI)', 'A SIPI arrived while the guest was in wait-for-SIPI.'),
  r(5, 'IO_SMI', 'I/O system-management interrupt (SMI)', 'SMM VM exit after an I/O instruction (dual-monitor treatment).', NL),
  r(6, 'OTHER_SMI', 'Other SMI', 'SMM VM exit for another SMI (dual-monitor treatment).', NL),
  r(7, 'INTERRUPT_WINDOW', 'Interrupt window', 'Interrupt-window exiting: the guest can take an interrupt now.'),
  r(8, 'NMI_WINDOW', 'NMI window', 'NMI-window exiting: no virtual-NMI blocking.'),
  r(9, 'TASK_SWITCH', 'Task switch', 'The guest attempted a task switch (always exits).', U),
  r(10, 'CPUID', 'CPUID', 'CPUID in the guest (always exits).', U),
  r(11, 'GETSEC', 'GETSEC', 'GETSEC in the guest (always exits).', { ...U, linux: null }),
  r(12, 'HLT', 'HLT', 'HLT with HLT exiting.'),
  r(13, 'INVD', 'INVD', 'INVD in the guest (always exits).', U),
  r(14, 'INVLPG', 'INVLPG', 'INVLPG with INVLPG exiting; qualification = linear address.'),
  r(15, 'RDPMC', 'RDPMC', 'RDPMC with RDPMC exiting.'),
  r(16, 'RDTSC', 'RDTSC', 'RDTSC with RDTSC exiting.'),
  r(17, 'RSM', 'RSM', 'RSM in SMM (dual-monitor treatment).', NL),
  r(18, 'VMCALL', 'VMCALL', 'VMCALL in the guest (always exits).', U),
  r(19, 'VMCLEAR', 'VMCLEAR', 'VMCLEAR in the guest (always exits).', U),
  r(20, 'VMLAUNCH', 'VMLAUNCH', 'VMLAUNCH in the guest (always exits).', U),
  r(21, 'VMPTRLD', 'VMPTRLD', 'VMPTRLD in the guest (always exits).', U),
  r(22, 'VMPTRST', 'VMPTRST', 'VMPTRST in the guest (always exits).', U),
  r(23, 'VMREAD', 'VMREAD', 'VMREAD in the guest (exits unless the shadow VMCS serves it).', U),
  r(24, 'VMRESUME', 'VMRESUME', 'VMRESUME in the guest (always exits).', U),
  r(25, 'VMWRITE', 'VMWRITE', 'VMWRITE in the guest (exits unless the shadow VMCS serves it).', U),
  r(26, 'VMOFF', 'VMXOFF', 'VMXOFF in the guest (always exits).', U),
  r(27, 'VMON', 'VMXON', 'VMXON in the guest (always exits).', U),
  r(28, 'CR_ACCESS', 'Control-register accesses', 'MOV CR, CLTS or LMSW that the CR controls intercept.'),
  r(29, 'DR_ACCESS', 'MOV DR', 'MOV DR with MOV-DR exiting.'),
  r(30, 'IO_INSTRUCTION', 'I/O instruction', 'IN/OUT/INS/OUTS intercepted by unconditional I/O exiting or the I/O bitmaps.'),
  r(31, 'MSR_READ', 'RDMSR', 'RDMSR intercepted (no MSR bitmaps, or its bit set).'),
  r(32, 'MSR_WRITE', 'WRMSR', 'WRMSR intercepted (no MSR bitmaps, or its bit set).'),
  r(33, 'INVALID_GUEST_STATE', 'VM-entry failure due to invalid guest state', 'A guest-state check failed during VM entry.', { linux: 'INVALID_STATE', entryFailure: true }),
  r(34, 'MSR_LOAD_FAIL', 'VM-entry failure due to MSR loading', 'An entry of the VM-entry MSR-load area was invalid.', { entryFailure: true }),
  r(36, 'MWAIT_INSTRUCTION', 'MWAIT', 'MWAIT with MWAIT exiting.'),
  r(37, 'MONITOR_TRAP_FLAG', 'Monitor trap flag', 'The monitor trap flag fired after a guest instruction.'),
  r(39, 'MONITOR_INSTRUCTION', 'MONITOR', 'MONITOR with MONITOR exiting.'),
  r(40, 'PAUSE_INSTRUCTION', 'PAUSE', 'PAUSE with PAUSE exiting, or a PAUSE loop with PAUSE-loop exiting.'),
  r(41, 'MCE_DURING_VMENTRY', 'VM-entry failure due to machine-check event', 'A machine check occurred during VM entry.', { entryFailure: true }),
  r(43, 'TPR_BELOW_THRESHOLD', 'TPR below threshold', 'The virtual TPR dropped below the TPR threshold.'),
  r(44, 'APIC_ACCESS', 'APIC access', 'The guest accessed the APIC-access page.'),
  r(45, 'EOI_INDUCED', 'Virtualized EOI', 'EOI virtualization for a vector set in the EOI-exit bitmap.'),
  r(46, 'GDTR_IDTR', 'Access to GDTR or IDTR', 'LGDT, LIDT, SGDT or SIDT with descriptor-table exiting.'),
  r(47, 'LDTR_TR', 'Access to LDTR or TR', 'LLDT, LTR, SLDT or STR with descriptor-table exiting.'),
  r(48, 'EPT_VIOLATION', 'EPT violation', 'A guest-physical access the EPT entries do not allow.'),
  r(49, 'EPT_MISCONFIG', 'EPT misconfiguration', 'An EPT entry with an invalid combination of bits.'),
  r(50, 'INVEPT', 'INVEPT', 'INVEPT in the guest (always exits).', U),
  r(51, 'RDTSCP', 'RDTSCP', 'RDTSCP with RDTSC exiting.'),
  r(52, 'PREEMPTION_TIMER', 'VMX-preemption timer expired', 'The VMX-preemption timer counted down to zero.'),
  r(53, 'INVVPID', 'INVVPID', 'INVVPID in the guest (always exits).', U),
  r(54, 'WBINVD', 'WBINVD or WBNOINVD', 'WBINVD/WBNOINVD with WBINVD exiting.'),
  r(55, 'XSETBV', 'XSETBV', 'XSETBV in the guest (always exits).', U),
  r(56, 'APIC_WRITE', 'APIC write', 'A write to the virtual-APIC page that needs VMM emulation (trap-like).'),
  r(57, 'RDRAND', 'RDRAND', 'RDRAND with RDRAND exiting.'),
  r(58, 'INVPCID', 'INVPCID', 'INVPCID with INVLPG exiting and INVPCID enabled.'),
  r(59, 'VMFUNC', 'VMFUNC', 'VMFUNC with a disabled function or invalid input.'),
  r(60, 'ENCLS', 'ENCLS', 'ENCLS leaf selected by the ENCLS-exiting bitmap.'),
  r(61, 'RDSEED', 'RDSEED', 'RDSEED with RDSEED exiting.'),
  r(62, 'PML_FULL', 'Page-modification log full', 'The PML index underflowed when logging a dirty page.'),
  r(63, 'XSAVES', 'XSAVES', 'XSAVES with a bit set in the XSS-exiting bitmap.'),
  r(64, 'XRSTORS', 'XRSTORS', 'XRSTORS with a bit set in the XSS-exiting bitmap.'),
  r(65, 'PCONFIG', 'PCONFIG', 'PCONFIG leaf selected by the PCONFIG-exiting bitmap (newer SDM).', NL),
  r(66, 'SPP', 'SPP-related event', 'Sub-page permission misconfiguration or miss (newer SDM).', NL),
  r(67, 'UMWAIT', 'UMWAIT', 'UMWAIT with RDTSC exiting and user wait enabled (newer SDM).'),
  r(68, 'TPAUSE', 'TPAUSE', 'TPAUSE with RDTSC exiting and user wait enabled (newer SDM).'),
  r(69, 'LOADIWKEY', 'LOADIWKEY', 'LOADIWKEY with LOADIWKEY exiting (newer SDM).', NL),
  r(70, 'ENCLV', 'ENCLV', 'ENCLV leaf selected by the ENCLV-exiting bitmap (newer SDM).', NL),
  r(72, 'ENQCMD_PASID_FAIL', 'ENQCMD PASID translation failure', 'ENQCMD could not translate its PASID (newer SDM).', NL),
  r(73, 'ENQCMDS_PASID_FAIL', 'ENQCMDS PASID translation failure', 'ENQCMDS could not translate its PASID (newer SDM).', NL),
  r(74, 'BUS_LOCK', 'Bus lock', 'The guest caused a bus lock with bus-lock detection on (newer SDM).'),
  r(75, 'NOTIFY', 'Instruction timeout', 'No instruction boundary reached within the notify window (newer SDM).'),
  r(76, 'SEAMCALL', 'SEAMCALL', 'SEAMCALL in the guest (TDX; newer SDM).'),
  r(77, 'TDCALL', 'TDCALL', 'TDCALL in the guest (TDX; newer SDM).'),
  r(78, 'RDMSRLIST', 'RDMSRLIST', 'RDMSRLIST in the guest (newer SDM).', NL),
  r(79, 'WRMSRLIST', 'WRMSRLIST', 'WRMSRLIST in the guest (newer SDM).', NL),
  r(80, 'URDMSR', 'URDMSR', 'URDMSR in the guest (Bochs only; unverified).', NL),
  r(81, 'UWRMSR', 'UWRMSR', 'UWRMSR in the guest (Bochs only; unverified).', NL),
  r(84, 'MSR_READ_IMM', 'RDMSR with immediate', 'Immediate form of RDMSR intercepted (Bochs, Linux; newer).'),
  r(85, 'MSR_WRITE_IMM', 'WRMSRNS with immediate', 'Immediate form of WRMSRNS intercepted (Bochs, Linux; newer).'),
] as const satisfies readonly ExitReason[];

const byReason = new Map<number, ExitReason>(EXIT_REASONS.map((e) => [e.reason, e]));

/** The exit reason with a basic number, or undefined. */
export function exitReasonInfo(reason: number): ExitReason | undefined {
  return byReason.get(reason & 0xffff);
}

/** The 32-bit exit-reason VMCS field. */
export const EXIT_REASON_FIELD = bitfield({
  name: 'Exit reason',
  size: 32,
  sdm: R,
  fields: {
    BASIC: { bit: 0, width: 16, sdmName: 'Basic exit reason', doc: 'Number from Appendix C.', sdm: R },
    BUS_LOCK_DETECTED: { bit: 26, sdmName: 'Bus lock detected', doc: 'A bus lock happened in the guest before this exit (newer SDM).', sdm: R },
    ENCLAVE_MODE: { bit: 27, sdmName: 'VM exit from enclave mode', doc: 'The exit happened while the guest was in an SGX enclave.', sdm: R },
    PENDING_MTF: { bit: 28, sdmName: 'Pending MTF VM exit', doc: 'An MTF exit was pending (SMM VM exits only).', sdm: R },
    FROM_ROOT: { bit: 29, sdmName: 'VM exit from VMX root operation', doc: 'SMM VM exit from root operation (dual-monitor treatment).', sdm: R },
    ENTRY_FAILURE: { bit: 31, sdmName: 'VM-entry failure', doc: 'VM entry failed (reasons 33, 34, 41); the host resumes at HOST_RIP.', sdm: R },
  },
  reserved: 0x43ff_0000n,
});
