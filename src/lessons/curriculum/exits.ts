// Lessons 10-11: the machine array (the VMCS from a table, seed 004) and the exits a hypervisor chooses.

import type { Lesson } from '../format.ts';
import { bringup } from '../programs/bringup.ts';

const BOTH = ['arrow-lake', 'core2-conroe'] as const;

const L10_HEADER = `; Lesson 10: the machine array
; The guest's segment fields come from a table of (encoding, value) pairs, written in a loop.
; rbx = 0x600d on success, 0xbad on failure.

`;

const lesson10: Lesson = {
  id: 'machine-array',
  kind: 'lesson',
  title: '10. The machine array',
  summary: 'Initialising the VMCS from a table of (encoding, value) pairs in a loop (seed 004).',
  text: `# The machine array

Writing every VMCS field with its own three instructions gets long. The classic alternative
(the course notes of seed 004 call it the *machine array*) is a table: one (encoding, value)
pair per field, and a loop that reads a pair and does one VMWRITE, until an end marker.

The encoding says how wide the field is (SDM Vol. 3C §25.11.2 "VMREAD, VMWRITE, and Encodings of
VMCS Fields"), but VMWRITE always takes a 64-bit register in 64-bit mode: the table can store
every value as a quadword, and the processor keeps the bits the field has. Each entry is then
**16 bytes**: \`dq encoding, value\`.

Values in a table are constants: the selectors, access rights and limits of the lab's flat
64-bit world (the starting machine's GDT has the code segment at 0x08, data at 0x10, the TSS at
0x18). What the running kernel decides (CR3, bases of FS, GS and TR, the stacks) is still read
at run time.

**Try:** run the program. The loop stops at a VMWRITE that fails: which encoding did it pass?
Fix the loop.`,
  start: bringup({ guestState: 'table-bad-stride' }, L10_HEADER),
  solution: bringup({ guestState: 'table' }, L10_HEADER),
  machine: {},
  profiles: BOTH,
  hints: [
    'The failing VMWRITE has error 12 (unsupported field) and its encoding is 8: a value, not an encoding.',
    'Each pair takes 16 bytes (two dq); the loop moves 8 bytes at a time, so every second "encoding" is a value.',
    'In the loop: `add rsi, 16`.',
  ],
  goals: [
    { kind: 'vmx', label: 'no VMWRITE fails', mnemonic: 'vmwrite', result: 'VMfailValid', absent: true },
    { kind: 'vmcs', label: 'GUEST_TR_SELECTOR = 0x18 from the table', field: 'GUEST_TR_SELECTOR', equals: '0x18' },
    { kind: 'vmcs', label: 'GUEST_LDTR_AR_BYTES marks LDTR unusable (bit 16)', field: 'GUEST_LDTR_AR_BYTES', equals: '0x10000' },
    { kind: 'vmexit', label: 'the guest exits with VMCALL (reason 18) twice', reason: 18, count: 2 },
    { kind: 'reg', label: 'the program reports success (rbx = 0x600d)', reg: 'rbx', equals: '0x600d' },
  ],
  sdm: ['Vol. 3C §25.11.2 VMREAD, VMWRITE, and Encodings of VMCS Fields', 'Vol. 3C §25.4.1 Guest Register State'],
};

const L11_GUEST = `    xor eax, eax
    cpuid                               ; CPUID always exits
    mov ecx, 0x10                       ; IA32_TIME_STAMP_COUNTER
    rdmsr                               ; exits unless an MSR bitmap says otherwise
    mov al, 0x55
    out 0x80, al                        ; exits if the I/O bitmap (or unconditional I/O exiting) says so
    hlt                                 ; exits only with "HLT exiting"
    jmp guest_code`;

const L11_SETUP = `    ; -- 5b. the bitmaps: MSR bitmap all zero (no RDMSR/WRMSR exits), I/O bitmap A with port 0x80's bit set
    mov byte [io_bitmap_a + 0x80 / 8], 1 << (0x80 % 8)
    mov rbx, PA(msr_bitmap)
    mov eax, MSR_BITMAP
    call vmw
    mov rbx, PA(io_bitmap_a)
    mov eax, IO_BITMAP_A
    call vmw
    mov rbx, PA(io_bitmap_b)
    mov eax, IO_BITMAP_B
    call vmw
`;

