// Checks on the host-state area, SDM Vol. 3C §27.2.2 "Checks on Host Control Registers,
// MSRs, and SSP" and §27.2.3 "Checks on Host Segment and Descriptor-Table Registers"
// (VMfailValid(8)), in the SDM's order.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { CR0, EFER, EXIT, MSR, SELECTOR } from '../local-arch.ts';
import { SDM_HOST_REGS, SDM_HOST_SEGS } from '../sections.ts';
import {
  bitList, checkCanonicalField, checkCr3Field, checkMsrReservedField, checkPatField, exitControls, exitHas,
} from './support.ts';

/**
 * The rule "CR0/CR4 must not set any bit to a value not supported in VMX operation"
 * (§24.8 Restrictions on VMX Operation): FIXED0 bits 1, bits clear in FIXED1 0.
 * `exempt` bits are not checked.
 */
export function checkFixedBits(
  ctx: EntryContext, field: string, fixed0Msr: number, fixed1Msr: number, exempt: bigint, what: string,
): Verdict {
  const v = ctx.vmcs.read(field);
  const fixed0 = ctx.msr(fixed0Msr) & ~exempt;
  const fixed1 = ctx.msr(fixed1Msr) | exempt;
  const missing = fixed0 & ~v;
  const extra = v & ~fixed1 & 0xffff_ffff_ffff_ffffn;
  if (missing === 0n && extra === 0n) return PASS;
  const f0 = fixed0Msr === MSR.IA32_VMX_CR0_FIXED0 ? 'IA32_VMX_CR0_FIXED0' : 'IA32_VMX_CR4_FIXED0';
  const f1 = fixed1Msr === MSR.IA32_VMX_CR0_FIXED1 ? 'IA32_VMX_CR0_FIXED1' : 'IA32_VMX_CR4_FIXED1';
  const parts: string[] = [];
  if (missing !== 0n) parts.push(`bits ${bitList(missing).join(', ')} must be 1 (${f0})`);
  if (extra !== 0n) parts.push(`bits ${bitList(extra).join(', ')} must be 0 (${f1})`);
  return fail(
    `The ${what} (${hex(v)}) has bits fixed in VMX operation set wrongly: ${parts.join('; ')}.`,
    [fv(field, v), fv(f0, ctx.msr(fixed0Msr)), fv(f1, ctx.msr(fixed1Msr))],
    `(${field} & ${f0}) == ${f0} && (${field} & ~${f1}) == 0${exempt !== 0n ? ` (bits ${bitList(exempt).join(', ')} exempt)` : ''}`,
    {
      capability: { msr: missing !== 0n ? f0 : f1, index: missing !== 0n ? fixed0Msr : fixed1Msr, bits: bitList(missing | extra) },
      fix: { field, value: (v | fixed0) & fixed1 },
    },
  );
}

const NW_CD = CR0.mask.NW | CR0.mask.CD;

function checkHostCr0FixedBits(ctx: EntryContext): Verdict {
  return checkFixedBits(ctx, 'HOST_CR0', MSR.IA32_VMX_CR0_FIXED0, MSR.IA32_VMX_CR0_FIXED1, NW_CD, 'host CR0');
}

function checkHostCr4FixedBits(ctx: EntryContext): Verdict {
  return checkFixedBits(ctx, 'HOST_CR4', MSR.IA32_VMX_CR4_FIXED0, MSR.IA32_VMX_CR4_FIXED1, 0n, 'host CR4');
}

function checkHostCr3(ctx: EntryContext): Verdict {
  return checkCr3Field(ctx, 'HOST_CR3', 'host CR3');
}

function checkHostSysenterEsp(ctx: EntryContext): Verdict {
  return checkCanonicalField(ctx, 'HOST_IA32_SYSENTER_ESP', 'host IA32_SYSENTER_ESP');
}

function checkHostSysenterEip(ctx: EntryContext): Verdict {
  return checkCanonicalField(ctx, 'HOST_IA32_SYSENTER_EIP', 'host IA32_SYSENTER_EIP');
}

