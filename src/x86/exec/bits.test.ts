import { describe, expect, it } from 'vitest';
import { F } from '../archbits.ts';
import { makeRig, reg, run1, setReg } from '../testing.ts';

const RAX = 0;
const RCX = 1;
const RBX = 3;

describe('BT/BTS/BTR/BTC', () => {
  it('register forms take the offset modulo the operand size', () => {
    const r = makeRig();
    setReg(r, RAX, 0x8000_0000n);
    setReg(r, RBX, 63n);
    run1(r, '0f a3 d8'); // bt eax, ebx  (63 mod 32 = 31)
    expect(r.cpu.state.rflags & F.CF).toBe(F.CF);
    run1(r, '48 0f ab d8'); // bts rax, rbx
    expect(reg(r, RAX)).toBe(0x8000_0000_8000_0000n);
  });
  it('memory with a register offset beyond the operand reaches other bytes', () => {
    const r = makeRig();
    r.mem.write32(0x20000 + 8, 0x4);
    setReg(r, RCX, 0x20000n);
    setReg(r, RBX, 66n); // dword 2, bit 2
    run1(r, '0f a3 19'); // bt [rcx], ebx
    expect(r.cpu.state.rflags & F.CF).toBe(F.CF);
    setReg(r, RBX, BigInt.asUintN(64, -1n)); // bit 63 of the qword before [rcx]
    run1(r, '48 0f ab 19'); // bts [rcx], rbx
    expect(r.mem.read32(0x20000 - 4)).toBe(0x8000_0000);
    expect(r.cpu.state.rflags & F.CF).toBe(0);
  });
  it('immediate forms: btr/btc', () => {
    const r = makeRig();
    setReg(r, RAX, 0xffn);
    run1(r, '0f ba f0 03'); // btr eax, 3
    expect(reg(r, RAX)).toBe(0xf7n);
    run1(r, '0f ba f8 23'); // btc eax, 35 -> bit 3
    expect(reg(r, RAX)).toBe(0xffn);
    expect(r.cpu.state.rflags & F.CF).toBe(0);
  });
});

describe('BSF/BSR', () => {
  it('find the lowest/highest set bit; a zero source sets ZF and keeps the destination', () => {
    const r = makeRig();
    setReg(r, RBX, 0x0001_0000_0000_8000n);
    run1(r, '48 0f bc c3'); // bsf rax, rbx
    expect(reg(r, RAX)).toBe(15n);
    run1(r, '48 0f bd c3'); // bsr rax, rbx
    expect(reg(r, RAX)).toBe(48n);
    expect(r.cpu.state.rflags & F.ZF).toBe(0);
    setReg(r, RBX, 0n);
    run1(r, '48 0f bc c3');
    expect(reg(r, RAX)).toBe(48n);
    expect(r.cpu.state.rflags & F.ZF).toBe(F.ZF);
  });
});

describe('BSF/BSR undefined flags follow the reference host', () => {
  it('CF OF SF AF cleared, PF from the index, ZF from the source', () => {
    const r = makeRig();
    r.cpu.state.rflags |= F.CF | F.OF | F.SF | F.AF;
    setReg(r, RBX, 0x80000000n);
    run1(r, '0f bc c3'); // bsf eax, ebx -> 31 (odd parity)
    expect(r.cpu.state.rflags & F.STATUS).toBe(0);
    setReg(r, RBX, 3n);
    run1(r, '0f bc c3'); // index 0 -> PF
    expect(r.cpu.state.rflags & F.STATUS).toBe(F.PF);
    setReg(r, RBX, 0n);
    run1(r, '0f bc c3');
    expect(r.cpu.state.rflags & F.STATUS).toBe(F.PF | F.ZF);
  });
});
