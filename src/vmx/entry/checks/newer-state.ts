// Checks the current SDM adds to §27.2.2 "Checks on Host Control Registers, MSRs, and
// SSP", §27.3.1.1 "Checks on Guest Control Registers, Debug Registers, and MSRs" and
// §27.3.1.4 "Checks on Guest RIP, RFLAGS, and SSP" for
// features newer than the 2016 edition: CET (CR4.CET needs CR0.WP; IA32_S_CET, SSP and
// the interrupt-SSP-table address), PKS (IA32_PKRS), user interrupts (UINV), Intel PT
// (IA32_RTIT_CTL) and architectural LBRs (IA32_LBR_CTL). Rule details follow Bochs
// `vmx.cc` and KVM `nested.c` where the 2016 text is silent (docs/decisions/0005).

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { AR, CR0, CR4, MSR } from '../local-arch.ts';
import { SDM_GUEST_REGS, SDM_GUEST_RIP_RFLAGS, SDM_HOST_REGS } from '../sections.ts';
import { bitList, canonicalize, checkCanonicalField, checkMsrReservedField, entryHas, exitHas, ia32eGuest, isCanonical } from './support.ts';

/** IA32_S_CET bits 9:6, reserved (SDM Vol. 1 §18.3.1 CET configuration MSRs). */
const S_CET_RESERVED = 0x3c0n;
/** IA32_S_CET SUPPRESS (bit 10) and TRACKER (bit 11) may not both be 1. */
const S_CET_SUPPRESS_AND_TRACKER = 0xc00n;

type Side = 'host' | 'guest';
const FIELDS = {
  host: { cr0: 'HOST_CR0', cr4: 'HOST_CR4', sCet: 'HOST_S_CET', ssp: 'HOST_SSP', table: 'HOST_INTR_SSP_TABLE', pkrs: 'HOST_IA32_PKRS' },
  guest: { cr0: 'GUEST_CR0', cr4: 'GUEST_CR4', sCet: 'GUEST_S_CET', ssp: 'GUEST_SSP', table: 'GUEST_INTR_SSP_TABLE', pkrs: 'GUEST_IA32_PKRS' },
} as const;

/** "Load CET state" for this side: the VM-exit control for the host, the VM-entry control for the guest. */
function loadsCet(ctx: EntryContext, side: Side): boolean {
  return side === 'host' ? exitHas(ctx, 'VM_EXIT_LOAD_CET_STATE') : entryHas(ctx, 'VM_ENTRY_LOAD_CET_STATE');
}

/**
 * Whether a CET address of this side is checked as a 64-bit (canonical) value rather than
 * a 32-bit one: the host's with "host address-space size" (Bochs, KVM); the guest's
 * IA32_S_CET always (§27.3.1.1 asks only for a canonical address); the guest SSP, like
 * RIP (§27.3.1.4), only with "IA-32e mode guest" and CS.L both 1.
 */
function wide(ctx: EntryContext, side: Side, key: 'sCet' | 'ssp'): boolean {
  if (side === 'host') return exitHas(ctx, 'VM_EXIT_HOST_ADDR_SPACE_SIZE');
  if (key === 'sCet') return true;
  return ia32eGuest(ctx) && AR.has(ctx.vmcs.read('GUEST_CS_AR_BYTES'), 'L');
}

function checkCetNeedsWp(side: Side): Check['run'] {
  const f = FIELDS[side];
  return (ctx) => {
    const cr4 = ctx.vmcs.read(f.cr4);
    if (!CR4.has(cr4, 'CET')) return NOT_APPLICABLE;
    const cr0 = ctx.vmcs.read(f.cr0);
    if (CR0.has(cr0, 'WP')) return PASS;
    return fail(`${side === 'host' ? 'Host' : 'Guest'} CR4.CET is 1 but CR0.WP is 0; CET shadow stacks rely on write protection.`,
      [fv(f.cr4, cr4), fv(f.cr0, cr0)], `${f.cr4}.CET == 1 => ${f.cr0}.WP == 1`, { fix: { field: f.cr0, value: CR0.set(cr0, 'WP', true) } });
  };
}

function checkSCetValid(side: Side): Check['run'] {
  const f = FIELDS[side];
  return (ctx) => {
    if (!loadsCet(ctx, side)) return NOT_APPLICABLE;
    const v = ctx.vmcs.read(f.sCet);
    const bad = v & S_CET_RESERVED;
    const both = (v & S_CET_SUPPRESS_AND_TRACKER) === S_CET_SUPPRESS_AND_TRACKER;
    if (bad === 0n && !both) return PASS;
    return fail(`The ${side} IA32_S_CET (${hex(v)}) ${bad !== 0n ? `sets reserved bits ${bitList(bad).join(', ')}` : 'sets both SUPPRESS (bit 10) and TRACKER (bit 11)'}.`,
      [fv(f.sCet, v)], `${f.sCet}[9:6] == 0 && !(${f.sCet}[10] && ${f.sCet}[11])`, { fix: { field: f.sCet, value: v & ~bad & ~(both ? 0x800n : 0n) } });
  };
}

