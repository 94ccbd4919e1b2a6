// Lessons 6-9: control fields (error 7), host state (error 8), guest state (exit 33), and
// VMLAUNCH with the first exit and VMRESUME. Each starts from the full bring-up with one part broken.

import type { Goal, Lesson } from '../format.ts';
import { bringup } from '../programs/bringup.ts';

const BOTH = ['arrow-lake', 'core2-conroe'] as const;

const HEADER = (title: string): string => `; ${title}
; The whole bring-up: checks, CR0/CR4, VMXON, VMCS, controls, host state, guest state, VMLAUNCH,
; an exit handler, and a guest that makes two VMCALLs. rbx = 0x600d on success, 0xbad on failure.

`;

/** Goals every bring-up lesson ends with: the guest ran and both VMCALLs came back to the host. */
const LAUNCHED: readonly Goal[] = [
  { kind: 'vmexit', label: 'the guest exits with VMCALL (reason 18) twice', reason: 18, count: 2 },
  { kind: 'reg', label: 'the program reports success (rbx = 0x600d)', reg: 'rbx', equals: '0x600d' },
];

const lesson6: Lesson = {
  id: 'controls',
  kind: 'lesson',
  title: '6. Control fields and error 7',
  summary: 'Allowed-0 and allowed-1 settings, the TRUE capability MSRs, adjusting the controls (seed 000), VMfailValid(7).',
  text: `# Control fields and error 7

Four VMCS fields say what the processor does in and around the guest: the **pin-based** and
**primary processor-based VM-execution controls**, the **VM-exit controls** and the **VM-entry
controls** (SDM Vol. 3C §25.6 "VM-Execution Control Fields", §25.7 "VM-Exit Control Fields", §25.8
"VM-Entry Control Fields").

Not every bit may take every value. Each control has a *capability MSR* (SDM Vol. 3D §A.3
"VM-Execution Controls", §A.4 "VM-Exit Controls", §A.5 "VM-Entry Controls"):

- its low 32 bits are the **allowed-0 settings**: a bit that is 1 there **must be 1** in the control;
- its high 32 bits are the **allowed-1 settings**: a bit that is 0 there **must be 0**.

Some bits are *default1*: reserved, but must be 1. When IA32_VMX_BASIC bit 55 is set, the
**TRUE** capability MSRs (0x48D-0x490) may allow some default1 bits to be 0 (SDM Vol. 3D §A.2
"Reserved Controls and Default Settings"). A Core 2 has no TRUE MSRs.

So software never writes the bits it wants as they are. It *adjusts* them, as Linux does in
\`adjust_vmx_controls\`: \`value = (wanted | allowed0) & allowed1\`, and if a bit it truly needs
got cleared, the processor cannot do what it needs.

If a control breaks its capability MSR, VMLAUNCH fails with **VMfailValid(7)**, "VM entry with
invalid control field(s)" (SDM Vol. 3C §27.2.1 "Checks on VMX Controls").

**Try:** run the program: VMLAUNCH fails. Open the Explain panel on VMLAUNCH to see which bits
are wrong, then make \`adjust_and_write\` adjust.`,
  start: bringup({ controls: 'raw' }, HEADER('Lesson 6: control fields')),
  solution: bringup({}, HEADER('Lesson 6: control fields')),
  machine: {},
  profiles: BOTH,
  hints: [
    'VMLAUNCH ends with VMfailValid(7): a control field breaks its capability MSR.',
    'adjust_and_write reads the capability MSR (EAX = allowed-0, EDX = allowed-1) but then ignores it.',
    'Before `pop rax`: `or ebx, eax` (bits that must be 1) then `and ebx, edx` (bits that may be 1).',
  ],
  goals: [
    { kind: 'vmx', label: 'VMLAUNCH does not fail with error 7', mnemonic: 'vmlaunch', result: 'VMfailValid', error: 7, absent: true },
    ...LAUNCHED,
  ],
  sdm: ['Vol. 3C §27.2.1 Checks on VMX Controls', 'Vol. 3D §A.2 Reserved Controls and Default Settings', 'Vol. 3D §A.3 VM-Execution Controls'],
};

