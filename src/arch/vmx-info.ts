// Formats of the VMX event and exit-information fields: interruption information
// (VM-entry, VM-exit, IDT-vectoring), guest interruptibility and activity state,
// pending debug exceptions, exit qualifications, and VMX instruction information.
// SDM Vol. 3C §25.8.3 VM-Entry Controls for Event Injection, §25.9.2 Information for VM
// Exits Due to Vectored Events, §25.4.2 Guest Non-Register State, §28.2.1 Basic VM-Exit
// Information (exit-qualification tables), §28.2.5 Information for VM Exits Due to
// Instruction Execution.

import { bitfield, type FieldSpec } from './bitfield.ts';
import { sdm } from './sdm.ts';

const INJ = sdm('3C', '25.8.3', 'VM-Entry Controls for Event Injection');
const VEC = sdm('3C', '25.9.2', 'Information for VM Exits Due to Vectored Events');
const NRS = sdm('3C', '25.4.2', 'Guest Non-Register State');
const Q = sdm('3C', '28.2.1', 'Basic VM-Exit Information');
const II = sdm('3C', '28.2.5', 'Information for VM Exits Due to Instruction Execution');

const vector: FieldSpec = { bit: 0, width: 8, sdmName: 'Vector', doc: 'Vector of the interrupt or exception.', sdm: INJ };
const type: FieldSpec = { bit: 8, width: 3, sdmName: 'Interruption type', doc: 'See INTERRUPTION_TYPES.', sdm: INJ };
const valid: FieldSpec = { bit: 31, sdmName: 'Valid', doc: 'The field describes an event.', sdm: INJ };

/** VM-entry interruption-information field (0x4016): bits 30:12 reserved (13 is FRED nested exception). */
export const ENTRY_INTR_INFO = bitfield({
  name: 'VM-entry interruption information', size: 32, sdm: INJ,
  fields: {
    VECTOR: vector, TYPE: type,
    DELIVER_ERROR_CODE: { bit: 11, sdmName: 'Deliver error code', doc: 'Push the VM-entry exception error code.', sdm: INJ },
    NESTED_EXCEPTION: { bit: 13, sdmName: 'Nested exception', doc: 'FRED: the event is a nested exception (newer SDM).', sdm: INJ },
    VALID: valid,
  },
  reserved: 0x7fff_d000n,
});

/** The same field's valid bit, and its type's position and width as a mask, as numbers (the model reads the 32-bit field as a number). */
export const ENTRY_INTR_NUM = {
  VALID: Number(ENTRY_INTR_INFO.mask.VALID),
  TYPE_SHIFT: ENTRY_INTR_INFO.fields.TYPE.bit,
  TYPE_MASK: 2 ** ENTRY_INTR_INFO.fields.TYPE.width - 1,
} as const;

/** VM-exit interruption information (0x4404) and IDT-vectoring information (0x4408). */
export const EXIT_INTR_INFO = bitfield({
  name: 'VM-exit interruption / IDT-vectoring information', size: 32, sdm: VEC,
  fields: {
    VECTOR: { ...vector, sdm: VEC }, TYPE: { ...type, sdm: VEC },
    ERROR_CODE_VALID: { bit: 11, sdmName: 'Error code valid', doc: 'The matching error-code field is valid.', sdm: VEC },
    NMI_UNBLOCKING: { bit: 12, sdmName: 'NMI unblocking due to IRET', doc: 'The exit happened while IRET was unblocking NMIs (exit information only).', sdm: VEC },
    NESTED_EXCEPTION: { bit: 13, sdmName: 'Nested exception', doc: 'FRED: the event was a nested exception (newer SDM).', sdm: VEC },
    VALID: { ...valid, sdm: VEC },
  },
  reserved: 0x7fff_c000n,
});

