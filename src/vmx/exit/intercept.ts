// Whether an instruction executed in VMX non-root operation causes a VM exit, and with which
// basic reason: the one place the decision is taken (the next issue adds the controlled exits
// and extends this file). SDM Vol. 3C §26.1.2 "Instructions That Cause VM Exits
// Unconditionally", §26.1.3 "Instructions That Cause VM Exits Conditionally", and the VMREAD /
// VMWRITE operation sections of §31.3 "VMX Instructions" for VMCS shadowing.

import type { CpuHandle } from '../../x86/env.ts';
import type { DecodedInstruction } from '../../x86/isa/decoded.ts';
import { EXIT_REASON, SECONDARY_CTLS } from '../local-arch.ts';
import { secondaryControls, vmcsGet } from '../vmcs-access.ts';
import { F } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';

/**
 * Instructions that cause VM exits unconditionally in VMX non-root operation and are not VMX
 * instructions (those decide inside their own handlers, where the SDM places the exit among
 * their #UD and #GP checks). SDM Vol. 3C §26.1.2: CPUID, GETSEC, INVD, XSETBV.
 * ENCLS/INVEPT/INVVPID/VM* are listed there too and handled by their handlers.
 */
const UNCONDITIONAL: ReadonlyMap<string, number> = new Map([
  ['cpuid', EXIT_REASON.CPUID],
  ['getsec', EXIT_REASON.GETSEC],
  ['invd', EXIT_REASON.INVD],
  ['xsetbv', EXIT_REASON.XSETBV],
]);

/** The basic exit reason an instruction causes before it executes in non-root operation, or null. */
export function exitReasonFor(insn: DecodedInstruction, _vmcs: ActiveVmcs): number | null {
  return UNCONDITIONAL.get(insn.mnemonic) ?? null;
}

/**
 * VMREAD/VMWRITE in VMX non-root operation exit when "VMCS shadowing" is 0, when the encoding
 * sets any bit in 63:15, or when the bit for encoding bits 14:0 is set in the VMREAD (VMWRITE)
 * bitmap. SDM Vol. 3C §31.3 "VMX Instructions" (VMREAD, VMWRITE operation sections) and §25.6.15
 * "VMCS Shadowing Bitmap Addresses".
 */
export function vmcsAccessExits(cpu: CpuHandle, vmcs: ActiveVmcs, which: 'vmread' | 'vmwrite', encoding: bigint): boolean {
  if (!SECONDARY_CTLS.has(secondaryControls(vmcs), 'SECONDARY_EXEC_SHADOW_VMCS')) return true;
  if (encoding >> 15n !== 0n) return true;
  const bitmap = vmcsGet(vmcs, which === 'vmread' ? F.VMREAD_BITMAP : F.VMWRITE_BITMAP);
  const e = Number(encoding);
  const byte = cpu.readPhys(Number(bitmap) + (e >> 3), 1);
  return ((byte >> BigInt(e & 7)) & 1n) === 1n;
}
