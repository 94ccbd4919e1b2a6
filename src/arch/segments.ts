// Segment selectors, code/data and system segment descriptors, IA-32e gates, the 64-bit
// TSS, and the VMX "access rights" format that the VMCS guest segment fields use.
// SDM Vol. 3A §3.4.2 Segment Selectors, §3.4.5 Segment Descriptors, §3.5 System
// Descriptor Types, §6.14.1 64-Bit Mode IDT, §8.7 Task Management in 64-bit Mode;
// Vol. 3C §25.4.1 Guest Register State (access rights).

import { bitfield } from './bitfield.ts';
import {
  SDM_CODE_DATA_TYPES, SDM_DESCRIPTORS as D, SDM_IDT_64, SDM_SEGMENT_LOAD_64, SDM_SELECTORS,
  SDM_SYSTEM_TYPES, SDM_TSS_64, SDM_VMX_ACCESS_RIGHTS as AR,
} from './sdm-refs.ts';
import type { SdmRef } from './sdm.ts';

export const SELECTOR = bitfield({
  name: 'Segment selector',
  size: 32,
  sdm: SDM_SELECTORS,
  fields: {
    RPL: { bit: 0, width: 2, sdmName: 'Requested Privilege Level', doc: 'Privilege level the selector is used with.', sdm: SDM_SELECTORS },
    TI: { bit: 2, sdmName: 'Table Indicator', doc: '0 = GDT, 1 = LDT.', sdm: SDM_SELECTORS },
    INDEX: { bit: 3, width: 13, sdmName: 'Index', doc: 'Descriptor number in the table (byte offset / 8).', sdm: SDM_SELECTORS },
  },
  reserved: 0xffff_0000n,
});

/** An 8-byte code/data (or the low half of a system) segment descriptor. */
export const DESCRIPTOR = bitfield({
  name: 'Segment descriptor',
  size: 64,
  sdm: D,
  fields: {
    LIMIT_LOW: { bit: 0, width: 16, sdmName: 'Segment Limit 15:00', doc: 'Low 16 bits of the 20-bit limit.', sdm: D },
    BASE_LOW: { bit: 16, width: 24, sdmName: 'Base Address 23:00', doc: 'Low 24 bits of the base address.', sdm: D },
    TYPE: { bit: 40, width: 4, sdmName: 'Type', doc: 'Segment or gate type; meaning depends on S.', sdm: D },
    S: { bit: 44, sdmName: 'Descriptor type', doc: '0 = system (TSS, LDT, gate), 1 = code or data.', sdm: D },
    DPL: { bit: 45, width: 2, sdmName: 'Descriptor Privilege Level', doc: 'Privilege level of the segment.', sdm: D },
    P: { bit: 47, sdmName: 'Segment Present', doc: 'Loading a not-present segment raises #NP (#SS for SS).', sdm: D },
    LIMIT_HIGH: { bit: 48, width: 4, sdmName: 'Segment Limit 19:16', doc: 'High 4 bits of the 20-bit limit.', sdm: D },
    AVL: { bit: 52, sdmName: 'Available for use by system software', doc: 'Ignored by the processor.', sdm: D },
    L: { bit: 53, sdmName: '64-bit code segment', doc: 'Code segment runs in 64-bit mode (IA-32e mode only); D must then be 0.', sdm: D },
    DB: { bit: 54, sdmName: 'Default operation size / Big', doc: '1 = 32-bit segment (default operand size, stack pointer size, expand-down upper bound).', sdm: D },
    G: { bit: 55, sdmName: 'Granularity', doc: 'Limit is in 4 KiB units (limit << 12 | 0xFFF).', sdm: D },
    BASE_HIGH: { bit: 56, width: 8, sdmName: 'Base Address 31:24', doc: 'High 8 bits of the 32-bit base address.', sdm: D },
  },
});

/** Bits of the TYPE field of a code or data descriptor (S = 1). */
export const SEGMENT_TYPE = bitfield({
  name: 'Code/data segment type',
  size: 32,
  sdm: SDM_CODE_DATA_TYPES,
  fields: {
    ACCESSED: { bit: 0, sdmName: 'Accessed', doc: 'Set by the processor when the descriptor is loaded.', sdm: SDM_CODE_DATA_TYPES },
    WRITABLE_READABLE: { bit: 1, sdmName: 'Write-enable (data) / Read-enable (code)', doc: 'Data: writable. Code: readable.', sdm: SDM_CODE_DATA_TYPES },
    EXPAND_DOWN_CONFORMING: { bit: 2, sdmName: 'Expansion-direction (data) / Conforming (code)', doc: 'Data: expand-down. Code: conforming (callable from lower privilege).', sdm: SDM_CODE_DATA_TYPES },
    CODE: { bit: 3, sdmName: 'Code/data', doc: '1 = code segment, 0 = data segment.', sdm: SDM_CODE_DATA_TYPES },
  },
  reserved: 0xffff_fff0n,
});

