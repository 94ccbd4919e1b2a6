// The starting machine of DESIGN section 5: what a kernel driver finds on a modern x86-64 PC
// once Linux has booted. Builds the page tables, GDT, IDT and TSS in physical memory (at the
// addresses of boot-layout.ts) and puts the processor in 64-bit mode at CPL 0 with IF = 0.
// SDM Vol. 3A §9.8.5 "Initializing IA-32e Mode" lists what this sequence must have done.

import { CR0, CR4 } from '../arch/cr.ts';
import { EFER } from '../arch/efer.ts';
import { FEATURE_CONTROL_FIRMWARE_DEFAULT } from '../arch/feature-control.ts';
import { LAB_BASE, LAB_IMAGE_PHYS } from '../arch/lab.ts';
import { MSR } from '../arch/msrs.ts';
import { CpuState, SegIndex } from '../x86/state.ts';
import type { PhysicalMemory } from './memory.ts';
import { BOOT, GDT_LIMIT, IDT_LIMIT, SELECTOR, TSS_LIMIT, virtNumber } from './boot-layout.ts';

// Control-register and EFER values (SDM Vol. 3A §2.5 "Control Registers", §2.2.1 "Extended
// Feature Enable Register"). CR4 holds what every profile allows in IA32_VMX_CR4_FIXED1 and
// what Linux sets on every x86-64 CPU: PSE, PAE, PGE, OSFXSR, OSXMMEXCPT; VMXE is clear.
/** CR0 = PE | MP | ET | NE | WP | PG. */
export const BOOT_CR0 = Number(CR0.of('PE', 'MP', 'ET', 'NE', 'WP', 'PG'));
/** CR4 = PSE | PAE | PGE | OSFXSR | OSXMMEXCPT. */
export const BOOT_CR4 = Number(CR4.of('PSE', 'PAE', 'PGE', 'OSFXSR', 'OSXMMEXCPT'));
/** IA32_EFER = SCE | LME | LMA | NXE. */
export const BOOT_EFER = Number(EFER.of('SCE', 'LME', 'LMA', 'NXE'));
/** RFLAGS: only the always-one bit 1 (IF = 0). SDM Vol. 1 §3.4.3 "EFLAGS Register". */
export const BOOT_RFLAGS = 0x2;

// Paging-structure entry bits (SDM Vol. 3A §4.5 "4-Level Paging and 5-Level Paging", tables of
// PML4E/PDPTE/PDE formats): P=0, R/W=1, A=5, D=6, PS=7, G=8. A and D are preset as Linux's
// __PAGE_KERNEL does, so the first access writes nothing.
const PTE_P = 1n;
const PTE_RW = 2n;
const PTE_A = 0x20n;
const PTE_D = 0x40n;
const PTE_PS = 0x80n;
const PTE_G = 0x100n;
const TABLE_ENTRY = PTE_P | PTE_RW | PTE_A;
const LEAF_2M = PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS | PTE_G;

/** PML4 index of PHYS_OFFSET (0xFFFF888000000000): 273, as in Linux. */
export const DIRECT_MAP_PML4_INDEX = 273;

// Segment access rights in the VMX format CpuState uses (SDM Vol. 3C §25.4.1 "Guest Register
// State"): type | S<<4 | DPL<<5 | P<<7 | L<<13 | D/B<<14 | G<<15 | unusable<<16.
/** 64-bit code: execute/read, accessed; S, P, L, G. */
export const AR_CODE64 = 0xa09b;
/** Data: read/write, accessed; S, P, D/B, G. */
export const AR_DATA = 0xc093;
/** 64-bit TSS, busy (type 11); P. */
export const AR_TSS_BUSY = 0x8b;
/** A null selector was loaded: the register is unusable. */
export const AR_UNUSABLE = 0x10000;

/** Descriptors as the SDM draws them (Vol. 3A §3.4.5 "Segment Descriptors"). */
export const GDT_CODE64 = 0x00af9b000000ffffn;
export const GDT_DATA = 0x00cf93000000ffffn;


