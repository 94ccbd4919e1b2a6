// Checks on guest control registers, debug registers and MSRs, SDM Vol. 3C §27.3.1.1
// "Checks on Guest Control Registers, Debug Registers, and MSRs" (VM-entry failure,
// exit reason 33), in the SDM's order.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { CR0, CR4, EFER, MSR } from '../local-arch.ts';
import { SDM_GUEST_REGS as S } from '../sections.ts';
import {
  bitList, canonicalize, checkCanonicalField, checkCr3Field, checkMsrReservedField, checkPatField, entryControls,
  entryHas, ia32eGuest, isCanonical, unrestrictedGuest,
} from './support.ts';
import { checkFixedBits } from './host-state.ts';

/** IA32_BNDCFGS bits 11:2, reserved (SDM Vol. 1 §17.3.3 Intel MPX configuration). */
const BNDCFGS_RESERVED = 0xffcn;

function checkGuestCr0FixedBits(ctx: EntryContext): Verdict {
  let exempt = CR0.mask.NW | CR0.mask.CD;
  if (unrestrictedGuest(ctx)) exempt |= CR0.mask.PE | CR0.mask.PG;
  return checkFixedBits(ctx, 'GUEST_CR0', MSR.IA32_VMX_CR0_FIXED0, MSR.IA32_VMX_CR0_FIXED1, exempt, 'guest CR0');
}

function checkGuestCr0PgNeedsPe(ctx: EntryContext): Verdict {
  const cr0 = ctx.vmcs.read('GUEST_CR0');
  if (!CR0.has(cr0, 'PG') || CR0.has(cr0, 'PE')) return PASS;
  return fail('Guest CR0.PG is 1 while CR0.PE is 0: paging needs protected mode.', [fv('GUEST_CR0', cr0)],
    'GUEST_CR0.PG == 1 => GUEST_CR0.PE == 1', { fix: { field: 'GUEST_CR0', value: CR0.set(cr0, 'PE', true) } });
}

function checkGuestCr4FixedBits(ctx: EntryContext): Verdict {
  return checkFixedBits(ctx, 'GUEST_CR4', MSR.IA32_VMX_CR4_FIXED0, MSR.IA32_VMX_CR4_FIXED1, 0n, 'guest CR4');
}

function checkGuestDebugctl(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_DEBUG_CONTROLS')) return NOT_APPLICABLE;
  return checkMsrReservedField(ctx, 'GUEST_IA32_DEBUGCTL', MSR.IA32_DEBUGCTL, 'guest IA32_DEBUGCTL');
}

function checkGuestIa32eCr0Pg(ctx: EntryContext): Verdict {
  if (!ia32eGuest(ctx)) return NOT_APPLICABLE;
  const cr0 = ctx.vmcs.read('GUEST_CR0');
  if (CR0.has(cr0, 'PG')) return PASS;
  return fail('"IA-32e mode guest" is 1 but guest CR0.PG is 0: IA-32e mode needs paging.', [fv('GUEST_CR0', cr0), fv('VM_ENTRY_CONTROLS', entryControls(ctx))],
    'IA-32e mode guest == 1 => GUEST_CR0.PG == 1', { fix: { field: 'GUEST_CR0', value: CR0.set(cr0, 'PG', true) } });
}

function checkGuestIa32eCr4Pae(ctx: EntryContext): Verdict {
  if (!ia32eGuest(ctx)) return NOT_APPLICABLE;
  const cr4 = ctx.vmcs.read('GUEST_CR4');
  if (CR4.has(cr4, 'PAE')) return PASS;
  return fail('"IA-32e mode guest" is 1 but guest CR4.PAE is 0: IA-32e mode needs PAE.', [fv('GUEST_CR4', cr4), fv('VM_ENTRY_CONTROLS', entryControls(ctx))],
    'IA-32e mode guest == 1 => GUEST_CR4.PAE == 1', { fix: { field: 'GUEST_CR4', value: CR4.set(cr4, 'PAE', true) } });
}

function checkGuestCr4PcideOutsideIa32e(ctx: EntryContext): Verdict {
  if (ia32eGuest(ctx)) return NOT_APPLICABLE;
  const cr4 = ctx.vmcs.read('GUEST_CR4');
  if (!CR4.has(cr4, 'PCIDE')) return PASS;
  return fail('"IA-32e mode guest" is 0 but guest CR4.PCIDE is 1: PCIDs exist only in IA-32e mode.', [fv('GUEST_CR4', cr4), fv('VM_ENTRY_CONTROLS', entryControls(ctx))],
    'IA-32e mode guest == 0 => GUEST_CR4.PCIDE == 0', { fix: { field: 'GUEST_CR4', value: CR4.set(cr4, 'PCIDE', false) } });
}