export interface DescriptorTypeInfo {
  readonly type: number;
  /** Meaning as a code/data type (S = 1). */
  readonly name: string;
  readonly doc: string;
  readonly sdm: SdmRef;
}

const cd = (type: number, name: string, doc: string): DescriptorTypeInfo => ({ type, name, doc, sdm: SDM_CODE_DATA_TYPES });

/** The 16 code/data segment types (S = 1), SDM table "Code- and Data-Segment Types". */
export const CODE_DATA_TYPES = [
  cd(0x0, 'Data Read-Only', 'Data, read-only.'),
  cd(0x1, 'Data Read-Only, accessed', 'Data, read-only, accessed.'),
  cd(0x2, 'Data Read/Write', 'Data, writable (the only kind SS may hold).'),
  cd(0x3, 'Data Read/Write, accessed', 'Data, writable, accessed.'),
  cd(0x4, 'Data Read-Only, expand-down', 'Data, read-only, valid offsets above the limit.'),
  cd(0x5, 'Data Read-Only, expand-down, accessed', 'Data, read-only, expand-down, accessed.'),
  cd(0x6, 'Data Read/Write, expand-down', 'Data, writable, expand-down.'),
  cd(0x7, 'Data Read/Write, expand-down, accessed', 'Data, writable, expand-down, accessed.'),
  cd(0x8, 'Code Execute-Only', 'Code, execute-only.'),
  cd(0x9, 'Code Execute-Only, accessed', 'Code, execute-only, accessed.'),
  cd(0xa, 'Code Execute/Read', 'Code, readable.'),
  cd(0xb, 'Code Execute/Read, accessed', 'Code, readable, accessed.'),
  cd(0xc, 'Code Execute-Only, conforming', 'Code, execute-only, conforming.'),
  cd(0xd, 'Code Execute-Only, conforming, accessed', 'Code, execute-only, conforming, accessed.'),
  cd(0xe, 'Code Execute/Read, conforming', 'Code, readable, conforming.'),
  cd(0xf, 'Code Execute/Read, conforming, accessed', 'Code, readable, conforming, accessed.'),
] as const;

export interface SystemTypeInfo {
  readonly type: number;
  /** Stable identifier used in code (`TSS64_BUSY`). */
  readonly id: string;
  /** Meaning in legacy (32-bit) protected mode. */
  readonly legacy: string;
  /** Meaning in IA-32e mode, or null when the type is reserved there. */
  readonly ia32e: string | null;
  readonly doc: string;
  readonly sdm: SdmRef;
}

const st = (type: number, id: string, legacy: string, ia32e: string | null, doc: string): SystemTypeInfo =>
  ({ type, id, legacy, ia32e, doc, sdm: SDM_SYSTEM_TYPES });

/** System descriptor types (S = 0), SDM table "System-Segment and Gate-Descriptor Types". */
export const SYSTEM_TYPES = [
  st(0x0, 'RESERVED_0', 'Reserved', null, 'Reserved in both modes.'),
  st(0x1, 'TSS16_AVAILABLE', '16-bit TSS (Available)', null, '16-bit TSS; reserved in IA-32e mode.'),
  st(0x2, 'LDT', 'LDT', 'LDT', 'Local descriptor table (16 bytes in IA-32e mode).'),
  st(0x3, 'TSS16_BUSY', '16-bit TSS (Busy)', null, 'Busy 16-bit TSS; reserved in IA-32e mode.'),
  st(0x4, 'CALL_GATE16', '16-bit Call Gate', null, '16-bit call gate; reserved in IA-32e mode.'),
  st(0x5, 'TASK_GATE', 'Task Gate', null, 'Task gate; reserved in IA-32e mode.'),
  st(0x6, 'INTERRUPT_GATE16', '16-bit Interrupt Gate', null, '16-bit interrupt gate; reserved in IA-32e mode.'),
  st(0x7, 'TRAP_GATE16', '16-bit Trap Gate', null, '16-bit trap gate; reserved in IA-32e mode.'),
  st(0x8, 'RESERVED_8', 'Reserved', null, 'Reserved in both modes.'),
  st(0x9, 'TSS_AVAILABLE', '32-bit TSS (Available)', '64-bit TSS (Available)', 'TSS that LTR can load.'),
  st(0xa, 'RESERVED_A', 'Reserved', null, 'Reserved in both modes.'),
  st(0xb, 'TSS_BUSY', '32-bit TSS (Busy)', '64-bit TSS (Busy)', 'TSS marked busy by LTR or a task switch.'),
  st(0xc, 'CALL_GATE', '32-bit Call Gate', '64-bit Call Gate', 'Far CALL/JMP through a gate.'),
  st(0xd, 'RESERVED_D', 'Reserved', null, 'Reserved in both modes.'),
  st(0xe, 'INTERRUPT_GATE', '32-bit Interrupt Gate', '64-bit Interrupt Gate', 'IDT gate that clears IF on delivery.'),
  st(0xf, 'TRAP_GATE', '32-bit Trap Gate', '64-bit Trap Gate', 'IDT gate that leaves IF unchanged.'),
] as const;