function checkHostPerfGlobalCtrl(ctx: EntryContext): Verdict {
  if (!exitHas(ctx, 'VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL')) return NOT_APPLICABLE;
  return checkMsrReservedField(ctx, 'HOST_IA32_PERF_GLOBAL_CTRL', MSR.IA32_PERF_GLOBAL_CTRL, 'host IA32_PERF_GLOBAL_CTRL');
}

function checkHostPat(ctx: EntryContext): Verdict {
  if (!exitHas(ctx, 'VM_EXIT_LOAD_IA32_PAT')) return NOT_APPLICABLE;
  return checkPatField(ctx, 'HOST_IA32_PAT', 'host IA32_PAT');
}

function checkHostEferReserved(ctx: EntryContext): Verdict {
  if (!exitHas(ctx, 'VM_EXIT_LOAD_IA32_EFER')) return NOT_APPLICABLE;
  return checkMsrReservedField(ctx, 'HOST_IA32_EFER', MSR.IA32_EFER, 'host IA32_EFER');
}

function checkHostEferLmaLme(ctx: EntryContext): Verdict {
  if (!exitHas(ctx, 'VM_EXIT_LOAD_IA32_EFER')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('HOST_IA32_EFER');
  const as = exitHas(ctx, 'VM_EXIT_HOST_ADDR_SPACE_SIZE');
  if (EFER.has(v, 'LMA') === as && EFER.has(v, 'LME') === as) return PASS;
  const want = EFER.set(EFER.set(v, 'LMA', as), 'LME', as);
  return fail(
    `Host IA32_EFER.LMA and LME (${EFER.has(v, 'LMA') ? 1 : 0}, ${EFER.has(v, 'LME') ? 1 : 0}) must both equal "host address-space size" (${as ? 1 : 0}).`,
    [fv('HOST_IA32_EFER', v), fv('VM_EXIT_CONTROLS', exitControls(ctx))],
    'HOST_IA32_EFER.LMA == HOST_IA32_EFER.LME == host address-space size',
    { fix: { field: 'HOST_IA32_EFER', value: want } },
  );
}

const HOST_SELECTORS = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'TR'] as const;

/** §27.2.3: the RPL and TI of a host selector field are 0. */
function checkHostSelectorRplTi(reg: string): Check['run'] {
  const field = `HOST_${reg}_SELECTOR`;
  return (ctx) => {
    const v = ctx.vmcs.read(field);
    const bad = v & (SELECTOR.mask.RPL | SELECTOR.mask.TI);
    if (bad === 0n) return PASS;
    return fail(`The host ${reg} selector (${hex(v)}) has RPL or TI set; the host always runs at CPL 0 with GDT selectors.`,
      [fv(field, v)], `${field}[2:0] == 0`, { fix: { field, value: v & ~bad } });
  };
}

function checkHostSelectorNonzero(reg: 'CS' | 'TR'): Check['run'] {
  const field = `HOST_${reg}_SELECTOR`;
  return (ctx) => {
    const v = ctx.vmcs.read(field);
    if (v !== 0n) return PASS;
    const current = ctx.cpu.selectors?.[reg];
    return fail(`The host ${reg} selector is 0000H; a VM exit must load a real ${reg === 'CS' ? 'code segment' : 'task register'}.`,
      [fv(field, v)], `${field} != 0`, current ? { fix: { field, value: current } } : undefined);
  };
}

function checkHostSsNonzero(ctx: EntryContext): Verdict {
  if (exitHas(ctx, 'VM_EXIT_HOST_ADDR_SPACE_SIZE')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('HOST_SS_SELECTOR');
  if (v !== 0n) return PASS;
  return fail('The host SS selector is 0000H while "host address-space size" is 0 (a 32-bit host needs a stack segment).',
    [fv('HOST_SS_SELECTOR', v), fv('VM_EXIT_CONTROLS', exitControls(ctx))], 'host address-space size == 0 => HOST_SS_SELECTOR != 0',
    { fix: { field: 'VM_EXIT_CONTROLS', value: exitControls(ctx) | EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE } });
}

function checkHostBaseCanonical(field: string, what: string): Check['run'] {
  return (ctx) => checkCanonicalField(ctx, field, what);
}

const regs = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'host.regs', sdm: SDM_HOST_REGS, title, fields, run });
const segs = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'host.segs', sdm: SDM_HOST_SEGS, title, fields, run });

