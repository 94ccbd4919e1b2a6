// Asserts each item of DESIGN section 5 ("the machine a program starts on") on a booted machine.
// The page walk here is written independently of src/x86/paging.ts on purpose.
import { describe, it, expect } from 'vitest';
import { LAB_BASE, PHYS_OFFSET } from '../arch/lab.ts';
import { CpuState, SegIndex } from '../x86/state.ts';
import { PhysicalMemory } from './memory.ts';
import { BOOT, STACK_BOTTOM, STACK_SIZE, SELECTOR } from './boot-layout.ts';
import { MSR } from '../arch/msrs.ts';
import { applyMsrOverrides, bootMachine } from './boot.ts';

const MiB = 1 << 20;

function boot(memorySize = 64 * MiB, image = new Uint8Array([0x90, 0xf4])) {
  const cpu = new CpuState();
  const mem = new PhysicalMemory(memorySize);
  bootMachine(cpu, mem, image, { memorySize });
  return { cpu, mem };
}

/** 4-level walk (SDM Vol. 3A §4.5); returns the physical address, or null when not present. */
function walk(mem: PhysicalMemory, cr3: number, va: bigint): number | null {
  const v = BigInt.asUintN(64, va);
  let table = BigInt(cr3) & ~0xfffn;
  for (const [shift, leafOk] of [[39n, false], [30n, true], [21n, true], [12n, true]] as const) {
    const e = mem.read64(Number(table + ((v >> shift) & 511n) * 8n));
    if ((e & 1n) === 0n) return null;
    const addr = e & 0x000ffffffffff000n;
    if (leafOk && (shift === 12n || (e & 0x80n) !== 0n)) {
      const pageMask = (1n << shift) - 1n;
      return Number((addr & ~pageMask) | (v & pageMask));
    }
    table = addr;
  }
  return null;
}