/** System types by identifier, for code: `SYSTEM_TYPE.TSS_BUSY` = 0xB. */
export const SYSTEM_TYPE = Object.fromEntries(SYSTEM_TYPES.map((t) => [t.id, t.type])) as {
  readonly [K in (typeof SYSTEM_TYPES)[number]['id']]: number;
};

/** The upper 8 bytes of a 16-byte system descriptor (LDT, TSS, call gate) in IA-32e mode. */
export const SYSTEM_DESCRIPTOR_HIGH = bitfield({
  name: '16-byte system descriptor, bytes 15:8',
  size: 64,
  sdm: SDM_SEGMENT_LOAD_64,
  fields: {
    BASE_UPPER: { bit: 0, width: 32, sdmName: 'Base Address 63:32', doc: 'Upper half of the 64-bit base.', sdm: SDM_SEGMENT_LOAD_64 },
    TYPE_ZERO: { bit: 40, width: 5, sdmName: 'Type field of the upper 8 bytes', doc: 'Must be 0 (so the upper half can never look like a valid descriptor).', sdm: SDM_SEGMENT_LOAD_64 },
  },
  reserved: 0xffff_e0ff_0000_0000n,
});

/** The low 8 bytes of a 16-byte IA-32e interrupt/trap gate. */
export const GATE64_LOW = bitfield({
  name: '64-bit IDT gate, bytes 7:0',
  size: 64,
  sdm: SDM_IDT_64,
  fields: {
    OFFSET_LOW: { bit: 0, width: 16, sdmName: 'Offset 15:0', doc: 'Handler offset bits 15:0.', sdm: SDM_IDT_64 },
    SELECTOR: { bit: 16, width: 16, sdmName: 'Segment Selector', doc: 'Selector of the 64-bit code segment of the handler.', sdm: SDM_IDT_64 },
    IST: { bit: 32, width: 3, sdmName: 'Interrupt Stack Table', doc: '0 = normal stack switch; 1-7 = use TSS.ISTn.', sdm: SDM_IDT_64 },
    TYPE: { bit: 40, width: 4, sdmName: 'Type', doc: '0xE interrupt gate, 0xF trap gate.', sdm: SDM_IDT_64 },
    DPL: { bit: 45, width: 2, sdmName: 'Descriptor Privilege Level', doc: 'Highest CPL allowed to reach the gate with INT n.', sdm: SDM_IDT_64 },
    P: { bit: 47, sdmName: 'Segment Present', doc: 'Gate present; else #NP.', sdm: SDM_IDT_64 },
    OFFSET_MID: { bit: 48, width: 16, sdmName: 'Offset 31:16', doc: 'Handler offset bits 31:16.', sdm: SDM_IDT_64 },
  },
  reserved: 0x0000_10f8_0000_0000n,
});

/** Byte offsets in the 104-byte 64-bit TSS. */
export const TSS64 = [
  { name: 'RSP0', offset: 4, size: 8, doc: 'Stack pointer loaded on a privilege change to CPL 0.' },
  { name: 'RSP1', offset: 12, size: 8, doc: 'Stack pointer for CPL 1.' },
  { name: 'RSP2', offset: 20, size: 8, doc: 'Stack pointer for CPL 2.' },
  { name: 'IST1', offset: 36, size: 8, doc: 'Interrupt stack table entry 1.' },
  { name: 'IST2', offset: 44, size: 8, doc: 'Interrupt stack table entry 2.' },
  { name: 'IST3', offset: 52, size: 8, doc: 'Interrupt stack table entry 3.' },
  { name: 'IST4', offset: 60, size: 8, doc: 'Interrupt stack table entry 4.' },
  { name: 'IST5', offset: 68, size: 8, doc: 'Interrupt stack table entry 5.' },
  { name: 'IST6', offset: 76, size: 8, doc: 'Interrupt stack table entry 6.' },
  { name: 'IST7', offset: 84, size: 8, doc: 'Interrupt stack table entry 7.' },
  { name: 'IOMAP_BASE', offset: 102, size: 2, doc: 'Offset of the I/O permission bitmap from the TSS base.' },
] as const satisfies readonly { name: string; offset: number; size: number; doc: string }[];

