import { describe, expect, it } from 'vitest';
import { RFLAGS } from '../../arch/rflags.ts';
import { makeRig, reg, run1, setReg, type TestRig } from '../testing.ts';

const RAX = 0;
const RBX = 3;

/** Status flags set, as names (CF PF AF ZF SF OF). */
function status(rig: TestRig): string[] {
  return RFLAGS.names(BigInt(rig.cpu.state.rflags)).filter((n) => ['CF', 'PF', 'AF', 'ZF', 'SF', 'OF'].includes(n));
}

function op8(bytes: string, a: number | bigint, b: number): TestRig {
  const rig = makeRig();
  setReg(rig, RAX, BigInt(a));
  setReg(rig, RBX, BigInt(b));
  run1(rig, bytes);
  return rig;
}

describe('ADD/SUB flags at 8-bit boundaries (SDM Vol. 1 §3.4.3.1)', () => {
  it('0x7f + 1 overflows into the sign bit', () => {
    const r = op8('00 d8', 0x7f, 1); // add al, bl
    expect(reg(r, RAX) & 0xffn).toBe(0x80n);
    expect(status(r)).toEqual(['AF', 'SF', 'OF']);
  });
  it('0xff + 1 carries out and is zero', () => {
    const r = op8('00 d8', 0xff, 1);
    expect(reg(r, RAX) & 0xffn).toBe(0n);
    expect(status(r)).toEqual(['CF', 'PF', 'AF', 'ZF']);
  });
  it('0x80 - 1 overflows out of the sign bit', () => {
    const r = op8('28 d8', 0x80, 1); // sub al, bl
    expect(reg(r, RAX) & 0xffn).toBe(0x7fn);
    expect(status(r)).toEqual(['AF', 'OF']);
  });
  it('0 - 1 borrows', () => {
    const r = op8('28 d8', 0, 1);
    expect(reg(r, RAX) & 0xffn).toBe(0xffn);
    expect(status(r)).toEqual(['CF', 'PF', 'AF', 'SF']);
  });
  it('8-bit ops keep bits 63:8', () => {
    const r = op8('00 d8', 0x1234_5678_9abc_de7fn, 1);
    expect(reg(r, RAX)).toBe(0x1234_5678_9abc_de80n);
  });
});

