// Checks related to address-space size, SDM Vol. 3C §27.2.4 "Checks Related to
// Address-Space Size".
// Implementation choice (docs/decisions/0003): their failure is VMfailValid(8), as Bochs
// (VMenterLoadCheckHostState) and KVM (nested_vmx_check_host_state) report it; the SDM
// does not say whether hardware reports 7 or 8.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { CR4, EFER, ENTRY, EXIT } from '../local-arch.ts';
import { SDM_ADDR_SPACE as S } from '../sections.ts';
import { canonicalize, entryControls, exitControls, exitHas, ia32eGuest, isCanonical } from './support.ts';

const EXIT_F = 'VM_EXIT_CONTROLS';
const ENTRY_F = 'VM_ENTRY_CONTROLS';

function hostIa32e(ctx: EntryContext): boolean {
  return EFER.has(ctx.cpu.efer, 'LMA');
}

function checkHostAddrSpaceIa32eGuestOutsideIa32e(ctx: EntryContext): Verdict {
  if (hostIa32e(ctx)) return NOT_APPLICABLE;
  if (!ia32eGuest(ctx)) return PASS;
  const v = entryControls(ctx);
  return fail('The processor is outside IA-32e mode, so the "IA-32e mode guest" VM-entry control must be 0.',
    [fv(ENTRY_F, v), fv('IA32_EFER', ctx.cpu.efer)], 'IA32_EFER.LMA == 0 => IA-32e mode guest == 0',
    { fix: { field: ENTRY_F, value: v & ~ENTRY.mask.VM_ENTRY_IA32E_MODE } });
}

function checkHostAddrSpaceHostOutsideIa32e(ctx: EntryContext): Verdict {
  if (hostIa32e(ctx)) return NOT_APPLICABLE;
  if (!exitHas(ctx, 'VM_EXIT_HOST_ADDR_SPACE_SIZE')) return PASS;
  const v = exitControls(ctx);
  return fail('The processor is outside IA-32e mode, so the "host address-space size" VM-exit control must be 0.',
    [fv(EXIT_F, v), fv('IA32_EFER', ctx.cpu.efer)], 'IA32_EFER.LMA == 0 => host address-space size == 0',
    { fix: { field: EXIT_F, value: v & ~EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE } });
}

function checkHostAddrSpaceInIa32e(ctx: EntryContext): Verdict {
  if (!hostIa32e(ctx)) return NOT_APPLICABLE;
  if (exitHas(ctx, 'VM_EXIT_HOST_ADDR_SPACE_SIZE')) return PASS;
  const v = exitControls(ctx);
  return fail('The processor is in IA-32e mode, so the "host address-space size" VM-exit control must be 1 (the host returns to 64-bit mode).',
    [fv(EXIT_F, v), fv('IA32_EFER', ctx.cpu.efer)], 'IA32_EFER.LMA == 1 => host address-space size == 1',
    { fix: { field: EXIT_F, value: v | EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE } });
}

function checkHostAddrSpaceLegacyGuest(ctx: EntryContext): Verdict {
  if (exitHas(ctx, 'VM_EXIT_HOST_ADDR_SPACE_SIZE')) return NOT_APPLICABLE;
  if (!ia32eGuest(ctx)) return PASS;
  const v = entryControls(ctx);
  return fail('"Host address-space size" is 0, so the "IA-32e mode guest" VM-entry control must be 0.',
    [fv(ENTRY_F, v), fv(EXIT_F, exitControls(ctx))], 'host address-space size == 0 => IA-32e mode guest == 0',
    { fix: { field: ENTRY_F, value: v & ~ENTRY.mask.VM_ENTRY_IA32E_MODE } });
}

function checkHostAddrSpaceLegacyPcide(ctx: EntryContext): Verdict {
  if (exitHas(ctx, 'VM_EXIT_HOST_ADDR_SPACE_SIZE')) return NOT_APPLICABLE;
  const cr4 = ctx.vmcs.read('HOST_CR4');
  if (!CR4.has(cr4, 'PCIDE')) return PASS;
  return fail('"Host address-space size" is 0, so host CR4.PCIDE (bit 17) must be 0.', [fv('HOST_CR4', cr4)],
    'host address-space size == 0 => HOST_CR4.PCIDE == 0', { fix: { field: 'HOST_CR4', value: CR4.set(cr4, 'PCIDE', false) } });
}