const L11_DATA = `
align 4096
msr_bitmap:  times 4096 db 0           ; read low, read high, write low, write high: 1 KByte each
io_bitmap_a: times 4096 db 0           ; ports 0000H-7FFFH, one bit each
io_bitmap_b: times 4096 db 0           ; ports 8000H-FFFFH
`;

const L11_HEADER = `; Lesson 11: exits you choose
; The guest executes CPUID, RDMSR, OUT and HLT. The handler counts exits, skips each exiting
; instruction, and stops at the third. r14 = the last exit reason; rbx = 0x600d on success.

`;

const l11 = (wantProc: string): string =>
  bringup({ guestCode: L11_GUEST, exitsWanted: 3, wantProc, extraSetup: L11_SETUP, extraData: L11_DATA }, L11_HEADER);

const lesson11: Lesson = {
  id: 'chosen-exits',
  kind: 'lesson',
  title: '11. Exits you choose',
  summary: 'Unconditional exits (CPUID), HLT exiting, MSR bitmaps, I/O bitmaps.',
  text: `# Exits you choose

Some instructions exit unconditionally in VMX non-root operation: CPUID, GETSEC, INVD, XSETBV
and the VMX instructions (SDM Vol. 3C §26.1.2 "Instructions That Cause VM Exits
Unconditionally"). Many others exit only when a VM-execution control says so (SDM Vol. 3C
§26.1.3 "Instructions That Cause VM Exits Conditionally"; the controls in §25.6.2
"Processor-Based VM-Execution Controls"):

- **HLT exiting** (bit 7): HLT exits with reason 12; without it the guest simply halts;
- **use MSR bitmaps** (bit 28): without it *every* RDMSR and WRMSR exits (reasons 31 and 32);
  with it, a 4-KByte page of bitmaps says which MSRs exit: a 0 bit lets the guest read or write
  that MSR itself (SDM Vol. 3C §25.6.9 "MSR-Bitmap Address");
- **unconditional I/O exiting** (bit 24) and **use I/O bitmaps** (bit 25): IN, OUT and the
  string forms exit (reason 30) for every port, or only for the ports whose bit is set in
  bitmap A (ports 0-7FFFH) or B (8000H-FFFFH) (SDM Vol. 3C §25.6.4 "I/O-Bitmap Addresses").
  With neither, the guest reaches the ports directly.

The program already prepares an all-zero MSR bitmap and I/O bitmaps with port 0x80 marked, and
writes their physical addresses into the VMCS, but no control tells the processor to use them.
A wanted control still goes through the adjustment of lesson 6: \`(wanted | allowed0) & allowed1\`.

**Try:** run the program and compare the exits with the goals. Ask for the three controls.`,
  start: l11('0'),
  solution: l11('CPU_BASED_HLT_EXITING | CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_USE_IO_BITMAPS'),
  machine: {},
  profiles: BOTH,
  hints: [
    'RDMSR exits (reason 31) although the MSR bitmap is all zero; OUT does not exit; the guest\'s HLT stops the whole machine in VMX non-root operation.',
    'The primary processor-based controls are written with no wanted bits (`mov ebx, 0` before the call that writes CPU_BASED_VM_EXEC_CONTROL).',
    'Want `CPU_BASED_HLT_EXITING | CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_USE_IO_BITMAPS` there.',
  ],
  goals: [
    { kind: 'vmexit', label: 'CPUID exits (reason 10)', reason: 10 },
    { kind: 'vmexit', label: 'RDMSR of the TSC does not exit: its bit in the MSR bitmap is 0', reason: 31, absent: true },
    { kind: 'vmexit', label: 'OUT to port 0x80 exits: its bit in I/O bitmap A is 1 (reason 30)', reason: 30 },
    { kind: 'vmexit', label: 'HLT exits (reason 12)', reason: 12 },
    { kind: 'resume-advanced', label: 'the guest resumes past the OUT', reason: 30 },
    { kind: 'stop', label: 'the host gets control back and halts in VMX root operation', stop: 'halted', mode: 'root' },
    { kind: 'reg', label: 'the program reports success (rbx = 0x600d)', reg: 'rbx', equals: '0x600d' },
  ],
  sdm: ['Vol. 3C §26.1.2 Instructions That Cause VM Exits Unconditionally', 'Vol. 3C §26.1.3 Instructions That Cause VM Exits Conditionally', 'Vol. 3C §25.6.4 I/O-Bitmap Addresses', 'Vol. 3C §25.6.9 MSR-Bitmap Address'],
};

export const EXITS: readonly Lesson[] = [lesson10, lesson11];
