// Lessons 1-3: is VMX there and allowed, CR0/CR4 for VMX operation, VMXON.

import type { Lesson } from '../format.ts';

const BOTH = ['arrow-lake', 'core2-conroe'] as const;

const L1_BODY = (enable: string): string => `; Lesson 1: does this CPU have VMX, and may we use it?
; Leaves rbx = 2 when VMX can be used, 1 when the CPU has it but may not use it, 0 when it has none.

start:
    xor ebx, ebx
    ; A20: port 0x92 bit 1 (the lab's machine has it on; a real-mode loader must check)
    in al, 0x92
    or al, 2
    out 0x92, al
    ; 1. CPUID.1:ECX.VMX[bit 5]
    mov eax, 1
    cpuid
    bt ecx, 5
    jnc done
    mov ebx, 1                          ; the processor has VMX
    ; 2. IA32_FEATURE_CONTROL: firmware should have locked it; lock it ourselves if not
    mov ecx, MSR_IA32_FEATURE_CONTROL
    rdmsr
    test eax, FEAT_CTL_LOCKED
    jnz .locked
${enable}
    xor edx, edx
    wrmsr
.locked:
    ; 3. once locked, VMXON outside SMX needs the enable bit too
    test eax, FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX
    jz done
    mov ebx, 2                          ; VMX can be used
done:
    hlt
`;

const lesson1: Lesson = {
  id: 'vmx-support',
  kind: 'lesson',
  title: '1. Does this CPU have VMX?',
  summary: 'CPUID.1:ECX[5], the IA32_FEATURE_CONTROL lock and enable bits, and what "locked by firmware" means.',
  text: `# Does this CPU have VMX?

Before anything else a hypervisor asks two questions.

**Does the processor implement VMX?** \`CPUID\` with \`EAX = 1\` returns feature flags; bit 5 of
\`ECX\` is VMX (SDM Vol. 3C §24.6 "Discovering Support for VMX").

**Is it allowed to use it?** The MSR \`IA32_FEATURE_CONTROL\` (index 0x3A) decides
(SDM Vol. 3C §24.7 "Enabling and Entering VMX Operation"):

- bit 0, *lock*: once set, the MSR cannot be written again until reset (a WRMSR raises #GP);
- bit 2, *enable VMX outside SMX*: VMXON outside SMX raises #GP unless this bit **and** the lock are set;
- bit 1 does the same for VMXON inside SMX (a measured launch).

Firmware normally sets these and locks the MSR. If it locked the MSR with bit 2 clear, VMX is
switched off until the next reset: nothing an operating system does can change it. If it left
the MSR unlocked, the operating system may set the bits it wants and lock it.

In this lesson's machine the firmware left \`IA32_FEATURE_CONTROL\` **unlocked** (value 0). The
program locks it, but look at what it writes. (It also makes sure the A20 gate is open through
port 0x92: old real-mode code had to; the lab's machine always starts with A20 on.)

**Try:** run the program and look at the MSRs panel. Then fix the program so that it enables
VMX outside SMX in the same WRMSR that sets the lock.`,
  start: L1_BODY('    or eax, FEAT_CTL_LOCKED              ; lock it'),
  solution: L1_BODY('    or eax, FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX   ; enable VMX outside SMX, and lock'),
  machine: { msrs: { '0x3a': 0 } },
  profiles: BOTH,
  hints: [
    'After the program runs, IA32_FEATURE_CONTROL reads 1: locked, with VMX disabled. Which bit is missing?',
    'Bit 2 (FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX) must be set in the same WRMSR as the lock: a second WRMSR to a locked MSR raises #GP.',
    'Write `or eax, FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX` before the WRMSR.',
  ],
  goals: [
    { kind: 'msr', label: 'IA32_FEATURE_CONTROL is locked with VMX outside SMX enabled', msr: '0x3a', mask: 5, equals: 5 },
    { kind: 'reg', label: 'the program concludes VMX can be used (rbx = 2)', reg: 'rbx', equals: 2 },
    { kind: 'fault', label: 'no exception', absent: true },
    { kind: 'stop', label: 'the program ends with HLT', stop: 'halted' },
  ],
  sdm: ['Vol. 3C §24.6 Discovering Support for VMX', 'Vol. 3C §24.7 Enabling and Entering VMX Operation'],
};

