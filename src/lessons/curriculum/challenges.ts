// The broken-machine challenges: each a failure real learners report. Less text than a lesson:
// the student is told the symptom, not the cause.

import type { Goal, Lesson } from '../format.ts';
import { bringup } from '../programs/bringup.ts';

const BOTH = ['arrow-lake', 'core2-conroe'] as const;

const HEADER = (title: string): string => `; Challenge: ${title}
; A complete VT-x bring-up with one mistake in it. rbx = 0x600d on success, 0xbad on failure.

`;

const LAUNCHED: readonly Goal[] = [
  { kind: 'vmexit', label: 'the guest exits with VMCALL (reason 18) twice', reason: 18, count: 2 },
  { kind: 'reg', label: 'the program reports success (rbx = 0x600d)', reg: 'rbx', equals: '0x600d' },
];

const NO_ERROR_7: Goal = { kind: 'vmx', label: 'VMLAUNCH does not fail with error 7', mnemonic: 'vmlaunch', result: 'VMfailValid', error: 7, absent: true };

const controlsNotAdjusted: Lesson = {
  id: 'challenge-controls-not-adjusted',
  kind: 'challenge',
  title: 'Challenge: error 7, but I set only the bits I need',
  summary: 'Control fields written without adjusting them to the capability MSRs.',
  text: `# Error 7, but I set only the bits I need

"My VM-exit controls ask for exactly one thing, a 64-bit host, and my VM-entry controls for
exactly one thing, a 64-bit guest. VMLAUNCH says error 7. What else could it want?"

Find out with the Explain panel, then fix the program so that it works on every CPU profile.
(SDM Vol. 3C §27.2.1 "Checks on VMX Controls"; SDM Vol. 3D §A.4 "VM-Exit Controls", §A.5
"VM-Entry Controls".)`,
  start: bringup({ controls: 'partly' }, HEADER('error 7, but I set only the bits I need')),
  solution: bringup({}, HEADER('error 7, but I set only the bits I need')),
  machine: {},
  profiles: BOTH,
  hints: [
    'The Explain panel names the VM-exit controls: bits that must be 1 are 0.',
    'Those are default1 bits: the allowed-0 half of IA32_VMX_(TRUE_)EXIT_CTLS has them set.',
    'Write the exit and entry controls through adjust_and_write with MSR_IA32_VMX_EXIT_CTLS and MSR_IA32_VMX_ENTRY_CTLS, like the execution controls.',
  ],
  goals: [NO_ERROR_7, ...LAUNCHED],
  sdm: ['Vol. 3C §27.2.1 Checks on VMX Controls', 'Vol. 3D §A.4 VM-Exit Controls', 'Vol. 3D §A.5 VM-Entry Controls'],
};

const oneProfile: Lesson = {
  id: 'challenge-error7-one-profile',
  kind: 'challenge',
  title: 'Challenge: it works on my machine',
  summary: 'Control values copied from one processor fail with error 7 on another.',
  text: `# It works on my machine

"The program launches its guest on my laptop (the arrow-lake profile). On the lab's old Core 2
(core2-conroe, this challenge's machine) VMLAUNCH fails with error 7. Same program, same VMCS!"

Run it on both profiles and compare the capability MSRs in the MSRs panel. A fix must work on
both. (SDM Vol. 3D §A.2 "Reserved Controls and Default Settings", §A.3 "VM-Execution Controls".)`,
  start: bringup({ controls: 'hardcoded' }, HEADER('it works on my machine')),
  solution: bringup({}, HEADER('it works on my machine')),
  machine: { profile: 'core2-conroe' },
  profiles: ['core2-conroe', 'arrow-lake'],
  hints: [
    'On core2-conroe the Explain panel names the primary processor-based controls: bits 15 and 16 (CR3-load and CR3-store exiting) must be 1.',
    'The laptop has TRUE capability MSRs (IA32_VMX_BASIC bit 55) that let those default1 bits be 0; a Core 2 has none. The values were copied from one machine.',
    'Compute every control at run time with adjust_and_write from the capability MSRs (TRUE ones when IA32_VMX_BASIC[55] = 1).',
  ],
  goals: [NO_ERROR_7, ...LAUNCHED],
  sdm: ['Vol. 3D §A.2 Reserved Controls and Default Settings', 'Vol. 3D §A.3 VM-Execution Controls'],
};

