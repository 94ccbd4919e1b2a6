// Checks on guest PDPTEs, SDM Vol. 3C §27.3.1.6 "Checks on Guest Page-Directory-Pointer-
// Table Entries" (VM-entry failure, exit reason 33, exit qualification 2). A VM entry
// to a PAE-paging guest validates the four PDPTEs as MOV to CR3 would (Vol. 3A §4.4.1
// PDPTE Registers): a present PDPTE must not set reserved bits 2:1, 8:5 or 63:MAXPHYADDR.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { CR0, CR4 } from '../local-arch.ts';
import { SDM_GUEST_PDPTES as S } from '../sections.ts';
import { bitList, ia32eGuest, proc2Has } from './support.ts';

/** Whether the guest will use PAE paging: CR0.PG, CR4.PAE and not an IA-32e mode guest. */
export function guestUsesPae(ctx: EntryContext): boolean {
  return CR0.has(ctx.vmcs.read('GUEST_CR0'), 'PG') && CR4.has(ctx.vmcs.read('GUEST_CR4'), 'PAE') && !ia32eGuest(ctx);
}

/** Reserved bits of a present PAE PDPTE on a processor with this physical-address width. */
export function pdpteReservedBits(maxPhysAddr: number): bigint {
  return 0x6n | 0x1e0n | (0xffff_ffff_ffff_ffffn & ~((1n << BigInt(maxPhysAddr)) - 1n));
}

/**
 * PDPTE `n`: from the VMCS field with "enable EPT" = 1, otherwise from the table guest
 * CR3 references. Implementation choice (docs/decisions/0005): without EPT the PDPTEs
 * are always checked, which the SDM allows ("VM entry may check their validity even if
 * neither (1) nor (2) hold").
 */
function checkGuestPdpte(n: number): Check['run'] {
  const field = `GUEST_PDPTR${n}`;
  return (ctx: EntryContext): Verdict => {
    if (!guestUsesPae(ctx)) return NOT_APPLICABLE;
    const ept = proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT');
    const cr3 = ctx.vmcs.read('GUEST_CR3');
    const addr = (cr3 & 0xffff_ffe0n) + BigInt(n * 8);
    const e = ept ? ctx.vmcs.read(field) : ctx.readPhys(addr, 8);
    if ((e & 1n) === 0n) return PASS;
    const bad = e & pdpteReservedBits(ctx.maxPhysAddr);
    if (bad === 0n) return PASS;
    const where = ept ? `the ${field} field` : `guest-physical ${hex(addr)} (from guest CR3)`;
    return fail(`PDPTE ${n} (${hex(e)}, read from ${where}) is present but sets reserved bits ${bitList(bad).join(', ')}.`,
      ept ? [fv(field, e)] : [fv('GUEST_CR3', cr3), fv(`PDPTE${n}`, e)],
      `PDPTE${n}.P == 1 => PDPTE${n}[2:1, 8:5, 63:${ctx.maxPhysAddr}] == 0`,
      ept ? { fix: { field, value: e & ~bad } } : undefined);
  };
}

/** §27.3.1.6: one check per PDPTE. */
export const PDPTE_CHECKS: readonly Check[] = [0, 1, 2, 3].map((n) =>
  defineCheck({
    id: `guest.pdpte${n}.reserved-bits`,
    area: 'guest.pdpte',
    sdm: S,
    title: `For a PAE-paging guest, PDPTE ${n} (VMCS field with EPT, else from guest CR3) is not present or sets no reserved bit`,
    fields: ['GUEST_CR0', 'GUEST_CR4', 'GUEST_CR3', 'VM_ENTRY_CONTROLS', 'SECONDARY_VM_EXEC_CONTROL', `GUEST_PDPTR${n}`],
    qualification: 2,
    run: checkGuestPdpte(n),
  }));
