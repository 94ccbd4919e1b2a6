// Where the starting machine of DESIGN section 5 puts things in physical memory. Everything the
// boot code builds sits below 1 MiB, so it is outside the program image (at 0x100000 and up) and
// outside the stack; docs/machine.md reproduces this table.

import { LAB_STACK_SIZE, PHYS_OFFSET } from '../arch/lab.ts';

/** Physical addresses of the boot structures. */
export const BOOT = {
  /** GDT: null, 64-bit code, data, 64-bit TSS descriptor (two slots). */
  gdt: 0x1000,
  /** IDT: 256 16-byte gates, none present. */
  idt: 0x2000,
  /** 64-bit TSS (104 bytes, no I/O bitmap). */
  tss: 0x3000,
  /** PML4 (CR3). */
  pml4: 0x10000,
  /** The one PDPT, under PML4 entry 273 (the entry that maps PHYS_OFFSET). */
  pdpt: 0x11000,
  /** First page directory; directory i maps physical [i GiB, (i+1) GiB) with 2 MiB pages. */
  pd: 0x12000,
  /** Page directories may use up to here (exclusive): 110 of them, so at most 110 GiB of RAM. */
  pdEnd: 0x80000,
  /** Top of the stack (exclusive): RSP starts at its direct-map address. Below the EBDA at 0x9fc00 on a PC. */
  stackTop: 0x90000,
} as const;

/** Stack size (16 KiB, DESIGN section 5) and its lowest byte. */
export const STACK_SIZE = Number(LAB_STACK_SIZE);
export const STACK_BOTTOM = BOOT.stackTop - STACK_SIZE;

/** GDT selectors (index * 8, TI = 0, RPL = 0). */
export const SELECTOR = {
  code: 0x08,
  data: 0x10,
  tss: 0x18,
} as const;

/** GDT limit: five 8-byte slots (null, code, data, TSS low, TSS high) minus one. */
export const GDT_LIMIT = 5 * 8 - 1;
/** IDT limit: 256 16-byte gates minus one. */
export const IDT_LIMIT = 256 * 16 - 1;
/** TSS limit: the 104-byte 64-bit TSS minus one (SDM Vol. 3A §8.7 "Task Management in 64-bit Mode"). */
export const TSS_LIMIT = 0x67;

/** Direct-map virtual address of a physical address, as a JS number (signed canonical, as CpuState holds it). */
export const virtNumber = (phys: number): number => Number(BigInt.asIntN(64, PHYS_OFFSET + BigInt(phys)));
