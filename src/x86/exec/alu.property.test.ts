// Property tests: ALU and rotate results and every defined flag against a bigint model written
// from the SDM's Operation sections (independent of the executor's 32-bit-halves arithmetic).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { F } from '../archbits.ts';
import { makeRig, reg, run1, setReg } from '../testing.ts';

const RAX = 0;
const RBX = 3;
const RCX = 1;

const SIZES = [1, 2, 4, 8] as const;
/** `op eax-family, ebx-family` encodings (reg/reg form 00-3F with ModRM d8) by size. */
const PREFIX: Record<number, string> = { 1: '', 2: '66 ', 4: '', 8: '48 ' };
const OPC: Record<string, number> = { add: 0x00, or: 0x08, adc: 0x10, sbb: 0x18, and: 0x20, sub: 0x28, xor: 0x30, cmp: 0x38 };

function parityOf(v: bigint): boolean {
  let b = Number(v & 0xffn);
  let n = 0;
  while (b) { n += b & 1; b >>= 1; }
  return n % 2 === 0;
}

function model(op: string, a: bigint, b: bigint, cf: bigint, bits: number) {
  const m = (1n << BigInt(bits)) - 1n;
  const sign = 1n << BigInt(bits - 1);
  const sa = BigInt.asIntN(bits, a);
  const sb = BigInt.asIntN(bits, b);
  let r: bigint;
  let c = false;
  let o = false;
  let af: boolean | undefined;
  switch (op) {
    case 'add': case 'adc': {
      const ci = op === 'adc' ? cf : 0n;
      r = (a + b + ci) & m;
      c = a + b + ci > m;
      o = sa + sb + ci !== BigInt.asIntN(bits, r);
      af = (((a & 0xfn) + (b & 0xfn) + ci) & 0x10n) !== 0n;
      break;
    }
    case 'sub': case 'sbb': case 'cmp': {
      const bi = op === 'sbb' ? cf : 0n;
      r = (a - b - bi) & m;
      c = a < b + bi;
      o = sa - sb - bi !== BigInt.asIntN(bits, r);
      af = (a & 0xfn) < (b & 0xfn) + bi;
      break;
    }
    case 'and': r = a & b; break;
    case 'or': r = a | b; break;
    default: r = a ^ b; break;
  }
  return { r, cf: c, of: o, af, zf: r === 0n, sf: (r & sign) !== 0n, pf: parityOf(r) };
}

describe('ALU reg, reg against a bigint model of the SDM (all sizes, random operands)', () => {
  for (const op of Object.keys(OPC)) {
    it(op, () => {
      fc.assert(
        fc.property(fc.constantFrom(...SIZES), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean(), (size, a0, b0, carry) => {
          const bits = size * 8;
          const m = (1n << BigInt(bits)) - 1n;
          const rig = makeRig(undefined, 1 << 20);
          setReg(rig, RAX, a0);
          setReg(rig, RBX, b0);
          rig.cpu.state.rflags = carry ? F.FIXED | F.CF : F.FIXED;
          run1(rig, `${PREFIX[size]}${(OPC[op]! + (size === 1 ? 0 : 1)).toString(16)} d8`);
          const want = model(op, a0 & m, b0 & m, carry ? 1n : 0n, bits);
          const got = reg(rig, RAX);
          const expectReg = op === 'cmp' ? a0 : size === 4 ? want.r : size === 8 ? want.r : (a0 & ~m) | want.r;
          expect(got).toBe(expectReg);
          const fl = rig.cpu.state.rflags;
          expect({ cf: (fl & F.CF) !== 0, of: (fl & F.OF) !== 0, zf: (fl & F.ZF) !== 0, sf: (fl & F.SF) !== 0, pf: (fl & F.PF) !== 0 })
            .toEqual({ cf: want.cf, of: want.of, zf: want.zf, sf: want.sf, pf: want.pf });
          if (want.af !== undefined) expect((fl & F.AF) !== 0).toBe(want.af);
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe('rotates against a bigint model (CF, and OF for count 1)', () => {
  const ENC: Record<string, Record<number, string>> = {
    rol: { 1: 'd2 c0', 2: '66 d3 c0', 4: 'd3 c0', 8: '48 d3 c0' },
    ror: { 1: 'd2 c8', 2: '66 d3 c8', 4: 'd3 c8', 8: '48 d3 c8' },
    rcl: { 1: 'd2 d0', 2: '66 d3 d0', 4: 'd3 d0', 8: '48 d3 d0' },
    rcr: { 1: 'd2 d8', 2: '66 d3 d8', 4: 'd3 d8', 8: '48 d3 d8' },
  };
  for (const op of Object.keys(ENC)) {
    it(op, () => {
      fc.assert(
        fc.property(fc.constantFrom(...SIZES), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: 255 }), fc.boolean(), (size, v0, count, carry) => {
          const bits = size * 8;
          const m = (1n << BigInt(bits)) - 1n;
          const v = v0 & m;
          const rig = makeRig(undefined, 1 << 20);
          setReg(rig, RAX, v);
          setReg(rig, RCX, BigInt(count));
          rig.cpu.state.rflags = carry ? F.FIXED | F.CF : F.FIXED;
          run1(rig, ENC[op]![size]!);
          const masked = count & (size === 8 ? 63 : 31);
          // Model: rotate one bit at a time (SDM "RCL/RCR/ROL/ROR" Operation).
          let x = v;
          let cf = carry ? 1n : 0n;
          const n = op === 'rcl' || op === 'rcr' ? (size === 1 ? masked % 9 : size === 2 ? masked % 17 : masked) : masked % bits;
          for (let i = 0; i < n; i++) {
            const msb = (x >> BigInt(bits - 1)) & 1n;
            const lsb = x & 1n;
            if (op === 'rol') x = ((x << 1n) | msb) & m;
            else if (op === 'ror') x = (x >> 1n) | (lsb << BigInt(bits - 1));
            else if (op === 'rcl') { x = ((x << 1n) | cf) & m; cf = msb; }
            else { x = (x >> 1n) | (cf << BigInt(bits - 1)); cf = lsb; }
          }
          expect(reg(rig, RAX) & m).toBe(x);
          const fl = rig.cpu.state.rflags;
          if (masked === 0) {
            expect(fl & (F.CF | F.OF)).toBe(carry ? F.CF : 0);
            return;
          }
          const wantCf = op === 'rol' ? (x & 1n) === 1n : op === 'ror' ? ((x >> BigInt(bits - 1)) & 1n) === 1n : cf === 1n;
          expect((fl & F.CF) !== 0).toBe(wantCf);
          if (masked === 1) {
            const msb = (x >> BigInt(bits - 1)) & 1n;
            const wantOf = op === 'rol' || op === 'rcl' ? (msb === 1n) !== wantCf : msb !== ((x >> BigInt(bits - 2)) & 1n);
            expect((fl & F.OF) !== 0).toBe(wantOf);
          }
        }),
        { numRuns: 150 },
      );
    });
  }
});