/** IA32_PAT power-on value (SDM Vol. 3A §13.12.4 "Programming the PAT"), kept by Linux for WB/WT/UC-/UC. */
export const BOOT_PAT = 0x0007040600070406n;
/** IA32_APIC_BASE: xAPIC at 0xFEE00000, enabled (bit 11), bootstrap processor (bit 8). */
export const BOOT_APIC_BASE = 0xfee00900n;

export interface BootOptions {
  /** RAM size in bytes; the direct map covers [0, size) rounded up to 2 MiB. */
  readonly memorySize: number;
  /** IA32_FEATURE_CONTROL as the profile's firmware left it (default: locked, VMX outside SMX on). */
  readonly featureControl?: bigint;
}

/** 16-byte 64-bit TSS descriptor (SDM Vol. 3A §8.2.3 "TSS Descriptor in 64-bit mode"). */
export function tssDescriptor(base: bigint, limit: number, type: number): [bigint, bigint] {
  const b = BigInt.asUintN(64, base);
  const lim = BigInt(limit);
  const low =
    (lim & 0xffffn) |
    ((b & 0xffffffn) << 16n) |
    (BigInt(type) << 40n) |
    (1n << 47n) |
    (((lim >> 16n) & 0xfn) << 48n) |
    (((b >> 24n) & 0xffn) << 56n);
  return [low, b >> 32n];
}

/** Writes the direct-map page tables; returns the number of page directories used. */
export function buildPageTables(mem: PhysicalMemory, memorySize: number): number {
  const twoMiB = 0x200000;
  const pages2M = Math.ceil(memorySize / twoMiB);
  const dirs = Math.ceil(pages2M / 512);
  if (BOOT.pd + dirs * 0x1000 > BOOT.pdEnd) throw new RangeError(`memory size ${memorySize} too large for the boot page tables`);
  mem.write64(BOOT.pml4 + DIRECT_MAP_PML4_INDEX * 8, BigInt(BOOT.pdpt) | TABLE_ENTRY);
  for (let d = 0; d < dirs; d++) {
    const pd = BOOT.pd + d * 0x1000;
    mem.write64(BOOT.pdpt + d * 8, BigInt(pd) | TABLE_ENTRY);
    for (let e = 0; e < 512; e++) {
      const n = d * 512 + e;
      if (n >= pages2M) break;
      mem.write64(pd + e * 8, BigInt(n) * BigInt(twoMiB) | LEAF_2M);
    }
  }
  return dirs;
}

/** Writes GDT, IDT (all gates not present: zero) and TSS. */
export function buildDescriptorTables(mem: PhysicalMemory): void {
  mem.write64(BOOT.gdt + 0, 0n);
  mem.write64(BOOT.gdt + SELECTOR.code, GDT_CODE64);
  mem.write64(BOOT.gdt + SELECTOR.data, GDT_DATA);
  const [lo, hi] = tssDescriptor(BigInt(virtNumber(BOOT.tss)), TSS_LIMIT, 0xb);
  mem.write64(BOOT.gdt + SELECTOR.tss, lo);
  mem.write64(BOOT.gdt + SELECTOR.tss + 8, hi);
  // IDT: 4 KiB of zero bytes; a zero gate has P = 0 (SDM Vol. 3A §6.14.1 "64-Bit Mode IDT").
  mem.writeBytes(BOOT.idt, new Uint8Array(IDT_LIMIT + 1));
  // TSS: RSP0 = the stack top; I/O map base = 0x68, past the limit, so no I/O permission bitmap.
  mem.writeBytes(BOOT.tss, new Uint8Array(TSS_LIMIT + 1));
  mem.write64(BOOT.tss + 4, BigInt.asUintN(64, BigInt(virtNumber(BOOT.stackTop))));
  mem.write16(BOOT.tss + 0x66, TSS_LIMIT + 1);
}

function setSeg(cpu: CpuState, i: SegIndex, sel: number, base: number, limit: number, ar: number): void {
  cpu.segSel[i] = sel;
  cpu.segBase[i] = base;
  cpu.segLimit[i] = limit;
  cpu.segAr[i] = ar;
}

