// Helpers shared by the VM-entry checks: effective control words (a secondary control
// counts as 0 when "activate secondary controls" is 0, SDM Vol. 3C §27.2.1.1 footnotes),
// allowed settings from the capability MSRs (Vol. 3D App. A.3-A.5), physical-address
// width and canonical-address tests.

import type { EntryContext } from '../context.ts';
import { PASS, fail, fv, hex } from '../../outcome.ts';
import type { CapabilityRef, Verdict } from '../../outcome.ts';
import { MSR, PIN, PROC, PROC2, EXIT, ENTRY, VMX_BASIC, isValidPat, msrName } from '../local-arch.ts';
import type { ControlName } from '../../../arch/controls/index.ts';
import { canonicalFor } from '../../../arch/paging.ts';

/** Pin-based controls as written. */
export function pinControls(ctx: EntryContext): bigint {
  return ctx.vmcs.read('PIN_BASED_VM_EXEC_CONTROL');
}

/** Primary processor-based controls as written. */
export function procControls(ctx: EntryContext): bigint {
  return ctx.vmcs.read('CPU_BASED_VM_EXEC_CONTROL');
}

/** Secondary controls as VM entry sees them: all 0 unless "activate secondary controls" = 1. */
export function proc2Controls(ctx: EntryContext): bigint {
  if (!PROC.has(procControls(ctx), 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS')) return 0n;
  return ctx.vmcs.read('SECONDARY_VM_EXEC_CONTROL');
}

/** VM-exit controls as written. */
export function exitControls(ctx: EntryContext): bigint {
  return ctx.vmcs.read('VM_EXIT_CONTROLS');
}

/** VM-entry controls as written. */
export function entryControls(ctx: EntryContext): bigint {
  return ctx.vmcs.read('VM_ENTRY_CONTROLS');
}

/** Whether pin-based control `f` (by Linux name) is 1. */
export function pinHas(ctx: EntryContext, f: ControlName): boolean {
  return PIN.has(pinControls(ctx), f);
}
/** Whether primary processor-based control `f` (by Linux name) is 1. */
export function procHas(ctx: EntryContext, f: ControlName): boolean {
  return PROC.has(procControls(ctx), f);
}
/** Whether secondary (effective: 0 without "activate secondary controls") control `f` (by Linux name) is 1. */
export function proc2Has(ctx: EntryContext, f: ControlName): boolean {
  return PROC2.has(proc2Controls(ctx), f);
}
/** Whether VM-exit control `f` (by Linux name) is 1. */
export function exitHas(ctx: EntryContext, f: ControlName): boolean {
  return EXIT.has(exitControls(ctx), f);
}
/** Whether VM-entry control `f` (by Linux name) is 1. */
export function entryHas(ctx: EntryContext, f: ControlName): boolean {
  return ENTRY.has(entryControls(ctx), f);
}

/** "Unrestricted guest" in effect (needs "activate secondary controls" too). */
export function unrestrictedGuest(ctx: EntryContext): boolean {
  return proc2Has(ctx, 'SECONDARY_EXEC_UNRESTRICTED_GUEST');
}

/** "IA-32e mode guest" VM-entry control. */
export function ia32eGuest(ctx: EntryContext): boolean {
  return entryHas(ctx, 'VM_ENTRY_IA32E_MODE');
}

/** Whether IA32_VMX_BASIC[55] says the TRUE capability MSRs exist. */
export function hasTrueControls(ctx: EntryContext): boolean {
  return VMX_BASIC.has(ctx.msr(MSR.IA32_VMX_BASIC), 'TRUE_CTLS');
}

/** A 32-bit control word's capability: allowed 0-settings (bits 31:0) and 1-settings (63:32). */
export interface AllowedSettings {
  readonly mustBe1: bigint;
  readonly mayBe1: bigint;
  readonly capability: CapabilityRef;
}

/**
 * Allowed settings of a 32-bit control word (Vol. 3D App. A.3-A.5): the TRUE MSR when
 * IA32_VMX_BASIC[55] = 1, the plain one otherwise.
 */
export function allowedSettings(ctx: EntryContext, plain: number, trueMsr: number | undefined): AllowedSettings {
  const index = trueMsr !== undefined && hasTrueControls(ctx) ? trueMsr : plain;
  const v = ctx.msr(index);
  return { mustBe1: v & 0xffff_ffffn, mayBe1: v >> 32n, capability: { msr: msrName(index), index } };
}

/** Bit numbers set in a value (for capability references and messages). */
export function bitList(v: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; v !== 0n; i++, v >>= 1n) if (v & 1n) out.push(i);
  return out;
}

/**
 * Checks a control word against its allowed settings; the fix is the SDM's recipe
 * (set every allowed-0 bit, clear every bit not allowed to be 1).
 */
export function checkAllowedSettings(field: string, value: bigint, a: AllowedSettings, what: string): Verdict {
  const missing = a.mustBe1 & ~value;
  const extra = value & ~a.mayBe1 & 0xffff_ffffn;
  if (missing === 0n && extra === 0n) return PASS;
  const parts: string[] = [];
  if (missing !== 0n) parts.push(`bits ${bitList(missing).join(', ')} must be 1`);
  if (extra !== 0n) parts.push(`bits ${bitList(extra).join(', ')} must be 0`);
  return fail(
    `The ${what} (${hex(value)}) do not respect ${a.capability.msr}: ${parts.join('; ')}.`,
    [fv(field, value), fv(a.capability.msr, (a.mayBe1 << 32n) | a.mustBe1)],
    `(${field} & allowed0) == allowed0 && (${field} & ~allowed1) == 0`,
    { capability: { ...a.capability, bits: bitList(missing | extra) }, fix: { field, value: (value | a.mustBe1) & a.mayBe1 } },
  );
}

/** Bits of a physical address beyond the processor's physical-address width (incl. 63:32 if BASIC[48]). */
export function beyondPhysWidth(ctx: EntryContext, addr: bigint): bigint {
  let limit = (1n << BigInt(ctx.maxPhysAddr)) - 1n;
  if (VMX_BASIC.has(ctx.msr(MSR.IA32_VMX_BASIC), 'PHYS_ADDR_32BIT')) limit &= 0xffff_ffffn;
  return addr & ~limit & 0xffff_ffff_ffff_ffffn;
}

/**
 * The common address rule: the low `alignBits` bits are 0 and no bit is set beyond the
 * physical-address width.
 */
export function checkPhysAddress(ctx: EntryContext, field: string, what: string, alignBits: bigint): Verdict {
  const addr = ctx.vmcs.read(field);
  const misaligned = addr & ((1n << alignBits) - 1n);
  const beyond = beyondPhysWidth(ctx, addr);
  if (misaligned === 0n && beyond === 0n) return PASS;
  const problems: string[] = [];
  if (misaligned !== 0n) problems.push(`bits ${alignBits - 1n}:0 must be 0`);
  if (beyond !== 0n) problems.push(`it sets bits beyond the ${ctx.maxPhysAddr}-bit physical-address width`);
  return fail(
    `The ${what} (${hex(addr)}) is invalid: ${problems.join(' and ')}.`,
    [fv(field, addr)],
    `${field}[${alignBits - 1n}:0] == 0 && ${field} < 2^${ctx.maxPhysAddr}`,
    { fix: { field, value: addr & ~((1n << alignBits) - 1n) & ~beyond } },
  );
}

/** Whether a 64-bit value is canonical for `bits` linear-address bits (bits 63:bits-1 equal): src/arch/paging.ts. */
export const isCanonical = canonicalFor;

/** The canonical form of `v` (sign-extended from bit bits-1). */
export function canonicalize(v: bigint, bits: number): bigint {
  return BigInt.asUintN(64, BigInt.asIntN(bits, v));
}

/** The rule "`field` contains a canonical address". */
export function checkCanonicalField(ctx: EntryContext, field: string, what: string): Verdict {
  const v = ctx.vmcs.read(field);
  if (isCanonical(v, ctx.linearAddressBits)) return PASS;
  return fail(
    `The ${what} (${hex(v)}) is not canonical: bits 63:${ctx.linearAddressBits - 1} must all equal bit ${ctx.linearAddressBits - 1}.`,
    [fv(field, v)],
    `${field} canonical (${ctx.linearAddressBits}-bit linear addresses)`,
    { fix: { field, value: canonicalize(v, ctx.linearAddressBits) } },
  );
}

/** CR3 bits 62:61, LAM_U57 and LAM_U48 on processors with linear-address masking. */
const CR3_LAM_BITS = 0x6000_0000_0000_0000n;

/**
 * The rule on a CR3 value: bits 63:52 and bits 51:MAXPHYADDR are 0; with LAM, bits
 * 62:61 (LAM_U57, LAM_U48) may be set, as MOV to CR3 accepts them (SDM Vol. 3A §4.4
 * Linear-Address Masking, as KVM's legal-CR3 test applies it to VM entry).
 */
export function checkCr3Field(ctx: EntryContext, field: string, what: string): Verdict {
  const v = ctx.vmcs.read(field);
  const allowedHigh = ctx.features.lam === true ? CR3_LAM_BITS : 0n;
  const bad = v & ~((1n << BigInt(ctx.maxPhysAddr)) - 1n) & ~allowedHigh & 0xffff_ffff_ffff_ffffn;
  if (bad === 0n) return PASS;
  return fail(
    `The ${what} (${hex(v)}) sets bits beyond the ${ctx.maxPhysAddr}-bit physical-address width (bits ${bitList(bad).join(', ')}).`,
    [fv(field, v)],
    `${field}[63:${ctx.maxPhysAddr}] == 0`,
    { fix: { field, value: v & ~bad } },
  );
}

/** Whether a value is a valid IA32_PAT: each byte one of 0, 1, 4, 5, 6, 7 (src/arch/msr-fields.ts). */
export { isValidPat };

/** The IA32_PAT rule for a VMCS field. */
export function checkPatField(ctx: EntryContext, field: string, what: string): Verdict {
  const v = ctx.vmcs.read(field);
  if (isValidPat(v)) return PASS;
  return fail(
    `The ${what} (${hex(v)}) holds a memory type WRMSR would refuse: every byte must be 0 (UC), 1 (WC), 4 (WT), 5 (WP), 6 (WB) or 7 (UC-).`,
    [fv(field, v)],
    'each byte of the value in {0, 1, 4, 5, 6, 7}',
    { fix: { field, value: 0x0007_0406_0007_0406n } },
  );
}

/** The rule "bits reserved in MSR `index` are 0 in `field`". */
export function checkMsrReservedField(ctx: EntryContext, field: string, index: number, what: string): Verdict {
  const v = ctx.vmcs.read(field);
  const bad = v & ctx.msrReservedBits(index);
  if (bad === 0n) return PASS;
  return fail(
    `The ${what} (${hex(v)}) sets bits reserved in ${msrName(index)}: ${bitList(bad).join(', ')}.`,
    [fv(field, v)],
    `(${field} & reserved(${msrName(index)})) == 0`,
    { fix: { field, value: v & ~bad } },
  );
}
