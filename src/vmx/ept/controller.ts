// EPT for one logical processor, as the VT-x model (src/vmx/index.ts) plugs it in: the
// translation cache, the EPT context VM entry establishes, the executor hook, and what VM
// entries, VM exits, INVEPT, INVVPID, reset and snapshots do to the cache. SDM Vol. 3C §29.3
// "The Extended Page Table Mechanism (EPT)", §29.4 "Caching Translation Information".

import type { CpuHandle, GuestPhysicalAccess } from '../../x86/env.ts';
import { VmExitUnwind } from '../../x86/env.ts';
import { cpuEptMemory, translateGuestPhysical, type EptContext, type EptExit, type EptUnit } from './hook.ts';
import { EptTranslationCache, type EptCacheSnapshot, type InveptType, type InvvpidType } from './tlb.ts';

/** The VMCS values VM entry establishes for EPT and VPID (read once, at VM entry). */
export interface EptEntryState {
  /** Secondary control "enable EPT". */
  readonly eptEnabled: boolean;
  /** EPT_POINTER (0x201A). */
  readonly eptp: bigint;
  /** Secondary control "enable VPID". */
  readonly vpidEnabled: boolean;
  /** VIRTUAL_PROCESSOR_ID (0x0000). */
  readonly vpid: number;
  /** IA32_VMX_EPT_VPID_CAP as the processor reports it now. */
  readonly caps: bigint;
  /** MAXPHYADDR of the processor. */
  readonly maxPhysAddr: number;
  /** Secondary control "mode-based execute control for EPT". */
  readonly mbec: boolean;
}

/** Snapshot of a controller: the cache and the context in force. */
export interface EptControllerSnapshot {
  readonly cache: EptCacheSnapshot;
  readonly context: EptContext | undefined;
  readonly vpidEnabled: boolean;
  readonly caps: bigint;
  readonly maxPhysAddr: number;
}

/** EPT state of one logical processor. */
export class EptController {
  readonly cache = new EptTranslationCache();
  private context: EptContext | undefined;
  private vpidEnabled = false;
  private unit: EptUnit = { cache: this.cache, caps: 0n, maxPhysAddr: 52 };

  /**
   * @param exit performs an EPT-induced VM exit: the model's VM exit with `e.reason`,
   *   `e.qualification` (plus bit 12 when it applies), `e.guestLinear`, the RIP of the
   *   instruction as guest RIP, and `e.guestPhysical` in GUEST_PHYSICAL_ADDRESS
   */
  constructor(private readonly exit: (cpu: CpuHandle, e: EptExit) => void) {}

  /**
   * `VmxHooks.translateGuestPhysical`: the host-physical address of a guest-physical access;
   * the address itself while EPT is not in use; on a violation or misconfiguration, the VM
   * exit, then VmExitUnwind.
   */
  readonly translateGuestPhysical = (cpu: CpuHandle, gpa: number, access: GuestPhysicalAccess): number => {
    const ctx = this.context;
    if (ctx === undefined) return gpa;
    const r = translateGuestPhysical(this.unit, ctx, cpuEptMemory(cpu), gpa, access);
    if (r.ok) return r.hpa;
    this.exit(cpu, r.exit);
    throw new VmExitUnwind(r.exit.reason, r.exit.result.reason);
  };

  /** The EPT context in force (undefined outside non-root operation or with EPT off). */
  current(): EptContext | undefined {
    return this.context;
  }

  /**
   * A successful VM entry: EPT is in use from here when "enable EPT" = 1. With "enable VPID" =
   * 0 the entry invalidates VPID 0000H's linear and combined mappings (§29.4.3.1).
   */
  vmEntry(s: EptEntryState): void {
    this.vpidEnabled = s.vpidEnabled;
    this.unit = { cache: this.cache, caps: s.caps, maxPhysAddr: s.maxPhysAddr };
    this.cache.onVmTransition(s.vpidEnabled);
    this.context = s.eptEnabled ? { eptp: s.eptp, vpid: s.vpidEnabled ? s.vpid : 0, mbec: s.mbec } : undefined;
  }

  /** A VM exit: back to physical addresses; with VPID off, VPID 0000H's mappings go (§29.4.3.1). */
  vmExit(): void {
    this.cache.onVmTransition(this.vpidEnabled);
    this.context = undefined;
  }

  /** INVEPT after its checks passed (VMsucceed): type 1 with the descriptor's EPTP, or type 2. */
  invept(type: InveptType, eptp: bigint): void {
    this.cache.invept(type, eptp);
  }

  /** INVVPID after its checks passed (VMsucceed): the descriptor's VPID and linear address. */
  invvpid(type: InvvpidType, vpid: number, linear: number): void {
    this.cache.invvpid(type, vpid, linear);
  }

  /** Power-up and reset invalidate every mapping. */
  reset(): void {
    this.cache.clear();
    this.context = undefined;
    this.vpidEnabled = false;
  }

  snapshot(): EptControllerSnapshot {
    return { cache: this.cache.snapshot(), context: this.context, vpidEnabled: this.vpidEnabled, caps: this.unit.caps, maxPhysAddr: this.unit.maxPhysAddr };
  }

  restore(s: EptControllerSnapshot): void {
    this.cache.restore(s.cache);
    this.context = s.context;
    this.vpidEnabled = s.vpidEnabled;
    this.unit = { cache: this.cache, caps: s.caps, maxPhysAddr: s.maxPhysAddr };
  }
}