const lesson7: Lesson = {
  id: 'host-state',
  kind: 'lesson',
  title: '7. Host state and error 8',
  summary: 'Host selectors, TR base from the GDT, FS/GS bases, CR0/CR3/CR4, HOST_RSP and HOST_RIP (seed 001), VMfailValid(8).',
  text: `# Host state and error 8

A VM exit does not return to the instruction after VMLAUNCH. The processor loads the **host-state
area** of the VMCS (SDM Vol. 3C §25.5 "Host-State Area") and continues at HOST_RIP with
HOST_RSP: the host is whatever those fields describe. So the host state must be the running
kernel's, written field by field:

- HOST_CR0, HOST_CR3, HOST_CR4: the current control registers (MOV from CRn);
- the selectors CS, SS, DS, ES, FS, GS and TR (RPL and TI must be 0; CS and TR never 0);
- HOST_FS_BASE and HOST_GS_BASE from the MSRs (0xC0000100, 0xC0000101), HOST_GDTR_BASE and
  HOST_IDTR_BASE from SGDT/SIDT, and HOST_TR_BASE, which no instruction returns: it is read
  from the TSS descriptor in the GDT;
- HOST_RSP and HOST_RIP: the handler's stack and entry point.

VMLAUNCH checks them before entering the guest: CR0 and CR4 must respect the FIXED MSRs like
VMXON did, addresses must be canonical, and so on (SDM Vol. 3C §27.2.2 "Checks on Host Control
Registers, MSRs, and SSP", §27.2.3 "Checks on Host Segment and Descriptor-Table Registers",
§27.2.4 "Checks Related to Address-Space Size"). Any failure is **VMfailValid(8)**, "VM entry with
invalid host-state field(s)". A field never written reads as 0.

**Try:** run the program, open the Explain panel on VMLAUNCH, and complete the host state.`,
  start: bringup({ host: 'no-crs' }, HEADER('Lesson 7: host state')),
  solution: bringup({}, HEADER('Lesson 7: host state')),
  machine: {},
  profiles: BOTH,
  hints: [
    'VMLAUNCH ends with VMfailValid(8): a host-state field is wrong. Which host fields does the VMCS panel show as 0?',
    'HOST_CR0 and HOST_CR4 were never written, and 0 breaks IA32_VMX_CR0_FIXED0 (PE, NE, PG must be 1).',
    'At the start of step 6: `mov rbx, cr0`, `mov eax, HOST_CR0`, `call vmw`, and the same for CR4.',
  ],
  goals: [
    { kind: 'vmx', label: 'VMLAUNCH does not fail with error 8', mnemonic: 'vmlaunch', result: 'VMfailValid', error: 8, absent: true },
    { kind: 'vmcs', label: 'HOST_CR4 has CR4.VMXE set', field: 'HOST_CR4', mask: '0x2000', equals: '0x2000' },
    ...LAUNCHED,
  ],
  sdm: ['Vol. 3C §25.5 Host-State Area', 'Vol. 3C §27.2.2 Checks on Host Control Registers, MSRs, and SSP', 'Vol. 3C §27.2.3 Checks on Host Segment and Descriptor-Table Registers'],
};

const lesson8: Lesson = {
  id: 'guest-state',
  kind: 'lesson',
  title: '8. Guest state and exit reason 33',
  summary: 'Guest segments and access rights, activity and interruptibility state, the VMCS link pointer, VM-entry failure with exit reason 33.',
  text: `# Guest state and exit reason 33

The **guest-state area** (SDM Vol. 3C §25.4 "Guest-State Area") is the processor the guest starts
as: control registers, RSP, RIP, RFLAGS, every segment register with its selector, base, limit
and **access rights** (the descriptor's type, S, DPL, P, AVL, L, D/B and G bits, plus bit 16,
*unusable*), GDTR, IDTR, and *non-register state*: the **activity state** (0 = active), the
**interruptibility state**, pending debug exceptions and the **VMCS link pointer**, which must
be all ones (FFFFFFFF_FFFFFFFFH) unless VMCS shadowing uses it (SDM Vol. 3C §25.4.2 "Guest
Non-Register State").

VMLAUNCH checks the guest state only after controls and host state passed, while it loads it
(SDM Vol. 3C §27.3.1 "Checks on the Guest State Area"). A failure here is not a VMfail: the
processor has already left the host, so it reports a **VM-entry failure**: a VM exit to
HOST_RIP with exit reason 33 ("VM-entry failure due to invalid guest state") and bit 31 set
in VM_EXIT_REASON. The handler sees it like any exit, and VMRESUME after it fails, since the
VMCS was never launched.

**Try:** the program's handler gets control, but not from a VMCALL. Read the exit in the Events
panel and the failing check in the Explain panel, then fix the guest state.`,
  start: bringup({ guest: 'no-link' }, HEADER('Lesson 8: guest state')),
  solution: bringup({}, HEADER('Lesson 8: guest state')),
  machine: {},
  profiles: BOTH,
  hints: [
    'The first "exit" is a VM-entry failure: reason 33, invalid guest state. The Explain panel names the check.',
    'VMCS_LINK_POINTER was never written: it reads 0, which is not a VMCS. Without VMCS shadowing it must be all ones.',
    'At the end of step 7: `mov rbx, -1`, `mov eax, VMCS_LINK_POINTER`, `call vmw`.',
  ],
  goals: [
    { kind: 'vmexit', label: 'no VM-entry failure (exit reason 33)', entryFailure: true, absent: true },
    { kind: 'vmcs', label: 'VMCS_LINK_POINTER is all ones', field: 'VMCS_LINK_POINTER', equals: '0xffffffffffffffff' },
    ...LAUNCHED,
  ],
  sdm: ['Vol. 3C §25.4 Guest-State Area', 'Vol. 3C §25.4.2 Guest Non-Register State', 'Vol. 3C §27.3.1.5 Checks on Guest Non-Register State', 'Vol. 3C §27.8 VM-Entry Failures During or After Loading Guest State'],
};

