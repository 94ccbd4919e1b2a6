import { describe, expect, it } from 'vitest';
import { C0, C4, EF, F, PFE } from './archbits.ts';
import { X86Fault } from './fault.ts';
import { ACC_EXEC, ACC_READ, ACC_WRITE, translate } from './paging.ts';
import { ALL_FEATURES, makeRig, run1, setReg, T, testConfig, type TestRig } from './testing.ts';

const PT = 0x8000;
const BASE = 0x200000; // linear 2 MiB .. 4 MiB goes through the 4 KiB page table at PT

/** Replaces the 2 MiB mapping of [2 MiB, 4 MiB) by a 4 KiB page table; returns a PTE setter. */
function withPageTable(rig: TestRig): (index: number, pte: bigint) => void {
  rig.mem.write64(T.PD + 8, BigInt(PT) | 7n);
  rig.cpu.flushTlb();
  return (i, pte) => rig.mem.write64(PT + i * 8, pte);
}

function pfOf(f: () => unknown): X86Fault {
  try {
    f();
  } catch (e) {
    if (e instanceof X86Fault && e.vector === 14) return e;
    throw e;
  }
  throw new Error('expected #PF');
}

function tr(rig: TestRig, lin: number, acc: 0 | 1 | 2, user = false): number {
  const { cpu } = rig;
  return translate(cpu.state, cpu.env, cpu.tlb, lin, acc, user);
}

describe('4-level paging: #PF error codes (SDM Vol. 3A §4.7)', () => {
  it('not present: P = 0, W/R and U/S describe the access; CR2 on delivery', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(0, 0n);
    const f = pfOf(() => tr(rig, BASE + 0x123, ACC_WRITE, true));
    expect(f.errorCode).toBe(PFE.WR | PFE.US);
    expect(f.cr2).toBe(BASE + 0x123);
  });
  it('write to a read-only page: supervisor with WP = 1 faults, with WP = 0 succeeds', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(1, 0x50000n | 0x1n); // present, read-only, supervisor
    expect(pfOf(() => tr(rig, BASE + 0x1000, ACC_WRITE)).errorCode).toBe(PFE.P | PFE.WR);
    rig.cpu.state.cr0 &= ~C0.WP;
    rig.cpu.flushTlb();
    expect(tr(rig, BASE + 0x1008, ACC_WRITE)).toBe(0x50008);
  });
  it('user access to a supervisor page', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(2, 0x51000n | 0x3n);
    expect(pfOf(() => tr(rig, BASE + 0x2000, ACC_READ, true)).errorCode).toBe(PFE.P | PFE.US);
  });
  it('fetch from an XD page sets I/D; XD with NXE = 0 is a reserved bit', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(3, 0x52000n | 0x3n | (1n << 63n));
    expect(pfOf(() => tr(rig, BASE + 0x3000, ACC_EXEC)).errorCode).toBe(PFE.P | PFE.ID);
    rig.cpu.state.efer &= ~EF.NXE;
    rig.cpu.flushTlb();
    expect(pfOf(() => tr(rig, BASE + 0x3000, ACC_READ)).errorCode).toBe(PFE.P | PFE.RSVD);
  });
  it('an address bit at or above MAXPHYADDR is a reserved-bit fault', () => {
    const rig = makeRig(); // MAXPHYADDR 39
    const set = withPageTable(rig);
    set(4, (1n << 39n) | 0x3n);
    expect(pfOf(() => tr(rig, BASE + 0x4000, ACC_WRITE)).errorCode).toBe(PFE.P | PFE.RSVD | PFE.WR);
    set(4, (1n << 38n) | 0x3n);
    rig.cpu.flushTlb();
    expect(tr(rig, BASE + 0x4000, ACC_READ)).toBe(2 ** 38);
  });
  it('a 1 GiB page without the 1 GiB-page feature is a reserved-bit fault', () => {
    const rig = makeRig(testConfig({ features: { ...ALL_FEATURES, page1gb: false } }));
    rig.mem.write64(T.PDPT + 8, (1n << 30n) | 0x83n);
    expect(pfOf(() => tr(rig, 0x4000_0000, ACC_READ)).errorCode).toBe(PFE.P | PFE.RSVD);
    const ok = makeRig();
    ok.mem.write64(T.PDPT + 8, (1n << 30n) | 0x83n);
    expect(tr(ok, 0x4000_1234, ACC_READ)).toBe(0x4000_1234);
  });
  it('SMEP forbids supervisor fetches from user pages; SMAP data accesses unless RFLAGS.AC', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(5, 0x53000n | 0x7n);
    rig.cpu.state.cr4 |= C4.SMEP | C4.SMAP;
    rig.cpu.flushTlb();
    expect(pfOf(() => tr(rig, BASE + 0x5000, ACC_EXEC)).errorCode).toBe(PFE.P | PFE.ID);
    expect(pfOf(() => tr(rig, BASE + 0x5000, ACC_READ)).errorCode).toBe(PFE.P);
    rig.cpu.state.rflags |= F.AC;
    expect(tr(rig, BASE + 0x5000, ACC_READ)).toBe(0x53000);
  });
});

