// Extended page tables: the EPT pointer, EPT paging-structure entries, EPT memory types,
// and the INVEPT/INVVPID types. SDM Vol. 3C §25.6.11 Extended-Page-Table Pointer (EPTP),
// §29.2.2 EPT Translation Mechanism (tables "Format of an EPT PML4 Entry" .. "Format of
// an EPT Page-Table Entry"), §29.2.3 EPT-Induced VM Exits, §29.3.3 Invalidating Cached
// Translation Information. Bits newer than the 2016 SDM are marked in their docs.

import { bitfield, type FieldSpec } from './bitfield.ts';
import { sdm, type SdmRef } from './sdm.ts';

const P = sdm('3C', '25.6.11', 'Extended-Page-Table Pointer (EPTP)');
const T = sdm('3C', '29.2.2', 'EPT Translation Mechanism');
const INV = sdm('3C', '29.3.3', 'Invalidating Cached Translation Information');

export const EPTP = bitfield({
  name: 'EPT pointer (EPTP)',
  size: 64,
  sdm: P,
  fields: {
    MEMORY_TYPE: { bit: 0, width: 3, sdmName: 'EPT paging-structure memory type', doc: '0 = UC (EPT_VPID_CAP[8]), 6 = WB (EPT_VPID_CAP[14]); other values fail VM entry.', sdm: P },
    PAGE_WALK_LENGTH: { bit: 3, width: 3, sdmName: 'EPT page-walk length minus 1', doc: '3 = 4-level EPT, 4 = 5-level EPT (EPT_VPID_CAP[7]).', sdm: P },
    AD_ENABLE: { bit: 6, sdmName: 'Enable accessed and dirty flags', doc: 'EPT A/D flags are maintained (requires EPT_VPID_CAP[21]).', sdm: P },
    SSS_ENABLE: { bit: 7, sdmName: 'Enable supervisor shadow-stack control', doc: 'EPT bit 60 marks supervisor shadow-stack pages (newer SDM; EPT_VPID_CAP[23]).', sdm: P },
    ROOT: { bit: 12, width: 40, sdmName: 'Address of the EPT PML4 table', doc: 'Physical address of the root table; bits beyond MAXPHYADDR must be 0.', sdm: P },
  },
  reserved: 0xf00n | (0xfffn << 52n),
});

const R: FieldSpec = { bit: 0, sdmName: 'Read access', doc: 'Reads allowed from the region.', sdm: T };
const W: FieldSpec = { bit: 1, sdmName: 'Write access', doc: 'Writes allowed to the region.', sdm: T };
const X: FieldSpec = { bit: 2, sdmName: 'Execute access', doc: 'Instruction fetches allowed (supervisor-mode only with MBEC).', sdm: T };
const A: FieldSpec = { bit: 8, sdmName: 'Accessed', doc: 'Set by the processor when EPTP[6] = 1.', sdm: T };
const UX: FieldSpec = { bit: 10, sdmName: 'User-mode execute access', doc: 'User-mode fetches allowed when mode-based execute control is on.', sdm: T };
const MT: FieldSpec = { bit: 3, width: 3, sdmName: 'EPT memory type', doc: '0 UC, 1 WC, 4 WT, 5 WP, 6 WB; 2, 3, 7 cause an EPT misconfiguration.', sdm: T };
const IPAT: FieldSpec = { bit: 6, sdmName: 'Ignore PAT memory type', doc: 'Use the EPT memory type without combining with the guest PAT.', sdm: T };
const PS1: FieldSpec = { bit: 7, sdmName: 'Page size (1)', doc: '1: this entry maps a large page (needs the page-size capability).', sdm: T };
const D: FieldSpec = { bit: 9, sdmName: 'Dirty', doc: 'Set by the processor on writes when EPTP[6] = 1.', sdm: T };
const VGP: FieldSpec = { bit: 57, sdmName: 'Verify guest paging', doc: 'Guest-paging verification (HLAT; newer SDM).', sdm: T };
const PWA: FieldSpec = { bit: 58, sdmName: 'Paging-write access', doc: 'Guest paging A/D writes allowed (newer SDM).', sdm: T };
const SSS: FieldSpec = { bit: 60, sdmName: 'Supervisor shadow stack', doc: 'Supervisor shadow-stack page when EPTP[7] = 1 (newer SDM).', sdm: T };
const SPP: FieldSpec = { bit: 61, sdmName: 'Sub-page write permissions', doc: 'Writes checked against the sub-page permission table (newer SDM).', sdm: T };
const SVE: FieldSpec = { bit: 63, sdmName: 'Suppress #VE', doc: 'EPT violations through this entry are never converted to #VE.', sdm: T };
const ADDR = (bit: number, doc: string): FieldSpec => ({ bit, width: 52 - bit, sdmName: 'Physical address', doc, sdm: T });