const lesson9: Lesson = {
  id: 'first-exit',
  kind: 'lesson',
  title: '9. VMLAUNCH, the first exit, VMRESUME',
  summary: 'An exit handler, VMREAD of the exit reason and instruction length, advancing GUEST_RIP, VMRESUME (seeds 003, 004).',
  text: `# VMLAUNCH, the first exit, VMRESUME

When VMLAUNCH succeeds the processor runs the guest until something causes a **VM exit**
(SDM Vol. 3C §26.1 "Instructions That Cause VM Exits"): VMCALL always does. The exit saves the
guest state into the VMCS, loads the host state, and continues at HOST_RIP. The general
registers are **not** switched: the handler sees the guest's RAX, RBX, and so on.

The handler reads what happened (SDM Vol. 3C §28.2.1 "Basic VM-Exit Information", §28.2.5
"Information for VM Exits Due to Instruction Execution"): VM_EXIT_REASON, EXIT_QUALIFICATION, and for
an instruction, VM_EXIT_INSTRUCTION_LEN. GUEST_RIP still points **at** the instruction that
exited: to go on after it, the handler adds the instruction length to GUEST_RIP, then
**VMRESUME** (VMLAUNCH is for a VMCS whose launch state is clear; VMRESUME for a launched one,
otherwise error 4 or 5).

The guest here does \`mov eax, 1\`, VMCALL, \`mov eax, 2\`, VMCALL. The handler records the
guest's EAX in r13 at each exit and stops after the second.

**Try:** run it and step through the exits: where does the guest resume after the first one?
Make the handler skip the VMCALL.`,
  start: bringup({ handler: 'no-advance' }, HEADER('Lesson 9: the first exit')),
  solution: bringup({}, HEADER('Lesson 9: the first exit')),
  machine: {},
  profiles: BOTH,
  hints: [
    'Both exits have the same guest RIP: the guest executes the first VMCALL again and again.',
    'VMREAD GUEST_RIP and VM_EXIT_INSTRUCTION_LEN, add them, VMWRITE GUEST_RIP, then VMRESUME.',
    'Before `vmresume` in vmexit_handler: `mov eax, GUEST_RIP`, `vmread rbx, rax`, `mov eax, VM_EXIT_INSTRUCTION_LEN`, `vmread rcx, rax`, `add rbx, rcx`, `mov eax, GUEST_RIP`, `vmwrite rax, rbx`.',
  ],
  goals: [
    { kind: 'vmx', label: 'VMLAUNCH enters the guest (no VMfail)', mnemonic: 'vmlaunch', result: 'VMfailValid', absent: true },
    { kind: 'resume-advanced', label: 'after a VMCALL exit the guest resumes past the VMCALL (GUEST_RIP + instruction length)', reason: 18 },
    { kind: 'reg', label: 'the guest reached its second VMCALL (r13 = 2)', reg: 'r13', equals: 2 },
    ...LAUNCHED,
  ],
  sdm: ['Vol. 3C §26.1 Instructions That Cause VM Exits', 'Vol. 3C §28.2.5 Information for VM Exits Due to Instruction Execution'],
};

export const LAUNCH: readonly Lesson[] = [lesson6, lesson7, lesson8, lesson9];
