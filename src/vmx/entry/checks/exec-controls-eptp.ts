// The EPTP rules of SDM Vol. 3C §27.2.1.1 "VM-Execution Control Fields" (VMfailValid(7)):
// with "enable EPT", the EPT pointer's memory type, page-walk length, accessed/dirty
// enable and reserved bits must match IA32_VMX_EPT_VPID_CAP (Vol. 3D App. A.10).

import type { EntryContext } from '../context.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { EPTP, EPT_VPID_CAP, MSR, PROC2 } from '../local-arch.ts';
import { beyondPhysWidth, bitList, proc2Controls, proc2Has } from './support.ts';

const PROC2_F = 'SECONDARY_VM_EXEC_CONTROL';

function eptCap(ctx: EntryContext): bigint {
  return ctx.msr(MSR.IA32_VMX_EPT_VPID_CAP);
}

/** The fix when the processor supports no valid EPTP at all: turn "enable EPT" off. */
function withoutEpt(ctx: EntryContext): { field: string; value: bigint } {
  return { field: PROC2_F, value: proc2Controls(ctx) & ~PROC2.mask.SECONDARY_EXEC_ENABLE_EPT! };
}

const EPT_CAP = (bits: number[]) => ({ msr: 'IA32_VMX_EPT_VPID_CAP', index: MSR.IA32_VMX_EPT_VPID_CAP, bits });

export function checkCtrlEptpMemoryType(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT')) return NOT_APPLICABLE;
  const eptp = ctx.vmcs.read('EPT_POINTER');
  const type = EPTP.get(eptp, 'MEMORY_TYPE');
  const cap = eptCap(ctx);
  if (type === 0n && EPT_VPID_CAP.has(cap, 'EPTP_UC')) return PASS;
  if (type === 6n && EPT_VPID_CAP.has(cap, 'EPTP_WB')) return PASS;
  const fixType = EPT_VPID_CAP.has(cap, 'EPTP_WB') ? 6n : 0n;
  const supported = EPT_VPID_CAP.has(cap, 'EPTP_WB') || EPT_VPID_CAP.has(cap, 'EPTP_UC');
  return fail(
    `The EPT memory type in EPTP bits 2:0 (${type}) is not one the processor supports (UC = 0 if cap bit 8, WB = 6 if cap bit 14).`,
    [fv('EPT_POINTER', eptp)],
    'EPTP[2:0] in {0 (if EPT_VPID_CAP[8]), 6 (if EPT_VPID_CAP[14])}',
    { capability: EPT_CAP([8, 14]), fix: supported ? { field: 'EPT_POINTER', value: EPTP.set(eptp, 'MEMORY_TYPE', fixType) } : withoutEpt(ctx) },
  );
}

export function checkCtrlEptpWalkLength(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT')) return NOT_APPLICABLE;
  const eptp = ctx.vmcs.read('EPT_POINTER');
  const len = EPTP.get(eptp, 'PAGE_WALK_LENGTH') + 1n;
  const cap = eptCap(ctx);
  if (len === 4n && EPT_VPID_CAP.has(cap, 'PAGE_WALK_4')) return PASS;
  if (len === 5n && EPT_VPID_CAP.has(cap, 'PAGE_WALK_5')) return PASS;
  return fail(
    `EPTP bits 5:3 give a page-walk length of ${len}; the processor supports 4${EPT_VPID_CAP.has(cap, 'PAGE_WALK_5') ? ' and 5' : ''}.`,
    [fv('EPT_POINTER', eptp)],
    'EPTP[5:3] == 3 (4 levels), or 4 (5 levels) if EPT_VPID_CAP[7]',
    {
      capability: EPT_CAP([6, 7]),
      fix: EPT_VPID_CAP.has(cap, 'PAGE_WALK_4') ? { field: 'EPT_POINTER', value: EPTP.set(eptp, 'PAGE_WALK_LENGTH', 3n) } : withoutEpt(ctx),
    },
  );
}

export function checkCtrlEptpAccessedDirty(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT')) return NOT_APPLICABLE;
  const eptp = ctx.vmcs.read('EPT_POINTER');
  if (!EPTP.has(eptp, 'AD_ENABLE') || EPT_VPID_CAP.has(eptCap(ctx), 'AD')) return PASS;
  return fail(
    'EPTP bit 6 enables EPT accessed and dirty flags, which this processor does not support.',
    [fv('EPT_POINTER', eptp)],
    'EPTP[6] == 0 unless EPT_VPID_CAP[21]',
    { capability: EPT_CAP([21]), fix: { field: 'EPT_POINTER', value: EPTP.set(eptp, 'AD_ENABLE', false) } },
  );
}

export function checkCtrlEptpReserved(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT')) return NOT_APPLICABLE;
  const eptp = ctx.vmcs.read('EPT_POINTER');
  const bad = (eptp & 0xf80n) | beyondPhysWidth(ctx, eptp);
  if (bad === 0n) return PASS;
  return fail(
    `The EPT pointer (${hex(eptp)}) sets reserved bits ${bitList(bad).join(', ')} (bits 11:7 and bits beyond the ${ctx.maxPhysAddr}-bit physical-address width).`,
    [fv('EPT_POINTER', eptp)],
    `EPTP[11:7] == 0 && EPTP[63:${ctx.maxPhysAddr}] == 0`,
    { fix: { field: 'EPT_POINTER', value: eptp & ~bad } },
  );
}