/** EPT PML5E, PML4E, PDPTE and PDE that reference a further table: bits 7:3 (6:3 for a PDE) reserved. */
export const EPT_TABLE_ENTRY = bitfield({
  name: 'EPT entry (references a table)', size: 64, sdm: T,
  fields: { R, W, X, A, UX, ADDR: ADDR(12, 'Physical address of the next EPT paging structure.') },
  reserved: 0xf8n,
});

/** EPT PDPTE that maps a 1-GiB page (bit 7 = 1): bits 29:12 reserved. */
export const EPT_PDPTE_1G = bitfield({
  name: 'EPT PDPTE (1 GiB page)', size: 64, sdm: T,
  fields: { R, W, X, MT, IPAT, PS: PS1, A, D, UX, ADDR: ADDR(30, 'Physical address of the 1-GiB page.'), VGP, PWA, SSS, SPP, SVE },
  reserved: 0x3fff_f000n,
});

/** EPT PDE that maps a 2-MiB page (bit 7 = 1): bits 20:12 reserved. */
export const EPT_PDE_2M = bitfield({
  name: 'EPT PDE (2 MiB page)', size: 64, sdm: T,
  fields: { R, W, X, MT, IPAT, PS: PS1, A, D, UX, ADDR: ADDR(21, 'Physical address of the 2-MiB page.'), VGP, PWA, SSS, SPP, SVE },
  reserved: 0x1f_f000n,
});

/** EPT PTE that maps a 4-KiB page (bit 7 ignored). */
export const EPT_PTE = bitfield({
  name: 'EPT PTE (4 KiB page)', size: 64, sdm: T,
  fields: { R, W, X, MT, IPAT, A, D, UX, ADDR: ADDR(12, 'Physical address of the 4-KiB page.'), VGP, PWA, SSS, SPP, SVE },
});

export interface MemoryType {
  readonly value: number;
  readonly name: string;
  /** Allowed in EPT leaf entries (others cause an EPT misconfiguration). */
  readonly validInEpt: boolean;
  readonly doc: string;
}

/** Memory types (SDM Vol. 3A §12.3 Methods of Caching Available; EPT use per §29.2.2). */
export const MEMORY_TYPES: readonly MemoryType[] = [
  { value: 0, name: 'UC', validInEpt: true, doc: 'Uncacheable.' },
  { value: 1, name: 'WC', validInEpt: true, doc: 'Write combining.' },
  { value: 2, name: 'reserved', validInEpt: false, doc: 'Reserved.' },
  { value: 3, name: 'reserved', validInEpt: false, doc: 'Reserved.' },
  { value: 4, name: 'WT', validInEpt: true, doc: 'Write-through.' },
  { value: 5, name: 'WP', validInEpt: true, doc: 'Write-protected.' },
  { value: 6, name: 'WB', validInEpt: true, doc: 'Write-back.' },
  { value: 7, name: 'reserved', validInEpt: false, doc: 'Reserved.' },
];

export interface InvalidationType {
  readonly instruction: 'INVEPT' | 'INVVPID';
  readonly type: number;
  /** Linux `VMX_EPT_EXTENT_*` / `VMX_VPID_EXTENT_*` name. */
  readonly linux: string;
  readonly name: string;
  /** IA32_VMX_EPT_VPID_CAP bit that says the type is supported. */
  readonly capabilityBit: number;
  readonly doc: string;
  readonly sdm: SdmRef;
}