/** Size of the 64-bit TSS (the minimum limit of a 64-bit TSS is 0x67). */
export const TSS64_SIZE = 104;
export const TSS64_SDM = SDM_TSS_64;

/** Where a TSS keeps the task's state: field offsets, the register width, and the minimum limit. */
export interface TssLayout {
  /** Width of EIP/EFLAGS/general-register fields (selectors are 2 bytes in both layouts). */
  readonly w: 2 | 4;
  readonly cr3: number | null;
  readonly ip: number;
  readonly flags: number;
  readonly gpr: number;
  readonly seg: number;
  /** Distance between selector fields, and how many there are (ES CS SS DS [FS GS]). */
  readonly segStride: 2 | 4;
  readonly segCount: 4 | 6;
  readonly ldt: number;
  readonly minLimit: number;
}
/** A 32-bit TSS (SDM Vol. 3A §8.2.1 "Task-State Segment (TSS)", Figure 8-2). */
export const TSS32_LAYOUT: TssLayout = { w: 4, cr3: 0x1c, ip: 0x20, flags: 0x24, gpr: 0x28, seg: 0x48, segStride: 4, segCount: 6, ldt: 0x60, minLimit: 0x67 };
/** A 16-bit TSS (SDM Vol. 3A §8.6 "16-Bit Task-State Segment (TSS)", Figure 8-11). */
export const TSS16_LAYOUT: TssLayout = { w: 2, cr3: null, ip: 0x0e, flags: 0x10, gpr: 0x12, seg: 0x22, segStride: 2, segCount: 4, ldt: 0x2a, minLimit: 0x2b };

/** VMX segment access rights (guest ES..TR/LDTR access-rights VMCS fields). */
export const ACCESS_RIGHTS = bitfield({
  name: 'VMX segment access rights',
  size: 32,
  sdm: AR,
  fields: {
    TYPE: { bit: 0, width: 4, sdmName: 'Segment type', doc: 'Descriptor type field.', sdm: AR },
    S: { bit: 4, sdmName: 'S — Descriptor type', doc: '0 = system, 1 = code or data.', sdm: AR },
    DPL: { bit: 5, width: 2, sdmName: 'DPL — Descriptor privilege level', doc: 'Privilege level (for SS: the CPL).', sdm: AR },
    P: { bit: 7, sdmName: 'P — Segment present', doc: 'Present.', sdm: AR },
    AVL: { bit: 12, sdmName: 'AVL — Available for use by system software', doc: 'Ignored.', sdm: AR },
    L: { bit: 13, sdmName: 'L — 64-bit mode active (CS only)', doc: 'CS is a 64-bit code segment.', sdm: AR },
    DB: { bit: 14, sdmName: 'D/B — Default operation size', doc: '0 = 16-bit, 1 = 32-bit segment.', sdm: AR },
    G: { bit: 15, sdmName: 'G — Granularity', doc: 'Limit in 4 KiB units.', sdm: AR },
    UNUSABLE: { bit: 16, sdmName: 'Segment unusable', doc: '1 = the register holds no usable segment (null selector loaded).', sdm: AR },
  },
  reserved: 0xfffe_0f00n,
});

/** A code/data or system descriptor with its fields assembled. */
export interface SegmentDescriptor {
  /** 32-bit base (64-bit for 16-byte system descriptors). */
  readonly base: bigint;
  /** Raw 20-bit limit, before granularity scaling. */
  readonly limit: number;
  readonly type: number;
  readonly s: boolean;
  readonly dpl: number;
  readonly p: boolean;
  readonly avl: boolean;
  readonly l: boolean;
  readonly db: boolean;
  readonly g: boolean;
}

