// The CR0/CR4 bits VMX operation fixes (SDM Vol. 3C §24.8 "Restrictions on VMX Operation";
// SDM Vol. 3D §A.7 "VMX-Fixed Bits in CR0" and §A.8 "VMX-Fixed Bits in CR4"): a bit set in
// FIXED0 must be 1, a bit clear in FIXED1 must be 0. VMXON and, in VMX operation, MOV to CR0/CR4
// raise #GP(0) on a violation.

import { CR0, CR4 } from '../../arch/cr.ts';

function bitNames(reg: 'CR0' | 'CR4', bits: bigint): string {
  const table = reg === 'CR0' ? CR0 : CR4;
  const out: string[] = [];
  for (let b = 0; b < 64; b++) {
    if (((bits >> BigInt(b)) & 1n) === 0n) continue;
    const f = table.list.find((x) => x.bit === b && x.width === 1);
    out.push(f ? `${reg}.${f.name} (bit ${b})` : `${reg} bit ${b}`);
  }
  return out.join(', ');
}

/**
 * Explains how `value` breaks the fixed bits, or returns undefined when it does not:
 * `(value & fixed0) == fixed0` and `(value & ~fixed1) == 0`.
 */
export function crViolatesFixedBits(reg: 'CR0' | 'CR4', value: bigint, fixed0: bigint, fixed1: bigint): string | undefined {
  const mustBe1 = fixed0 & ~value;
  if (mustBe1 !== 0n) return `${bitNames(reg, mustBe1)} must be 1 in VMX operation (IA32_VMX_${reg}_FIXED0 = 0x${fixed0.toString(16)})`;
  const mustBe0 = value & ~fixed1 & 0xffff_ffff_ffff_ffffn;
  if (mustBe0 !== 0n) return `${bitNames(reg, mustBe0)} must be 0 in VMX operation (IA32_VMX_${reg}_FIXED1 = 0x${fixed1.toString(16)})`;
  return undefined;
}