/** Interruption types (bits 10:8). */
export const INTERRUPTION_TYPES = [
  { type: 0, linux: 'INTR_TYPE_EXT_INTR', name: 'External interrupt', doc: 'An external interrupt.' },
  { type: 1, linux: 'INTR_TYPE_RESERVED', name: 'Reserved', doc: 'Not used.' },
  { type: 2, linux: 'INTR_TYPE_NMI_INTR', name: 'Non-maskable interrupt (NMI)', doc: 'Vector must be 2.' },
  { type: 3, linux: 'INTR_TYPE_HARD_EXCEPTION', name: 'Hardware exception', doc: 'Any exception except #BP and #OF raised by INT3/INTO.' },
  { type: 4, linux: 'INTR_TYPE_SOFT_INTR', name: 'Software interrupt', doc: 'INT n.' },
  { type: 5, linux: 'INTR_TYPE_PRIV_SW_EXCEPTION', name: 'Privileged software exception', doc: 'INT1 (ICEBP).' },
  { type: 6, linux: 'INTR_TYPE_SOFT_EXCEPTION', name: 'Software exception', doc: 'INT3 or INTO.' },
  { type: 7, linux: 'INTR_TYPE_OTHER_EVENT', name: 'Other event', doc: 'Pending MTF VM exit (vector 0); FRED SYSCALL/SYSENTER.' },
] as const;

/** Guest interruptibility state (0x4824). */
export const GUEST_INTERRUPTIBILITY = bitfield({
  name: 'Guest interruptibility state', size: 32, sdm: NRS,
  fields: {
    STI: { bit: 0, sdmName: 'Blocking by STI', doc: 'The instruction after STI: interrupts blocked.', sdm: NRS },
    MOV_SS: { bit: 1, sdmName: 'Blocking by MOV SS', doc: 'The instruction after MOV SS/POP SS: interrupts, NMIs and debug traps blocked.', sdm: NRS },
    SMI: { bit: 2, sdmName: 'Blocking by SMI', doc: 'SMIs blocked (in SMM).', sdm: NRS },
    NMI: { bit: 3, sdmName: 'Blocking by NMI', doc: 'NMIs blocked until the next IRET.', sdm: NRS },
    ENCLAVE: { bit: 4, sdmName: 'Enclave interruption', doc: 'The exit interrupted an SGX enclave.', sdm: NRS },
  },
  reserved: 0xffff_ffe0n,
});

/** Guest activity states (0x4826). */
export const ACTIVITY_STATES = [
  { value: 0, linux: 'GUEST_ACTIVITY_ACTIVE', name: 'Active', doc: 'Executing instructions.' },
  { value: 1, linux: 'GUEST_ACTIVITY_HLT', name: 'HLT', doc: 'Halted by HLT (needs IA32_VMX_MISC[6]).' },
  { value: 2, linux: 'GUEST_ACTIVITY_SHUTDOWN', name: 'Shutdown', doc: 'After a triple fault (needs IA32_VMX_MISC[7]).' },
  { value: 3, linux: 'GUEST_ACTIVITY_WAIT_SIPI', name: 'Wait-for-SIPI', doc: 'Waiting for a start-up IPI (needs IA32_VMX_MISC[8]).' },
] as const;

/** Guest pending debug exceptions (0x6822). */
export const PENDING_DEBUG_EXCEPTIONS = bitfield({
  name: 'Guest pending debug exceptions', size: 64, sdm: NRS,
  fields: {
    B0_B3: { bit: 0, width: 4, sdmName: 'B3-B0', doc: 'Breakpoint conditions met.', sdm: NRS },
    ENABLED_BREAKPOINT: { bit: 12, sdmName: 'Enabled breakpoint', doc: 'At least one enabled breakpoint condition was met.', sdm: NRS },
    BS: { bit: 14, sdmName: 'BS', doc: 'A single-step trap is pending.', sdm: NRS },
    RTM: { bit: 16, sdmName: 'RTM', doc: 'A debug exception occurred inside an RTM region.', sdm: NRS },
  },
  reserved: ~0x1_500fn & 0xffff_ffff_ffff_ffffn,
});

/** Exit qualification of control-register accesses (exit reason 28). */
export const QUAL_CR_ACCESS = bitfield({
  name: 'Exit qualification: control-register access', size: 64, sdm: Q,
  fields: {
    CR: { bit: 0, width: 4, sdmName: 'Number of control register', doc: '0, 3, 4 or 8 (0 for CLTS and LMSW).', sdm: Q },
    ACCESS_TYPE: { bit: 4, width: 2, sdmName: 'Access type', doc: '0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW.', sdm: Q },
    LMSW_MEMORY: { bit: 6, sdmName: 'LMSW operand type', doc: '1 = LMSW from memory.', sdm: Q },
    GPR: { bit: 8, width: 4, sdmName: 'General-purpose register', doc: 'Register of MOV CR (0 RAX ... 15 R15).', sdm: Q },
    LMSW_SOURCE: { bit: 16, width: 16, sdmName: 'LMSW source data', doc: 'The 16-bit LMSW operand.', sdm: Q },
  },
  reserved: 0xffff_ffff_0000_f080n,
});

