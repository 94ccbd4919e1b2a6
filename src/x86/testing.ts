// Test support for the executor: a flat RAM, an I/O recorder, and a processor already in
// 64-bit mode at CPL 0 with identity-mapped 2 MiB pages, a GDT, an IDT and a TSS, so tests can
// run real instruction bytes through the real decoder. Not used outside tests.

import type { CpuConfig, CpuFeatures, IoPorts, PhysMemory, Platform, X86Env } from './env.ts';
import { Cpu } from './cpu.ts';
import { ARB, C0, C4, EF, TY } from './archbits.ts';
import { CpuState, SegIndex } from './state.ts';
import type { StepResult } from './step.ts';

/** Flat RAM of `size` bytes; reads beyond it return 0xFF, writes are dropped. */
export class FlatMemory implements PhysMemory {
  readonly bytes: Uint8Array;
  constructor(readonly size = 4 << 20) {
    this.bytes = new Uint8Array(size);
  }
  read8(a: number): number { return a < this.size ? this.bytes[a]! : 0xff; }
  read16(a: number): number { return this.read8(a) | (this.read8(a + 1) << 8); }
  read32(a: number): number { return (this.read16(a) | (this.read16(a + 2) << 16)) >>> 0; }
  write8(a: number, v: number): void { if (a < this.size) this.bytes[a] = v & 0xff; }
  write16(a: number, v: number): void { this.write8(a, v); this.write8(a + 1, v >>> 8); }
  write32(a: number, v: number): void { this.write16(a, v & 0xffff); this.write16(a + 2, v >>> 16); }
  write64(a: number, v: bigint): void { this.write32(a, Number(v & 0xffffffffn)); this.write32(a + 4, Number((v >> 32n) & 0xffffffffn)); }
  read64(a: number): bigint { return (BigInt(this.read32(a + 4)) << 32n) | BigInt(this.read32(a)); }
}

/** Records port writes; reads return `inValue`. */
export class RecordingIo implements IoPorts {
  readonly outs: [number, number, number][] = [];
  inValue = 0xffffffff;
  in(_port: number, size: 1 | 2 | 4): number { return size === 4 ? this.inValue >>> 0 : this.inValue & (size === 2 ? 0xffff : 0xff); }
  out(port: number, size: 1 | 2 | 4, value: number): void { this.outs.push([port, size, value]); }
}

/** Feature set of the test processor. */
export const ALL_FEATURES: CpuFeatures = {
  vmx: true, smx: false, pae: true, pse: true, pge: true, nx: true, pcid: true, la57: false, smep: true,
  smap: true, umip: true, fsgsbase: true, xsave: true, rdtscp: true, page1gb: true, pku: false,
};

/** The test processor's configuration: every feature but SMX, LA57 and PKU; MAXPHYADDR 39; IA32_VMX_BASIC only. */
export function testConfig(over: Partial<CpuConfig> = {}): CpuConfig {
  return {
    vendor: 'GenuineIntel', signature: 0x906ea, brand: 'VMX Lab test processor', maxPhysAddr: 39,
    features: ALL_FEATURES, readOnlyMsrs: new Map([[0x480, 0xda0400000004n]]), ...over,
  };
}

/** Physical layout of the test machine. */
export const T = {
  PML4: 0x1000, PDPT: 0x2000, PD: 0x3000, GDT: 0x5000, IDT: 0x6000, TSS: 0x7000, CODE: 0x10000, STACK_TOP: 0x80000,
  CS: 0x08, DS: 0x10, CS3: 0x1b, DS3: 0x23, TSS_SEL: 0x28, LDT_SEL: 0x38,
} as const;

/** Descriptor bytes 7:0 (flat, limit 0xFFFFF, G = 1) with the given access byte and flags nibble. */
function flatDescriptor(access: number, flags: number): bigint {
  return 0xffffn | (BigInt(access) << 40n) | (0xfn << 48n) | (BigInt(flags) << 52n);
}

/** A test processor with its memory, I/O and platform. */
export interface TestRig {
  readonly cpu: Cpu;
  readonly mem: FlatMemory;
  readonly io: RecordingIo;
  readonly platform: Platform & { resets: number };
  readonly env: X86Env;
}

