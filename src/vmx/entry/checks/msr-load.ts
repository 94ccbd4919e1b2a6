// VM-entry MSR loading, SDM Vol. 3C §27.4 "Loading MSRs" (VM-entry failure, exit reason
// 34, exit qualification = 1-based index of the failing entry). Each rule is a check
// that scans the list and reports its first failing entry; the runner takes the lowest
// index over all rules, which is the entry the processor fails on when it loads the
// list in order.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { MSR, VMX_MISC, msrName } from '../local-arch.ts';
import { SDM_MSR_LOADING as S } from '../sections.ts';
import { beyondPhysWidth } from './support.ts';

const COUNT_F = 'VM_ENTRY_MSR_LOAD_COUNT';
const ADDR_F = 'VM_ENTRY_MSR_LOAD_ADDR';

/** One 16-byte entry of an MSR area (Vol. 3C §25.8.2 VM-Entry Controls for MSRs). */
export interface MsrEntry {
  readonly index: number;
  readonly reserved: bigint;
  readonly data: bigint;
}

/** Recommended maximum number of entries: 512 * (IA32_VMX_MISC[27:25] + 1). */
export function msrListLimit(ctx: EntryContext): number {
  return 512 * (Number(VMX_MISC.get(ctx.msr(MSR.IA32_VMX_MISC), 'MAX_MSR_LIST')) + 1);
}

/** Number of entries the list checks look at: the count, capped one past the recommended maximum. */
function entriesToScan(ctx: EntryContext): number | undefined {
  const count = ctx.vmcs.read(COUNT_F);
  if (count === 0n) return undefined;
  const addr = ctx.vmcs.read(ADDR_F);
  // A list whose address fails §27.2.1.3 never gets here architecturally (VMfailValid(7)).
  if ((addr & 0xfn) !== 0n || beyondPhysWidth(ctx, addr + count * 16n - 1n) !== 0n) return undefined;
  return Math.min(Number(count), msrListLimit(ctx) + 1);
}

function readEntry(ctx: EntryContext, i: number): MsrEntry {
  const at = ctx.vmcs.read(ADDR_F) + BigInt(i) * 16n;
  const lo = ctx.readPhys(at, 8);
  return { index: Number(lo & 0xffff_ffffn), reserved: lo >> 32n, data: ctx.readPhys(at + 8n, 8) };
}

/** Scans the list for the first entry `bad` rejects; `explain` words the failure. */
function scan(ctx: EntryContext, bad: (e: MsrEntry, i: number) => boolean, explain: (e: MsrEntry) => string, expected: string): Verdict {
  const n = entriesToScan(ctx);
  if (n === undefined) return NOT_APPLICABLE;
  for (let i = 0; i < n; i++) {
    const e = readEntry(ctx, i);
    if (!bad(e, i)) continue;
    return fail(`VM-entry MSR-load entry ${i + 1} (MSR ${hex(BigInt(e.index))}, value ${hex(e.data)}): ${explain(e)}`,
      [fv(COUNT_F, ctx.vmcs.read(COUNT_F)), fv(ADDR_F, ctx.vmcs.read(ADDR_F)), fv(`entry ${i + 1} index`, BigInt(e.index)), fv(`entry ${i + 1} data`, e.data)],
      expected, { index: i + 1 });
  }
  return PASS;
}

function checkMsrLoadCount(ctx: EntryContext): Verdict {
  const n = entriesToScan(ctx);
  const max = msrListLimit(ctx);
  if (n === undefined || n <= max) return n === undefined ? NOT_APPLICABLE : PASS;
  // Implementation choice (docs/decisions/0006): the SDM leaves a list longer than the
  // recommended maximum undefined; like KVM we fail on the first entry past it.
  return fail(`The VM-entry MSR-load count (${ctx.vmcs.read(COUNT_F)}) exceeds the recommended maximum of ${max} entries (IA32_VMX_MISC[27:25]).`,
    [fv(COUNT_F, ctx.vmcs.read(COUNT_F))], `${COUNT_F} <= 512 * (IA32_VMX_MISC[27:25] + 1)`,
    { index: max + 1, capability: { msr: 'IA32_VMX_MISC', index: MSR.IA32_VMX_MISC, bits: [25, 26, 27] }, fix: { field: COUNT_F, value: BigInt(max) } });
}

function checkMsrLoadFsGsBase(ctx: EntryContext): Verdict {
  return scan(ctx, (e) => e.index === MSR.IA32_FS_BASE || e.index === MSR.IA32_GS_BASE,
    (e) => `${msrName(e.index)} cannot be loaded this way; FS and GS bases come from the guest-state area.`,
    'index not in {C0000100H, C0000101H}');
}

// Implementation choice (docs/decisions/0006): x2APIC MSRs fail whether or not x2APIC mode
// is on, as the SDM words the rule; KVM refuses them only in x2APIC mode.
function checkMsrLoadX2apic(ctx: EntryContext): Verdict {
  return scan(ctx, (e) => e.index >>> 8 === 0x8, () => 'MSRs 800H-8FFH are x2APIC registers and cannot be loaded on VM entry.', 'index[31:8] != 000008H');
}

function checkMsrLoadSmmOnly(ctx: EntryContext): Verdict {
  if (ctx.cpu.inSmm) return NOT_APPLICABLE;
  return scan(ctx, (e) => e.index === MSR.IA32_SMM_MONITOR_CTL, () => 'IA32_SMM_MONITOR_CTL can be written only in SMM.', 'not in SMM => index != 9BH');
}

function checkMsrLoadReservedBits(ctx: EntryContext): Verdict {
  return scan(ctx, (e) => e.reserved !== 0n, (e) => `bits 63:32 of the entry (${hex(e.reserved)}) must be 0.`, 'entry[63:32] == 0');
}

function checkMsrLoadWrmsr(ctx: EntryContext): Verdict {
  return scan(ctx, (e) => ctx.wrmsrFaults(e.index, e.data), (e) => `WRMSR of this value to ${msrName(e.index)} at CPL 0 would raise #GP.`,
    'WRMSR(index, data) at CPL 0 would not fault');
}

const c = (id: string, title: string, run: Check['run']): Check =>
  defineCheck({ id, area: 'msr-load', sdm: S, title, fields: [COUNT_F, ADDR_F], run });

/** §27.4: the failure cases of one entry, in the SDM's order. */
export const MSR_LOAD_CHECKS: readonly Check[] = [
  c('msr-load.count', 'The VM-entry MSR-load count does not exceed the recommended maximum (IA32_VMX_MISC[27:25])', checkMsrLoadCount),
  c('msr-load.fs-gs-base', 'No entry loads IA32_FS_BASE (C0000100H) or IA32_GS_BASE (C0000101H)', checkMsrLoadFsGsBase),
  c('msr-load.x2apic', 'No entry loads an x2APIC MSR (index bits 31:8 = 000008H)', checkMsrLoadX2apic),
  c('msr-load.smm-only', 'Outside SMM, no entry loads an MSR writable only in SMM (IA32_SMM_MONITOR_CTL)', checkMsrLoadSmmOnly),
  c('msr-load.reserved-bits', 'Bits 63:32 of every entry are 0', checkMsrLoadReservedBits),
  c('msr-load.wrmsr', 'Every entry\'s value is one WRMSR at CPL 0 would accept', checkMsrLoadWrmsr),
];
