// The processor's VMX operation state (SDM Vol. 3C §24.1 "Overview" and §25.1 "Overview" of
// the VMCS chapter): whether it is outside VMX operation, in VMX root or non-root operation, the
// VMXON pointer, the current-VMCS pointer, and the processor's cache of active VMCSes, each with
// its launch state (SDM Vol. 3C §25.1 "Overview", Figure 25-1 "States of VMCS X").

/** The current-VMCS pointer's value when there is no current VMCS (SDM Vol. 3C §25.1 "Overview"). */
export const NO_CURRENT_VMCS = 0xffff_ffff_ffff_ffffn;

/** Where the logical processor stands (SDM Vol. 3C §24.1 "Overview" of VMX operation). */
export type VmxMode = 'off' | 'root' | 'non-root';

/** Launch state of a VMCS (SDM Vol. 3C §25.1 "Overview"): VMCLEAR makes it clear, VMLAUNCH launched. */
export type LaunchState = 'clear' | 'launched';

/**
 * One active VMCS, held in the processor's cache. Field values are keyed by the full (bit 0 = 0)
 * encoding; a field never written reads as zero. The model's VMCSes hold a `VmcsValues`
 * (src/vmx/vmcs-values.ts, a Map by encoding over typed arrays); a VMCS built elsewhere with a
 * plain Map has it replaced by one holding the same entries the first time the model reads it.
 */
export interface ActiveVmcs {
  /** Physical address of the VMCS region (its VMCS pointer). */
  readonly addr: number;
  launch: LaunchState;
  /** Shadow-VMCS indicator, bit 31 of the region's first dword as VMPTRLD found it (SDM Vol. 3C §25.2 "Format of the VMCS Region"). */
  shadow: boolean;
  fields: Map<number, bigint>;
}

import { NonRootState } from './exit/boundary.ts';
import { valuesOf } from './vmcs-values.ts';

/** The whole VMX state of one logical processor. Cheap to clone for the machine's snapshots. */
export class VmxState {
  /** What non-root operation remembers between guest instructions (MTF, timer, event delivery). */
  nonRoot = new NonRootState();
  mode: VmxMode = 'off';
  /** Physical address given to the successful VMXON, or null outside VMX operation. */
  vmxonPtr: number | null = null;
  /** Physical address of the current VMCS, or null when the pointer is FFFFFFFF_FFFFFFFFH. */
  current: number | null = null;
  /** Active VMCSes by physical address (SDM Vol. 3C §25.11.1 "Software Use of Virtual-Machine Control Structures"). */
  readonly active = new Map<number, ActiveVmcs>();

  /** The current VMCS, or undefined when there is none. */
  currentVmcs(): ActiveVmcs | undefined {
    return this.current === null ? undefined : this.active.get(this.current);
  }

  /** The current-VMCS pointer as VMPTRST stores it (FFFFFFFF_FFFFFFFFH when none). */
  currentPointer(): bigint {
    return this.current === null ? NO_CURRENT_VMCS : BigInt(this.current);
  }

  /** A deep copy. */
  clone(): VmxState {
    const c = new VmxState();
    c.copyFrom(this);
    return c;
  }

  /** Overwrites this state with `o` (used to restore snapshots in place). */
  copyFrom(o: VmxState): void {
    this.mode = o.mode;
    this.vmxonPtr = o.vmxonPtr;
    this.current = o.current;
    this.nonRoot = o.nonRoot.clone();
    this.active.clear();
    for (const [addr, v] of o.active) {
      this.active.set(addr, { addr: v.addr, launch: v.launch, shadow: v.shadow, fields: valuesOf(v).clone() });
    }
  }
}