/** Builds the 64-bit test machine described in the file header. */
export function makeRig(config: CpuConfig = testConfig(), memorySize = 4 << 20): TestRig {
  const mem = new FlatMemory(memorySize);
  const io = new RecordingIo();
  const platform = { a20Enabled: true, resets: 0, requestReset() { this.resets++; } };
  const env: X86Env = { memory: mem, io, platform, config, vmx: null };
  // Identity map the first 1 GiB with 2 MiB pages (P, R/W, U/S = 1 so CPL-3 tests can run).
  mem.write64(T.PML4, BigInt(T.PDPT) | 7n);
  mem.write64(T.PDPT, BigInt(T.PD) | 7n);
  for (let i = 0; i < 512; i++) mem.write64(T.PD + i * 8, (BigInt(i) << 21n) | 0x87n);
  mem.write64(T.GDT + 0x08, flatDescriptor(0x9b, 0xa));
  mem.write64(T.GDT + 0x10, flatDescriptor(0x93, 0xc));
  mem.write64(T.GDT + 0x18, flatDescriptor(0xfb, 0xa));
  mem.write64(T.GDT + 0x20, flatDescriptor(0xf3, 0xc));
  // 64-bit TSS (available, type 9) at T.TSS, limit 0x67 + I/O bitmap space.
  mem.write64(T.GDT + 0x28, 0x2067n | (BigInt(T.TSS & 0xffffff) << 16n) | (0x89n << 40n));
  mem.write64(T.GDT + 0x30, 0n);
  // LDT descriptor (type 2) with base 0x5800, limit 0xff.
  mem.write64(T.GDT + 0x38, 0xffn | (0x5800n << 16n) | (0x82n << 40n));
  mem.write64(T.GDT + 0x40, 0n);
  const s = new CpuState();
  s.cr0 = (C0.PE | C0.MP | C0.ET | C0.NE | C0.WP | C0.PG) >>> 0;
  s.cr3 = T.PML4;
  s.cr4 = C4.PAE | C4.OSXSAVE;
  s.efer = EF.SCE | EF.LME | EF.LMA | EF.NXE;
  const code = TY.CODE | TY.WR | TY.A | ARB.S | ARB.P | ARB.L | ARB.G;
  const data = TY.WR | TY.A | ARB.S | ARB.P | ARB.DB | ARB.G;
  s.segSel[SegIndex.CS] = T.CS;
  s.segAr[SegIndex.CS] = code;
  s.segLimit[SegIndex.CS] = 0xffffffff;
  for (const seg of [SegIndex.SS, SegIndex.DS, SegIndex.ES, SegIndex.FS, SegIndex.GS]) {
    s.segSel[seg] = T.DS;
    s.segAr[seg] = data;
    s.segLimit[seg] = 0xffffffff;
  }
  s.segSel[SegIndex.TR] = T.TSS_SEL;
  s.segBase[SegIndex.TR] = T.TSS;
  s.segLimit[SegIndex.TR] = 0x2067;
  s.segAr[SegIndex.TR] = 0xb | ARB.P;
  s.segAr[SegIndex.LDTR] = ARB.UNUSABLE;
  s.gdtrBase = T.GDT;
  s.gdtrLimit = 0x47;
  s.idtrBase = T.IDT;
  s.idtrLimit = 0xfff;
  s.rip = T.CODE;
  s.setGpr64(4, BigInt(T.STACK_TOP));
  const cpu = new Cpu(env, s);
  return { cpu, mem, io, platform, env };
}

/** Parses "48 01 c8" into bytes. */
export function hexBytes(text: string): number[] {
  return text.trim().split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16));
}

/** Writes instruction bytes at RIP and executes one step. */
export function run1(rig: TestRig, bytes: string): StepResult {
  const rip = rig.cpu.state.rip;
  hexBytes(bytes).forEach((b, i) => rig.mem.write8(rip + i, b));
  rig.cpu.flushDecodeCache();
  return rig.cpu.step();
}

/** Writes a sequence of instructions at RIP and steps until RIP leaves them or `max` steps. */
export function runSeq(rig: TestRig, lines: string[], max = 1000): void {
  let at = rig.cpu.state.rip;
  const start = at;
  for (const l of lines) for (const b of hexBytes(l)) rig.mem.write8(at++, b);
  rig.cpu.flushDecodeCache();
  for (let i = 0; i < max && rig.cpu.state.rip >= start && rig.cpu.state.rip < at; i++) {
    if (rig.cpu.step().kind !== 'ok') return;
  }
}

/** Register by index as bigint. */
export const reg = (rig: TestRig, i: number): bigint => rig.cpu.state.getGpr64(i);
/** Sets a register. */
export const setReg = (rig: TestRig, i: number, v: bigint): void => rig.cpu.state.setGpr64(i, v);

/**
 * Switches the test machine to 32-bit protected mode at CPL 0, paging off, IA-32e mode off:
 * CS becomes a 32-bit flat code segment (GDT 0x08 is rewritten with D = 1, L = 0) and the
 * data segments stay flat (GDT 0x10).
 */
export function to32(rig: TestRig): void {
  const s = rig.cpu.state;
  s.cr0 = (s.cr0 & ~C0.PG) >>> 0;
  s.efer = 0;
  rig.mem.write64(T.GDT + 0x08, flatDescriptor(0x9b, 0xc));
  rig.mem.write64(T.GDT + 0x18, flatDescriptor(0xfb, 0xc));
  s.segAr[SegIndex.CS] = (s.segAr[SegIndex.CS]! & ~ARB.L) | ARB.DB;
  rig.cpu.stateChanged();
}

/** Real-address mode: PE = 0, 64-KiB segments at selector * 16, the IVT at 0, SP = 0x8000, IP = 0x1000. */
export function toReal(rig: TestRig): void {
  const s = rig.cpu.state;
  s.cr0 = C0.ET;
  s.efer = 0;
  for (let i = 0; i < 6; i++) {
    s.segSel[i] = 0;
    s.segBase[i] = 0;
    s.segLimit[i] = 0xffff;
    s.segAr[i] = i === SegIndex.CS ? 0x9b : 0x93;
  }
  s.idtrBase = 0;
  s.idtrLimit = 0x3ff;
  s.rip = 0x1000;
  s.setGpr64(4, 0x8000n);
  rig.cpu.stateChanged();
}

/** Writes an 8-byte descriptor into the test GDT at `selector` and raises the GDT limit to cover it. */
export function setDescriptor(rig: TestRig, selector: number, value: bigint): void {
  const off = selector & 0xfff8;
  rig.mem.write64(T.GDT + off, value);
  const s = rig.cpu.state;
  if (off + 7 > s.gdtrLimit) s.gdtrLimit = off + 7;
}

/** A code or data descriptor: base, byte-granular limit (<= 0xFFFFF), access byte, flags nibble (G D/B L AVL). */
export function descriptor(base: number, limit: number, access: number, flags: number): bigint {
  return BigInt(limit & 0xffff) | (BigInt(base & 0xffffff) << 16n) | (BigInt(access) << 40n) |
    (BigInt((limit >>> 16) & 0xf) << 48n) | (BigInt(flags) << 52n) | (BigInt((base >>> 24) & 0xff) << 56n);
}