const activityUnset: Lesson = {
  id: 'challenge-activity-state',
  kind: 'challenge',
  title: 'Challenge: exit 33 and every segment looks right',
  summary: 'The guest activity state is written from a register that was never set: VM-entry failure, exit reason 33.',
  text: `# Exit 33 and every segment looks right

"VMLAUNCH does not fail, but my handler gets exit reason 33 (invalid guest state) at once. I
checked every segment, CR0, CR4, RIP and RFLAGS against the SDM. They are right."

Not all of the guest state is registers. (SDM Vol. 3C §25.4.2 "Guest Non-Register State",
§27.3.1.5 "Checks on Guest Non-Register State".)`,
  start: bringup({ guest: 'bad-activity' }, HEADER('exit 33 and every segment looks right')),
  solution: bringup({}, HEADER('exit 33 and every segment looks right')),
  machine: {},
  profiles: BOTH,
  hints: [
    'The Explain panel names the failing check: the guest activity state.',
    'GUEST_ACTIVITY_STATE holds an address: the VMWRITE takes RBX, and RBX still holds the value written just before it (GUEST_RIP).',
    'Set the value first: `xor ebx, ebx` (0 = active) before writing GUEST_ACTIVITY_STATE.',
  ],
  goals: [
    { kind: 'vmexit', label: 'no VM-entry failure (exit reason 33)', entryFailure: true, absent: true },
    { kind: 'vmcs', label: 'GUEST_ACTIVITY_STATE is 0 (active)', field: 'GUEST_ACTIVITY_STATE', equals: 0 },
    ...LAUNCHED,
  ],
  sdm: ['Vol. 3C §25.4.2 Guest Non-Register State', 'Vol. 3C §27.3.1.5 Checks on Guest Non-Register State'],
};

const hostTr: Lesson = {
  id: 'challenge-host-tr',
  kind: 'challenge',
  title: 'Challenge: error 8 with a perfect host',
  summary: 'HOST_TR_SELECTOR never written: VMfailValid(8).',
  text: `# Error 8 with a perfect host

"I copied CR0, CR3, CR4, every segment selector, the FS/GS bases, GDTR, IDTR and even the TR
base into the host-state area. VMLAUNCH: error 8."

Compare the host-state fields with the running processor. (SDM Vol. 3C §25.5 "Host-State Area",
§27.2.3 "Checks on Host Segment and Descriptor-Table Registers".)`,
  start: bringup({ host: 'no-tr' }, HEADER('error 8 with a perfect host')),
  solution: bringup({}, HEADER('error 8 with a perfect host')),
  machine: {},
  profiles: BOTH,
  hints: [
    'The Explain panel on VMLAUNCH names the host TR selector.',
    'HOST_TR_SELECTOR is 0: a VM exit must load a real task register, so it may not be 0.',
    'Write it like the others: `str bx`, `movzx ebx, bx`, `mov eax, HOST_TR_SELECTOR`, `call vmw`.',
  ],
  goals: [
    { kind: 'vmx', label: 'VMLAUNCH does not fail with error 8', mnemonic: 'vmlaunch', result: 'VMfailValid', error: 8, absent: true },
    { kind: 'vmcs', label: 'HOST_TR_SELECTOR is the TSS selector (0x18)', field: 'HOST_TR_SELECTOR', equals: '0x18' },
    ...LAUNCHED,
  ],
  sdm: ['Vol. 3C §25.5 Host-State Area', 'Vol. 3C §27.2.3 Checks on Host Segment and Descriptor-Table Registers'],
};

