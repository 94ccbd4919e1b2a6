// Short sequences the instruction tests share: VMXON, VMCLEAR, VMPTRLD with their operands
// placed in memory, and reading back the outcome the way software does (RFLAGS, then the
// VM-instruction error field). Test helper only.

import { RFLAGS } from '../../arch/rflags.ts';
import type { X86Fault } from '../../x86/fault.ts';
import { F } from '../vmcs-fields.ts';
import { insn, mem, type Rig, type RigProfile } from './rig.ts';

/** Scratch locations for the 64-bit memory operands (physical = linear in the rig). */
export const OPERAND = { vmxon: 0x8000, vmclear: 0x8008, vmptrld: 0x8010, vmptrst: 0x8018, desc: 0x8020 } as const;
/** Regions the tests use. */
export const REGION = { vmxon: 0x1_0000, vmcs: 0x2_0000, vmcs2: 0x3_0000 } as const;

/** VMCS revision identifier of a profile (IA32_VMX_BASIC[30:0]). */
export function revisionOf(p: RigProfile): bigint {
  return (p.msrs[0x480] ?? 0n) & 0x7fff_ffffn;
}

/** Which VMX outcome RFLAGS shows, or 'other' when the flags match none (SDM Vol. 3C §31.2). */
export function outcomeOf(rig: Rig): 'VMsucceed' | 'VMfailInvalid' | 'VMfailValid' | 'other' {
  const f = BigInt(rig.cpu.state.rflags);
  const status = RFLAGS.of('CF', 'PF', 'AF', 'ZF', 'SF', 'OF');
  const set = RFLAGS.names(f & status);
  if (set.length === 0) return 'VMsucceed';
  if (set.length === 1 && set[0] === 'CF') return 'VMfailInvalid';
  if (set.length === 1 && set[0] === 'ZF') return 'VMfailValid';
  return 'other';
}

/** The VM-instruction error field of the current VMCS, or undefined without one. */
export function instructionError(rig: Rig): bigint | undefined {
  if (rig.model.currentPointer() === 0xffff_ffff_ffff_ffffn) return undefined;
  return rig.model.currentFields().find((f) => f.encoding === F.VM_INSTRUCTION_ERROR)?.value ?? 0n;
}

/** Runs an instruction with a 64-bit memory operand holding `value` at `slot`. */
export function withPointer(rig: Rig, mnemonic: string, slot: number, value: bigint): X86Fault | undefined {
  rig.write(slot, 8, value);
  return rig.exec(insn(mnemonic, [mem(null, BigInt(slot))]));
}

/** VMXON with a region at `addr` holding `revision` (default: the profile's). */
export function vmxon(rig: Rig, p: RigProfile, addr: bigint = BigInt(REGION.vmxon), revision = revisionOf(p)): X86Fault | undefined {
  if (addr < 1n << 52n && (addr & 3n) === 0n) rig.write(Number(addr), 4, revision);
  return withPointer(rig, 'vmxon', OPERAND.vmxon, addr);
}

export const vmclear = (rig: Rig, addr: bigint): X86Fault | undefined => withPointer(rig, 'vmclear', OPERAND.vmclear, addr);

/** VMPTRLD of a region at `addr`; writes `revision` there first unless it is null. */
export function vmptrld(rig: Rig, p: RigProfile, addr: bigint, revision: bigint | null = revisionOf(p)): X86Fault | undefined {
  if (revision !== null) rig.write(Number(addr), 4, revision);
  return withPointer(rig, 'vmptrld', OPERAND.vmptrld, addr);
}

/** VMXON, VMCLEAR and VMPTRLD of one VMCS: the usual start. Throws if any step is not VMsucceed. */
export function rootWithVmcs(rig: Rig, p: RigProfile, vmcs: bigint = BigInt(REGION.vmcs)): void {
  for (const step of [() => vmxon(rig, p), () => vmclear(rig, vmcs), () => vmptrld(rig, p, vmcs)]) {
    const fault = step();
    if (fault || outcomeOf(rig) !== 'VMsucceed') throw new Error(`bring-up step failed: ${fault?.message ?? outcomeOf(rig)}`);
  }
}
