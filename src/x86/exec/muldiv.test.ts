import { describe, expect, it } from 'vitest';
import { F } from '../archbits.ts';
import { X86Fault } from '../fault.ts';
import { makeRig, reg, run1, setReg } from '../testing.ts';

const RAX = 0;
const RDX = 2;
const RBX = 3;

function rig3(a: bigint, b: bigint, d = 0n) {
  const r = makeRig();
  setReg(r, RAX, a);
  setReg(r, RBX, b);
  setReg(r, RDX, d);
  return r;
}

describe('MUL and IMUL', () => {
  it('mul ebx: 0xffffffff^2 fills EDX:EAX, CF = OF = 1', () => {
    const r = rig3(0xffff_ffffn, 0xffff_ffffn);
    run1(r, 'f7 e3');
    expect(reg(r, RAX)).toBe(1n);
    expect(reg(r, RDX)).toBe(0xffff_fffen);
    expect(r.cpu.state.rflags & (F.CF | F.OF)).toBe(F.CF | F.OF);
  });
  it('mul rbx: 128-bit product', () => {
    const r = rig3(0xffff_ffff_ffff_ffffn, 2n);
    run1(r, '48 f7 e3');
    expect(reg(r, RAX)).toBe(0xffff_ffff_ffff_fffen);
    expect(reg(r, RDX)).toBe(1n);
  });
  it('mul bl writes AX only; no overflow clears CF/OF', () => {
    const r = rig3(0xffff_0010n, 0x0fn);
    run1(r, 'f6 e3');
    expect(reg(r, RAX)).toBe(0xffff_00f0n);
    expect(r.cpu.state.rflags & (F.CF | F.OF)).toBe(0);
  });
  it('imul ebx: -1 * -1 = 1 without overflow; imul eax, ebx, imm8 overflow', () => {
    const r = rig3(0xffff_ffffn, 0xffff_ffffn);
    run1(r, 'f7 eb');
    expect(reg(r, RAX)).toBe(1n);
    expect(reg(r, RDX)).toBe(0n);
    expect(r.cpu.state.rflags & (F.CF | F.OF)).toBe(0);
    setReg(r, RBX, 0x4000_0000n);
    run1(r, '6b c3 02'); // imul eax, ebx, 2
    expect(reg(r, RAX)).toBe(0x8000_0000n);
    expect(r.cpu.state.rflags & (F.CF | F.OF)).toBe(F.CF | F.OF);
  });
  it('imul rax, rbx: signed 64-bit, overflow at 2^63', () => {
    const r = rig3(-3n & 0xffff_ffff_ffff_ffffn, 5n);
    run1(r, '48 0f af c3');
    expect(reg(r, RAX)).toBe(BigInt.asUintN(64, -15n));
    expect(r.cpu.state.rflags & (F.CF | F.OF)).toBe(0);
    setReg(r, RAX, 1n << 62n);
    setReg(r, RBX, 2n);
    run1(r, '48 0f af c3');
    expect(reg(r, RAX)).toBe(1n << 63n);
    expect(r.cpu.state.rflags & (F.CF | F.OF)).toBe(F.CF | F.OF);
  });
});

describe('DIV and IDIV', () => {
  it('div ebx divides EDX:EAX', () => {
    const r = rig3(0n, 7n, 1n);
    run1(r, 'f7 f3');
    expect(reg(r, RAX)).toBe(0x2492_4924n);
    expect(reg(r, RDX)).toBe(4n);
  });
  it('div by zero raises #DE and changes nothing', () => {
    const r = rig3(5n, 0n);
    const rip = r.cpu.state.rip;
    expect(() => run1(r, 'f7 f3')).toThrow(X86Fault);
    try { run1(r, 'f7 f3'); } catch (e) { expect((e as X86Fault).vector).toBe(0); }
    expect(r.cpu.state.rip).toBe(rip);
    expect(reg(r, RAX)).toBe(5n);
  });
  it('quotient overflow raises #DE (div bl with AX = 0x1000)', () => {
    const r = rig3(0x1000n, 0x10n);
    expect(() => run1(r, 'f6 f3')).toThrow(/does not fit/);
  });
  it('idiv: -7 / 2 = -3 remainder -1; INT_MIN / -1 overflows', () => {
    const r = rig3(BigInt.asUintN(32, -7n), 2n, 0xffff_ffffn);
    run1(r, 'f7 fb');
    expect(reg(r, RAX)).toBe(BigInt.asUintN(32, -3n));
    expect(reg(r, RDX)).toBe(BigInt.asUintN(32, -1n));
    const o = rig3(0x8000_0000n, 0xffff_ffffn, 0xffff_ffffn);
    expect(() => run1(o, 'f7 fb')).toThrow(/does not fit/);
  });
  it('div rbx with a 128-bit dividend', () => {
    const r = rig3(0n, 0x1_0000_0000n, 0xffffn);
    run1(r, '48 f7 f3');
    expect(reg(r, RAX)).toBe(0xffff_0000_0000n);
    expect(reg(r, RDX)).toBe(0n);
  });
});

describe('undefined flags of MUL/IMUL and DIV follow the reference host', () => {
  it('MUL leaves SF ZF AF PF unchanged; DIV leaves every flag unchanged', () => {
    const r = rig3(0x80n, 2n);
    const keep = F.SF | F.ZF | F.AF | F.PF;
    r.cpu.state.rflags |= keep;
    run1(r, 'f6 e3'); // mul bl = 0x100
    expect(r.cpu.state.rflags & F.STATUS).toBe(keep | F.CF | F.OF);
    const before = r.cpu.state.rflags;
    setReg(r, RDX, 0n);
    run1(r, 'f7 f3'); // div ebx
    expect(r.cpu.state.rflags).toBe(before);
  });
});