const errorAfterVmxoff: Lesson = {
  id: 'challenge-error-after-vmxoff',
  kind: 'challenge',
  title: 'Challenge: my error handler crashes',
  summary: 'VM_INSTRUCTION_ERROR read after VMXOFF: #UD instead of the error number.',
  text: `# My error handler crashes

"VMLAUNCH fails (that is expected in this exercise: the controls are deliberately wrong). My
failure path cleans up and then reports the error number in r13. But it never reports
anything: the machine stops with an exception."

This challenge is about the failure path, not the controls: leave them as they are. Make the
program leave VMX operation **and** report the VM-instruction error in r13. (SDM Vol. 3C §31.4
"VM Instruction Error Numbers"; VMREAD and VMXOFF in §31.3 "VMX Instructions".)`,
  start: bringup({ controls: 'raw', onFail: 'vmxoff-then-error' }, HEADER('my error handler crashes')),
  solution: bringup({ controls: 'raw', onFail: 'error-then-vmxoff' }, HEADER('my error handler crashes')),
  machine: {},
  profiles: BOTH,
  hints: [
    'The exception is #UD, at the VMREAD.',
    'VM_INSTRUCTION_ERROR lives in the current VMCS. Outside VMX operation every VMX instruction but VMXON raises #UD.',
    'Read VM_INSTRUCTION_ERROR first, then VMXOFF.',
  ],
  goals: [
    { kind: 'fault', label: 'no exception', absent: true },
    { kind: 'reg', label: 'r13 holds the VM-instruction error of VMLAUNCH (7)', reg: 'r13', equals: 7 },
    { kind: 'vmx', label: 'VMXOFF succeeds', mnemonic: 'vmxoff', result: 'VMsucceed' },
    { kind: 'stop', label: 'the program halts outside VMX operation', stop: 'halted', mode: 'off' },
  ],
  sdm: ['Vol. 3C §31.4 VM Instruction Error Numbers', 'Vol. 3C §31.3 VMX Instructions'],
};

const virtualVmxon: Lesson = {
  id: 'challenge-virtual-vmxon',
  kind: 'challenge',
  title: 'Challenge: VMXON fails and the region is fine',
  summary: 'A virtual address passed to VMXON: VMfailInvalid.',
  text: `# VMXON fails and the region is fine

"The region is 4-KByte aligned, its first 4 bytes hold the revision identifier from
IA32_VMX_BASIC, CR0 and CR4 are adjusted, feature control is locked and enabled. VMXON: CF = 1."

Look at the pointer VMXON received, and at where the program lives (the lab maps physical
address P at PHYS_OFFSET + P, like Linux's direct map). (SDM Vol. 3C §24.11.5 "VMXON Region";
VMXON in §31.3 "VMX Instructions".)`,
  start: bringup({ vmxonAddress: 'virtual' }, HEADER('VMXON fails and the region is fine')),
  solution: bringup({}, HEADER('VMXON fails and the region is fine')),
  machine: {},
  profiles: BOTH,
  hints: [
    'The Explain panel: the VMXON pointer exceeds the physical-address width.',
    '`lea rax, [vmxon_region]` gives the virtual address, 0xFFFF8880_00xxxxxx. VMXON, VMCLEAR and VMPTRLD want physical addresses.',
    'Use `mov rax, PA(vmxon_region)` (PA(x) = x - PHYS_OFFSET), as for the VMCS.',
  ],
  goals: [
    { kind: 'vmx', label: 'VMXON succeeds', mnemonic: 'vmxon', result: 'VMsucceed' },
    ...LAUNCHED,
  ],
  sdm: ['Vol. 3C §24.11.5 VMXON Region', 'Vol. 3C §31.3 VMX Instructions'],
};

export const CHALLENGES: readonly Lesson[] = [controlsNotAdjusted, oneProfile, activityUnset, hostTr, errorAfterVmxoff, virtualVmxon];
