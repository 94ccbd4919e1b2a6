// How the VT-x model (src/vmx) plugs into the machine. The executor calls `hooks` for every VMX
// instruction and, in VMX non-root operation, before every instruction; the machine asks for the
// mode, for snapshots, and for the reports it turns into `vmx` / `vmentry` / `vmexit` events.

import type { VmxReport } from '../vmx/reports.ts';
import type { VmxHooks } from '../x86/env.ts';

/** VMX operation of the logical processor (DESIGN section 6 `final.mode`). */
export type VmxMode = 'off' | 'root' | 'non-root';

/** What the VT-x model reports about one instruction; the machine adds step, line, rip and text. */
export type { VmxReport };

/** The VT-x model as the machine sees it. */
export interface VmxPlug {
  readonly hooks: VmxHooks;
  mode(): VmxMode;
  /** Reports produced since the last call, in order (the machine calls this after each step). */
  takeReports(): VmxReport[];
  /**
   * The same without a new array: puts the reports into `out` from index 0 and returns how many
   * (the machine reuses one array; entries past the count are stale). Optional.
   */
  takeReportsInto?(out: VmxReport[]): number;
  /** Opaque copy of the model's state, for snapshots. */
  snapshot(): unknown;
  restore(snap: unknown): void;
  /** Back to "outside VMX operation" (machine reset). */
  reset(): void;
  /** The VMX abort that shut the processor down (SDM Vol. 3C §28.7), once; null when none. */
  takeAbort?(): { readonly code: number; readonly explain: string } | null;
}