/** Exit qualification of MOV DR (exit reason 29). */
export const QUAL_MOV_DR = bitfield({
  name: 'Exit qualification: MOV DR', size: 64, sdm: Q,
  fields: {
    DR: { bit: 0, width: 3, sdmName: 'Number of debug register', doc: 'DR0-DR7.', sdm: Q },
    DIRECTION: { bit: 4, sdmName: 'Direction of access', doc: '0 = MOV to DR, 1 = MOV from DR.', sdm: Q },
    GPR: { bit: 8, width: 4, sdmName: 'General-purpose register', doc: 'Source or destination register.', sdm: Q },
  },
  reserved: ~0xf17n & 0xffff_ffff_ffff_ffffn,
});

/** Exit qualification of I/O instructions (exit reason 30). */
export const QUAL_IO = bitfield({
  name: 'Exit qualification: I/O instruction', size: 64, sdm: Q,
  fields: {
    SIZE: { bit: 0, width: 3, sdmName: 'Size of access', doc: '0 = 1 byte, 1 = 2 bytes, 3 = 4 bytes.', sdm: Q },
    IN: { bit: 3, sdmName: 'Direction of the attempted access', doc: '0 = OUT, 1 = IN.', sdm: Q },
    STRING: { bit: 4, sdmName: 'String instruction', doc: 'INS or OUTS.', sdm: Q },
    REP: { bit: 5, sdmName: 'REP prefixed', doc: 'The instruction has a REP prefix.', sdm: Q },
    IMMEDIATE: { bit: 6, sdmName: 'Operand encoding', doc: '0 = port in DX, 1 = immediate port.', sdm: Q },
    PORT: { bit: 16, width: 16, sdmName: 'Port number', doc: 'The I/O port.', sdm: Q },
  },
  reserved: ~0xffff_007fn & 0xffff_ffff_ffff_ffffn,
});

/** Exit qualification of task switches (exit reason 9). */
export const QUAL_TASK_SWITCH = bitfield({
  name: 'Exit qualification: task switch', size: 64, sdm: Q,
  fields: {
    SELECTOR: { bit: 0, width: 16, sdmName: 'Selector of task-state segment', doc: 'TSS selector of the new task.', sdm: Q },
    SOURCE: { bit: 30, width: 2, sdmName: 'Source of task switch', doc: '0 CALL, 1 IRET, 2 JMP, 3 task gate in IDT.', sdm: Q },
  },
  reserved: ~0xc000_ffffn & 0xffff_ffff_ffff_ffffn,
});

/** Values of QUAL_TASK_SWITCH.SOURCE: what started the task switch (SDM Vol. 3C Table 28-2). */
export const TASK_SWITCH_SOURCE = { CALL: 0, IRET: 1, JMP: 2, IDT: 3 } as const;
export type TaskSwitchSource = (typeof TASK_SWITCH_SOURCE)[keyof typeof TASK_SWITCH_SOURCE];

/** Exit qualification of debug exceptions (exit reason 0 with #DB). */
export const QUAL_DEBUG = bitfield({
  name: 'Exit qualification: debug exception', size: 64, sdm: Q,
  fields: {
    B0_B3: { bit: 0, width: 4, sdmName: 'B3-B0', doc: 'Breakpoint conditions met.', sdm: Q },
    BD: { bit: 13, sdmName: 'BD', doc: 'Debug-register access detected.', sdm: Q },
    BS: { bit: 14, sdmName: 'BS', doc: 'Single step or taken branch.', sdm: Q },
  },
});

/** Exit qualification of APIC accesses (exit reason 44). */
export const QUAL_APIC_ACCESS = bitfield({
  name: 'Exit qualification: APIC access', size: 64, sdm: Q,
  fields: {
    OFFSET: { bit: 0, width: 12, sdmName: 'Page offset', doc: 'Offset of the access within the APIC page (linear accesses).', sdm: Q },
    ACCESS_TYPE: { bit: 12, width: 4, sdmName: 'Access type', doc: '0 read, 1 write, 2 fetch, 3 during event delivery, 10/15 guest-physical.', sdm: Q },
  },
});

