// Helpers for the per-rule tests (STYLE rule 18d): run one check by id, apply the fix a
// failed check proposes, and the boundary values an address or canonical rule must be
// swept over. Free of test-framework imports so it compiles with the core.

import type { Verdict } from '../../outcome.ts';
import { checkById } from '../checks/index.ts';
import type { FakeEntry } from './fake-context.ts';
import type { TestProfile } from './profiles.ts';
import { MSR } from '../local-arch.ts';

/** The verdict of check `id` on a fake entry (throws on an unknown id: a typo in a test). */
export function verdict(e: FakeEntry, id: string): Verdict {
  const c = checkById(id);
  if (c === undefined) throw new Error(`no check ${id}`);
  return c.run(e.ctx);
}

/** Applies the VMWRITE a failed verdict proposes; returns false when it proposes none. */
export function applyFix(e: FakeEntry, v: Verdict): boolean {
  if (v.kind !== 'fail' || v.fix === undefined) return false;
  e.vmcs.set(v.fix.field, v.fix.value);
  return true;
}

/** A capability MSR of a profile (0 if absent). */
export function cap(p: TestProfile, index: number): bigint {
  return p.msrs[index] ?? 0n;
}

/** Whether the profile allows the 1-setting of `bit` in the 32-bit control word whose MSR is `msr`. */
export function allows1(p: TestProfile, msr: number, mask: bigint): boolean {
  return ((cap(p, msr) >> 32n) & mask) === mask;
}

/** Whether the profile has a secondary-controls MSR that allows `mask`. */
export function allowsSecondary(p: TestProfile, mask: bigint): boolean {
  return allows1(p, MSR.IA32_VMX_PROCBASED_CTLS, 1n << 31n) && allows1(p, MSR.IA32_VMX_PROCBASED_CTLS2, mask);
}

/** Values of a physical address with the expected validity for alignment `alignBits`. */
export function addressSweep(maxPhysAddr: number, alignBits: number): { value: bigint; ok: boolean }[] {
  const out: { value: bigint; ok: boolean }[] = [
    { value: 0n, ok: true },
    { value: 1n << BigInt(alignBits), ok: true },
    { value: 0x1000n, ok: true },
    { value: 0xff_f000n, ok: true },
    { value: (1n << BigInt(maxPhysAddr)) - (1n << BigInt(alignBits)), ok: true },
    { value: 1n << BigInt(maxPhysAddr), ok: false },
    { value: 1n << 63n, ok: false },
    { value: 0xffff_ffff_ffff_ffffn, ok: false },
    { value: 0x1000n - 1n, ok: alignBits === 0 },
  ];
  for (let b = 0; b < alignBits; b++) out.push({ value: 0x10_0000n | (1n << BigInt(b)), ok: false });
  for (let b = maxPhysAddr; b < 64; b++) out.push({ value: 1n << BigInt(b), ok: false });
  return out;
}

/** Values around the canonical boundary for `bits` linear-address bits. */
export function canonicalSweep(bits: number): { value: bigint; ok: boolean }[] {
  const top = 1n << BigInt(bits - 1);
  return [
    { value: 0n, ok: true },
    { value: top - 1n, ok: true },
    { value: top, ok: false },
    { value: 0xffff_ffff_ffff_ffffn, ok: true },
    { value: BigInt.asUintN(64, -top), ok: true },
    { value: BigInt.asUintN(64, -top) - 1n, ok: false },
    { value: 1n << 63n, ok: false },
    { value: 0x8000_0000_0000_0000n - 1n, ok: false },
  ];
}