function checkHostAddrSpaceLegacyRip(ctx: EntryContext): Verdict {
  if (exitHas(ctx, 'VM_EXIT_HOST_ADDR_SPACE_SIZE')) return NOT_APPLICABLE;
  const rip = ctx.vmcs.read('HOST_RIP');
  if (rip >> 32n === 0n) return PASS;
  return fail(`"Host address-space size" is 0, so host RIP (${hex(rip)}) must fit in 32 bits.`, [fv('HOST_RIP', rip)],
    'host address-space size == 0 => HOST_RIP[63:32] == 0', { fix: { field: 'HOST_RIP', value: rip & 0xffff_ffffn } });
}

function checkHostAddrSpace64Pae(ctx: EntryContext): Verdict {
  if (!exitHas(ctx, 'VM_EXIT_HOST_ADDR_SPACE_SIZE')) return NOT_APPLICABLE;
  const cr4 = ctx.vmcs.read('HOST_CR4');
  if (CR4.has(cr4, 'PAE')) return PASS;
  return fail('"Host address-space size" is 1, so host CR4.PAE (bit 5) must be 1 (64-bit paging needs PAE).', [fv('HOST_CR4', cr4)],
    'host address-space size == 1 => HOST_CR4.PAE == 1', { fix: { field: 'HOST_CR4', value: CR4.set(cr4, 'PAE', true) } });
}

function checkHostAddrSpace64Rip(ctx: EntryContext): Verdict {
  if (!exitHas(ctx, 'VM_EXIT_HOST_ADDR_SPACE_SIZE')) return NOT_APPLICABLE;
  const rip = ctx.vmcs.read('HOST_RIP');
  if (isCanonical(rip, ctx.linearAddressBits)) return PASS;
  return fail(`"Host address-space size" is 1, so host RIP (${hex(rip)}) must be canonical.`, [fv('HOST_RIP', rip)],
    'host address-space size == 1 => HOST_RIP canonical', { fix: { field: 'HOST_RIP', value: canonicalize(rip, ctx.linearAddressBits) } });
}

const c = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'host.addr-space', sdm: S, title, fields, run });

/** §27.2.4 in the SDM's order. */
export const ADDRESS_SPACE_CHECKS: readonly Check[] = [
  c('host.addr-space.ia32e-guest-outside-ia32e', 'Outside IA-32e mode (IA32_EFER.LMA = 0), "IA-32e mode guest" is 0', [ENTRY_F], checkHostAddrSpaceIa32eGuestOutsideIa32e),
  c('host.addr-space.host-outside-ia32e', 'Outside IA-32e mode (IA32_EFER.LMA = 0), "host address-space size" is 0', [EXIT_F], checkHostAddrSpaceHostOutsideIa32e),
  c('host.addr-space.host-in-ia32e', 'In IA-32e mode (IA32_EFER.LMA = 1), "host address-space size" is 1', [EXIT_F], checkHostAddrSpaceInIa32e),
  c('host.addr-space.legacy-host.ia32e-guest', 'If "host address-space size" is 0, "IA-32e mode guest" is 0', [EXIT_F, ENTRY_F], checkHostAddrSpaceLegacyGuest),
  c('host.addr-space.legacy-host.cr4-pcide', 'If "host address-space size" is 0, host CR4.PCIDE is 0', [EXIT_F, 'HOST_CR4'], checkHostAddrSpaceLegacyPcide),
  c('host.addr-space.legacy-host.rip', 'If "host address-space size" is 0, host RIP bits 63:32 are 0', [EXIT_F, 'HOST_RIP'], checkHostAddrSpaceLegacyRip),
  c('host.addr-space.64bit-host.cr4-pae', 'If "host address-space size" is 1, host CR4.PAE is 1', [EXIT_F, 'HOST_CR4'], checkHostAddrSpace64Pae),
  c('host.addr-space.64bit-host.rip', 'If "host address-space size" is 1, host RIP is canonical', [EXIT_F, 'HOST_RIP'], checkHostAddrSpace64Rip),
];
