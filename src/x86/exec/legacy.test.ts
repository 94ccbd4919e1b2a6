import { describe, expect, it } from 'vitest';
import { F } from '../archbits.ts';
import type { X86Fault } from '../fault.ts';
import { SegIndex } from '../state.ts';
import { makeRig, reg, run1, setReg, to32, toReal, T, type TestRig } from '../testing.ts';

function fault(rig: TestRig, bytes: string): X86Fault | null {
  try { run1(rig, bytes); } catch (e) { return e as X86Fault; }
  return null;
}
const flags = (rig: TestRig): number => rig.cpu.state.rflags;
function withFlags(rig: TestRig, set: number): void { rig.cpu.state.rflags = (F.FIXED | set) >>> 0; }

describe('BCD adjustments (SDM Vol. 2A "DAA", "DAS", "AAA", "AAS", "AAM", "AAD")', () => {
  it('DAA after 0x79 + 0x35 = 0xAE gives 0x14 with CF (decimal 79 + 35 = 114)', () => {
    const rig = makeRig(); to32(rig);
    setReg(rig, 0, 0xaen); withFlags(rig, 0);
    run1(rig, '27');
    expect(reg(rig, 0) & 0xffn).toBe(0x14n);
    expect(flags(rig) & (F.CF | F.AF)).toBe(F.CF | F.AF);
  });
  it('DAS after 0x35 - 0x47 = 0xEE (CF, AF) gives 0x88 with CF (35 - 47 = -12, borrow)', () => {
    const rig = makeRig(); to32(rig);
    setReg(rig, 0, 0xeen); withFlags(rig, F.CF | F.AF);
    run1(rig, '2f');
    expect(reg(rig, 0) & 0xffn).toBe(0x88n);
    expect(flags(rig) & F.CF).toBe(F.CF);
    expect(flags(rig) & F.SF).toBe(F.SF);
  });
  it('AAA: AX 0x0009 + 8 = 0x0011 with AF adjusts to 0x0107, CF = AF = 1; without a carry it only masks AL', () => {
    const rig = makeRig(); to32(rig);
    setReg(rig, 0, 0x11n); withFlags(rig, F.AF);
    run1(rig, '37');
    expect(reg(rig, 0) & 0xffffn).toBe(0x0107n);
    expect(flags(rig) & (F.CF | F.AF)).toBe(F.CF | F.AF);
    setReg(rig, 0, 0x1234n); withFlags(rig, 0);
    run1(rig, '37');
    expect(reg(rig, 0) & 0xffffn).toBe(0x1204n);
    expect(flags(rig) & (F.CF | F.AF)).toBe(0);
  });
  it('AAS: AX 0x0205 - 8 with AF gives 0x0107', () => {
    const rig = makeRig(); to32(rig);
    setReg(rig, 0, 0x02fdn); withFlags(rig, F.AF);
    run1(rig, '3f');
    expect(reg(rig, 0) & 0xffffn).toBe(0x0107n);
    expect(flags(rig) & F.CF).toBe(F.CF);
  });
  it('AAM splits AL by the base, AAD joins AH:AL; AAM 0 raises #DE', () => {
    const rig = makeRig(); to32(rig);
    setReg(rig, 0, 0xff3fn); // AL = 63
    run1(rig, 'd4 0a');
    expect(reg(rig, 0) & 0xffffn).toBe(0x0603n);
    run1(rig, 'd5 0a');
    expect(reg(rig, 0) & 0xffffn).toBe(63n);
    run1(rig, 'd5 07'); // AAD base 7: AH 0, AL 63
    expect(reg(rig, 0) & 0xffffn).toBe(63n);
    setReg(rig, 0, 0x0100n);
    run1(rig, 'd5 10'); // AH 1 * 16 + 0
    expect(reg(rig, 0) & 0xffffn).toBe(0x10n);
    expect(fault(rig, 'd4 00')?.vector).toBe(0);
  });
  it('SALC sets AL from CF', () => {
    const rig = makeRig(); to32(rig);
    setReg(rig, 0, 0x1234n); withFlags(rig, F.CF);
    run1(rig, 'd6');
    expect(reg(rig, 0) & 0xffffn).toBe(0x12ffn);
    withFlags(rig, 0);
    run1(rig, 'd6');
    expect(reg(rig, 0) & 0xffffn).toBe(0x1200n);
  });
  it('is #UD in 64-bit mode (no row there)', () => {
    const rig = makeRig();
    expect(fault(rig, '27')?.vector).toBe(6);
    expect(fault(rig, '60')?.vector).toBe(6);
  });
});

describe('PUSHA/POPA (SDM Vol. 2B "PUSHA/PUSHAD", "POPA/POPAD")', () => {
  it('PUSHAD pushes EAX..EDI with the ESP of before; POPAD restores all but ESP', () => {
    const rig = makeRig(); to32(rig);
    for (let r = 0; r < 8; r++) if (r !== 4) setReg(rig, r, BigInt(0x11111111 * (r + 1)));
    const sp = T.STACK_TOP;
    run1(rig, '60');
    expect(reg(rig, 4)).toBe(BigInt(sp - 32));
    expect(rig.mem.read32(sp - 4)).toBe(0x11111111);
    expect(rig.mem.read32(sp - 20)).toBe(sp);
    expect(rig.mem.read32(sp - 32)).toBe(0x88888888);
    for (let r = 0; r < 8; r++) if (r !== 4) setReg(rig, r, 0n);
    rig.mem.write32(sp - 20, 0xdead);
    run1(rig, '61');
    expect(reg(rig, 4)).toBe(BigInt(sp));
    for (let r = 0; r < 8; r++) if (r !== 4) expect(reg(rig, r)).toBe(BigInt(0x11111111 * (r + 1)));
  });
  it('the 16-bit forms (66 60 in 32-bit code) move 16 bytes', () => {
    const rig = makeRig(); to32(rig);
    setReg(rig, 7, 0x1234abcdn);
    run1(rig, '66 60');
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP - 16));
    expect(rig.mem.read16(T.STACK_TOP - 16)).toBe(0xabcd);
    setReg(rig, 7, 0x55550000n);
    run1(rig, '66 61');
    expect(reg(rig, 7)).toBe(0x5555abcdn);
  });
  it('a fault part-way leaves ESP as it was', () => {
    const rig = makeRig(); to32(rig);
    rig.cpu.state.segLimit[SegIndex.SS] = T.STACK_TOP - 9; // only the first two pushes fit
    const f = fault(rig, '60');
    expect(f?.vector).toBe(12);
    expect(reg(rig, 4)).toBe(BigInt(T.STACK_TOP));
  });
});

