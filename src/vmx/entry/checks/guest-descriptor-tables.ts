// Checks on guest descriptor-table registers, SDM Vol. 3C §27.3.1.3 "Checks on Guest
// Descriptor-Table Registers" (VM-entry failure, exit reason 33).

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { SDM_GUEST_DTRS as S } from '../sections.ts';
import { checkCanonicalField } from './support.ts';

function checkGuestDtrBaseCanonical(r: 'GDTR' | 'IDTR'): Check['run'] {
  const field = `GUEST_${r}_BASE`;
  const what = `guest ${r} base`;
  return (ctx: EntryContext): Verdict => checkCanonicalField(ctx, field, what);
}

function checkGuestDtrLimit(r: 'GDTR' | 'IDTR'): Check['run'] {
  const field = `GUEST_${r}_LIMIT`;
  return (ctx: EntryContext): Verdict => {
    const v = ctx.vmcs.read(field);
    if (v >> 16n === 0n) return PASS;
    return fail(`The guest ${r} limit (${hex(v)}) sets bits 31:16; descriptor-table limits are 16 bits.`, [fv(field, v)],
      `${field}[31:16] == 0`, { fix: { field, value: v & 0xffffn } });
  };
}

const c = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'guest.dtrs', sdm: S, title, fields, run });

/** §27.3.1.3 in the SDM's order. */
export const GUEST_DTR_CHECKS: readonly Check[] = [
  c('guest.gdtr.base.canonical', 'Guest GDTR base is canonical', ['GUEST_GDTR_BASE'], checkGuestDtrBaseCanonical('GDTR')),
  c('guest.idtr.base.canonical', 'Guest IDTR base is canonical', ['GUEST_IDTR_BASE'], checkGuestDtrBaseCanonical('IDTR')),
  c('guest.gdtr.limit', 'Guest GDTR limit bits 31:16 are 0', ['GUEST_GDTR_LIMIT'], checkGuestDtrLimit('GDTR')),
  c('guest.idtr.limit', 'Guest IDTR limit bits 31:16 are 0', ['GUEST_IDTR_LIMIT'], checkGuestDtrLimit('IDTR')),
];
