// Lessons 4-5: the current VMCS (VMCLEAR, VMPTRLD, VMPTRST) and field access (VMREAD, VMWRITE).

import type { Lesson } from '../format.ts';

const BOTH = ['arrow-lake', 'core2-conroe'] as const;

/** CR4.VMXE, the revision identifier into the VMXON region (and `more` regions), VMXON. */
function enterVmx(more: readonly string[]): string {
  return `start:
    mov rbx, cr4
    or rbx, X86_CR4_VMXE
    mov cr4, rbx
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff                 ; revision identifier: IA32_VMX_BASIC[30:0]
    mov [vmxon_region], eax
${more.map((r) => `    mov [${r}], eax\n`).join('')}    mov rax, PA(vmxon_region)
    mov [vmxon_ptr], rax
    vmxon [vmxon_ptr]
    jbe fail
    mov rax, PA(vmcs_a)
    mov [ptr_a], rax
    mov rax, PA(vmcs_b)
    mov [ptr_b], rax
`;
}

const DATA = `
align 8
vmxon_ptr: dq 0
ptr_a: dq 0
ptr_b: dq 0
stored: dq 0
align 4096
vmxon_region: times 4096 db 0
vmcs_a: times 4096 db 0
vmcs_b: times 4096 db 0
`;

const L4_BODY = `    ; VMCLEAR: the VMCS's launch state becomes "clear" and its data is written to its region
    vmclear [ptr_a]
    jbe fail
    vmclear [ptr_b]
    jbe fail
    ; VMPTRLD: VMCS A becomes current (and active), then B replaces it as the current one
    vmptrld [ptr_a]
    jbe fail
    vmptrld [ptr_b]
    jbe fail
    ; VMPTRST stores the current-VMCS pointer: it must be B's physical address
    vmptrst [stored]
    mov rax, [stored]
    cmp rax, [ptr_b]
    jne fail
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt
`;

const lesson4: Lesson = {
  id: 'current-vmcs',
  kind: 'lesson',
  title: '4. VMCLEAR, VMPTRLD, VMPTRST',
  summary: 'The current VMCS, launch state, and several VMCSes.',
  text: `# The current VMCS

A *VMCS* (virtual-machine control structure) describes one virtual processor. Like the VMXON
region it is a 4-KByte region in physical memory that starts with the **revision identifier**
(SDM Vol. 3C §25.2 "Format of the VMCS Region"); the rest is the processor's business, reached
only through VMREAD and VMWRITE.

The instructions that manage VMCSes (SDM Vol. 3C §25.1 "Overview", §25.11.3 "Initializing a VMCS"):

- \`VMCLEAR m64\`: makes the VMCS at that physical address *inactive*, writes its data to memory,
  and sets its **launch state** to *clear* (so the next entry with it must be VMLAUNCH). Do it once
  on every new VMCS.
- \`VMPTRLD m64\`: makes it *active* and **current**: VMREAD, VMWRITE, VMLAUNCH and VMRESUME work on
  the current VMCS. It fails when the region's revision identifier is wrong: VMfailValid(11) when
  another VMCS is current (its VM_INSTRUCTION_ERROR field receives the 11), and VMfailInvalid
  (CF = 1, no error number) when none is, since there is then no VMCS to hold the number.
- \`VMPTRST m64\`: stores the current-VMCS pointer (all ones when there is none).

Several VMCSes may be active at once (one per virtual CPU), but only one is current.

**Try:** the program sets up two VMCSes, A and B, and checks that B is current at the end.
Run it, find the failing instruction in the Events panel, read why in the Explain panel (the
error numbers are listed in SDM Vol. 3C §31.4 "VM Instruction Error Numbers"), and fix it.`,
  start: `; Lesson 4: two VMCSes; B must end up current.\n\n${enterVmx([])}${L4_BODY}${DATA}`,
  solution: `; Lesson 4: two VMCSes; B must end up current.\n\n${enterVmx(['vmcs_a', 'vmcs_b'])}${L4_BODY}${DATA}`,
  machine: {},
  profiles: BOTH,
  hints: [
    'VMCLEAR succeeds but VMPTRLD fails with VMfailInvalid: no VMCS is current yet, so there is no error number. Had one been current, it would read 11: "VMPTRLD with incorrect VMCS revision identifier".',
    'A VMCS region starts with the same revision identifier as the VMXON region.',
    'Store EAX (IA32_VMX_BASIC[30:0]) at vmcs_a and vmcs_b too, next to `mov [vmxon_region], eax`.',
  ],
  goals: [
    { kind: 'vmx', label: 'VMCLEAR succeeds', mnemonic: 'vmclear', result: 'VMsucceed' },
    { kind: 'vmx', label: 'VMPTRLD succeeds', mnemonic: 'vmptrld', result: 'VMsucceed' },
    { kind: 'vmx', label: 'no VMPTRLD fails (VMfailInvalid: wrong revision identifier, no VMCS current)', mnemonic: 'vmptrld', result: 'VMfailInvalid', absent: true },
    { kind: 'vmx', label: 'VMPTRST succeeds', mnemonic: 'vmptrst', result: 'VMsucceed' },
    { kind: 'reg', label: 'VMPTRST gave VMCS B (rbx = 0x600d)', reg: 'rbx', equals: '0x600d' },
  ],
  sdm: ['Vol. 3C §25.2 Format of the VMCS Region', 'Vol. 3C §25.11.3 Initializing a VMCS', 'Vol. 3C §31.4 VM Instruction Error Numbers'],
};

