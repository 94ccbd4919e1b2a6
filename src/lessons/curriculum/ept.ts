// Lesson 12: EPT. Tables, the EPTP, memory types, accessed/dirty flags, an EPT violation, and
// why INVEPT (seed 003). The starting program changes an EPT entry without INVEPT, so the guest
// keeps the old translation.

import type { Lesson } from '../format.ts';
import { eptLessonProgram } from './ept-program.ts';

/** The lab's profiles with EPT (all but Core 2, which has no secondary controls). */
export const EPT_PROFILES = ['arrow-lake', 'sapphire-rapids', 'skylake-client', 'ivy-bridge', 'westmere-arrandale'] as const;

const HEADER = `; Lesson 12: EPT
; An identity-mapped EPT, a guest that reads shared_page, asks the host (VMCALL, EAX = 1) to
; remap it to other_page, reads it again, then jumps into locked_page, which the EPT maps without
; execute access. At the end: rbx = 0x600d (0xbad on failure), rax = the guest's second read,
; r10 = 0x77 if the guest ran locked_page, r11/r14 = the qualification and guest-physical address of the
; EPT violation, r12 = the EPT PTE of shared_page, r13 = VM_INSTRUCTION_ERROR if VMLAUNCH fails.

`;

const lesson12: Lesson = {
  id: 'ept',
  kind: 'lesson',
  title: '12. EPT: tables, EPTP, memory types, accessed/dirty flags, a violation, and why INVEPT',
  summary: 'Extended page tables: building them, the EPTP, memory types, A/D flags, an EPT violation, and the stale translation INVEPT removes.',
  text: `# Extended page tables

With "enable EPT" (secondary processor-based control 1) every address the guest thinks is
physical is a **guest-physical** address, translated by a second set of page tables that the
host owns (SDM Vol. 3C §29.3 "The Extended Page Table Mechanism (EPT)"). The guest's own paging
still turns linear addresses into guest-physical ones; the EPT turns those into host-physical
addresses, and even the guest's page-table reads go through it.

## The tables

Four levels, as in 4-level paging: EPT PML4, PDPT, PD, PT, 512 eight-byte entries each, indexed
by guest-physical bits 47:39, 38:30, 29:21 and 20:12 (SDM Vol. 3C §29.3.2 "EPT Translation
Mechanism"). Bits 2:0 of every entry are **read, write, execute**: an entry with none of them is
not present. A PDE with bit 7 set maps a 2-MiB page, a PDPTE with bit 7 a 1-GiB page, where
IA32_VMX_EPT_VPID_CAP bits 16 and 17 allow it. The permission of an access is the AND of every
level. This program maps its own first 2 MiB with 4-KiB pages (so it can take one page's execute
right away) and the rest of the first GiB with 2-MiB pages, each guest-physical address to the
same host-physical one.

## The EPTP and memory types

The VMCS field EPT_POINTER holds the root table's physical address (bits 51:12), the walk length
minus one in bits 5:3 (3 for four levels; 4 for five levels where EPT_VPID_CAP bit 7 says so)
and, in bits 2:0, the **memory type** the processor uses to read the EPT tables: 0 (UC) or 6 (WB),
each only if EPT_VPID_CAP reports it (bits 8 and 14). Anything else fails VMLAUNCH with
VM-instruction error 7 (SDM Vol. 3C §25.6.11 "Extended-Page-Table Pointer (EPTP)", §27.2.1.1
"VM-Execution Control Fields"). A leaf entry carries its own memory type for the page in bits
5:3 (6 = WB here; SDM Vol. 3C §29.3.7 "EPT and Memory Typing"); 2, 3 and 7 there are an **EPT misconfiguration** (exit 49), as is an entry
that allows writing but not reading (SDM Vol. 3C §29.3.3.1 "EPT Misconfigurations").

## Accessed and dirty flags

With EPTP bit 6 (only where EPT_VPID_CAP bit 21 allows it) the processor sets bit 8 (accessed)
in every EPT entry a walk uses and bit 9 (dirty) in the leaf of a page written (SDM Vol. 3C
§29.3.4 "Accessed and Dirty Flags for EPT"). The program turns it on where it can; look at r12
at the end: the PTE of shared_page, which the guest wrote.

## A violation

An access the entries do not allow is an **EPT violation**: VM exit 48 with the guest-physical
address in GUEST_PHYSICAL_ADDRESS and, in the exit qualification (SDM Vol. 3C Table 28-7 "Exit
Qualification for EPT Violations"), bits 0-2 what the guest tried (read, write, fetch), bits 3-5
what the entries allowed, bit 7 "a linear address is known" and bit 8 "this was its final
translation". The handler here grants the page execute access and resumes at the same RIP, so
the fetch is tried again.

## Why INVEPT

The processor caches translations (SDM Vol. 3C §29.4 "Caching Translation Information"): a
guest-physical page, once translated, keeps its host-physical page, tagged with the EPTP, even if
the host then edits the EPT entry. Seed 003's warning: change an EPT structure and you must
execute **INVEPT** (single-context: the mappings of one EPTP; all-context: all of them), or the
guest may keep using the old translation. The lab never drops a cached translation by itself, so
here it always does. (An EPT violation does drop the cached translations of the page it was
about, SDM Vol. 3C §29.4.3.1 "Operations that Invalidate Cached Mappings"; INVEPT after fixing one costs little and keeps the handler correct in all cases.)

**Try:** run the program. The guest's second read of shared_page (rax at the end) should be
0xbbbb, from other_page: it is not. Why, and what does the host forget after changing the entry?`,
  start: eptLessonProgram({ inveptAfterRemap: false, eptpType: 'checked' }, HEADER),
  solution: eptLessonProgram({ inveptAfterRemap: true, eptpType: 'checked' }, HEADER),
  machine: {},
  profiles: EPT_PROFILES,
  hints: [
    'The host really did change the PTE of shared_page (look at it in memory), yet the guest still reads 0xaaaa.',
    'The guest read shared_page before the remap, so the processor cached that translation; editing the entry does not change the cache.',
    'After writing the new PTE in the VMCALL handler: `mov eax, 1` and `invept rax, [invept_desc]` (single-context, the descriptor holds the EPTP).',
  ],
  goals: [
    { kind: 'vmx', label: 'VMLAUNCH does not fail with error 7 (EPTP and controls accepted)', mnemonic: 'vmlaunch', result: 'VMfailValid', error: 7, absent: true },
    { kind: 'reg', label: 'after the remap and INVEPT the guest reads other_page (rax = 0xbbbb)', reg: 'rax', equals: '0xbbbb' },
    { kind: 'vmexit', label: 'the jump into locked_page is an EPT violation (exit 48)', reason: 48 },
    { kind: 'vmx', label: 'INVEPT succeeds', mnemonic: 'invept', result: 'VMsucceed' },
    { kind: 'reg', label: 'the guest ran locked_page after the fix (r10 = 0x77)', reg: 'r10', equals: '0x77' },
    { kind: 'reg', label: 'the violation was an instruction fetch (qualification bit 2, r11)', reg: 'r11', mask: '0x4', equals: '0x4' },
    { kind: 'reg', label: 'the program reports success (rbx = 0x600d)', reg: 'rbx', equals: '0x600d' },
  ],
  sdm: [
    'Vol. 3C §29.3 The Extended Page Table Mechanism (EPT)',
    'Vol. 3C §29.3.2 EPT Translation Mechanism',
    'Vol. 3C §29.3.4 Accessed and Dirty Flags for EPT',
    'Vol. 3C §29.3.7 EPT and Memory Typing',
    'Vol. 3C §29.4.3.1 Operations that Invalidate Cached Mappings',
    'Vol. 3C §29.4 Caching Translation Information',
    'Vol. 3C §25.6.11 Extended-Page-Table Pointer (EPTP)',
    'Vol. 3C Table 28-7 Exit Qualification for EPT Violations',
  ],
};

/** Lesson 12. */
export const EPT: readonly Lesson[] = [lesson12];