function checkGuestCr3(ctx: EntryContext): Verdict {
  return checkCr3Field(ctx, 'GUEST_CR3', 'guest CR3');
}

function checkGuestDr7(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_DEBUG_CONTROLS')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('GUEST_DR7');
  if (v >> 32n === 0n) return PASS;
  return fail(`Guest DR7 (${hex(v)}) sets bits 63:32.`, [fv('GUEST_DR7', v)], 'GUEST_DR7[63:32] == 0',
    { fix: { field: 'GUEST_DR7', value: v & 0xffff_ffffn } });
}

function checkGuestSysenterEsp(ctx: EntryContext): Verdict {
  return checkCanonicalField(ctx, 'GUEST_SYSENTER_ESP', 'guest IA32_SYSENTER_ESP');
}

function checkGuestSysenterEip(ctx: EntryContext): Verdict {
  return checkCanonicalField(ctx, 'GUEST_SYSENTER_EIP', 'guest IA32_SYSENTER_EIP');
}

function checkGuestPerfGlobalCtrl(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL')) return NOT_APPLICABLE;
  return checkMsrReservedField(ctx, 'GUEST_IA32_PERF_GLOBAL_CTRL', MSR.IA32_PERF_GLOBAL_CTRL, 'guest IA32_PERF_GLOBAL_CTRL');
}

function checkGuestPat(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_IA32_PAT')) return NOT_APPLICABLE;
  return checkPatField(ctx, 'GUEST_IA32_PAT', 'guest IA32_PAT');
}

function checkGuestEferReserved(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_IA32_EFER')) return NOT_APPLICABLE;
  return checkMsrReservedField(ctx, 'GUEST_IA32_EFER', MSR.IA32_EFER, 'guest IA32_EFER');
}

function checkGuestEferLma(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_IA32_EFER')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('GUEST_IA32_EFER');
  const want = ia32eGuest(ctx);
  if (EFER.has(v, 'LMA') === want) return PASS;
  return fail(`Guest IA32_EFER.LMA (${want ? 0 : 1}) differs from "IA-32e mode guest" (${want ? 1 : 0}).`,
    [fv('GUEST_IA32_EFER', v), fv('VM_ENTRY_CONTROLS', entryControls(ctx))], 'GUEST_IA32_EFER.LMA == IA-32e mode guest',
    { fix: { field: 'GUEST_IA32_EFER', value: EFER.set(v, 'LMA', want) } });
}

function checkGuestEferLme(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_IA32_EFER')) return NOT_APPLICABLE;
  const cr0 = ctx.vmcs.read('GUEST_CR0');
  if (!CR0.has(cr0, 'PG')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('GUEST_IA32_EFER');
  if (EFER.has(v, 'LME') === EFER.has(v, 'LMA')) return PASS;
  return fail('Guest CR0.PG is 1, so guest IA32_EFER.LME must equal IA32_EFER.LMA.', [fv('GUEST_IA32_EFER', v), fv('GUEST_CR0', cr0)],
    'GUEST_CR0.PG == 1 => GUEST_IA32_EFER.LME == GUEST_IA32_EFER.LMA', { fix: { field: 'GUEST_IA32_EFER', value: EFER.set(v, 'LME', EFER.has(v, 'LMA')) } });
}

function checkGuestBndcfgsReserved(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_BNDCFGS')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('GUEST_BNDCFGS');
  const bad = v & BNDCFGS_RESERVED;
  if (bad === 0n) return PASS;
  return fail(`Guest IA32_BNDCFGS (${hex(v)}) sets reserved bits ${bitList(bad).join(', ')}.`, [fv('GUEST_BNDCFGS', v)],
    'GUEST_BNDCFGS[11:2] == 0', { fix: { field: 'GUEST_BNDCFGS', value: v & ~bad } });
}

function checkGuestBndcfgsCanonical(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_BNDCFGS')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('GUEST_BNDCFGS');
  if (isCanonical(v & ~0xfffn, ctx.linearAddressBits)) return PASS;
  const fixed = (canonicalize(v & ~0xfffn, ctx.linearAddressBits)) | (v & 0xfffn);
  return fail(`The linear address in guest IA32_BNDCFGS bits 63:12 (${hex(v & ~0xfffn)}) is not canonical.`, [fv('GUEST_BNDCFGS', v)],
    'GUEST_BNDCFGS[63:12] canonical', { fix: { field: 'GUEST_BNDCFGS', value: fixed } });
}

const c = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'guest.regs', sdm: S, title, fields, run });

const SEC = 'SECONDARY_VM_EXEC_CONTROL';