/** Unpacks an 8-byte descriptor; pass `high` (bytes 15:8) for a 16-byte system descriptor. */
export function unpackDescriptor(raw: bigint, high?: bigint): SegmentDescriptor {
  const f = (n: Parameters<typeof DESCRIPTOR.get>[1]) => DESCRIPTOR.get(raw, n);
  let base = f('BASE_LOW') | (f('BASE_HIGH') << 24n);
  if (high !== undefined) base |= SYSTEM_DESCRIPTOR_HIGH.get(high, 'BASE_UPPER') << 32n;
  return {
    base,
    limit: Number(f('LIMIT_LOW') | (f('LIMIT_HIGH') << 16n)),
    type: Number(f('TYPE')),
    s: f('S') === 1n,
    dpl: Number(f('DPL')),
    p: f('P') === 1n,
    avl: f('AVL') === 1n,
    l: f('L') === 1n,
    db: f('DB') === 1n,
    g: f('G') === 1n,
  };
}

/** Packs a descriptor into its low 8 bytes (bits 31:0 of the base only). */
export function packDescriptor(d: SegmentDescriptor): bigint {
  let v = 0n;
  v = DESCRIPTOR.set(v, 'LIMIT_LOW', BigInt(d.limit & 0xffff));
  v = DESCRIPTOR.set(v, 'LIMIT_HIGH', BigInt((d.limit >>> 16) & 0xf));
  v = DESCRIPTOR.set(v, 'BASE_LOW', d.base & 0xff_ffffn);
  v = DESCRIPTOR.set(v, 'BASE_HIGH', (d.base >> 24n) & 0xffn);
  v = DESCRIPTOR.set(v, 'TYPE', BigInt(d.type));
  v = DESCRIPTOR.set(v, 'S', d.s);
  v = DESCRIPTOR.set(v, 'DPL', BigInt(d.dpl));
  v = DESCRIPTOR.set(v, 'P', d.p);
  v = DESCRIPTOR.set(v, 'AVL', d.avl);
  v = DESCRIPTOR.set(v, 'L', d.l);
  v = DESCRIPTOR.set(v, 'DB', d.db);
  return DESCRIPTOR.set(v, 'G', d.g);
}

/** Upper 8 bytes of a 16-byte system descriptor for a 64-bit base. */
export function packSystemDescriptorHigh(base: bigint): bigint {
  return SYSTEM_DESCRIPTOR_HIGH.set(0n, 'BASE_UPPER', (base >> 32n) & 0xffff_ffffn);
}

/** Limit in bytes after granularity scaling (SDM §3.4.5: G=1 gives `limit << 12 | 0xFFF`). */
export function effectiveLimit(d: Pick<SegmentDescriptor, 'limit' | 'g'>): bigint {
  return d.g ? (BigInt(d.limit) << 12n) | 0xfffn : BigInt(d.limit);
}

/** VMX access rights of a descriptor: descriptor bits 55:40 with 11:8 (limit 19:16) cleared. */
export function accessRightsOf(raw: bigint): bigint {
  return (raw >> 40n) & 0xf0ffn;
}

/** A 64-bit interrupt or trap gate, both halves. */
export interface Gate64 {
  readonly offset: bigint;
  readonly selector: number;
  readonly ist: number;
  readonly type: number;
  readonly dpl: number;
  readonly p: boolean;
}

/** Unpacks a 16-byte IA-32e IDT gate from its two 8-byte halves. */
export function unpackGate64(low: bigint, high: bigint): Gate64 {
  const g = (n: Parameters<typeof GATE64_LOW.get>[1]) => GATE64_LOW.get(low, n);
  return {
    offset: g('OFFSET_LOW') | (g('OFFSET_MID') << 16n) | ((high & 0xffff_ffffn) << 32n),
    selector: Number(g('SELECTOR')),
    ist: Number(g('IST')),
    type: Number(g('TYPE')),
    dpl: Number(g('DPL')),
    p: g('P') === 1n,
  };
}

/** Packs a 16-byte IA-32e IDT gate: `[low, high]`. */
export function packGate64(gate: Gate64): [bigint, bigint] {
  let v = GATE64_LOW.set(0n, 'OFFSET_LOW', gate.offset & 0xffffn);
  v = GATE64_LOW.set(v, 'OFFSET_MID', (gate.offset >> 16n) & 0xffffn);
  v = GATE64_LOW.set(v, 'SELECTOR', BigInt(gate.selector));
  v = GATE64_LOW.set(v, 'IST', BigInt(gate.ist));
  v = GATE64_LOW.set(v, 'TYPE', BigInt(gate.type));
  v = GATE64_LOW.set(v, 'DPL', BigInt(gate.dpl));
  v = GATE64_LOW.set(v, 'P', gate.p);
  return [v, (gate.offset >> 32n) & 0xffff_ffffn];
}