describe('the starting machine (DESIGN section 5)', () => {
  it('is in 64-bit mode at CPL 0 with interrupts disabled', () => {
    const { cpu } = boot();
    expect(cpu.cr0 & 1).toBe(1); // PE
    expect(cpu.efer & 0x500).toBe(0x500); // LME | LMA
    expect((cpu.segAr[SegIndex.CS] >> 13) & 1).toBe(1); // CS.L
    expect(cpu.cpl).toBe(0);
    expect(cpu.rflags & 0x200).toBe(0); // IF
    expect(cpu.rflags).toBe(2);
  });

  it('maps every physical address P of RAM at P + PHYS_OFFSET and nothing else', () => {
    const { cpu, mem } = boot(3 * 1024 * MiB);
    for (const p of [0, 0xfff, 0x100000, 0x1fffff, 0x200000, 0x3fffffff, 0x40000000, 3 * 1024 * MiB - 1]) {
      expect(walk(mem, cpu.cr3, PHYS_OFFSET + BigInt(p))).toBe(p);
    }
    expect(walk(mem, cpu.cr3, 0x100000n)).toBeNull(); // identity map absent
    expect(walk(mem, cpu.cr3, 0xffffffff80000000n)).toBeNull();
    expect(walk(mem, cpu.cr3, PHYS_OFFSET + BigInt(3 * 1024 * MiB))).toBeNull();
    expect(walk(mem, cpu.cr3, PHYS_OFFSET - 0x1000n)).toBeNull();
    let present = 0;
    for (let i = 0; i < 512; i++) if (mem.read64(cpu.cr3 + i * 8) & 1n) present++;
    expect(present).toBe(1);
  });

  it('uses 2 MiB pages, writable, executable, global', () => {
    const { mem } = boot();
    const pde = mem.read64(BOOT.pd + 8);
    expect(pde & 0x80n).toBe(0x80n);
    expect(pde & 0x2n).toBe(0x2n);
    expect(pde >> 63n).toBe(0n);
    expect(pde & 0x100n).toBe(0x100n);
    expect(pde & 0x000ffffffffff000n).toBe(0x200000n);
  });

  it('loads the image at physical 0x100000 and starts at LAB_BASE', () => {
    const { cpu, mem } = boot(64 * MiB, new Uint8Array([0x48, 0x31, 0xc0, 0xf4]));
    expect(mem.readBytes(0x100000, 4)).toEqual(new Uint8Array([0x48, 0x31, 0xc0, 0xf4]));
    expect(cpu.getRip64()).toBe(LAB_BASE);
    expect(LAB_BASE).toBe(0xffff888000100000n);
  });

  it('points RSP at the top of a 16 KiB stack outside the image and the boot tables', () => {
    const { cpu } = boot();
    expect(STACK_SIZE).toBe(16 * 1024);
    expect(cpu.getGpr64(4)).toBe(PHYS_OFFSET + BigInt(BOOT.stackTop));
    expect(BOOT.stackTop).toBeLessThanOrEqual(0x100000);
    expect(STACK_BOTTOM).toBeGreaterThanOrEqual(BOOT.pdEnd);
    for (const a of [BOOT.gdt, BOOT.idt, BOOT.tss, BOOT.pml4, BOOT.pdpt, BOOT.pd]) expect(a).toBeLessThan(STACK_BOTTOM);
  });

  it('has a GDT of null, 64-bit code, data and a 64-bit TSS descriptor, with TR loaded (busy) and a null LDTR', () => {
    const { cpu, mem } = boot();
    expect(cpu.gdtrBase).toBe(Number(BigInt.asIntN(64, PHYS_OFFSET + BigInt(BOOT.gdt))));
    expect(cpu.gdtrLimit).toBe(39);
    expect(mem.read64(BOOT.gdt)).toBe(0n);
    const code = mem.read64(BOOT.gdt + 8);
    expect((code >> 53n) & 1n).toBe(1n); // L
    expect((code >> 44n) & 1n).toBe(1n); // S
    expect((code >> 40n) & 0xfn).toBe(0xbn); // execute/read, accessed
    const data = mem.read64(BOOT.gdt + 16);
    expect((data >> 40n) & 0xfn).toBe(0x3n); // read/write, accessed
    const tssLo = mem.read64(BOOT.gdt + 24);
    const tssHi = mem.read64(BOOT.gdt + 32);
    expect((tssLo >> 40n) & 0x1fn).toBe(0xbn); // 64-bit TSS, busy, S = 0
    const base = (tssLo >> 16n & 0xffffffn) | ((tssLo >> 56n) << 24n) | (tssHi << 32n);
    expect(base).toBe(PHYS_OFFSET + BigInt(BOOT.tss));
    expect(cpu.segSel[SegIndex.TR]).toBe(SELECTOR.tss);
    expect(cpu.segAr[SegIndex.TR] & 0xf).toBe(0xb);
    expect(cpu.segSel[SegIndex.LDTR]).toBe(0);
    expect(cpu.segAr[SegIndex.LDTR] & 0x10000).toBe(0x10000);
    expect(cpu.segSel[SegIndex.CS]).toBe(SELECTOR.code);
    expect(cpu.segSel[SegIndex.SS]).toBe(SELECTOR.data);
  });

  it('has an IDT whose 256 gates are all not present', () => {
    const { cpu, mem } = boot();
    expect(cpu.idtrLimit).toBe(4095);
    expect(cpu.idtrBase).toBe(Number(BigInt.asIntN(64, PHYS_OFFSET + BigInt(BOOT.idt))));
    for (let v = 0; v < 256; v++) expect((mem.read64(BOOT.idt + v * 16) >> 47n) & 1n).toBe(0n);
  });

  it('sets EFER, CR0 and CR4 as DESIGN section 5 says', () => {
    const { cpu } = boot();
    expect(cpu.efer).toBe(0x1 | 0x100 | 0x400 | 0x800); // SCE LME LMA NXE
    expect(cpu.cr0 >>> 0).toBe((0x1 | 0x2 | 0x10 | 0x20 | 0x10000 | 0x80000000) >>> 0); // PE MP ET NE WP PG
    expect(cpu.cr4 & 0x20).toBe(0x20); // PAE
    expect(cpu.cr4 & 0x2000).toBe(0); // VMXE clear
    expect(cpu.cr3).toBe(BOOT.pml4);
  });

  it('keeps FS/GS bases in their MSRs and leaves IA32_FEATURE_CONTROL locked with VMX outside SMX', () => {
    const { cpu } = boot();
    expect(cpu.segBase[SegIndex.FS]).toBe(0);
    expect(cpu.segBase[SegIndex.GS]).toBe(0);
    expect(cpu.msrs.get(MSR.IA32_FEATURE_CONTROL)).toBe(0x5n);
  });

  it('applies --msr overrides as firmware would', () => {
    const { cpu } = boot();
    applyMsrOverrides(cpu, new Map([[0x3a, 0x4n], [MSR.IA32_GS_BASE, 0xffff888000001000n]]));
    expect(cpu.msrs.get(0x3a)).toBe(0x4n);
    expect(BigInt.asUintN(64, BigInt(cpu.segBase[SegIndex.GS]))).toBe(0xffff888000001000n);
  });

  it('refuses an image that does not fit', () => {
    expect(() => boot(2 * MiB, new Uint8Array(MiB + 1))).toThrow(RangeError);
  });
});