/** INVEPT and INVVPID types; any other type fails with VM-instruction error 28. */
export const INVALIDATION_TYPES: readonly InvalidationType[] = [
  { instruction: 'INVEPT', type: 1, linux: 'VMX_EPT_EXTENT_CONTEXT', name: 'Single-context', capabilityBit: 25, doc: 'Mappings of the EPTP in the descriptor.', sdm: INV },
  { instruction: 'INVEPT', type: 2, linux: 'VMX_EPT_EXTENT_GLOBAL', name: 'All-context', capabilityBit: 26, doc: 'Mappings of every EPTP.', sdm: INV },
  { instruction: 'INVVPID', type: 0, linux: 'VMX_VPID_EXTENT_INDIVIDUAL_ADDR', name: 'Individual-address', capabilityBit: 40, doc: 'One linear address of one VPID.', sdm: INV },
  { instruction: 'INVVPID', type: 1, linux: 'VMX_VPID_EXTENT_SINGLE_CONTEXT', name: 'Single-context', capabilityBit: 41, doc: 'Every mapping of one VPID.', sdm: INV },
  { instruction: 'INVVPID', type: 2, linux: 'VMX_VPID_EXTENT_ALL_CONTEXT', name: 'All-context', capabilityBit: 42, doc: 'Every mapping of every VPID except 0.', sdm: INV },
  { instruction: 'INVVPID', type: 3, linux: 'VMX_VPID_EXTENT_SINGLE_NON_GLOBAL', name: 'Single-context-retaining-globals', capabilityBit: 43, doc: 'One VPID, keeping global translations.', sdm: INV },
];

/** Linux `VMX_EPTP_*` / `VMX_EPT_*` constants (asm/vmx.h), derived from the bitfields above. */
export const EPT_LINUX_CONSTANTS: readonly { name: string; value: bigint; doc: string }[] = [
  { name: 'VMX_EPTP_MT_UC', value: 0n, doc: 'EPTP memory type UC.' },
  { name: 'VMX_EPTP_MT_WB', value: 6n, doc: 'EPTP memory type WB.' },
  { name: 'VMX_EPTP_PWL_4', value: EPTP.set(0n, 'PAGE_WALK_LENGTH', 3n), doc: 'EPTP page-walk length field for 4-level EPT.' },
  { name: 'VMX_EPTP_PWL_5', value: EPTP.set(0n, 'PAGE_WALK_LENGTH', 4n), doc: 'EPTP page-walk length field for 5-level EPT.' },
  { name: 'VMX_EPTP_AD_ENABLE_BIT', value: EPTP.mask.AD_ENABLE, doc: 'EPTP bit enabling EPT accessed/dirty flags.' },
  { name: 'VMX_EPT_READABLE_MASK', value: EPT_PTE.mask.R, doc: 'EPT entry read permission.' },
  { name: 'VMX_EPT_WRITABLE_MASK', value: EPT_PTE.mask.W, doc: 'EPT entry write permission.' },
  { name: 'VMX_EPT_EXECUTABLE_MASK', value: EPT_PTE.mask.X, doc: 'EPT entry execute permission.' },
  { name: 'VMX_EPT_RWX_MASK', value: EPT_PTE.of('R', 'W', 'X'), doc: 'EPT entry read, write and execute permissions.' },
  { name: 'VMX_EPT_MT_EPTE_SHIFT', value: BigInt(EPT_PTE.bit.MT), doc: 'Shift of the memory-type field in an EPT leaf.' },
  { name: 'VMX_EPT_IPAT_BIT', value: EPT_PTE.mask.IPAT, doc: 'EPT leaf ignore-PAT bit.' },
  { name: 'VMX_EPT_ACCESS_BIT', value: EPT_PTE.mask.A, doc: 'EPT accessed flag.' },
  { name: 'VMX_EPT_DIRTY_BIT', value: EPT_PTE.mask.D, doc: 'EPT dirty flag.' },
  { name: 'VMX_EPT_USER_EXECUTABLE_MASK', value: EPT_PTE.mask.UX, doc: 'EPT user-mode execute permission (MBEC).' },
  { name: 'VMX_EPT_SUPPRESS_VE_BIT', value: EPT_PTE.mask.SVE, doc: 'EPT suppress-#VE bit.' },
  { name: 'VMX_EPT_LARGE_PAGE_MASK', value: EPT_PDE_2M.mask.PS, doc: 'EPT PDE/PDPTE page-size bit (2 MiB / 1 GiB page).' },
];
