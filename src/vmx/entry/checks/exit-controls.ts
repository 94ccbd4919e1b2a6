// Checks on the VM-exit control fields, SDM Vol. 3C §27.2.1.2 "VM-Exit Control Fields"
// (VMfailValid(7)), in the SDM's order.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { EXIT, MSR } from '../local-arch.ts';
import { SDM_EXIT_CONTROLS as S } from '../sections.ts';
import { allowedSettings, beyondPhysWidth, bitList, checkAllowedSettings, exitControls, exitHas, pinHas } from './support.ts';

const EXIT_F = 'VM_EXIT_CONTROLS';

function checkCtrlExitAllowed(ctx: EntryContext): Verdict {
  const a = allowedSettings(ctx, MSR.IA32_VMX_EXIT_CTLS, MSR.IA32_VMX_TRUE_EXIT_CTLS);
  return checkAllowedSettings(EXIT_F, exitControls(ctx), a, 'VM-exit controls');
}

function checkCtrlExit2Allowed(ctx: EntryContext): Verdict {
  if (!exitHas(ctx, 'VM_EXIT_ACTIVATE_SECONDARY_CONTROLS')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('SECONDARY_VM_EXIT_CONTROLS');
  const may = ctx.msr(MSR.IA32_VMX_EXIT_CTLS2);
  const extra = v & ~may;
  if (extra === 0n) return PASS;
  return fail(
    `The secondary VM-exit controls (${hex(v)}) set bits IA32_VMX_EXIT_CTLS2 does not allow: ${bitList(extra).join(', ')}.`,
    [fv('SECONDARY_VM_EXIT_CONTROLS', v), fv('IA32_VMX_EXIT_CTLS2', may)],
    '(SECONDARY_VM_EXIT_CONTROLS & ~IA32_VMX_EXIT_CTLS2) == 0',
    {
      capability: { msr: 'IA32_VMX_EXIT_CTLS2', index: MSR.IA32_VMX_EXIT_CTLS2, bits: bitList(extra) },
      fix: { field: 'SECONDARY_VM_EXIT_CONTROLS', value: v & may },
    },
  );
}

function checkCtrlExitSavePreemptionTimer(ctx: EntryContext): Verdict {
  if (pinHas(ctx, 'PIN_BASED_VMX_PREEMPTION_TIMER') || !exitHas(ctx, 'VM_EXIT_SAVE_VMX_PREEMPTION_TIMER')) return PASS;
  const v = exitControls(ctx);
  return fail(
    '"Save VMX-preemption timer value" is 1 while "activate VMX-preemption timer" is 0.',
    [fv(EXIT_F, v), fv('PIN_BASED_VM_EXEC_CONTROL', ctx.vmcs.read('PIN_BASED_VM_EXEC_CONTROL'))],
    'activate VMX-preemption timer == 0 => save VMX-preemption timer value == 0',
    { fix: { field: EXIT_F, value: v & ~EXIT.mask.VM_EXIT_SAVE_VMX_PREEMPTION_TIMER } },
  );
}

/**
 * The MSR-area rule shared by §27.2.1.2 and §27.2.1.3: with a non-zero count, address
 * bits 3:0 are 0, and neither the address nor the last byte (address + 16 * count - 1,
 * computed without truncation) sets bits beyond the physical-address width.
 */
export function checkMsrArea(ctx: EntryContext, countField: string, addrField: string, what: string): Verdict {
  const count = ctx.vmcs.read(countField);
  if (count === 0n) return NOT_APPLICABLE;
  const addr = ctx.vmcs.read(addrField);
  const last = addr + count * 16n - 1n;
  const problems: string[] = [];
  if ((addr & 0xfn) !== 0n) problems.push('bits 3:0 must be 0');
  if (beyondPhysWidth(ctx, addr) !== 0n) problems.push(`the address sets bits beyond the ${ctx.maxPhysAddr}-bit physical-address width`);
  else if (last >> 64n !== 0n || beyondPhysWidth(ctx, last) !== 0n) {
    problems.push(`its last byte (${hex(last)}) lies beyond the ${ctx.maxPhysAddr}-bit physical-address width`);
  }
  if (problems.length === 0) return PASS;
  return fail(
    `The ${what} address (${hex(addr)}, ${count} entries) is invalid: ${problems.join('; ')}.`,
    [fv(countField, count), fv(addrField, addr)],
    `${addrField}[3:0] == 0 && ${addrField} + 16 * ${countField} - 1 < 2^${ctx.maxPhysAddr}`,
    { fix: msrAreaFix(ctx, countField, addrField, count, addr) },
  );
}

/** The nearest address that holds the whole area below the physical-address limit (or count 0). */
function msrAreaFix(ctx: EntryContext, countField: string, addrField: string, count: bigint, addr: bigint): { field: string; value: bigint } {
  const top = (beyondPhysWidth(ctx, 0xffff_ffff_ffff_ffffn) ^ 0xffff_ffff_ffff_ffffn) + 1n;
  const size = count * 16n;
  if (size > top) return { field: countField, value: 0n };
  let a = addr & ~0xfn & (top - 1n);
  if (a + size > top) a = top - size;
  return { field: addrField, value: a };
}

function checkCtrlExitMsrStore(ctx: EntryContext): Verdict {
  return checkMsrArea(ctx, 'VM_EXIT_MSR_STORE_COUNT', 'VM_EXIT_MSR_STORE_ADDR', 'VM-exit MSR-store');
}

function checkCtrlExitMsrLoad(ctx: EntryContext): Verdict {
  return checkMsrArea(ctx, 'VM_EXIT_MSR_LOAD_COUNT', 'VM_EXIT_MSR_LOAD_ADDR', 'VM-exit MSR-load');
}

const c = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'ctrl.exit', sdm: S, title, fields, run });

/** §27.2.1.2 in the SDM's order. */
export const EXIT_CONTROL_CHECKS: readonly Check[] = [
  c('ctrl.exit.allowed-settings', 'Reserved bits in the VM-exit controls must be set properly (IA32_VMX_[TRUE_]EXIT_CTLS)', [EXIT_F], checkCtrlExitAllowed),
  c('ctrl.exit2.allowed-settings', 'If "activate secondary controls" (exit) is 1, reserved bits in the secondary VM-exit controls must be 0 (IA32_VMX_EXIT_CTLS2)', [EXIT_F, 'SECONDARY_VM_EXIT_CONTROLS'], checkCtrlExit2Allowed),
  c('ctrl.exit.save-preemption-timer', 'If "activate VMX-preemption timer" is 0, "save VMX-preemption timer value" must be 0', ['PIN_BASED_VM_EXEC_CONTROL', EXIT_F], checkCtrlExitSavePreemptionTimer),
  c('ctrl.exit.msr-store.address', 'If the VM-exit MSR-store count is not 0, its address bits 3:0 are 0 and the whole area is within the physical-address width', ['VM_EXIT_MSR_STORE_COUNT', 'VM_EXIT_MSR_STORE_ADDR'], checkCtrlExitMsrStore),
  c('ctrl.exit.msr-load.address', 'If the VM-exit MSR-load count is not 0, its address bits 3:0 are 0 and the whole area is within the physical-address width', ['VM_EXIT_MSR_LOAD_COUNT', 'VM_EXIT_MSR_LOAD_ADDR'], checkCtrlExitMsrLoad),
];
