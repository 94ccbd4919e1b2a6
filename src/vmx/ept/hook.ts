// The executor's EPT hook (`VmxHooks.translateGuestPhysical`, src/x86/env.ts): every
// guest-physical access in VMX non-root operation with "enable EPT" = 1 goes through the
// translation cache, then the EPT walk; a failed walk becomes an EPT-violation (48) or
// EPT-misconfiguration (49) VM exit. SDM Vol. 3C §29.3.3 "EPT-Induced VM Exits", §29.4.2
// "Creating and Using Cached Translation Information".

import type { CpuHandle, GuestPhysicalAccess } from '../../x86/env.ts';
import { VmExitUnwind } from '../../x86/env.ts';
import { formatEptWalk } from './format.ts';
import { eptViolationQualification } from './qualification.ts';
import type { EptTranslationCache } from './tlb.ts';
import type { EptMemory, EptMisconfig, EptViolation, EptWalkRecord } from './types.ts';
import { ep4ta, eptWalk } from './walk.ts';

/** Exit reasons (SDM Vol. 3D Appendix C "VMX Basic Exit Reasons"). */
export const EXIT_EPT_VIOLATION = 48;
export const EXIT_EPT_MISCONFIG = 49;
/** IA32_VMX_EPT_VPID_CAP[22]: advanced VM-exit information for EPT violations. */
const CAP_ADVANCED_INFO = 1n << 22n;

/** What the current VMCS says about EPT, read by the VMX model at VM entry. */
export interface EptContext {
  readonly eptp: bigint;
  /** VPID of the guest (0 when "enable VPID" = 0). */
  readonly vpid: number;
  /** "Mode-based execute control for EPT". */
  readonly mbec: boolean;
}

/** An EPT-induced VM exit, ready for the VM-exit code. */
export interface EptExit {
  readonly reason: typeof EXIT_EPT_VIOLATION | typeof EXIT_EPT_MISCONFIG;
  /** Table 28-7 for violations (bit 12, NMI unblocking, left to the exit code); 0 for misconfigurations. */
  readonly qualification: bigint;
  /** The GUEST_PHYSICAL_ADDRESS field (0x2400). */
  readonly guestPhysical: number;
  /** The GUEST_LINEAR_ADDRESS field, when qualification bit 7 is set (violations only). */
  readonly guestLinear?: number;
  readonly result: EptViolation | EptMisconfig;
  /** The access was an instruction fetch: no instruction was decoded, so none caused the exit. */
  readonly fetch: boolean;
  /** The walk, one line per level (`formatEptWalk`), for the vmexit report (`run --json`'s `eptWalk`). */
  readonly eptWalk: readonly string[];
}

/** Outcome of one guest-physical access. */
export type EptLookup =
  | { readonly ok: true; readonly hpa: number; readonly fromCache: boolean; readonly walk?: EptWalkRecord }
  | { readonly ok: false; readonly exit: EptExit };

/** The EPT state of one logical processor. */
export interface EptUnit {
  readonly cache: EptTranslationCache;
  /** IA32_VMX_EPT_VPID_CAP. */
  readonly caps: bigint;
  readonly maxPhysAddr: number;
}

/**
 * Translates one guest-physical access: a cached guest-physical mapping is used when its rights
 * allow the access (and, for a write with A/D flags on, its dirty flag is known set); otherwise
 * the EPT is walked in memory and a success is cached. Implementation choice: a cached mapping
 * whose rights refuse the access is not trusted; the walk decides (so raising a permission needs
 * no INVEPT, lowering one does: §29.4.3.4 "Guidelines for Use of the INVEPT Instruction").
 */
export function translateGuestPhysical(unit: EptUnit, ctx: EptContext, mem: EptMemory, gpa: number, access: GuestPhysicalAccess): EptLookup {
  const tag = ep4ta(ctx.eptp);
  const cached = unit.cache.lookupGuestPhysical(tag, gpa);
  if (cached !== undefined && cachedAllows(cached.perms, cached.dirty, access, ctx)) {
    return { ok: true, hpa: cached.hpaPage * 4096 + (gpa % 4096), fromCache: true };
  }
  const r = eptWalk(ctx.eptp, gpa, access, mem, { caps: unit.caps, maxPhysAddr: unit.maxPhysAddr, mbec: ctx.mbec });
  if (r.ok) {
    unit.cache.fillGuestPhysical(tag, gpa, r);
    return { ok: true, hpa: r.hpa, fromCache: false, walk: r.walk };
  }
  const fetch = access.fetch === true;
  if (r.kind === 'misconfig') {
    return { ok: false, exit: { reason: EXIT_EPT_MISCONFIG, qualification: 0n, guestPhysical: gpa, result: r, fetch, eptWalk: formatEptWalk(r) } };
  }
  // §29.4.3.1: an EPT violation invalidates the mappings that would translate this access.
  unit.cache.onEptViolation(tag, gpa, ctx.vpid, access.linear);
  const linear = access.linear !== undefined && access.pdpteLoad !== true
    ? { finalTranslation: access.finalTranslation === true, ...(access.guestRights ? { guestRights: access.guestRights } : {}) }
    : undefined;
  const qualification = eptViolationQualification(r, {
    ...(linear ? { linear } : {}), mbec: ctx.mbec, advancedInfo: (unit.caps & CAP_ADVANCED_INFO) !== 0n,
  });
  return {
    ok: false,
    exit: {
      reason: EXIT_EPT_VIOLATION, qualification, guestPhysical: gpa, ...(linear ? { guestLinear: access.linear! } : {}), result: r,
      fetch, eptWalk: formatEptWalk(r),
    },
  };
}

function cachedAllows(p: { read: boolean; write: boolean; execute: boolean; userExecute: boolean }, dirty: boolean, a: GuestPhysicalAccess, ctx: EptContext): boolean {
  const ad = (ctx.eptp & (1n << 6n)) !== 0n;
  const write = a.write === true || (a.guestPaging === true && ad && a.pdpteLoad !== true);
  if ((a.read === true || a.guestPaging === true) && !p.read) return false;
  if (write && (!p.write || !dirty)) return false;
  if (a.fetch === true && !(ctx.mbec && a.userMode === true ? p.userExecute : p.execute)) return false;
  return true;
}

/** Physical memory of a CPU handle as the walk reads it. */
export function cpuEptMemory(cpu: CpuHandle): EptMemory {
  return {
    readPhys64: (addr) => cpu.readPhys(addr, 8),
    writePhys64: (addr, value) => cpu.writePhys(addr, 8, value),
  };
}

/**
 * Builds `VmxHooks.translateGuestPhysical`. `context` returns undefined when EPT is not in use
 * (root operation, or "enable EPT" = 0): the address is then physical. `exit` performs the VM
 * exit (the model's vmExit with reason, qualification, guest-linear address, and the
 * GUEST_PHYSICAL_ADDRESS field); the hook then throws VmExitUnwind to end the instruction.
 */
export function createEptHook(
  unit: EptUnit, context: () => EptContext | undefined, exit: (cpu: CpuHandle, e: EptExit) => void,
): (cpu: CpuHandle, gpa: number, access: GuestPhysicalAccess) => number {
  return (cpu, gpa, access) => {
    const ctx = context();
    if (ctx === undefined) return gpa;
    const r = translateGuestPhysical(unit, ctx, cpuEptMemory(cpu), gpa, access);
    if (r.ok) return r.hpa;
    exit(cpu, r.exit);
    throw new VmExitUnwind(r.exit.reason, r.exit.result.reason);
  };
}