/** The VMXON part every early lesson shares: revision identifier, physical pointer, VMXON. */
const VMXON_PART = `    ; revision identifier (IA32_VMX_BASIC[30:0]) into the first 4 bytes of the VMXON region
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff
    mov [vmxon_region], eax
    ; VMXON takes the address of a 64-bit variable that holds the region's physical address
    mov rax, PA(vmxon_region)
    mov [vmxon_ptr], rax
    vmxon [vmxon_ptr]
    jbe fail
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt

align 8
vmxon_ptr: dq 0
align 4096
vmxon_region: times 4096 db 0
`;

const L2_FIXED = `    ; CR0 |= IA32_VMX_CR0_FIXED0 (bits that must be 1), CR0 &= IA32_VMX_CR0_FIXED1 (bits that may be 1)
    mov ecx, MSR_IA32_VMX_CR0_FIXED0
    rdmsr
    mov rbx, cr0
    or rbx, rax
    mov ecx, MSR_IA32_VMX_CR0_FIXED1
    rdmsr
    and rbx, rax
    mov cr0, rbx
    ; the same for CR4, with CR4.VMXE set
    mov rbx, cr4
    or rbx, X86_CR4_VMXE
    mov ecx, MSR_IA32_VMX_CR4_FIXED0
    rdmsr
    or rbx, rax
    mov ecx, MSR_IA32_VMX_CR4_FIXED1
    rdmsr
    and rbx, rax
    mov cr4, rbx
`;

const L2_START = `    ; CR4.VMXE = 1 enables VMX operation
    mov rbx, cr4
    or rbx, X86_CR4_VMXE
    mov cr4, rbx
`;

const lesson2: Lesson = {
  id: 'cr-fixed-bits',
  kind: 'lesson',
  title: '2. CR0 and CR4 for VMX operation',
  summary: 'IA32_VMX_CR0/CR4_FIXED0/FIXED1, CR4.VMXE, and why CR0.NE matters.',
  text: `# CR0 and CR4 for VMX operation

VMXON checks the control registers first. In VMX operation some CR0 and CR4 bits are *fixed*
(SDM Vol. 3C §24.8 "Restrictions on VMX Operation"; SDM Vol. 3D §A.7 "VMX-Fixed Bits in CR0" and
§A.8 "VMX-Fixed Bits in CR4"):

- a bit that is 1 in \`IA32_VMX_CR0_FIXED0\` (0x486) must be 1 in CR0;
- a bit that is 0 in \`IA32_VMX_CR0_FIXED1\` (0x487) must be 0 in CR0;
- \`IA32_VMX_CR4_FIXED0\` (0x488) and \`IA32_VMX_CR4_FIXED1\` (0x489) do the same for CR4.

On every processor FIXED0 asks for CR0.PE, CR0.NE and CR0.PG, and CR4.VMXE. VMXON with a CR0 or
CR4 that breaks these rules raises **#GP(0)**, and once in VMX operation a MOV to CR0/CR4 that
would break them raises #GP too.

The safe recipe, used by Linux and every hypervisor: \`CR0 = (CR0 | FIXED0) & FIXED1\`, the same for
CR4 with VMXE set, before VMXON.

In this lesson's machine someone cleared **CR0.NE** (numeric error reporting), the way old
DOS-era code did. The program only sets CR4.VMXE.

**Try:** run it and read the fault in the Events panel. Then read the FIXED MSRs in the MSRs
panel and adjust CR0 and CR4 with them.`,
  start: `; Lesson 2: make CR0 and CR4 fit for VMX operation, then VMXON.\n\nstart:\n${L2_START}${VMXON_PART}`,
  solution: `; Lesson 2: make CR0 and CR4 fit for VMX operation, then VMXON.\n\nstart:\n${L2_FIXED}${VMXON_PART}`,
  machine: { cr: { cr0: { clear: '0x20' } } },
  profiles: BOTH,
  hints: [
    'VMXON raises #GP(0). The Registers panel shows CR0: which of PE, NE, PG is 0?',
    'CR0.NE (bit 5) is 0, but IA32_VMX_CR0_FIXED0 has bit 5 set.',
    'Read IA32_VMX_CR0_FIXED0 and OR it into CR0, then AND with IA32_VMX_CR0_FIXED1; do the same for CR4 with CR4_FIXED0/FIXED1.',
  ],
  goals: [
    { kind: 'vmx', label: 'VMXON succeeds', mnemonic: 'vmxon', result: 'VMsucceed' },
    { kind: 'cr', label: 'CR0.NE, CR0.PE and CR0.PG are set', cr: 'cr0', set: '0x80000021' },
    { kind: 'cr', label: 'CR4.VMXE is set', cr: 'cr4', set: '0x2000' },
    { kind: 'fault', label: 'no #GP', vector: 13, absent: true },
  ],
  sdm: ['Vol. 3C §24.8 Restrictions on VMX Operation', 'Vol. 3D §A.7 VMX-Fixed Bits in CR0', 'Vol. 3D §A.8 VMX-Fixed Bits in CR4'],
};