describe('BOUND and ARPL', () => {
  it('BOUND raises #BR outside the signed bounds and passes inside', () => {
    const rig = makeRig(); to32(rig);
    rig.mem.write32(0x9000, -5 >>> 0);
    rig.mem.write32(0x9004, 10);
    setReg(rig, 3, 0x9000n);
    setReg(rig, 0, 10n);
    run1(rig, '62 03'); // bound eax, [ebx]
    setReg(rig, 0, BigInt(-5 >>> 0));
    rig.cpu.state.rip = T.CODE;
    run1(rig, '62 03');
    setReg(rig, 0, 11n);
    rig.cpu.state.rip = T.CODE;
    const f = fault(rig, '62 03');
    expect(f?.vector).toBe(5);
    expect(f?.errorCode).toBeUndefined();
    expect(rig.cpu.state.rip).toBe(T.CODE);
  });
  it('ARPL raises the RPL and sets ZF; an equal or higher RPL clears ZF; #UD in real mode', () => {
    const rig = makeRig(); to32(rig);
    setReg(rig, 0, 0x10n);
    setReg(rig, 1, 0x1bn);
    run1(rig, '63 c8'); // arpl ax, cx
    expect(reg(rig, 0)).toBe(0x13n);
    expect(flags(rig) & F.ZF).toBe(F.ZF);
    run1(rig, '63 c8');
    expect(flags(rig) & F.ZF).toBe(0);
    toReal(rig);
    expect(fault(rig, '63 c8')?.vector).toBe(6);
  });
});

describe('far-pointer loads (SDM Vol. 2A "LDS/LES/LFS/LGS/LSS")', () => {
  it('LES loads ES from the selector and the register from the offset (32-bit)', () => {
    const rig = makeRig(); to32(rig);
    rig.mem.write32(0x9000, 0xcafe1234);
    rig.mem.write16(0x9004, T.DS3 & ~3);
    setReg(rig, 3, 0x9000n);
    run1(rig, 'c4 33'); // les esi, [ebx]
    expect(reg(rig, 6)).toBe(0xcafe1234n);
    expect(rig.cpu.state.segSel[SegIndex.ES]).toBe(T.DS3 & ~3);
  });
  it('a bad selector faults and leaves the register alone', () => {
    const rig = makeRig(); to32(rig);
    rig.mem.write32(0x9000, 0x1234);
    rig.mem.write16(0x9004, 0x0800);
    setReg(rig, 3, 0x9000n);
    setReg(rig, 6, 7n);
    const f = fault(rig, 'c5 33'); // lds esi, [ebx]
    expect(f?.vector).toBe(13);
    expect(f?.errorCode).toBe(0x800);
    expect(reg(rig, 6)).toBe(7n);
  });
  it('LSS r64 in 64-bit mode (REX.W: m16:64); in real mode the base is selector * 16', () => {
    const rig = makeRig();
    rig.mem.write64(0x9000, 0x123456789an);
    rig.mem.write16(0x9008, T.DS);
    setReg(rig, 3, 0x9000n);
    run1(rig, '48 0f b2 23'); // lss rsp, [rbx]
    expect(reg(rig, 4)).toBe(0x123456789an);
    toReal(rig);
    rig.mem.write16(0x2000, 0x0100);
    rig.mem.write16(0x2002, 0x2000);
    setReg(rig, 3, 0x2000n);
    run1(rig, '0f b4 07'); // lfs ax, [bx]
    expect(reg(rig, 0) & 0xffffn).toBe(0x100n);
    expect(rig.cpu.state.segBase[SegIndex.FS]).toBe(0x20000);
  });
});

describe('JCXZ / JECXZ / JRCXZ', () => {
  it('tests CX, ECX or RCX by the address size', () => {
    const rig = makeRig(); to32(rig);
    setReg(rig, 1, 0x10000n); // CX = 0, ECX != 0
    run1(rig, 'e3 10'); // jecxz: not taken
    expect(rig.cpu.state.rip).toBe(T.CODE + 2);
    rig.cpu.state.rip = T.CODE;
    run1(rig, '67 e3 10'); // jcxz: taken
    expect(rig.cpu.state.rip).toBe(T.CODE + 3 + 0x10);
  });
});

describe('82 (the 16/32-bit alias of 80)', () => {
  it('runs as the 80 group outside 64-bit mode and is #UD in 64-bit mode', () => {
    const rig = makeRig(); to32(rig);
    setReg(rig, 0, 0x10n);
    run1(rig, '82 c0 05'); // add al, 5
    expect(reg(rig, 0)).toBe(0x15n);
    run1(rig, '82 f8 15'); // cmp al, 0x15
    expect(flags(rig) & F.ZF).toBe(F.ZF);
    expect(fault(makeRig(), '82 c0 05')?.vector).toBe(6);
  });
});