/** Puts `cpu` in the starting state (registers, segments, CRs, MSRs); memory must already be built. */
export function bootCpu(cpu: CpuState, opts: BootOptions): void {
  cpu.copyFrom(new CpuState());
  cpu.cr0 = BOOT_CR0;
  cpu.cr3 = BOOT.pml4;
  cpu.cr4 = BOOT_CR4;
  cpu.efer = BOOT_EFER;
  cpu.rflags = BOOT_RFLAGS;
  cpu.rip = Number(BigInt.asIntN(64, LAB_BASE));
  cpu.setGpr64(4, BigInt.asUintN(64, BigInt(virtNumber(BOOT.stackTop))));
  // DR6/DR7 reset values (SDM Vol. 3B §18.2.3 "Debug Status Register (DR6)", §18.2.4 "Debug Control Register (DR7)").
  cpu.dr[6] = 0xffff0ff0n;
  cpu.dr[7] = 0x400n;
  setSeg(cpu, SegIndex.CS, SELECTOR.code, 0, 0xffffffff, AR_CODE64);
  for (const s of [SegIndex.SS, SegIndex.DS, SegIndex.ES]) setSeg(cpu, s, SELECTOR.data, 0, 0xffffffff, AR_DATA);
  // FS and GS hold null selectors; their bases live in IA32_FS_BASE / IA32_GS_BASE (zero here).
  setSeg(cpu, SegIndex.FS, 0, 0, 0, AR_UNUSABLE);
  setSeg(cpu, SegIndex.GS, 0, 0, 0, AR_UNUSABLE);
  setSeg(cpu, SegIndex.LDTR, 0, 0, 0, AR_UNUSABLE);
  setSeg(cpu, SegIndex.TR, SELECTOR.tss, virtNumber(BOOT.tss), TSS_LIMIT, AR_TSS_BUSY);
  cpu.gdtrBase = virtNumber(BOOT.gdt);
  cpu.gdtrLimit = GDT_LIMIT;
  cpu.idtrBase = virtNumber(BOOT.idt);
  cpu.idtrLimit = IDT_LIMIT;
  cpu.kernelGsBase = 0;
  cpu.msrs.set(MSR.IA32_FEATURE_CONTROL, opts.featureControl ?? FEATURE_CONTROL_FIRMWARE_DEFAULT);
  cpu.msrs.set(MSR.IA32_PAT, BOOT_PAT);
  cpu.msrs.set(MSR.IA32_APIC_BASE, BOOT_APIC_BASE);
}

/**
 * Builds the whole starting machine: clears memory, writes the boot structures and the program
 * image (at physical 0x100000), and sets the CPU state. The image must fit in RAM.
 */
export function bootMachine(cpu: CpuState, mem: PhysicalMemory, image: Uint8Array, opts: BootOptions): void {
  if (Number(LAB_IMAGE_PHYS) + image.length > mem.size) throw new RangeError('program image does not fit in RAM');
  mem.clear();
  buildPageTables(mem, opts.memorySize);
  buildDescriptorTables(mem);
  mem.writeBytes(Number(LAB_IMAGE_PHYS), image);
  bootCpu(cpu, opts);
}

/**
 * Applies `--msr INDEX=VALUE` overrides as firmware would have left them (no WRMSR checks,
 * no lock). EFER and the FS/GS base MSRs live in CpuState fields; the rest in `cpu.msrs`.
 */
export function applyMsrOverrides(cpu: CpuState, overrides: ReadonlyMap<number, bigint>): void {
  for (const [index, value] of overrides) {
    const v = BigInt.asUintN(64, value);
    switch (index) {
      case MSR.IA32_EFER: cpu.efer = Number(v & 0xffffffffn); break;
      case MSR.IA32_FS_BASE: cpu.segBase[SegIndex.FS] = Number(BigInt.asIntN(64, v)); break;
      case MSR.IA32_GS_BASE: cpu.segBase[SegIndex.GS] = Number(BigInt.asIntN(64, v)); break;
      case MSR.IA32_KERNEL_GS_BASE: cpu.kernelGsBase = Number(BigInt.asIntN(64, v)); break;
      case MSR.IA32_TIME_STAMP_COUNTER: cpu.tscOffset = v - BigInt(cpu.icount); break;
      default: cpu.msrs.set(index, v);
    }
  }
}