/** Exit qualification of EPT violations (exit reason 48). */
export const QUAL_EPT_VIOLATION = bitfield({
  name: 'Exit qualification: EPT violation', size: 64, sdm: Q,
  fields: {
    READ: { bit: 0, sdmName: 'Data read', doc: 'The access was a data read.', sdm: Q },
    WRITE: { bit: 1, sdmName: 'Data write', doc: 'The access was a data write.', sdm: Q },
    FETCH: { bit: 2, sdmName: 'Instruction fetch', doc: 'The access was an instruction fetch.', sdm: Q },
    READABLE: { bit: 3, sdmName: 'Readable', doc: 'AND of the R bits of the EPT entries used.', sdm: Q },
    WRITABLE: { bit: 4, sdmName: 'Writable', doc: 'AND of the W bits of the EPT entries used.', sdm: Q },
    EXECUTABLE: { bit: 5, sdmName: 'Executable', doc: 'AND of the X bits of the EPT entries used.', sdm: Q },
    USER_EXECUTABLE: { bit: 6, sdmName: 'User-mode executable', doc: 'AND of the user-execute bits (MBEC; newer SDM).', sdm: Q },
    LINEAR_VALID: { bit: 7, sdmName: 'Guest linear-address field valid', doc: 'The guest-linear-address field holds the address.', sdm: Q },
    FINAL_TRANSLATION: { bit: 8, sdmName: 'Translation of the linear address', doc: '1 = access to the final address; 0 = guest paging-structure access.', sdm: Q },
    USER_LINEAR: { bit: 9, sdmName: 'User-mode linear address', doc: 'Advanced info: the linear address is user-mode.', sdm: Q },
    WRITABLE_LINEAR: { bit: 10, sdmName: 'Writable linear address', doc: 'Advanced info: the linear address is writable.', sdm: Q },
    XD_LINEAR: { bit: 11, sdmName: 'Execute-disable linear address', doc: 'Advanced info: the linear address is execute-disable.', sdm: Q },
    NMI_UNBLOCKING: { bit: 12, sdmName: 'NMI unblocking due to IRET', doc: 'IRET was unblocking NMIs.', sdm: Q },
    SHADOW_STACK: { bit: 13, sdmName: 'Shadow-stack access', doc: 'The access was a shadow-stack access (newer SDM).', sdm: Q },
    SSS: { bit: 14, sdmName: 'Supervisor shadow stack', doc: 'The leaf had the supervisor-shadow-stack bit (newer SDM).', sdm: Q },
  },
});

/** VM-exit instruction information for VMX instructions (tables for INVEPT/INVVPID, VMCLEAR..VMXON, VMREAD/VMWRITE). */
export const VMX_INSTRUCTION_INFO = bitfield({
  name: 'VM-exit instruction information (VMX instructions)', size: 32, sdm: II,
  fields: {
    SCALING: { bit: 0, width: 2, sdmName: 'Scaling', doc: '0..3 = index scaled by 1, 2, 4, 8.', sdm: II },
    REG1: { bit: 3, width: 4, sdmName: 'Reg1', doc: 'VMREAD/VMWRITE: the r/m register when bit 10 = 1.', sdm: II },
    ADDRESS_SIZE: { bit: 7, width: 3, sdmName: 'Address size', doc: '0 = 16-bit, 1 = 32-bit, 2 = 64-bit.', sdm: II },
    REGISTER_OPERAND: { bit: 10, sdmName: 'Mem/Reg', doc: 'VMREAD/VMWRITE: 1 = register operand.', sdm: II },
    SEGMENT: { bit: 15, width: 3, sdmName: 'Segment register', doc: '0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS.', sdm: II },
    INDEX: { bit: 18, width: 4, sdmName: 'IndexReg', doc: 'Index register number.', sdm: II },
    INDEX_INVALID: { bit: 22, sdmName: 'IndexReg invalid', doc: 'No index register.', sdm: II },
    BASE: { bit: 23, width: 4, sdmName: 'BaseReg', doc: 'Base register number.', sdm: II },
    BASE_INVALID: { bit: 27, sdmName: 'BaseReg invalid', doc: 'No base register.', sdm: II },
    REG2: { bit: 28, width: 4, sdmName: 'Reg2', doc: 'INVEPT/INVVPID: type register; VMREAD/VMWRITE: encoding register.', sdm: II },
  },
});