/** A CET address field: canonical when this side is 64-bit, bits 63:32 zero otherwise. */
function checkCetAddress(side: Side, key: 'sCet' | 'ssp', what: string): Check['run'] {
  const field = FIELDS[side][key];
  return (ctx) => {
    if (!loadsCet(ctx, side)) return NOT_APPLICABLE;
    const v = ctx.vmcs.read(field);
    const w = wide(ctx, side, key);
    if (w ? isCanonical(v, ctx.linearAddressBits) : v >> 32n === 0n) return PASS;
    return fail(`The ${side} ${what} (${hex(v)}) is ${w ? 'not canonical' : 'wider than 32 bits for a 32-bit ' + side}.`, [fv(field, v)],
      w ? `${field} canonical` : `${field}[63:32] == 0`, { fix: { field, value: w ? canonicalize(v, ctx.linearAddressBits) : v & 0xffff_ffffn } });
  };
}

function checkSspAlignment(side: Side): Check['run'] {
  const field = FIELDS[side].ssp;
  return (ctx) => {
    if (!loadsCet(ctx, side)) return NOT_APPLICABLE;
    const v = ctx.vmcs.read(field);
    if ((v & 3n) === 0n) return PASS;
    return fail(`The ${side} SSP (${hex(v)}) is not 4-byte aligned (bits 1:0 must be 0).`, [fv(field, v)], `${field}[1:0] == 0`,
      { fix: { field, value: v & ~3n } });
  };
}

function checkSspTable(side: Side): Check['run'] {
  const field = FIELDS[side].table;
  return (ctx) => (loadsCet(ctx, side) ? checkCanonicalField(ctx, field, `${side} IA32_INTERRUPT_SSP_TABLE_ADDR`) : NOT_APPLICABLE);
}

function checkPkrs(side: Side): Check['run'] {
  const field = FIELDS[side].pkrs;
  return (ctx) => {
    if (!(side === 'host' ? exitHas(ctx, 'VM_EXIT_LOAD_IA32_PKRS') : entryHas(ctx, 'VM_ENTRY_LOAD_IA32_PKRS'))) return NOT_APPLICABLE;
    const v = ctx.vmcs.read(field);
    if (v >> 32n === 0n) return PASS;
    return fail(`The ${side} IA32_PKRS (${hex(v)}) sets bits 63:32, which are reserved.`, [fv(field, v)], `${field}[63:32] == 0`,
      { fix: { field, value: v & 0xffff_ffffn } });
  };
}

function checkGuestUinv(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_UINV')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('GUEST_UINV');
  if ((v & 0xff00n) === 0n) return PASS;
  return fail(`The guest user-interrupt notification vector (${hex(v)}) is not in 0-255.`, [fv('GUEST_UINV', v)], 'GUEST_UINV[15:8] == 0',
    { fix: { field: 'GUEST_UINV', value: v & 0xffn } });
}

function checkGuestRtitCtl(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_IA32_RTIT_CTL')) return NOT_APPLICABLE;
  return checkMsrReservedField(ctx, 'GUEST_IA32_RTIT_CTL', MSR.IA32_RTIT_CTL, 'guest IA32_RTIT_CTL');
}

function checkGuestLbrCtl(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_IA32_LBR_CTL')) return NOT_APPLICABLE;
  return checkMsrReservedField(ctx, 'GUEST_IA32_LBR_CTL', MSR.IA32_LBR_CTL, 'guest IA32_LBR_CTL');
}

const host = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'host.regs', sdm: SDM_HOST_REGS, title, fields, run });
const guest = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'guest.regs', sdm: SDM_GUEST_REGS, title, fields, run });