/** §27.2.2 (the rules of the 2016 SDM) in the SDM's order. */
export const HOST_REG_CHECKS: readonly Check[] = [
  regs('host.cr0.fixed-bits', 'Host CR0 sets no bit to a value unsupported in VMX operation (CR0_FIXED0/FIXED1; NW and CD not checked)', ['HOST_CR0'], checkHostCr0FixedBits),
  regs('host.cr4.fixed-bits', 'Host CR4 sets no bit to a value unsupported in VMX operation (CR4_FIXED0/FIXED1)', ['HOST_CR4'], checkHostCr4FixedBits),
  regs('host.cr3.reserved-bits', 'Host CR3 bits 63:52 and bits 51:32 beyond the physical-address width are 0', ['HOST_CR3'], checkHostCr3),
  regs('host.sysenter-esp.canonical', 'Host IA32_SYSENTER_ESP is canonical', ['HOST_IA32_SYSENTER_ESP'], checkHostSysenterEsp),
  regs('host.sysenter-eip.canonical', 'Host IA32_SYSENTER_EIP is canonical', ['HOST_IA32_SYSENTER_EIP'], checkHostSysenterEip),
  regs('host.perf-global-ctrl.reserved-bits', 'If "load IA32_PERF_GLOBAL_CTRL" (exit) is 1, reserved bits of that MSR are 0 in the host field', ['VM_EXIT_CONTROLS', 'HOST_IA32_PERF_GLOBAL_CTRL'], checkHostPerfGlobalCtrl),
  regs('host.pat.memory-types', 'If "load IA32_PAT" (exit) is 1, each byte of the host PAT is 0, 1, 4, 5, 6 or 7', ['VM_EXIT_CONTROLS', 'HOST_IA32_PAT'], checkHostPat),
  regs('host.efer.reserved-bits', 'If "load IA32_EFER" (exit) is 1, reserved bits of IA32_EFER are 0 in the host field', ['VM_EXIT_CONTROLS', 'HOST_IA32_EFER'], checkHostEferReserved),
  regs('host.efer.lma-lme', 'If "load IA32_EFER" (exit) is 1, host EFER.LMA and EFER.LME equal "host address-space size"', ['VM_EXIT_CONTROLS', 'HOST_IA32_EFER'], checkHostEferLmaLme),
];

/** §27.2.3 in the SDM's order. */
export const HOST_SEG_CHECKS: readonly Check[] = [
  ...HOST_SELECTORS.map((r) => segs(`host.seg.${r.toLowerCase()}.selector.rpl-ti`, `Host ${r} selector RPL (bits 1:0) and TI (bit 2) are 0`, [`HOST_${r}_SELECTOR`], checkHostSelectorRplTi(r))),
  segs('host.seg.cs.selector.nonzero', 'Host CS selector is not 0000H', ['HOST_CS_SELECTOR'], checkHostSelectorNonzero('CS')),
  segs('host.seg.tr.selector.nonzero', 'Host TR selector is not 0000H', ['HOST_TR_SELECTOR'], checkHostSelectorNonzero('TR')),
  segs('host.seg.ss.selector.nonzero', 'Host SS selector is not 0000H if "host address-space size" is 0', ['VM_EXIT_CONTROLS', 'HOST_SS_SELECTOR'], checkHostSsNonzero),
  ...(['FS', 'GS', 'GDTR', 'IDTR', 'TR'] as const).map((r) =>
    segs(`host.base.${r.toLowerCase()}.canonical`, `Host ${r} base is canonical`, [`HOST_${r}_BASE`], checkHostBaseCanonical(`HOST_${r}_BASE`, `host ${r} base`))),
];
