// Paging-structure entry formats of 4-level and 5-level paging (SDM Vol. 3A §4.5
// 4-Level Paging and 5-Level Paging, tables "Format of a PML5 Entry" .. "Format of a
// Page-Table Entry that Maps a 4-KByte Page"). Address fields are declared up to bit
// 51; the bits from MAXPHYADDR to 51 are reserved per CPU (`addressReservedMask`).

import { bitfield, type FieldSpec } from './bitfield.ts';
import { SDM_PAGING_4_5 as R } from './sdm-refs.ts';

const P: FieldSpec = { bit: 0, sdmName: 'P', doc: 'Present: the entry maps something; 0 faults with #PF (P=0).', sdm: R };
const RW: FieldSpec = { bit: 1, sdmName: 'R/W', doc: 'Writes allowed to the region (subject to CR0.WP for supervisor).', sdm: R };
const US: FieldSpec = { bit: 2, sdmName: 'U/S', doc: 'User-mode (CPL 3) accesses allowed.', sdm: R };
const PWT: FieldSpec = { bit: 3, sdmName: 'PWT', doc: 'Page-level write-through (memory type selection).', sdm: R };
const PCD: FieldSpec = { bit: 4, sdmName: 'PCD', doc: 'Page-level cache disable (memory type selection).', sdm: R };
const A: FieldSpec = { bit: 5, sdmName: 'A', doc: 'Accessed: set by the processor when the entry is used.', sdm: R };
const D: FieldSpec = { bit: 6, sdmName: 'D', doc: 'Dirty: set by the processor on a write to the page.', sdm: R };
const XD: FieldSpec = { bit: 63, sdmName: 'XD', doc: 'Execute-disable when IA32_EFER.NXE = 1 (reserved otherwise).', sdm: R };
const PS0: FieldSpec = { bit: 7, sdmName: 'PS', doc: 'Page size: must be 0 here (this entry references a table).', sdm: R };
const PS1: FieldSpec = { bit: 7, sdmName: 'PS', doc: 'Page size: 1 = this entry maps a large page.', sdm: R };
const G: FieldSpec = { bit: 8, sdmName: 'G', doc: 'Global (CR4.PGE = 1): the translation survives CR3 loads.', sdm: R };
const PK: FieldSpec = { bit: 59, width: 4, sdmName: 'PK', doc: 'Protection key (CR4.PKE / CR4.PKS); ignored otherwise.', sdm: R };
const table = (doc: string): FieldSpec => ({ bit: 12, width: 40, sdmName: 'Address', doc, sdm: R });

/** PML5E, PML4E, PDPTE and PDE that reference a further table. */
export const PML5E = bitfield({ name: 'PML5 entry', size: 64, sdm: R, fields: { P, RW, US, PWT, PCD, A, PS: PS0, ADDR: table('Physical address of the PML4 table.'), XD } });
export const PML4E = bitfield({ name: 'PML4 entry', size: 64, sdm: R, fields: { P, RW, US, PWT, PCD, A, PS: PS0, ADDR: table('Physical address of the page-directory-pointer table.'), XD } });
export const PDPTE = bitfield({ name: 'PDPT entry (table)', size: 64, sdm: R, fields: { P, RW, US, PWT, PCD, A, PS: PS0, ADDR: table('Physical address of the page directory.'), XD } });
export const PDE = bitfield({ name: 'PD entry (table)', size: 64, sdm: R, fields: { P, RW, US, PWT, PCD, A, PS: PS0, ADDR: table('Physical address of the page table.'), XD } });

/** PDPTE that maps a 1-GiB page (PS = 1): bits 29:13 reserved. */
export const PDPTE_1G = bitfield({
  name: 'PDPT entry (1 GiB page)', size: 64, sdm: R,
  fields: {
    P, RW, US, PWT, PCD, A, D, PS: PS1, G,
    PAT: { bit: 12, sdmName: 'PAT', doc: 'Selects the memory type together with PCD and PWT.', sdm: R },
    ADDR: { bit: 30, width: 22, sdmName: 'Address', doc: 'Physical address of the 1-GiB page.', sdm: R },
    PK, XD,
  },
  reserved: 0x3fff_e000n,
});

/** PDE that maps a 2-MiB page (PS = 1): bits 20:13 reserved. */
export const PDE_2M = bitfield({
  name: 'PD entry (2 MiB page)', size: 64, sdm: R,
  fields: {
    P, RW, US, PWT, PCD, A, D, PS: PS1, G,
    PAT: { bit: 12, sdmName: 'PAT', doc: 'Selects the memory type together with PCD and PWT.', sdm: R },
    ADDR: { bit: 21, width: 31, sdmName: 'Address', doc: 'Physical address of the 2-MiB page.', sdm: R },
    PK, XD,
  },
  reserved: 0x1f_e000n,
});

/** PTE that maps a 4-KiB page (bit 7 is PAT here). */
export const PTE = bitfield({
  name: 'Page-table entry (4 KiB page)', size: 64, sdm: R,
  fields: {
    P, RW, US, PWT, PCD, A, D,
    PAT: { bit: 7, sdmName: 'PAT', doc: 'Selects the memory type together with PCD and PWT.', sdm: R },
    G,
    ADDR: { bit: 12, width: 40, sdmName: 'Address', doc: 'Physical address of the 4-KiB page.', sdm: R },
    PK, XD,
  },
});

/** Bits 51:MAXPHYADDR of an entry: reserved (a set one faults with #PF RSVD). */
export function addressReservedMask(maxPhysAddr: number): bigint {
  if (maxPhysAddr >= 52) return 0n;
  return ((1n << 52n) - 1n) & ~((1n << BigInt(maxPhysAddr)) - 1n);
}

/** Shift of the linear-address index for each level: PML5 48, PML4 39, PDPT 30, PD 21, PT 12. */
export const LEVEL_SHIFT = { PML5: 48, PML4: 39, PDPT: 30, PD: 21, PT: 12 } as const;

/** Index (0-511) into the table of `level` for a linear address. */
export function tableIndex(linear: bigint, level: keyof typeof LEVEL_SHIFT): number {
  return Number((linear >> BigInt(LEVEL_SHIFT[level])) & 0x1ffn);
}

/** Whether a linear address is canonical for 48-bit (4-level) or 57-bit (5-level) addressing. */
export function isCanonical(linear: bigint, linearBits: 48 | 57 = 48): boolean {
  return canonicalFor(linear, linearBits);
}

const MAX64 = 0xffff_ffff_ffff_ffffn;
// Per address width: the shift to bit bits-1 and the all-ones value of bits 63:bits-1.
const CANONICAL_SHIFT: bigint[] = [];
const CANONICAL_TOP: bigint[] = [];

/**
 * Whether a 64-bit value (taken modulo 2^64) is canonical for `bits` linear-address bits: bits
 * 63 through bits-1 all equal (SDM Vol. 1 §3.3.7.1 "Canonical Addressing"; 48 with 4-level
 * paging, 57 with 5-level).
 */
export function canonicalFor(v: bigint, bits: number): boolean {
  const u = v < 0n || v > MAX64 ? BigInt.asUintN(64, v) : v;
  let shift = CANONICAL_SHIFT[bits];
  if (shift === undefined) {
    shift = CANONICAL_SHIFT[bits] = BigInt(bits - 1);
    CANONICAL_TOP[bits] = (1n << BigInt(65 - bits)) - 1n;
  }
  const top = u >> shift;
  return top === 0n || top === CANONICAL_TOP[bits];
}