/** Newer §27.2.2 rules, after the 2016 ones. */
export const HOST_NEWER_CHECKS: readonly Check[] = [
  host('host.cr4.cet-needs-wp', 'If host CR4.CET is 1, host CR0.WP is 1', ['HOST_CR4', 'HOST_CR0'], checkCetNeedsWp('host')),
  host('host.s-cet.valid', 'If "load CET state" (exit) is 1, host IA32_S_CET bits 9:6 are 0 and bits 10 and 11 are not both 1', ['VM_EXIT_CONTROLS', 'HOST_S_CET'], checkSCetValid('host')),
  host('host.s-cet.address', 'If "load CET state" (exit) is 1, host IA32_S_CET is canonical (64-bit host) or has bits 63:32 = 0', ['VM_EXIT_CONTROLS', 'HOST_S_CET'], checkCetAddress('host', 'sCet', 'IA32_S_CET')),
  host('host.ssp.alignment', 'If "load CET state" (exit) is 1, host SSP bits 1:0 are 0', ['VM_EXIT_CONTROLS', 'HOST_SSP'], checkSspAlignment('host')),
  host('host.ssp.address', 'If "load CET state" (exit) is 1, host SSP is canonical (64-bit host) or has bits 63:32 = 0', ['VM_EXIT_CONTROLS', 'HOST_SSP'], checkCetAddress('host', 'ssp', 'SSP')),
  host('host.intr-ssp-table.canonical', 'If "load CET state" (exit) is 1, the host interrupt-SSP-table address is canonical', ['VM_EXIT_CONTROLS', 'HOST_INTR_SSP_TABLE'], checkSspTable('host')),
  host('host.pkrs.upper-bits', 'If "load PKRS" (exit) is 1, host IA32_PKRS bits 63:32 are 0', ['VM_EXIT_CONTROLS', 'HOST_IA32_PKRS'], checkPkrs('host')),
];

/** Newer §27.3.1.1 rules, after the 2016 ones. */
export const GUEST_NEWER_CHECKS: readonly Check[] = [
  guest('guest.cr4.cet-needs-wp', 'If guest CR4.CET is 1, guest CR0.WP is 1', ['GUEST_CR4', 'GUEST_CR0'], checkCetNeedsWp('guest')),
  guest('guest.s-cet.valid', 'If "load CET state" (entry) is 1, guest IA32_S_CET bits 9:6 are 0 and bits 10 and 11 are not both 1', ['VM_ENTRY_CONTROLS', 'GUEST_S_CET'], checkSCetValid('guest')),
  guest('guest.s-cet.address', 'If "load CET state" (entry) is 1, guest IA32_S_CET is canonical', ['VM_ENTRY_CONTROLS', 'GUEST_S_CET'], checkCetAddress('guest', 'sCet', 'IA32_S_CET')),
  guest('guest.intr-ssp-table.canonical', 'If "load CET state" (entry) is 1, the guest interrupt-SSP-table address is canonical', ['VM_ENTRY_CONTROLS', 'GUEST_INTR_SSP_TABLE'], checkSspTable('guest')),
  guest('guest.pkrs.upper-bits', 'If "load PKRS" (entry) is 1, guest IA32_PKRS bits 63:32 are 0', ['VM_ENTRY_CONTROLS', 'GUEST_IA32_PKRS'], checkPkrs('guest')),
  guest('guest.rtit-ctl.reserved-bits', 'If "load IA32_RTIT_CTL" is 1, reserved bits of IA32_RTIT_CTL are 0 in the guest field', ['VM_ENTRY_CONTROLS', 'GUEST_IA32_RTIT_CTL'], checkGuestRtitCtl),
  guest('guest.uinv.vector', 'If "load UINV" is 1, the guest UINV is in 0-255', ['VM_ENTRY_CONTROLS', 'GUEST_UINV'], checkGuestUinv),
  guest('guest.lbr-ctl.reserved-bits', 'If "load guest IA32_LBR_CTL" is 1, reserved bits of IA32_LBR_CTL are 0 in the guest field', ['VM_ENTRY_CONTROLS', 'GUEST_IA32_LBR_CTL'], checkGuestLbrCtl),
];

const ssp = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'guest.rip-rflags', sdm: SDM_GUEST_RIP_RFLAGS, title, fields, run });

/** The guest SSP rules of §27.3.1.4 "Checks on Guest RIP, RFLAGS, and SSP", after RIP and RFLAGS. */
export const GUEST_SSP_CHECKS: readonly Check[] = [
  ssp('guest.ssp.alignment', 'If "load CET state" (entry) is 1, guest SSP bits 1:0 are 0', ['VM_ENTRY_CONTROLS', 'GUEST_SSP'], checkSspAlignment('guest')),
  ssp('guest.ssp.address', 'If "load CET state" (entry) is 1, guest SSP is canonical (IA-32e guest with CS.L = 1) or has bits 63:32 = 0', ['VM_ENTRY_CONTROLS', 'GUEST_SSP', 'GUEST_CS_AR_BYTES'], checkCetAddress('guest', 'ssp', 'SSP')),
];