const L3_PROLOGUE = `; Lesson 3: VMXON.

start:
    ; (CR0/CR4 already fit VMX operation on this machine except CR4.VMXE: see lesson 2)
    mov rbx, cr4
    or rbx, X86_CR4_VMXE
    mov cr4, rbx
`;

const lesson3: Lesson = {
  id: 'vmxon',
  kind: 'lesson',
  title: '3. VMXON',
  summary: 'The VMXON region, its alignment, the revision identifier from IA32_VMX_BASIC, physical addresses, and each way VMXON fails.',
  text: `# VMXON

\`VMXON m64\` enters VMX root operation. Its operand is the address of a 64-bit variable that holds
the **physical** address of the *VMXON region*, a 4-KByte block the processor may use while in
VMX operation (SDM Vol. 3C §24.11.5 "VMXON Region"; the instruction in §31.3 "VMX Instructions").

Before VMXON, software must write the **VMCS revision identifier** into the first 4 bytes of the
region: bits 30:0 of \`IA32_VMX_BASIC\` (0x480) (SDM Vol. 3D §A.1 "Basic VMX Information"). It is
7 on a Core 2, 0x0E or higher on later processors: never hard-code it.

How VMXON fails:

| what | result |
| --- | --- |
| CR4.VMXE = 0 | #UD |
| not at CPL 0, CR0/CR4 break the fixed bits, or IA32_FEATURE_CONTROL forbids it | #GP(0) |
| pointer not 4-KByte aligned, or wider than the physical-address width | VMfailInvalid (CF = 1) |
| wrong revision identifier in the region | VMfailInvalid (CF = 1) |
| already in VMX operation | VMfailValid(15), or VMfailInvalid when no VMCS is current |

VMfailInvalid sets CF; VMfailValid sets ZF; VMsucceed clears both, so \`jbe fail\` catches either
failure (SDM Vol. 3C §31.2 "Conventions").

**Try:** run the program: VMXON fails. Open the Explain panel on it, then fix the region.
Then try it on the core2-conroe profile: it must work there too.`,
  start: `${L3_PROLOGUE}    ; VMXON takes the address of a 64-bit variable that holds the region's physical address
    mov rax, PA(vmxon_region)
    mov [vmxon_ptr], rax
    vmxon [vmxon_ptr]
    jbe fail
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt

align 8
vmxon_ptr: dq 0
align 4096
vmxon_region: times 4096 db 0
`,
  solution: `${L3_PROLOGUE}${VMXON_PART}`,
  machine: {},
  profiles: BOTH,
  hints: [
    'VMXON ends with VMfailInvalid: CF = 1. Which of the causes in the table can it be here?',
    'The region is aligned and its address is physical, but its first 4 bytes are 0.',
    'Read IA32_VMX_BASIC with RDMSR, keep bits 30:0 of EAX, and store them at vmxon_region before VMXON.',
  ],
  goals: [
    { kind: 'vmx', label: 'VMXON succeeds', mnemonic: 'vmxon', result: 'VMsucceed' },
    { kind: 'vmx', label: 'no VMXON fails', mnemonic: 'vmxon', result: 'VMfailInvalid', absent: true },
    { kind: 'stop', label: 'the program ends in VMX root operation', stop: 'halted', mode: 'root' },
    { kind: 'reg', label: 'rbx = 0x600d', reg: 'rbx', equals: '0x600d' },
  ],
  sdm: ['Vol. 3C §24.11.5 VMXON Region', 'Vol. 3D §A.1 Basic VMX Information', 'Vol. 3C §31.2 Conventions'],
};

export const FIRST_STEPS: readonly Lesson[] = [lesson1, lesson2, lesson3];