/** §27.3.1.1 in the SDM's order. */
export const GUEST_REG_CHECKS: readonly Check[] = [
  c('guest.cr0.fixed-bits', 'Guest CR0 sets no bit to a value unsupported in VMX operation (NW, CD never checked; PE, PG not with unrestricted guest)', ['GUEST_CR0', SEC], checkGuestCr0FixedBits),
  c('guest.cr0.pg-needs-pe', 'If guest CR0.PG is 1, CR0.PE is 1', ['GUEST_CR0'], checkGuestCr0PgNeedsPe),
  c('guest.cr4.fixed-bits', 'Guest CR4 sets no bit to a value unsupported in VMX operation (CR4_FIXED0/FIXED1)', ['GUEST_CR4'], checkGuestCr4FixedBits),
  c('guest.debugctl.reserved-bits', 'If "load debug controls" is 1, reserved bits of IA32_DEBUGCTL are 0 in the guest field', ['VM_ENTRY_CONTROLS', 'GUEST_IA32_DEBUGCTL'], checkGuestDebugctl),
  c('guest.cr0.pg-for-ia32e', 'If "IA-32e mode guest" is 1, guest CR0.PG is 1', ['VM_ENTRY_CONTROLS', 'GUEST_CR0'], checkGuestIa32eCr0Pg),
  c('guest.cr4.pae-for-ia32e', 'If "IA-32e mode guest" is 1, guest CR4.PAE is 1', ['VM_ENTRY_CONTROLS', 'GUEST_CR4'], checkGuestIa32eCr4Pae),
  c('guest.cr4.pcide-outside-ia32e', 'If "IA-32e mode guest" is 0, guest CR4.PCIDE is 0', ['VM_ENTRY_CONTROLS', 'GUEST_CR4'], checkGuestCr4PcideOutsideIa32e),
  c('guest.cr3.reserved-bits', 'Guest CR3 bits 63:52 and bits 51:32 beyond the physical-address width are 0', ['GUEST_CR3'], checkGuestCr3),
  c('guest.dr7.upper-bits', 'If "load debug controls" is 1, guest DR7 bits 63:32 are 0', ['VM_ENTRY_CONTROLS', 'GUEST_DR7'], checkGuestDr7),
  c('guest.sysenter-esp.canonical', 'Guest IA32_SYSENTER_ESP is canonical', ['GUEST_SYSENTER_ESP'], checkGuestSysenterEsp),
  c('guest.sysenter-eip.canonical', 'Guest IA32_SYSENTER_EIP is canonical', ['GUEST_SYSENTER_EIP'], checkGuestSysenterEip),
  c('guest.perf-global-ctrl.reserved-bits', 'If "load IA32_PERF_GLOBAL_CTRL" (entry) is 1, reserved bits of that MSR are 0 in the guest field', ['VM_ENTRY_CONTROLS', 'GUEST_IA32_PERF_GLOBAL_CTRL'], checkGuestPerfGlobalCtrl),
  c('guest.pat.memory-types', 'If "load IA32_PAT" (entry) is 1, each byte of the guest PAT is 0, 1, 4, 5, 6 or 7', ['VM_ENTRY_CONTROLS', 'GUEST_IA32_PAT'], checkGuestPat),
  c('guest.efer.reserved-bits', 'If "load IA32_EFER" (entry) is 1, reserved bits of IA32_EFER are 0 in the guest field', ['VM_ENTRY_CONTROLS', 'GUEST_IA32_EFER'], checkGuestEferReserved),
  c('guest.efer.lma', 'If "load IA32_EFER" (entry) is 1, guest EFER.LMA equals "IA-32e mode guest"', ['VM_ENTRY_CONTROLS', 'GUEST_IA32_EFER'], checkGuestEferLma),
  c('guest.efer.lme', 'If "load IA32_EFER" (entry) is 1 and guest CR0.PG is 1, guest EFER.LME equals EFER.LMA', ['VM_ENTRY_CONTROLS', 'GUEST_IA32_EFER', 'GUEST_CR0'], checkGuestEferLme),
  c('guest.bndcfgs.reserved-bits', 'If "load IA32_BNDCFGS" is 1, guest IA32_BNDCFGS bits 11:2 are 0', ['VM_ENTRY_CONTROLS', 'GUEST_BNDCFGS'], checkGuestBndcfgsReserved),
  c('guest.bndcfgs.canonical', 'If "load IA32_BNDCFGS" is 1, the linear address in guest IA32_BNDCFGS bits 63:12 is canonical', ['VM_ENTRY_CONTROLS', 'GUEST_BNDCFGS'], checkGuestBndcfgsCanonical),
];
