import { describe, expect, it } from 'vitest';
import { F } from '../archbits.ts';
import { makeRig, reg, run1, setReg } from '../testing.ts';

const RAX = 0;
const RCX = 1;

/** Reference SHL/SHR/SAR on bigints (SDM Vol. 2B "SAL/SAR/SHL/SHR" Operation). */
function ref(op: 'shl' | 'shr' | 'sar', v: bigint, count: number, bits: number): { r: bigint; cf: boolean } {
  const mask = (1n << BigInt(bits)) - 1n;
  const c = BigInt(count);
  if (op === 'shl') return { r: (v << c) & mask, cf: count <= bits ? ((v >> BigInt(bits - count)) & 1n) === 1n : false };
  const sv = op === 'sar' ? BigInt.asIntN(bits, v) : v;
  return { r: BigInt.asUintN(bits, sv >> c) & mask, cf: ((sv >> (c - 1n)) & 1n) === 1n };
}

const ENC: Record<string, Record<number, string>> = {
  shl: { 1: 'd2 e0', 4: 'd3 e0', 8: '48 d3 e0' },
  shr: { 1: 'd2 e8', 4: 'd3 e8', 8: '48 d3 e8' },
  sar: { 1: 'd2 f8', 4: 'd3 f8', 8: '48 d3 f8' },
};

describe('SHL/SHR/SAR against a bigint model (counts 0, 1, 31, 63 and >= size)', () => {
  const values = [0n, 1n, 0x80n, 0x7fn, 0x8000_0000n, 0xdead_beefn, 0x8000_0000_0000_0001n, 0xffff_ffff_ffff_ffffn];
  for (const op of ['shl', 'shr', 'sar'] as const) {
    for (const size of [1, 4, 8]) {
      it(`${op} at ${size * 8} bits`, () => {
        const bits = size * 8;
        for (const v0 of values) {
          for (const count of [0, 1, 2, 7, 8, 9, 31, 32, 33, 63, 64]) {
            const v = v0 & ((1n << BigInt(bits)) - 1n);
            const rig = makeRig(undefined, 1 << 20);
            setReg(rig, RAX, v);
            setReg(rig, RCX, BigInt(count));
            const before = rig.cpu.state.rflags | F.CF | F.OF;
            rig.cpu.state.rflags = before;
            run1(rig, ENC[op]![size]!);
            const masked = count & (size === 8 ? 63 : 31);
            const got = reg(rig, RAX) & ((1n << BigInt(bits)) - 1n);
            const fl = rig.cpu.state.rflags;
            if (masked === 0) {
              expect(got).toBe(v);
              expect(fl).toBe(before);
              continue;
            }
            const { r, cf } = ref(op, v, masked, bits);
            expect(got, `${op} ${v} by ${count}`).toBe(r);
            if (masked <= bits) expect((fl & F.CF) !== 0, `CF ${op} ${v} by ${count}`).toBe(cf);
            expect((fl & F.ZF) !== 0).toBe(r === 0n);
            expect((fl & F.SF) !== 0).toBe(((r >> BigInt(bits - 1)) & 1n) === 1n);
            if (masked === 1) {
              const msb = (r >> BigInt(bits - 1)) & 1n;
              const of = op === 'shl' ? (msb === 1n) !== cf : op === 'shr' ? ((v >> BigInt(bits - 1)) & 1n) === 1n : false;
              expect((fl & F.OF) !== 0, `OF ${op} ${v}`).toBe(of);
            }
          }
        }
      });
    }
  }

  it('shl eax, 0 still zero-extends into RAX', () => {
    const rig = makeRig(undefined, 1 << 20);
    setReg(rig, RAX, 0x1_0000_0005n);
    run1(rig, 'c1 e0 00');
    expect(reg(rig, RAX)).toBe(5n);
  });
});

describe('rotates change only CF and OF', () => {
  it('rol al, 1 / ror al, 1', () => {
    const rig = makeRig(undefined, 1 << 20);
    setReg(rig, RAX, 0x81n);
    rig.cpu.state.rflags |= F.ZF;
    run1(rig, 'd0 c0'); // rol al, 1
    expect(reg(rig, RAX)).toBe(0x03n);
    expect(rig.cpu.state.rflags & (F.CF | F.OF | F.ZF)).toBe(F.CF | F.OF | F.ZF);
    run1(rig, 'd0 c8'); // ror al, 1
    expect(reg(rig, RAX)).toBe(0x81n);
    expect(rig.cpu.state.rflags & (F.CF | F.OF)).toBe(F.CF | F.OF);
  });
  it('rol rax by 63 and by 64 (masked to 0: no change)', () => {
    const rig = makeRig(undefined, 1 << 20);
    setReg(rig, RAX, 0x8000_0000_0000_0001n);
    setReg(rig, RCX, 63n);
    run1(rig, '48 d3 c0');
    expect(reg(rig, RAX)).toBe(0xc000_0000_0000_0000n);
    setReg(rig, RCX, 64n);
    const fl = rig.cpu.state.rflags;
    run1(rig, '48 d3 c0');
    expect(reg(rig, RAX)).toBe(0xc000_0000_0000_0000n);
    expect(rig.cpu.state.rflags).toBe(fl);
  });
  it('rcl al by 9 is the identity on the 9-bit CF:AL value', () => {
    const rig = makeRig(undefined, 1 << 20);
    setReg(rig, RAX, 0x5an);
    setReg(rig, RCX, 9n);
    rig.cpu.state.rflags |= F.CF;
    run1(rig, 'd2 d0');
    expect(reg(rig, RAX)).toBe(0x5an);
    expect(rig.cpu.state.rflags & F.CF).toBe(F.CF);
  });
  it('rcr eax, 1 shifts CF into bit 31', () => {
    const rig = makeRig(undefined, 1 << 20);
    setReg(rig, RAX, 2n);
    rig.cpu.state.rflags |= F.CF;
    run1(rig, 'd1 d8');
    expect(reg(rig, RAX)).toBe(0x8000_0001n);
    expect(rig.cpu.state.rflags & (F.CF | F.OF)).toBe(F.OF);
  });
});

describe('undefined shift flags follow the reference host', () => {
  it('a non-zero shift sets AF; SHR by more than 1 sets OF from the top two result bits', () => {
    const rig = makeRig(undefined, 1 << 20);
    setReg(rig, RAX, 0xc000_0000n);
    run1(rig, 'c1 e8 02'); // shr eax, 2 -> 0x30000000
    expect(rig.cpu.state.rflags & (F.AF | F.OF)).toBe(F.AF);
    setReg(rig, RAX, 0xc000_0000n);
    run1(rig, 'd1 e8'); // shr eax, 1 -> 0x60000000, OF = old MSB
    expect(rig.cpu.state.rflags & (F.AF | F.OF)).toBe(F.AF | F.OF);
  });
});