describe('64-bit and 32-bit arithmetic', () => {
  it('add rax, rbx carries across the 32-bit halves', () => {
    const rig = makeRig();
    setReg(rig, RAX, 0xffff_ffffn);
    setReg(rig, RBX, 1n);
    run1(rig, '48 01 d8');
    expect(reg(rig, RAX)).toBe(0x1_0000_0000n);
    expect(status(rig)).toEqual(['PF', 'AF']);
  });
  it('add rax, rbx: 0x7fff_ffff_ffff_ffff + 1 sets OF and SF', () => {
    const rig = makeRig();
    setReg(rig, RAX, 0x7fff_ffff_ffff_ffffn);
    setReg(rig, RBX, 1n);
    run1(rig, '48 01 d8');
    expect(reg(rig, RAX)).toBe(0x8000_0000_0000_0000n);
    expect(status(rig)).toEqual(['PF', 'AF', 'SF', 'OF']);
  });
  it('sub rax, rbx: 0 - 1 = all ones with CF', () => {
    const rig = makeRig();
    setReg(rig, RAX, 0n);
    setReg(rig, RBX, 1n);
    run1(rig, '48 29 d8');
    expect(reg(rig, RAX)).toBe(0xffff_ffff_ffff_ffffn);
    expect(status(rig)).toEqual(['CF', 'PF', 'AF', 'SF']);
  });
  it('a 32-bit destination zeroes bits 63:32 (SDM Vol. 1 §3.4.1.1)', () => {
    const rig = makeRig();
    setReg(rig, RAX, 0xdead_beef_0000_0001n);
    setReg(rig, RBX, 1n);
    run1(rig, '01 d8');
    expect(reg(rig, RAX)).toBe(2n);
  });
  it('adc and sbb use CF', () => {
    const rig = makeRig();
    rig.cpu.state.rflags |= 1;
    setReg(rig, RAX, 5n);
    setReg(rig, RBX, 7n);
    run1(rig, '11 d8'); // adc eax, ebx
    expect(reg(rig, RAX)).toBe(13n);
    rig.cpu.state.rflags |= 1;
    run1(rig, '19 d8'); // sbb eax, ebx
    expect(reg(rig, RAX)).toBe(5n);
  });
  it('adc 64-bit: all ones + 0 + CF = 0 with CF', () => {
    const rig = makeRig();
    rig.cpu.state.rflags |= 1;
    setReg(rig, RAX, 0xffff_ffff_ffff_ffffn);
    setReg(rig, RBX, 0n);
    run1(rig, '48 11 d8');
    expect(reg(rig, RAX)).toBe(0n);
    expect(status(rig)).toEqual(['CF', 'PF', 'AF', 'ZF']);
  });
  it('cmp does not write, inc keeps CF, neg of 0 clears CF', () => {
    const rig = makeRig();
    setReg(rig, RAX, 3n);
    setReg(rig, RBX, 3n);
    run1(rig, '39 d8'); // cmp eax, ebx
    expect(reg(rig, RAX)).toBe(3n);
    expect(status(rig)).toEqual(['PF', 'ZF']);
    rig.cpu.state.rflags |= 1;
    setReg(rig, RAX, 0x7fff_ffffn);
    run1(rig, 'ff c0'); // inc eax
    expect(reg(rig, RAX)).toBe(0x8000_0000n);
    expect(status(rig)).toEqual(['CF', 'PF', 'AF', 'SF', 'OF']);
    setReg(rig, RAX, 0n);
    run1(rig, 'f7 d8'); // neg eax
    expect(status(rig)).toEqual(['PF', 'ZF']);
    setReg(rig, RAX, 0x8000_0000n);
    run1(rig, 'f7 d8');
    expect(reg(rig, RAX)).toBe(0x8000_0000n);
    expect(status(rig)).toEqual(['CF', 'PF', 'SF', 'OF']);
  });
  it('logic ops clear CF and OF; not changes no flag', () => {
    const rig = makeRig();
    rig.cpu.state.rflags |= 0x801;
    setReg(rig, RAX, 0xf0n);
    setReg(rig, RBX, 0x0fn);
    run1(rig, '21 d8'); // and eax, ebx
    expect(reg(rig, RAX)).toBe(0n);
    expect(status(rig)).toEqual(['PF', 'ZF']);
    setReg(rig, RAX, 0x8000_0000_0000_0000n);
    run1(rig, '48 09 d8'); // or rax, rbx
    expect(reg(rig, RAX)).toBe(0x8000_0000_0000_000fn);
    expect(status(rig)).toEqual(['PF', 'SF']);
    run1(rig, '48 f7 d0'); // not rax
    expect(reg(rig, RAX)).toBe(0x7fff_ffff_ffff_fff0n);
    expect(status(rig)).toEqual(['PF', 'SF']);
  });
  it('high-byte registers', () => {
    const rig = makeRig();
    setReg(rig, RAX, 0x1111n);
    run1(rig, 'b4 ff'); // mov ah, 0xff
    expect(reg(rig, RAX)).toBe(0xff11n);
    run1(rig, '80 c4 01'); // add ah, 1
    expect(reg(rig, RAX)).toBe(0x0011n);
    expect(status(rig)).toContain('CF');
  });
  it('add to memory: read-modify-write through paging', () => {
    const rig = makeRig();
    rig.mem.write32(0x20000, 0xffff_ffff);
    setReg(rig, RBX, 0x20000n);
    run1(rig, '83 03 01'); // add dword [rbx], 1
    expect(rig.mem.read32(0x20000)).toBe(0);
    expect(status(rig)).toContain('CF');
  });
});
