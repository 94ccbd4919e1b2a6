// A tiny stand-in encoder for the assembler's own tests: nop, hlt, ret, int3, `jmp`
// (short while the target is unknown or in range, else near, as NASM's optimiser does)
// and `mov r32, imm32`. The real encoder is src/x86/isa/encode.ts.

import type { EncodeRequest, EncodeResult } from '../../x86/isa/operands.ts';
import { RegKind, regIndex, regKind } from '../../x86/isa/registers.ts';

const le = (v: bigint, n: number): number[] => Array.from({ length: n }, (_, i) => Number((BigInt.asUintN(64, v) >> BigInt(8 * i)) & 0xffn));

/** Encodes the handful of instructions the layout tests use. */
export function fakeEncode(req: EncodeRequest): EncodeResult {
  const ops = req.operands;
  const ok = (b: number[]): EncodeResult => ({ ok: true, bytes: Uint8Array.from(b) });
  switch (req.mnemonic) {
    case 'nop': return ok([0x90]);
    case 'hlt': return ok([0xf4]);
    case 'ret': return ok([0xc3]);
    case 'int3': return ok([0xcc]);
    case 'jmp': {
      const t = ops[0];
      if (!t || t.kind !== 'imm') return { ok: false, message: 'invalid combination of opcode and operands' };
      const d8 = BigInt.asIntN(64, t.value - (req.address + 2n));
      if (req.branch !== 'near' && (!t.known || (d8 >= -128n && d8 <= 127n))) return ok([0xeb, ...le(d8, 1)]);
      if (req.branch === 'short') return { ok: false, message: 'short jump is out of range' };
      return ok([0xe9, ...le(t.value - (req.address + 5n), 4)]);
    }
    case 'mov': {
      const [r, i] = ops;
      if (r?.kind === 'reg' && regKind(r.reg) === RegKind.GPR32 && i?.kind === 'imm') return ok([0xb8 + regIndex(r.reg), ...le(i.value, 4)]);
      return { ok: false, message: 'invalid combination of opcode and operands' };
    }
    default: return { ok: false, message: `fake encoder: ${req.mnemonic} not supported` };
  }
}
