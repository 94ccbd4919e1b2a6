import { describe, expect, it } from 'vitest';
import { ARB, C0, C4, EF, F } from './archbits.ts';

const EF_NXE = EF.NXE;
const C4_PAE = C4.PAE;
import { deliverException } from './interrupts.ts';
import { X86Fault } from './fault.ts';
import { makeRig, reg, run1, setReg, T, type TestRig } from './testing.ts';
import { SegIndex } from './state.ts';

/** Switches the test machine to 32-bit protected mode, paging off, flat 4 GiB segments. */
function to32(rig: TestRig): void {
  const s = rig.cpu.state;
  s.cr0 = (s.cr0 & ~C0.PG) >>> 0;
  s.efer = 0;
  s.segAr[SegIndex.CS] = (s.segAr[SegIndex.CS]! & ~ARB.L) | ARB.DB;
  rig.cpu.stateChanged();
}

/** Real-address mode: PE = 0, 64 KiB segments at selector * 16. */
function toReal(rig: TestRig): void {
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

describe('32-bit protected mode', () => {
  it('runs with 32-bit operands, a 32-bit stack and segment limit checks', () => {
    const rig = makeRig();
    to32(rig);
    expect(rig.cpu.mode).toBe(32);
    run1(rig, 'b8 78 56 34 12'); // mov eax, 0x12345678
    run1(rig, '50'); // push eax
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP - 4));
    expect(rig.mem.read32(T.STACK_TOP - 4)).toBe(0x12345678);
    run1(rig, '66 40'); // inc ax (0x66 selects 16-bit)
    expect(reg(rig, 0)).toBe(0x12345679n);
    rig.cpu.state.segLimit[SegIndex.DS] = 0xfff;
    setReg(rig, 3, 0x1000n);
    const f = (() => { try { run1(rig, '8b 03'); } catch (e) { return e as X86Fault; } return null; })();
    expect(f?.vector).toBe(13);
  });
});

describe('real-address mode', () => {
  it('segment loads set base = selector * 16; INT goes through the IVT and IRET returns', () => {
    const rig = makeRig();
    toReal(rig);
    expect(rig.cpu.mode).toBe(16);
    run1(rig, 'b8 00 20'); // mov ax, 0x2000
    run1(rig, '8e d8'); // mov ds, ax
    expect(rig.cpu.state.segBase[SegIndex.DS]).toBe(0x20000);
    rig.mem.write16(0x20010, 0xbeef);
    run1(rig, '8b 1e 10 00'); // mov bx, [0x10]
    expect(reg(rig, 3) & 0xffffn).toBe(0xbeefn);
    rig.mem.write32(0x21 * 4, 0x0300_0040); // vector 0x21 -> 0300:0040
    rig.cpu.state.rflags |= F.IF;
    const rip = rig.cpu.state.rip;
    let f: X86Fault | null = null;
    try { run1(rig, 'cd 21'); } catch (e) { f = e as X86Fault; }
    expect(deliverException(rig.cpu, f!)).toEqual({ kind: 'delivered', vector: 0x21 });
    expect(rig.cpu.state.segBase[SegIndex.CS]).toBe(0x3000);
    expect(rig.cpu.state.rip).toBe(0x40);
    expect(rig.cpu.state.rflags & F.IF).toBe(0);
    rig.mem.write8(0x3040, 0xcf); // iret at 0300:0040
    rig.cpu.flushDecodeCache();
    rig.cpu.step();
    expect(rig.cpu.state.rip).toBe(rip + 2);
    expect(rig.cpu.state.segBase[SegIndex.CS]).toBe(0);
    expect(rig.cpu.state.rflags & F.IF).toBe(F.IF);
  });
});

