// The shape of one VM-entry check (STYLE rule 5): a small named function with a stable
// id, the SDM section it implements, the VMCS fields it reads, and the architectural
// consequence of its failure (SDM Vol. 3C §27.2 VMfailValid 7/8, §27.8 exit reason 33/34).

import type { SdmRef } from '../../arch/sdm.ts';
import type { EntryContext } from './context.ts';
import type { Verdict } from '../outcome.ts';

/**
 * Where a check belongs. The area decides what its failure does:
 * `ctrl.*` VMfailValid(7); `host.*` VMfailValid(8); `guest.*` a VM-entry failure with
 * exit reason 33; `msr-load` a VM-entry failure with exit reason 34.
 */
export type CheckArea =
  | 'ctrl.exec'
  | 'ctrl.exit'
  | 'ctrl.entry'
  | 'host.regs'
  | 'host.segs'
  | 'host.addr-space'
  | 'guest.regs'
  | 'guest.segs'
  | 'guest.dtrs'
  | 'guest.rip-rflags'
  | 'guest.non-reg'
  | 'guest.pdpte'
  | 'msr-load';

export interface Check {
  /** Stable id, emitted by `run --json` as "check": e.g. `host.cr4.fixed-bits`. */
  readonly id: string;
  readonly area: CheckArea;
  readonly sdm: SdmRef;
  /** The rule in one line, as the SDM states it. */
  readonly title: string;
  /** Linux vmx.h names of the VMCS fields the check reads. */
  readonly fields: readonly string[];
  /** Exit qualification of an exit-33 failure when it is not 0 (2 PDPTEs, 3 NMI with STI blocking, 4 link pointer). */
  readonly qualification?: 2 | 3 | 4;
  readonly run: (ctx: EntryContext) => Verdict;
}

/** What the failure of a check does architecturally. */
export type CheckFailureKind =
  | { readonly kind: 'vmfail'; readonly error: 7 | 8 }
  | { readonly kind: 'entry-failure'; readonly reason: 33 | 34 };

const CTRL: CheckFailureKind = { kind: 'vmfail', error: 7 };
const HOST: CheckFailureKind = { kind: 'vmfail', error: 8 };
const GUEST: CheckFailureKind = { kind: 'entry-failure', reason: 33 };
const MSRS: CheckFailureKind = { kind: 'entry-failure', reason: 34 };

/** The architectural consequence of a failure in `area`. */
export function failureKindOf(area: CheckArea): CheckFailureKind {
  if (area.startsWith('ctrl.')) return CTRL;
  if (area.startsWith('host.')) return HOST;
  if (area.startsWith('guest.')) return GUEST;
  return MSRS;
}

/** Declares a check; the function exists to type-check the record and freeze it. */
export function defineCheck(check: Check): Check {
  return Object.freeze({ ...check, fields: Object.freeze([...check.fields]) });
}