describe('accessed/dirty bits and the TLB', () => {
  it('a read sets A at every level; a write also sets D', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(6, 0x54000n | 0x3n);
    tr(rig, BASE + 0x6000, ACC_READ);
    expect(rig.mem.read64(PT + 6 * 8) & 0x60n).toBe(0x20n);
    expect(rig.mem.read64(T.PD + 8) & 0x20n).toBe(0x20n);
    tr(rig, BASE + 0x6000, ACC_WRITE);
    expect(rig.mem.read64(PT + 6 * 8) & 0x60n).toBe(0x60n);
  });
  it('a changed PTE is not seen until INVLPG or MOV CR3', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(7, 0x55000n | 0x3n);
    expect(tr(rig, BASE + 0x7000, ACC_READ)).toBe(0x55000);
    set(7, 0x56000n | 0x3n);
    expect(tr(rig, BASE + 0x7000, ACC_READ)).toBe(0x55000);
    setReg(rig, 0, BigInt(BASE + 0x7000));
    run1(rig, '0f 01 38'); // invlpg [rax]
    expect(tr(rig, BASE + 0x7000, ACC_READ)).toBe(0x56000);
    set(7, 0x57000n | 0x3n);
    setReg(rig, 0, BigInt(T.PML4));
    run1(rig, '0f 22 d8'); // mov cr3, rax
    expect(tr(rig, BASE + 0x7000, ACC_READ)).toBe(0x57000);
  });
});

describe('5-level paging and A20', () => {
  it('with CR4.LA57 the walk starts at a PML5 table', () => {
    const rig = makeRig(testConfig({ features: { ...ALL_FEATURES, la57: true } }));
    const PML5 = 0x9000;
    rig.mem.write64(PML5, BigInt(T.PML4) | 7n);
    rig.cpu.state.cr3 = PML5;
    rig.cpu.state.cr4 |= C4.LA57;
    rig.cpu.stateChanged();
    expect(rig.cpu.linearBits).toBe(57);
    expect(tr(rig, 0x12345, ACC_READ)).toBe(0x12345);
    // Bit 48 of the linear address selects PML5 entry 1, which is not present.
    expect(pfOf(() => tr(rig, 2 ** 48, ACC_READ)).errorCode).toBe(0);
  });
  it('with the A20 gate disabled, physical bit 20 reads as 0', () => {
    const rig = makeRig();
    rig.mem.write32(0x00_5000 + 0x10, 0x1111);
    rig.mem.write32(0x10_5000 + 0x10, 0x2222);
    expect(rig.cpu.readLin(0x10_5010, 4)).toBe(0x2222);
    rig.platform.a20Enabled = false;
    rig.cpu.flushTlb();
    expect(rig.cpu.readLin(0x10_5010, 4)).toBe(0x1111);
  });
  it('an access crossing a page boundary is split and both pages are checked first', () => {
    const rig = makeRig();
    const set = withPageTable(rig);
    set(8, 0x58000n | 0x3n);
    set(9, 0n);
    rig.mem.write8(0x58fff, 0xaa);
    const f = pfOf(() => rig.cpu.writeLin(BASE + 0x8ffe, 4, 0x11223344, 0));
    expect(f.cr2).toBe(BASE + 0x9000);
    expect(rig.mem.read8(0x58fff)).toBe(0xaa);
    set(9, 0x60000n | 0x3n);
    rig.cpu.writeLin(BASE + 0x8ffe, 4, 0x11223344, 0);
    expect(rig.mem.read16(0x58ffe)).toBe(0x3344);
    expect(rig.mem.read16(0x60000)).toBe(0x1122);
  });
});
