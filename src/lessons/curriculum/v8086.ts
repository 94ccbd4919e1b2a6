// Lesson 13: a virtual-8086 guest under a 64-bit host (seed 004). On a processor without
// "unrestricted guest" (Core 2) 16-bit code runs in a VMX guest only as virtual-8086 mode; the
// starting program writes its segments with real-mode access rights (DPL 0), which VM entry refuses.

import type { Lesson } from '../format.ts';
import { v8086Program } from './v8086-program.ts';

const HEADER = `; Lesson 13: a virtual-8086 guest under a 64-bit host (seed 004)
; The host enters 16-bit guest code in virtual-8086 mode (RFLAGS.VM = 1). The guest stores a word,
; writes port 80h (a VMX I/O bitmap makes it exit), runs INT 21h and HLT (both #GP(0) at CPL 3 and
; IOPL 0: the exception bitmap makes them exit). The handler emulates each and skips it.
; At the end: rbx = 0x600d (0xbad on failure), r15 = exits, r14 = the last exit reason,
; r13 = the INT vector, r12 = the port from the I/O exit's qualification, r11 = the guest's AL there.

`;

const lesson13: Lesson = {
  id: 'v8086-guest',
  kind: 'lesson',
  title: '13. A virtual-8086 guest under a 64-bit host',
  summary: 'RFLAGS.VM = 1, segments with base = selector << 4, limit FFFFH and access rights F3H, a TSS I/O bitmap, and the monitor that handles the guest\'s I/O and INT exits (seed 004).',
  text: `# A virtual-8086 guest under a 64-bit host

Seed 004 plans a demo on a Core 2: a **64-bit host** (the VM monitor) and one **virtual-8086
guest** running 16-bit code. A Core 2 has no "unrestricted guest" (secondary control 7, which
lets a guest run with CR0.PE = 0 or CR0.PG = 0), so IA32_VMX_CR0_FIXED0 forces PE and PG on in the
guest: real-address mode is out of reach. What remains for 8086 code is **virtual-8086 mode**:
protected mode with paging, and **RFLAGS.VM = 1** (SDM Vol. 3B §20.2 "Virtual-8086 Mode").

## What VM entry checks

With GUEST_RFLAGS.VM = 1 the segment registers CS, SS, DS, ES, FS and GS must look exactly as
the processor itself would load them in virtual-8086 mode (SDM Vol. 3C §27.3.1.2 "Checks on Guest
Segment Registers"):

- **base = selector << 4** (the 8086 rule: CS = 0010h starts at linear 100h);
- **limit = FFFFH**;
- **access rights = F3H**: present, **DPL 3**, read/write accessed data, for CS too.

DPL 3, because virtual-8086 code always runs at **CPL 3** (SDM Vol. 3B §20.2.4 "Protection within a
Virtual-8086 Task"). A guest that breaks these rules is not entered: the VM entry fails with exit
reason 33, like any invalid guest state. TR must still be a busy 32-bit TSS, LDTR may be unusable,
and the guest's paging here maps its linear 0-3FFFh to the host's v86_area.

## How the guest gets back to the monitor

The guest runs at CPL 3 with IOPL 0, so the processor itself stops it in places:

- **INT n**, CLI, STI, PUSHF, POPF and IRET are *IOPL-sensitive*: #GP(0) when IOPL < 3 (SDM Vol. 3B
  §20.2.7 "Sensitive Instructions"); HLT, a privileged instruction, gives #GP(0) at CPL 3;
- **IN and OUT** are not IOPL-sensitive in virtual-8086 mode: the **I/O permission bitmap of the
  TSS** decides, whatever IOPL is (SDM Vol. 3B §20.2.8.1 "I/O-Port-Mapped I/O"). A TSS without a
  bitmap denies every port (#GP(0)).

A #GP in the guest is a VM exit when its bit (13) is set in the **exception bitmap** (SDM Vol. 3C
§25.6.3 "Exception Bitmap"): exit reason 0, the vector in VM_EXIT_INTR_INFO. An I/O instruction that the
TSS allows is then subject to the **VMX I/O bitmaps** (SDM Vol. 3C §25.6.4 "I/O-Bitmap Addresses"):
exit reason 30, with the port in bits 31:16 of the exit qualification (SDM Vol. 3C §28.2.1
"Basic VM-Exit Information"). A #GP comes first: it has priority over the I/O exit (SDM Vol. 3C
§26.1.1 "Relative Priority of Faults and VM Exits").

The monitor (vmexit_handler) reads the exit reason. For reason 30 it reads the port from the
qualification and skips VM_EXIT_INSTRUCTION_LEN bytes. For a #GP it does what seed 004's
"guest_isrGPF" would: reads the faulting opcode at **GUEST_CS_BASE + GUEST_RIP** (the v8086
guest's CS:IP as a linear address), records INT n's vector and skips its two bytes, and takes
HLT as the end of the guest.

**Try:** run the program. Which "exit" comes first, and what does the Explain panel say about the
guest's segments? Fix the program so the guest runs.`,
  start: v8086Program('real-mode-ar', HEADER),
  solution: v8086Program('solution', HEADER),
  machine: { profile: 'core2-conroe' },
  profiles: ['core2-conroe', 'arrow-lake'],
  hints: [
    'The only exit is a VM-entry failure: exit reason 33, invalid guest state. The Explain panel names the check on GUEST_CS_AR_BYTES.',
    'v86_segment writes access rights 0x93 (DPL 0, as for real mode). In virtual-8086 mode the guest runs at CPL 3, and VM entry wants exactly 0xF3 for every segment.',
    'In v86_segment: `mov ebx, 0xf3` for the access rights.',
  ],
  goals: [
    { kind: 'vmexit', label: 'no VM-entry failure (exit reason 33)', entryFailure: true, absent: true },
    { kind: 'vmcs', label: 'GUEST_CS_AR_BYTES = 0xf3 (present, DPL 3, read/write accessed data)', field: 'GUEST_CS_AR_BYTES', equals: '0xf3' },
    { kind: 'vmexit', label: 'the guest\'s OUT to port 80h exits (reason 30)', reason: 30 },
    { kind: 'resume-advanced', label: 'the guest resumes past the OUT', reason: 30 },
    { kind: 'vmexit', label: 'INT 21h and HLT exit as #GP through the exception bitmap (reason 0, twice)', reason: 0, count: 2 },
    { kind: 'reg', label: 'the handler read port 80h from the exit qualification (r12 = 0x80)', reg: 'r12', equals: '0x80' },
    { kind: 'reg', label: 'the handler found INT 21h at GUEST_CS_BASE + GUEST_RIP (r13 = 0x21)', reg: 'r13', equals: '0x21' },
    { kind: 'vmcs', label: 'GUEST_RFLAGS.VM (bit 17) = 1: the guest runs in virtual-8086 mode', field: 'GUEST_RFLAGS', mask: '0x20000', equals: '0x20000' },
    { kind: 'stop', label: 'the host halts in VMX root operation', stop: 'halted', mode: 'root' },
    { kind: 'reg', label: 'the program reports success (rbx = 0x600d)', reg: 'rbx', equals: '0x600d' },
  ],
  sdm: [
    'Vol. 3B §20.2 Virtual-8086 Mode',
    'Vol. 3B §20.2.7 Sensitive Instructions',
    'Vol. 3B §20.2.8.1 I/O-Port-Mapped I/O',
    'Vol. 3C §27.3.1.2 Checks on Guest Segment Registers',
    'Vol. 3C §25.6.3 Exception Bitmap',
    'Vol. 3C §25.6.4 I/O-Bitmap Addresses',
    'Vol. 3C §28.2.1 Basic VM-Exit Information',
  ],
};

export const V8086: readonly Lesson[] = [lesson13];