describe('32-bit protected-mode delivery and IRET (SDM Vol. 3A §6.12.1)', () => {
  it('INT from CPL 3 switches to SS0:ESP0 of the TSS, pushes SS, ESP, EFLAGS, CS, EIP; IRET returns', () => {
    const rig = makeRig();
    const flat = (access: number) => 0xffffn | (BigInt(access) << 40n) | (0xfn << 48n) | (0xcn << 52n);
    rig.mem.write64(T.GDT + 0x48, flat(0x9b)); // 32-bit code, DPL 0
    rig.mem.write64(T.GDT + 0x50, flat(0xfb)); // 32-bit code, DPL 3
    to32(rig);
    const s = rig.cpu.state;
    s.gdtrLimit = 0x57;
    // Gate 0x80: 32-bit interrupt gate, DPL 3, selector 0x48, offset 0x40000.
    rig.mem.write64(T.IDT + 0x80 * 8, 0x0000n | (0x48n << 16n) | (0xeen << 40n) | (0x0004n << 48n));
    rig.mem.write32(T.TSS + 4, 0x70000);
    rig.mem.write32(T.TSS + 8, T.DS);
    s.segSel[SegIndex.CS] = 0x53;
    s.segAr[SegIndex.CS] = 0xfb | ARB.DB | ARB.G;
    s.segSel[SegIndex.SS] = T.DS3;
    s.segAr[SegIndex.SS] = 0xf3 | ARB.DB | ARB.G;
    s.rflags |= F.IF;
    rig.cpu.stateChanged();
    expect(s.cpl).toBe(3);
    let f: X86Fault | null = null;
    try { run1(rig, 'cd 80'); } catch (e) { f = e as X86Fault; }
    expect(deliverException(rig.cpu, f!)).toEqual({ kind: 'delivered', vector: 0x80 });
    expect([s.cpl, s.rip, s.segSel[SegIndex.SS]]).toEqual([0, 0x40000, T.DS]);
    expect(reg(rig, 4)).toBe(0x70000n - 20n);
    expect(rig.mem.read32(0x70000 - 4)).toBe(T.DS3);
    expect(rig.mem.read32(0x70000 - 8)).toBe(T.STACK_TOP);
    expect(rig.mem.read32(0x70000 - 16)).toBe(0x53);
    expect(s.rflags & F.IF).toBe(0);
    rig.mem.write8(0x40000, 0xcf); // iretd
    rig.cpu.flushDecodeCache();
    rig.cpu.step();
    expect([s.cpl, s.rip, s.segSel[SegIndex.SS]]).toEqual([3, T.CODE + 2, T.DS3]);
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP));
    expect(s.rflags & F.IF).toBe(F.IF);
  });
});

describe('legacy paging walks', () => {
  it('32-bit paging: a 4 KiB page through a page table and a 4 MiB page with CR4.PSE', () => {
    const rig = makeRig();
    to32(rig);
    const s = rig.cpu.state;
    const PD = 0x9000;
    const PT = 0xa000;
    rig.mem.write32(PD + 0 * 4, PT | 3);
    rig.mem.write32(PT + 0x20 * 4, 0x66000 | 3);
    rig.mem.write32(PD + 1 * 4, 0x83); // linear 4 MiB -> physical 0 (a 4 MiB page)
    for (let i = 0; i < 0x100; i++) if (i !== 0x20) rig.mem.write32(PT + i * 4, (i << 12) | 3); // identity for the rest
    s.cr3 = PD;
    s.cr4 = C4.PSE;
    s.cr0 = (s.cr0 | C0.PG) >>> 0;
    rig.cpu.stateChanged();
    rig.mem.write32(0x66010, 0x1234);
    expect(rig.cpu.readLin(0x20010, 4)).toBe(0x1234);
    expect(rig.mem.read32(PT + 0x20 * 4) & 0x20).toBe(0x20); // accessed
    rig.cpu.writeLin(0x400008, 4, 0xabcd, 0);
    expect(rig.mem.read32(0x8)).toBe(0xabcd);
    expect(rig.mem.read32(PD + 4) & 0x60).toBe(0x60); // accessed and dirty
  });
  it('PAE paging: PDPTE from CR3, 8-byte PDE/PTE, XD with NXE', () => {
    const rig = makeRig();
    to32(rig);
    const s = rig.cpu.state;
    const PDPT = 0x9000;
    const PD = 0xa000;
    rig.mem.write64(PDPT, BigInt(PD) | 1n);
    rig.mem.write64(PD, 0x200000n | 0x83n); // [0, 2 MiB) -> [2 MiB, 4 MiB)
    rig.mem.write64(PD + 8, 0x200000n | 0x83n | (1n << 63n)); // XD
    s.cr3 = PDPT;
    s.efer = EF_NXE;
    s.cr4 = C4_PAE;
    s.cr0 = (s.cr0 | C0.PG) >>> 0;
    rig.cpu.stateChanged();
    rig.mem.write32(0x200000 + 0x123, 0x77);
    expect(rig.cpu.readLin(0x123, 4)).toBe(0x77);
    expect(rig.cpu.readLin(0x200123, 4)).toBe(0x77);
  });
});

describe('PAE PDPTE loading (SDM Vol. 3A §4.4.1)', () => {
  it('MOV CR3 with a present PDPTE that sets a reserved bit is #GP(0)', () => {
    const rig = makeRig();
    to32(rig);
    const s = rig.cpu.state;
    rig.mem.write64(0x9000, 0xa000n | 1n);
    rig.mem.write64(0xa000, 0x83n);
    s.cr3 = 0x9000;
    s.cr4 = C4.PAE;
    s.cr0 = (s.cr0 | C0.PG) >>> 0;
    rig.cpu.stateChanged();
    rig.mem.write64(0xb000, 0xa000n | 1n | 0x4n); // bit 2 reserved in a PDPTE
    setReg(rig, 0, 0xb000n);
    let f: X86Fault | null = null;
    try { run1(rig, '0f 22 d8'); } catch (e) { f = e as X86Fault; }
    expect([f?.vector, f?.errorCode]).toEqual([13, 0]);
    setReg(rig, 0, 0x9000n);
    run1(rig, '0f 22 d8');
    expect(s.cr3).toBe(0x9000);
  });
});
