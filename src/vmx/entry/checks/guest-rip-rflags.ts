// Checks on guest RIP and RFLAGS, SDM Vol. 3C §27.3.1.4 "Checks on Guest RIP, RFLAGS, and
// SSP" (VM-entry failure, exit reason 33), in the SDM's order.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { AR, CR0, INTR_INFO, INTR_TYPE, RFLAGS } from '../local-arch.ts';
import { SDM_GUEST_RIP_RFLAGS as S } from '../sections.ts';
import { bitList, canonicalize, ia32eGuest, isCanonical } from './support.ts';

/** The guest will run 64-bit code: "IA-32e mode guest" and CS.L both 1. */
function longModeCode(ctx: EntryContext): boolean {
  return ia32eGuest(ctx) && AR.has(ctx.vmcs.read('GUEST_CS_AR_BYTES'), 'L');
}

function checkGuestRipUpper(ctx: EntryContext): Verdict {
  if (longModeCode(ctx)) return NOT_APPLICABLE;
  const rip = ctx.vmcs.read('GUEST_RIP');
  if (rip >> 32n === 0n) return PASS;
  return fail(`Guest RIP (${hex(rip)}) sets bits 63:32 but the guest will not run 64-bit code ("IA-32e mode guest" or CS.L is 0).`,
    [fv('GUEST_RIP', rip)], '!(IA-32e mode guest && CS.L) => GUEST_RIP[63:32] == 0', { fix: { field: 'GUEST_RIP', value: rip & 0xffff_ffffn } });
}

function checkGuestRipCanonical(ctx: EntryContext): Verdict {
  if (!longModeCode(ctx) || ctx.linearAddressBits >= 64) return NOT_APPLICABLE;
  const rip = ctx.vmcs.read('GUEST_RIP');
  if (isCanonical(rip, ctx.linearAddressBits)) return PASS;
  return fail(`Guest RIP (${hex(rip)}) is not canonical for ${ctx.linearAddressBits}-bit linear addresses.`, [fv('GUEST_RIP', rip)],
    `IA-32e mode guest && CS.L => GUEST_RIP[63:${ctx.linearAddressBits - 1}] all equal`, { fix: { field: 'GUEST_RIP', value: canonicalize(rip, ctx.linearAddressBits) } });
}

function checkGuestRflagsReserved(ctx: EntryContext): Verdict {
  const v = ctx.vmcs.read('GUEST_RFLAGS');
  const bad = v & RFLAGS.reservedMask;
  const one = RFLAGS.has(v, 'FIXED');
  if (bad === 0n && one) return PASS;
  const parts: string[] = [];
  if (bad !== 0n) parts.push(`reserved bits ${bitList(bad).join(', ')} are set`);
  if (!one) parts.push('bit 1 (always 1) is 0');
  return fail(`Guest RFLAGS (${hex(v)}): ${parts.join(' and ')}.`, [fv('GUEST_RFLAGS', v)],
    'GUEST_RFLAGS[63:22, 15, 5, 3] == 0 && GUEST_RFLAGS[1] == 1', { fix: { field: 'GUEST_RFLAGS', value: (v & ~bad) | RFLAGS.mask.FIXED } });
}

function checkGuestRflagsVm(ctx: EntryContext): Verdict {
  const v = ctx.vmcs.read('GUEST_RFLAGS');
  if (!RFLAGS.has(v, 'VM')) return PASS;
  const cr0 = ctx.vmcs.read('GUEST_CR0');
  const ia32e = ia32eGuest(ctx);
  if (!ia32e && CR0.has(cr0, 'PE')) return PASS;
  return fail(`Guest RFLAGS.VM is 1 but ${ia32e ? 'the guest is in IA-32e mode' : 'guest CR0.PE is 0'}; virtual-8086 mode needs legacy protected mode.`,
    [fv('GUEST_RFLAGS', v), fv('GUEST_CR0', cr0)], 'IA-32e mode guest || GUEST_CR0.PE == 0 => GUEST_RFLAGS.VM == 0',
    { fix: { field: 'GUEST_RFLAGS', value: RFLAGS.set(v, 'VM', false) } });
}

function checkGuestRflagsIfForExtIntr(ctx: EntryContext): Verdict {
  const info = ctx.vmcs.read('VM_ENTRY_INTR_INFO_FIELD');
  if (!INTR_INFO.has(info, 'VALID') || INTR_INFO.get(info, 'TYPE') !== INTR_TYPE.EXT_INTR) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('GUEST_RFLAGS');
  if (RFLAGS.has(v, 'IF')) return PASS;
  return fail('An external interrupt is injected but guest RFLAGS.IF is 0: the guest would not accept it.',
    [fv('GUEST_RFLAGS', v), fv('VM_ENTRY_INTR_INFO_FIELD', info)], 'injecting an external interrupt => GUEST_RFLAGS.IF == 1',
    { fix: { field: 'GUEST_RFLAGS', value: RFLAGS.set(v, 'IF', true) } });
}

const c = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'guest.rip-rflags', sdm: S, title, fields, run });

/** §27.3.1.4 in the SDM's order. */
export const GUEST_RIP_RFLAGS_CHECKS: readonly Check[] = [
  c('guest.rip.upper-bits', 'Guest RIP bits 63:32 are 0 unless "IA-32e mode guest" and CS.L are both 1', ['GUEST_RIP', 'VM_ENTRY_CONTROLS', 'GUEST_CS_AR_BYTES'], checkGuestRipUpper),
  c('guest.rip.canonical', 'With "IA-32e mode guest" and CS.L both 1, guest RIP is canonical', ['GUEST_RIP', 'VM_ENTRY_CONTROLS', 'GUEST_CS_AR_BYTES'], checkGuestRipCanonical),
  c('guest.rflags.reserved-bits', 'Guest RFLAGS bits 63:22, 15, 5 and 3 are 0 and bit 1 is 1', ['GUEST_RFLAGS'], checkGuestRflagsReserved),
  c('guest.rflags.vm', 'Guest RFLAGS.VM is 0 if "IA-32e mode guest" is 1 or guest CR0.PE is 0', ['GUEST_RFLAGS', 'GUEST_CR0', 'VM_ENTRY_CONTROLS'], checkGuestRflagsVm),
  c('guest.rflags.if-for-ext-intr', 'Guest RFLAGS.IF is 1 when an external interrupt is injected', ['GUEST_RFLAGS', 'VM_ENTRY_INTR_INFO_FIELD'], checkGuestRflagsIfForExtIntr),
];
