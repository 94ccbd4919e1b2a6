// Control registers CR0, CR3, CR4 and CR8 as bitfields (SDM Vol. 3A §2.5 Control
// Registers). `reserved` holds only the bits that are reserved on every processor;
// bits reserved because a CPU lacks a feature come from its profile (CPUID, VMX fixed MSRs).

import { bitfield } from './bitfield.ts';
import { SDM_CONTROL_REGISTERS as R } from './sdm-refs.ts';

/** CR0. Bits 63:32 are reserved (MOV to CR0 setting one raises #GP(0)); low reserved bits are ignored on write. */
export const CR0 = bitfield({
  name: 'CR0',
  size: 64,
  sdm: R,
  fields: {
    PE: { bit: 0, sdmName: 'Protection Enable', doc: 'Enables protected mode (segment protection).', sdm: R },
    MP: { bit: 1, sdmName: 'Monitor Coprocessor', doc: 'With TS, makes WAIT/FWAIT raise #NM.', sdm: R },
    EM: { bit: 2, sdmName: 'Emulation', doc: 'No x87 FPU present: x87 instructions raise #NM.', sdm: R },
    TS: { bit: 3, sdmName: 'Task Switched', doc: 'Set on task switch; lets the OS save x87/SSE state lazily.', sdm: R },
    ET: { bit: 4, sdmName: 'Extension Type', doc: 'Hard-wired to 1 on modern processors (387 coprocessor present).', sdm: R },
    NE: { bit: 5, sdmName: 'Numeric Error', doc: 'Report x87 errors natively (#MF) instead of via an external interrupt; must be 1 in VMX operation.', sdm: R },
    WP: { bit: 16, sdmName: 'Write Protect', doc: 'Supervisor writes honour read-only pages.', sdm: R },
    AM: { bit: 18, sdmName: 'Alignment Mask', doc: 'Enables alignment checking together with RFLAGS.AC at CPL 3.', sdm: R },
    NW: { bit: 29, sdmName: 'Not Write-through', doc: 'With CD, controls the cache write policy.', sdm: R },
    CD: { bit: 30, sdmName: 'Cache Disable', doc: 'Disables filling the caches.', sdm: R },
    PG: { bit: 31, sdmName: 'Paging', doc: 'Enables paging; requires PE.', sdm: R },
  },
  reserved: 0xffff_ffff_0000_0000n,
});

/** CR3 without PCIDs (CR4.PCIDE = 0): the page-map base and its cache controls. */
export const CR3 = bitfield({
  name: 'CR3',
  size: 64,
  sdm: R,
  fields: {
    PWT: { bit: 3, sdmName: 'Page-level Write-Through', doc: 'Write-through caching of the top-level paging structure.', sdm: R },
    PCD: { bit: 4, sdmName: 'Page-level Cache Disable', doc: 'Disables caching of the top-level paging structure.', sdm: R },
    BASE: { bit: 12, width: 40, sdmName: 'Page-Directory Base', doc: 'Physical address (4 KiB aligned) of the PML4 (or PML5) table; bits above MAXPHYADDR must be 0.', sdm: R },
  },
  // Bits 60:52 are reserved; 62:61 are LAM enables on processors with LAM; bit 63 is the
  // no-flush hint of MOV to CR3 (never stored).
  reserved: 0x1ff0_0000_0000_0000n,
});

/** CR3 with PCIDs (CR4.PCIDE = 1): bits 11:0 name the process-context identifier. */
export const CR3_PCID = bitfield({
  name: 'CR3 (PCIDE=1)',
  size: 64,
  sdm: R,
  fields: {
    PCID: { bit: 0, width: 12, sdmName: 'Process-Context Identifier', doc: 'PCID of the address space (CR4.PCIDE = 1).', sdm: R },
    BASE: { bit: 12, width: 40, sdmName: 'Page-Directory Base', doc: 'Physical address of the PML4 (or PML5) table.', sdm: R },
    NOFLUSH: { bit: 63, sdmName: 'No-flush hint', doc: 'On MOV to CR3 only: keep TLB entries of this PCID; not stored in CR3.', sdm: R },
  },
  reserved: 0x1ff0_0000_0000_0000n,
});

