// NASM's "exceeds bounds" warnings for immediates, from the form the encoder chose
// (NASM assemble.c: warn_overflow_const, and the signed-byte / signed-dword checks of
// sign-extended immediates). Only plain numbers are checked: NASM truncates an address
// silently. The bytes are already NASM's; these only tell the learner about truncation.

import type { EncodeRequest } from '../x86/isa/operands.ts';
import { formById } from '../x86/isa/table.ts';

const NAMES: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword' };

/** Warnings (NASM's words) for the immediates of `req` encoded with form `formId`. */
export function immediateWarnings(req: EncodeRequest, formId: string | undefined): string[] {
  const row = formId ? formById(formId) : undefined;
  if (!row) return [];
  // Outside 64-bit mode a 64-bit-default form (PUSH imm) works at the mode's size, or at
  // 32 bits in 16-bit code when `dword` is written (as the encoder's variants).
  const dword = req.operands.some((o) => o.kind === 'imm' && o.size === 4);
  const opSize = req.bits === 16 && !dword ? 2 : 4;
  const f = req.bits !== 64 && row.osz === 'd64' && row.opSize === 8
    ? { ...row, opSize, operands: row.operands.map((o) => (o.loc === 'imm' && o.immSize === 4 ? { ...o, immSize: opSize } : o)) }
    : row;
  const specs = f.operands.filter((o) => o.loc === 'imm');
  const imms = req.operands.filter((o) => o.kind === 'imm');
  const out: string[] = [];
  specs.forEach((spec, k) => {
    const imm = imms[k];
    if (!imm || imm.kind !== 'imm' || !imm.known || imm.reloc || spec.immSize === 0 || spec.immSize === 8) return;
    const v = BigInt.asIntN(64, imm.value);
    const bits = BigInt(spec.immSize * 8);
    if (f.sx && spec.immSize === 1) {
      const opBits = BigInt(Math.max(f.opSize, 1) * 8);
      const w = BigInt.asIntN(Number(opBits), v);
      if (w < -128n || w > 127n) out.push('signed byte value exceeds bounds');
      else if (f.opSize < 8 && (v < -(1n << (opBits - 1n)) || v >= 1n << opBits)) out.push(`${NAMES[f.opSize]} value exceeds bounds`);
    } else if (f.sx && spec.immSize === 4 && f.opSize === 8) {
      if (v < -(1n << 31n) || v >= 1n << 31n) out.push('signed dword immediate exceeds bounds', 'dword data exceeds bounds');
    } else if (v < -(1n << (bits - 1n)) || v >= 1n << bits) {
      out.push(`${NAMES[spec.immSize]} data exceeds bounds`);
    }
  });
  return out;
}
