// Number-typed views of the src/arch bitfield tables, for the executor's hot paths.
// The tables are bigint (exact for 64-bit registers); the executor keeps RFLAGS, CR0, CR4
// and EFER in 32-bit numbers, so it reads each mask once here, at module load. Nothing in
// this file restates a bit position: every value comes from a table (STYLE rule 10).

import { CR0, CR4 } from '../arch/cr.ts';
import { EFER } from '../arch/efer.ts';
import { RFLAGS, RFLAGS_STATUS } from '../arch/rflags.ts';
import { ACCESS_RIGHTS, DESCRIPTOR, GATE64_LOW, SEGMENT_TYPE } from '../arch/segments.ts';
import { PF_ERROR_CODE } from '../arch/exceptions.ts';
import { PDE_2M, PDPTE_1G, PTE } from '../arch/paging.ts';

const n = (b: bigint): number => Number(b);

/** RFLAGS masks (SDM Vol. 1 §3.4.3 "EFLAGS Register"). */
export const F = {
  CF: n(RFLAGS.mask.CF),
  FIXED: n(RFLAGS.mask.FIXED),
  PF: n(RFLAGS.mask.PF),
  AF: n(RFLAGS.mask.AF),
  ZF: n(RFLAGS.mask.ZF),
  SF: n(RFLAGS.mask.SF),
  TF: n(RFLAGS.mask.TF),
  IF: n(RFLAGS.mask.IF),
  DF: n(RFLAGS.mask.DF),
  OF: n(RFLAGS.mask.OF),
  IOPL: n(RFLAGS.mask.IOPL),
  NT: n(RFLAGS.mask.NT),
  RF: n(RFLAGS.mask.RF),
  VM: n(RFLAGS.mask.VM),
  AC: n(RFLAGS.mask.AC),
  VIF: n(RFLAGS.mask.VIF),
  VIP: n(RFLAGS.mask.VIP),
  ID: n(RFLAGS.mask.ID),
  /** CF PF AF ZF SF OF. */
  STATUS: n(RFLAGS_STATUS),
  /** Every defined bit (what POPF/IRET may change at most). */
  DEFINED: n(RFLAGS.definedMask),
} as const;

/** Bit position of the IOPL field. */
export const IOPL_SHIFT = RFLAGS.bit.IOPL;

/** CR0 masks (SDM Vol. 3A §2.5 "Control Registers"). */
export const C0 = {
  PE: n(CR0.mask.PE), MP: n(CR0.mask.MP), EM: n(CR0.mask.EM), TS: n(CR0.mask.TS), ET: n(CR0.mask.ET),
  NE: n(CR0.mask.NE), WP: n(CR0.mask.WP), AM: n(CR0.mask.AM), NW: n(CR0.mask.NW), CD: n(CR0.mask.CD),
  PG: n(CR0.mask.PG),
  DEFINED: n(CR0.definedMask),
} as const;

/** CR4 masks (SDM Vol. 3A §2.5 "Control Registers"). */
export const C4 = {
  VME: n(CR4.mask.VME), PVI: n(CR4.mask.PVI), TSD: n(CR4.mask.TSD), DE: n(CR4.mask.DE), PSE: n(CR4.mask.PSE),
  PAE: n(CR4.mask.PAE), MCE: n(CR4.mask.MCE), PGE: n(CR4.mask.PGE), PCE: n(CR4.mask.PCE),
  OSFXSR: n(CR4.mask.OSFXSR), OSXMMEXCPT: n(CR4.mask.OSXMMEXCPT), UMIP: n(CR4.mask.UMIP),
  LA57: n(CR4.mask.LA57), VMXE: n(CR4.mask.VMXE), SMXE: n(CR4.mask.SMXE), FSGSBASE: n(CR4.mask.FSGSBASE),
  PCIDE: n(CR4.mask.PCIDE), OSXSAVE: n(CR4.mask.OSXSAVE), SMEP: n(CR4.mask.SMEP), SMAP: n(CR4.mask.SMAP),
  PKE: n(CR4.mask.PKE),
} as const;