const L5_HEAD = `; Lesson 5: write two guest fields and read them back.
; rcx = GUEST_RIP, rdx = GUEST_CS_SELECTOR, r13 = VM_INSTRUCTION_ERROR at the end.

${enterVmx(['vmcs_a', 'vmcs_b'])}    vmclear [ptr_a]
    jbe fail
    vmptrld [ptr_a]
    jbe fail
    ; VMWRITE field-encoding (register), value (register or memory)
    mov eax, GUEST_RIP
    mov rbx, 0x1234
    vmwrite rax, rbx
    mov eax, GUEST_CS_SELECTOR
    mov ebx, 0x10
    vmwrite rax, rbx
`;

const L5_TAIL = `    mov eax, GUEST_CS_SELECTOR
    vmread rdx, rax
    ; the error number of the last VMfailValid (0 if none)
    mov eax, VM_INSTRUCTION_ERROR
    vmread r13, rax
    hlt
fail:
    mov ebx, 0xbad
    hlt
`;

const lesson5: Lesson = {
  id: 'vmread-vmwrite',
  kind: 'lesson',
  title: '5. VMREAD and VMWRITE',
  summary: 'Field encodings and widths, read-only fields, errors 12 and 13.',
  text: `# VMREAD and VMWRITE

Every VMCS field has a 32-bit **encoding** (SDM Vol. 3C §25.11.2 "VMREAD, VMWRITE, and Encodings of
VMCS Fields"): bit 0 is the *access type* (1 = the high 32 bits of a 64-bit field), bits 9:1 the
index, bits 11:10 the *type* (0 control, 1 VM-exit information, 2 guest state, 3 host state) and
bits 14:13 the *width* (0 16-bit, 1 64-bit, 2 32-bit, 3 natural width). The lab knows every field
by its Linux name: \`GUEST_RIP\` is 0x681E.

\`VMREAD dest, encoding\` and \`VMWRITE encoding, value\` fail with VMfailValid and an error number
in VM_INSTRUCTION_ERROR (SDM Vol. 3C §31.4 "VM Instruction Error Numbers"):

- **12**: the encoding names no field this processor supports. Access type 1 (the high half)
  exists only for 64-bit fields: \`GUEST_RIP + 1\` is not a field, GUEST_RIP is natural width.
- **13**: VMWRITE to a read-only field (the VM-exit information fields), unless the processor
  sets IA32_VMX_MISC bit 29, "VMWRITE to any supported field" (SDM Vol. 3D §A.6 "Miscellaneous
  Data"). A Core 2 does not: this lesson's machine is one.

A failed VMREAD/VMWRITE leaves the destination unchanged: code that does not check ZF/CF goes on
with stale values.

**Try:** run the program and compare rcx with what was written. Find the two failing
instructions in the Events panel, and fix both.`,
  start: `${L5_HEAD}    ; start clean: clear the exit reason
    mov eax, VM_EXIT_REASON
    xor ebx, ebx
    vmwrite rax, rbx
    ; read GUEST_RIP back (all 64 bits)
    mov eax, GUEST_RIP + 1
    vmread rcx, rax
${L5_TAIL}${DATA}`,
  solution: `${L5_HEAD}    ; read GUEST_RIP back (a natural-width field: one access gives all 64 bits)
    mov eax, GUEST_RIP
    vmread rcx, rax
${L5_TAIL}${DATA}`,
  machine: { profile: 'core2-conroe' },
  profiles: ['core2-conroe', 'arrow-lake'],
  hints: [
    'Two instructions end with VMfailValid: a VMWRITE with error 13 and a VMREAD with error 12.',
    'VM_EXIT_REASON is a VM-exit information field: the processor writes it on a VM exit; software only reads it. Nothing needs clearing.',
    'GUEST_RIP is a natural-width field: read it with its own encoding, not GUEST_RIP + 1.',
  ],
  goals: [
    { kind: 'vmx', label: 'no VMWRITE to a read-only field (error 13)', mnemonic: 'vmwrite', result: 'VMfailValid', error: 13, absent: true },
    { kind: 'vmx', label: 'no VMREAD of an unsupported field (error 12)', mnemonic: 'vmread', result: 'VMfailValid', error: 12, absent: true },
    { kind: 'reg', label: 'rcx = GUEST_RIP as written (0x1234)', reg: 'rcx', equals: '0x1234' },
    { kind: 'reg', label: 'rdx = GUEST_CS_SELECTOR as written (0x10)', reg: 'rdx', equals: '0x10' },
    { kind: 'reg', label: 'VM_INSTRUCTION_ERROR is 0 at the end (r13)', reg: 'r13', equals: 0 },
    { kind: 'vmcs', label: 'the current VMCS holds GUEST_RIP = 0x1234', field: 'GUEST_RIP', equals: '0x1234' },
  ],
  sdm: ['Vol. 3C §25.11.2 VMREAD, VMWRITE, and Encodings of VMCS Fields', 'Vol. 3C §31.4 VM Instruction Error Numbers', 'Vol. 3D §A.6 Miscellaneous Data'],
};

export const VMCS_ACCESS: readonly Lesson[] = [lesson4, lesson5];