/** CR4. Unnamed bits are reserved (MOV to CR4 setting one raises #GP(0)). */
export const CR4 = bitfield({
  name: 'CR4',
  size: 64,
  sdm: R,
  fields: {
    VME: { bit: 0, sdmName: 'Virtual-8086 Mode Extensions', doc: 'Virtual interrupt flag in virtual-8086 mode.', sdm: R },
    PVI: { bit: 1, sdmName: 'Protected-Mode Virtual Interrupts', doc: 'Virtual interrupt flag in protected mode.', sdm: R },
    TSD: { bit: 2, sdmName: 'Time Stamp Disable', doc: 'RDTSC/RDTSCP only at CPL 0.', sdm: R },
    DE: { bit: 3, sdmName: 'Debugging Extensions', doc: 'DR4/DR5 references raise #UD; enables I/O breakpoints.', sdm: R },
    PSE: { bit: 4, sdmName: 'Page Size Extensions', doc: '4 MiB pages with 32-bit paging (ignored with PAE).', sdm: R },
    PAE: { bit: 5, sdmName: 'Physical Address Extension', doc: 'PAE paging; required for 4-level paging and IA-32e mode.', sdm: R },
    MCE: { bit: 6, sdmName: 'Machine-Check Enable', doc: 'Enables the machine-check exception.', sdm: R },
    PGE: { bit: 7, sdmName: 'Page Global Enable', doc: 'Global pages survive CR3 loads in the TLB.', sdm: R },
    PCE: { bit: 8, sdmName: 'Performance-Monitoring Counter Enable', doc: 'RDPMC allowed at any CPL.', sdm: R },
    OSFXSR: { bit: 9, sdmName: 'OS Support for FXSAVE/FXRSTOR', doc: 'OS saves SSE state with FXSAVE; enables SSE instructions.', sdm: R },
    OSXMMEXCPT: { bit: 10, sdmName: 'OS Support for Unmasked SIMD FP Exceptions', doc: 'Unmasked SIMD FP exceptions raise #XM instead of #UD.', sdm: R },
    UMIP: { bit: 11, sdmName: 'User-Mode Instruction Prevention', doc: 'SGDT, SIDT, SLDT, SMSW, STR raise #GP at CPL > 0.', sdm: R },
    LA57: { bit: 12, sdmName: '57-bit linear addresses', doc: '5-level paging in IA-32e mode (cannot change while in IA-32e mode).', sdm: R },
    VMXE: { bit: 13, sdmName: 'VMX-Enable Bit', doc: 'Allows VMXON; cannot be cleared while in VMX operation.', sdm: R },
    SMXE: { bit: 14, sdmName: 'SMX-Enable Bit', doc: 'Allows GETSEC (Safer Mode Extensions).', sdm: R },
    FSGSBASE: { bit: 16, sdmName: 'FSGSBASE-Enable Bit', doc: 'Enables RDFSBASE/WRFSBASE/RDGSBASE/WRGSBASE.', sdm: R },
    PCIDE: { bit: 17, sdmName: 'PCID-Enable Bit', doc: 'Process-context identifiers in CR3[11:0]; only in IA-32e mode.', sdm: R },
    OSXSAVE: { bit: 18, sdmName: 'XSAVE and Processor Extended States-Enable Bit', doc: 'Enables XSAVE family and XGETBV/XSETBV.', sdm: R },
    KL: { bit: 19, sdmName: 'Key-Locker-Enable Bit', doc: 'Enables LOADIWKEY (Key Locker).', sdm: R },
    SMEP: { bit: 20, sdmName: 'SMEP-Enable Bit', doc: 'Supervisor-mode execution prevention: no fetch from user pages at CPL < 3.', sdm: R },
    SMAP: { bit: 21, sdmName: 'SMAP-Enable Bit', doc: 'Supervisor-mode access prevention: no data access to user pages unless RFLAGS.AC.', sdm: R },
    PKE: { bit: 22, sdmName: 'Enable protection keys for user-mode pages', doc: 'Protection keys (PKRU) for user-mode pages.', sdm: R },
    CET: { bit: 23, sdmName: 'Control-flow Enforcement Technology', doc: 'Enables CET shadow stacks and indirect-branch tracking; requires CR0.WP.', sdm: R },
    PKS: { bit: 24, sdmName: 'Enable protection keys for supervisor-mode pages', doc: 'Protection keys (IA32_PKRS) for supervisor-mode pages.', sdm: R },
    UINTR: { bit: 25, sdmName: 'User Interrupts Enable Bit', doc: 'Enables user interrupts (SENDUIPI, UIRET).', sdm: R },
    LASS: { bit: 27, sdmName: 'Linear-address-space separation', doc: 'Supervisor accesses to user addresses (and the reverse) fault by address alone (newer SDM).', sdm: R },
    LAM_SUP: { bit: 28, sdmName: 'Supervisor LAM enable', doc: 'Linear-address masking for supervisor pointers.', sdm: R },
    FRED: { bit: 32, sdmName: 'FRED enable', doc: 'Flexible return and event delivery replaces IDT event delivery.', sdm: R },
  },
  reserved: ~0x1_1bff_7fffn & 0xffff_ffff_ffff_ffffn,
});

/** CR8: the task-priority register, bits 3:0 = TPR[7:4] of the local APIC. */
export const CR8 = bitfield({
  name: 'CR8',
  size: 64,
  sdm: R,
  fields: {
    TPL: { bit: 0, width: 4, sdmName: 'Task Priority Level', doc: 'Interrupts of priority class at or below this are blocked.', sdm: R },
  },
  reserved: 0xffff_ffff_ffff_fff0n,
});

/** Linux `X86_CR0_*` / `X86_CR4_*` names: the name prefix per register (processor-flags.h). */
export const CR_LINUX_PREFIX = { CR0: 'X86_CR0_', CR3: 'X86_CR3_', CR4: 'X86_CR4_', CR8: 'X86_CR8_' } as const;