/** IA32_EFER masks (SDM Vol. 3A §2.2.1 "Extended Feature Enable Register"). */
export const EF = {
  SCE: n(EFER.mask.SCE), LME: n(EFER.mask.LME), LMA: n(EFER.mask.LMA), NXE: n(EFER.mask.NXE),
} as const;

/** VMX-format access-rights masks and shifts (SDM Vol. 3C §25.4.1 "Guest Register State"). */
export const ARB = {
  TYPE: n(ACCESS_RIGHTS.mask.TYPE), S: n(ACCESS_RIGHTS.mask.S), DPL: n(ACCESS_RIGHTS.mask.DPL),
  DPL_SHIFT: ACCESS_RIGHTS.bit.DPL, P: n(ACCESS_RIGHTS.mask.P), AVL: n(ACCESS_RIGHTS.mask.AVL),
  L: n(ACCESS_RIGHTS.mask.L), DB: n(ACCESS_RIGHTS.mask.DB), G: n(ACCESS_RIGHTS.mask.G),
  UNUSABLE: n(ACCESS_RIGHTS.mask.UNUSABLE),
} as const;

/** #PF error-code bits (SDM Vol. 3A §4.7 "Page-Fault Exceptions"). */
export const PFE = {
  P: n(PF_ERROR_CODE.mask.P), WR: n(PF_ERROR_CODE.mask.WR), US: n(PF_ERROR_CODE.mask.US),
  RSVD: n(PF_ERROR_CODE.mask.RSVD), ID: n(PF_ERROR_CODE.mask.ID),
} as const;

/**
 * Paging-entry bits in the low 32 bits of an entry (SDM Vol. 3A §4.5 "4-Level Paging and
 * 5-Level Paging"); XD is bit 31 of the high half.
 */
export const PTEB = {
  P: n(PTE.mask.P), RW: n(PTE.mask.RW), US: n(PTE.mask.US), A: n(PTE.mask.A), D: n(PTE.mask.D),
  PS: n(PDE_2M.mask.PS), G: n(PTE.mask.G),
  XD_HI: n(PTE.mask.XD >> 32n),
  /** Address field (bits 51:12) split into the low and high halves. */
  ADDR_LO: n(PTE.mask.ADDR & 0xffff_ffffn), ADDR_HI: n(PTE.mask.ADDR >> 32n),
  /** Reserved bits of a 1-GiB PDPTE and a 2-MiB PDE (low half). */
  RSVD_1G: n(PDPTE_1G.reservedMask), RSVD_2M: n(PDE_2M.reservedMask),
} as const;

/** Code/data segment type bits (SDM Vol. 3A §3.4.5.1 "Code- and Data-Segment Descriptor Types"). */
export const TY = {
  A: n(SEGMENT_TYPE.mask.ACCESSED),
  /** Writable (data) / readable (code). */
  WR: n(SEGMENT_TYPE.mask.WRITABLE_READABLE),
  /** Expand-down (data) / conforming (code). */
  EC: n(SEGMENT_TYPE.mask.EXPAND_DOWN_CONFORMING),
  CODE: n(SEGMENT_TYPE.mask.CODE),
} as const;

const gateHi = (f: keyof typeof GATE64_LOW.mask): number => Number(GATE64_LOW.mask[f] >> 32n);

/**
 * IDT gate fields as seen in the gate's second dword (bits 63:32 of its low 8 bytes), and the
 * first dword's selector and offset (SDM Vol. 3A §6.14.1 "64-Bit Mode IDT", §6.11 "IDT
 * Descriptors": the legacy 8-byte gates share this layout, IST being reserved there).
 */
export const GATE = {
  TYPE: gateHi('TYPE'), TYPE_SHIFT: GATE64_LOW.bit.TYPE - 32,
  /** The descriptor S bit (0 for a gate). */
  S: Number(DESCRIPTOR.mask.S >> 32n),
  DPL: gateHi('DPL'), DPL_SHIFT: GATE64_LOW.bit.DPL - 32,
  P: gateHi('P'),
  IST: gateHi('IST'),
  OFFSET_MID: gateHi('OFFSET_MID'),
  OFFSET_LOW: Number(GATE64_LOW.mask.OFFSET_LOW),
  SELECTOR_SHIFT: GATE64_LOW.bit.SELECTOR,
} as const;
