// Checks on guest segment registers, SDM Vol. 3C §27.3.1.2 "Checks on Guest Segment
// Registers" (VM-entry failure, exit reason 33): selectors, bases, limits, then access
// rights of CS..GS, TR and LDTR, in the SDM's order. "Usable" means access-rights bit 16
// is 0; "virtual-8086" means GUEST_RFLAGS.VM = 1.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { AR, AR_RESERVED_HIGH, AR_RESERVED_LOW, CR0, RFLAGS, SELECTOR } from '../local-arch.ts';
import { SDM_GUEST_SEGS as S } from '../sections.ts';
import { checkCanonicalField, ia32eGuest, unrestrictedGuest } from './support.ts';

type Reg = 'CS' | 'SS' | 'DS' | 'ES' | 'FS' | 'GS' | 'TR' | 'LDTR';
const DATA_REGS = ['CS', 'SS', 'DS', 'ES', 'FS', 'GS'] as const;
const OTHER_DATA = ['DS', 'ES', 'FS', 'GS'] as const;

/** Field names per register, built once (checks run on every VM entry: no string building). */
const NAMES = Object.fromEntries((['CS', 'SS', 'DS', 'ES', 'FS', 'GS', 'TR', 'LDTR'] as const).map((r) => [r, {
  sel: `GUEST_${r}_SELECTOR`, base: `GUEST_${r}_BASE`, lim: `GUEST_${r}_LIMIT`, ar: `GUEST_${r}_AR_BYTES`,
}])) as Record<Reg, { readonly sel: string; readonly base: string; readonly lim: string; readonly ar: string }>;
const sel = (r: Reg) => NAMES[r].sel;
const base = (r: Reg) => NAMES[r].base;
const lim = (r: Reg) => NAMES[r].lim;
const arf = (r: Reg) => NAMES[r].ar;

function v86(ctx: EntryContext): boolean {
  return RFLAGS.has(ctx.vmcs.read('GUEST_RFLAGS'), 'VM');
}

function usable(ctx: EntryContext, r: Reg): boolean {
  return !AR.has(ctx.vmcs.read(arf(r)), 'UNUSABLE');
}

/** CS always, others only when usable: the scope of most access-rights rules. */
function inScope(ctx: EntryContext, r: Reg): boolean {
  return r === 'CS' || usable(ctx, r);
}

// --- selectors ---------------------------------------------------------------------

function checkGuestSelectorTi(r: 'TR' | 'LDTR'): Check['run'] {
  return (ctx) => {
    if (r === 'LDTR' && !usable(ctx, r)) return NOT_APPLICABLE;
    const v = ctx.vmcs.read(sel(r));
    if (!SELECTOR.has(v, 'TI')) return PASS;
    return fail(`The guest ${r} selector (${hex(v)}) has TI (bit 2) set; ${r} must come from the GDT.`, [fv(sel(r), v)],
      `${sel(r)}.TI == 0`, { fix: { field: sel(r), value: SELECTOR.set(v, 'TI', false) } });
  };
}

function checkGuestSsRpl(ctx: EntryContext): Verdict {
  if (v86(ctx) || unrestrictedGuest(ctx)) return NOT_APPLICABLE;
  const ss = ctx.vmcs.read(sel('SS'));
  const cs = ctx.vmcs.read(sel('CS'));
  if (SELECTOR.get(ss, 'RPL') === SELECTOR.get(cs, 'RPL')) return PASS;
  return fail(`Guest SS.RPL (${SELECTOR.get(ss, 'RPL')}) differs from CS.RPL (${SELECTOR.get(cs, 'RPL')}).`,
    [fv(sel('SS'), ss), fv(sel('CS'), cs)], 'not virtual-8086 and no unrestricted guest => SS.RPL == CS.RPL',
    { fix: { field: sel('SS'), value: SELECTOR.set(ss, 'RPL', SELECTOR.get(cs, 'RPL')) } });
}

// --- bases ---------------------------------------------------------------------------

function checkGuestBaseV86(r: Reg): Check['run'] {
  return (ctx) => {
    if (!v86(ctx)) return NOT_APPLICABLE;
    const s = ctx.vmcs.read(sel(r));
    const b = ctx.vmcs.read(base(r));
    if (b === s << 4n) return PASS;
    return fail(`In virtual-8086 mode the guest ${r} base (${hex(b)}) must be its selector times 16 (${hex(s << 4n)}).`,
      [fv(base(r), b), fv(sel(r), s)], `${base(r)} == ${sel(r)} << 4`, { fix: { field: base(r), value: s << 4n } });
  };
}

function checkGuestBaseCanonical(r: 'TR' | 'FS' | 'GS' | 'LDTR'): Check['run'] {
  return (ctx) => {
    if (r === 'LDTR' && !usable(ctx, r)) return NOT_APPLICABLE;
    return checkCanonicalField(ctx, base(r), `guest ${r} base`);
  };
}

function checkGuestBaseUpper(r: 'CS' | 'SS' | 'DS' | 'ES'): Check['run'] {
  return (ctx) => {
    if (r !== 'CS' && !usable(ctx, r)) return NOT_APPLICABLE;
    const b = ctx.vmcs.read(base(r));
    if (b >> 32n === 0n) return PASS;
    return fail(`The guest ${r} base (${hex(b)}) sets bits 63:32.`, [fv(base(r), b)], `${base(r)}[63:32] == 0`,
      { fix: { field: base(r), value: b & 0xffff_ffffn } });
  };
}

// --- limits and virtual-8086 access rights ------------------------------------------

function checkGuestLimitV86(r: Reg): Check['run'] {
  return (ctx) => {
    if (!v86(ctx)) return NOT_APPLICABLE;
    const l = ctx.vmcs.read(lim(r));
    if (l === 0xffffn) return PASS;
    return fail(`In virtual-8086 mode the guest ${r} limit (${hex(l)}) must be 0000FFFFH.`, [fv(lim(r), l)], `${lim(r)} == 0xffff`,
      { fix: { field: lim(r), value: 0xffffn } });
  };
}

function checkGuestArV86(r: Reg): Check['run'] {
  return (ctx) => {
    if (!v86(ctx)) return NOT_APPLICABLE;
    const a = ctx.vmcs.read(arf(r));
    if (a === 0xf3n) return PASS;
    return fail(`In virtual-8086 mode the guest ${r} access rights (${hex(a)}) must be 000000F3H (present, DPL 3, read/write accessed data).`,
      [fv(arf(r), a)], `${arf(r)} == 0xf3`, { fix: { field: arf(r), value: 0xf3n } });
  };
}

// --- access rights of CS, SS, DS, ES, FS, GS outside virtual-8086 mode ------------

/** Shared failure for one access-rights sub-field of register `r`. */
function arFail(r: Reg, a: bigint, message: string, expected: string, fixAr?: bigint, extra: { name: string; value: bigint }[] = []): Verdict {
  return fail(`Guest ${r} access rights (${hex(a)}): ${message}`, [fv(arf(r), a), ...extra], expected,
    fixAr === undefined ? undefined : { fix: { field: arf(r), value: fixAr } });
}

function checkGuestCsType(ctx: EntryContext): Verdict {
  if (v86(ctx)) return NOT_APPLICABLE;
  const a = ctx.vmcs.read(arf('CS'));
  const t = AR.get(a, 'TYPE');
  const ug = unrestrictedGuest(ctx);
  if (t === 9n || t === 11n || t === 13n || t === 15n || (ug && t === 3n)) return PASS;
  return arFail('CS', a, `type ${t} is not an accessed code segment (9, 11, 13, 15${ug ? ', or 3 with unrestricted guest' : ''}).`,
    ug ? 'CS.type in {3, 9, 11, 13, 15}' : 'CS.type in {9, 11, 13, 15}', AR.set(a, 'TYPE', 11n));
}

function checkGuestSsType(ctx: EntryContext): Verdict {
  if (v86(ctx) || !usable(ctx, 'SS')) return NOT_APPLICABLE;
  const a = ctx.vmcs.read(arf('SS'));
  const t = AR.get(a, 'TYPE');
  if (t === 3n || t === 7n) return PASS;
  return arFail('SS', a, `type ${t} is not a read/write accessed data segment (3 or 7).`, 'SS usable => SS.type in {3, 7}', AR.set(a, 'TYPE', 3n));
}

function checkGuestDataType(r: (typeof OTHER_DATA)[number]): Check['run'] {
  return (ctx) => {
    if (v86(ctx) || !usable(ctx, r)) return NOT_APPLICABLE;
    const a = ctx.vmcs.read(arf(r));
    const t = AR.get(a, 'TYPE');
    const fixed = AR.set(a, 'TYPE', t | 1n | ((t & 8n) !== 0n ? 2n : 0n));
    if ((t & 1n) === 0n) return arFail(r, a, `type ${t} is not accessed (type bit 0 must be 1).`, `${r} usable => type bit 0 == 1`, fixed);
    if ((t & 8n) !== 0n && (t & 2n) === 0n) return arFail(r, a, `type ${t} is an execute-only code segment; code segments loaded in ${r} must be readable.`, `${r} usable and type bit 3 == 1 => type bit 1 == 1`, fixed);
    return PASS;
  };
}

function checkGuestArS(r: (typeof DATA_REGS)[number]): Check['run'] {
  return (ctx) => {
    if (v86(ctx) || !inScope(ctx, r)) return NOT_APPLICABLE;
    const a = ctx.vmcs.read(arf(r));
    if (AR.has(a, 'S')) return PASS;
    return arFail(r, a, 'S (bit 4) is 0; it must describe a code or data segment.', `${r === 'CS' ? 'CS' : `${r} usable`} => S == 1`, AR.set(a, 'S', true));
  };
}

function checkGuestCsDpl(ctx: EntryContext): Verdict {
  if (v86(ctx)) return NOT_APPLICABLE;
  const a = ctx.vmcs.read(arf('CS'));
  const ss = ctx.vmcs.read(arf('SS'));
  const t = AR.get(a, 'TYPE');
  const dpl = AR.get(a, 'DPL');
  const ssDpl = AR.get(ss, 'DPL');
  const extra = [fv(arf('SS'), ss)];
  if (t === 3n && dpl !== 0n) return arFail('CS', a, `type 3 (unrestricted guest data segment) needs DPL 0, not ${dpl}.`, 'CS.type == 3 => CS.DPL == 0', AR.set(a, 'DPL', 0n), extra);
  if ((t === 9n || t === 11n) && dpl !== ssDpl) return arFail('CS', a, `a non-conforming code segment needs DPL equal to SS.DPL (${ssDpl}), not ${dpl}.`, 'CS.type in {9, 11} => CS.DPL == SS.DPL', AR.set(a, 'DPL', ssDpl), extra);
  if ((t === 13n || t === 15n) && dpl > ssDpl) return arFail('CS', a, `a conforming code segment needs DPL at most SS.DPL (${ssDpl}), not ${dpl}.`, 'CS.type in {13, 15} => CS.DPL <= SS.DPL', AR.set(a, 'DPL', ssDpl), extra);
  return PASS;
}

function checkGuestSsDpl(ctx: EntryContext): Verdict {
  if (v86(ctx)) return NOT_APPLICABLE;
  const a = ctx.vmcs.read(arf('SS'));
  const dpl = AR.get(a, 'DPL');
  const rpl = SELECTOR.get(ctx.vmcs.read(sel('SS')), 'RPL');
  if (!unrestrictedGuest(ctx) && dpl !== rpl) {
    return arFail('SS', a, `DPL (${dpl}) must equal the RPL of the SS selector (${rpl}).`, 'no unrestricted guest => SS.DPL == SS.RPL', AR.set(a, 'DPL', rpl), [fv(sel('SS'), ctx.vmcs.read(sel('SS')))]);
  }
  const csType = AR.get(ctx.vmcs.read(arf('CS')), 'TYPE');
  const pe = CR0.has(ctx.vmcs.read('GUEST_CR0'), 'PE');
  if ((csType === 3n || !pe) && dpl !== 0n) {
    return arFail('SS', a, `DPL (${dpl}) must be 0 when CS.type is 3 or guest CR0.PE is 0 (real-mode guest).`, 'CS.type == 3 || GUEST_CR0.PE == 0 => SS.DPL == 0', AR.set(a, 'DPL', 0n), [fv('GUEST_CR0', ctx.vmcs.read('GUEST_CR0'))]);
  }
  return PASS;
}

function checkGuestDataDpl(r: (typeof OTHER_DATA)[number]): Check['run'] {
  return (ctx) => {
    if (v86(ctx) || unrestrictedGuest(ctx) || !usable(ctx, r)) return NOT_APPLICABLE;
    const a = ctx.vmcs.read(arf(r));
    if (AR.get(a, 'TYPE') > 11n) return NOT_APPLICABLE;
    const rpl = SELECTOR.get(ctx.vmcs.read(sel(r)), 'RPL');
    if (AR.get(a, 'DPL') >= rpl) return PASS;
    return arFail(r, a, `DPL (${AR.get(a, 'DPL')}) is less than the selector's RPL (${rpl}).`, `${r} usable, type <= 11, no unrestricted guest => ${r}.DPL >= ${r}.RPL`, AR.set(a, 'DPL', rpl), [fv(sel(r), ctx.vmcs.read(sel(r)))]);
  };
}

function checkGuestArP(r: Reg): Check['run'] {
  return (ctx) => {
    if (r === 'TR' ? false : r === 'LDTR' ? !usable(ctx, r) : v86(ctx) || !inScope(ctx, r)) return NOT_APPLICABLE;
    const a = ctx.vmcs.read(arf(r));
    if (AR.has(a, 'P')) return PASS;
    return arFail(r, a, 'P (bit 7) is 0; the segment must be present.', `${r}.P == 1`, AR.set(a, 'P', true));
  };
}

function checkGuestArReserved(r: Reg, mask: bigint, bits: string): Check['run'] {
  return (ctx) => {
    if (r === 'TR' ? false : r === 'LDTR' ? !usable(ctx, r) : v86(ctx) || !inScope(ctx, r)) return NOT_APPLICABLE;
    const a = ctx.vmcs.read(arf(r));
    if ((a & mask) === 0n) return PASS;
    return arFail(r, a, `reserved bits ${bits} are not 0.`, `${r}.AR[${bits}] == 0`, a & ~mask);
  };
}

function checkGuestCsDb(ctx: EntryContext): Verdict {
  if (v86(ctx) || !ia32eGuest(ctx)) return NOT_APPLICABLE;
  const a = ctx.vmcs.read(arf('CS'));
  if (!AR.has(a, 'L') || !AR.has(a, 'DB')) return PASS;
  return arFail('CS', a, 'L and D/B are both 1 in an IA-32e mode guest; a 64-bit code segment has D/B = 0.', 'IA-32e mode guest && CS.L == 1 => CS.D/B == 0', AR.set(a, 'DB', false));
}

function checkGuestArG(r: Reg): Check['run'] {
  return (ctx) => {
    if (r === 'TR' ? false : r === 'LDTR' ? !usable(ctx, r) : v86(ctx) || !inScope(ctx, r)) return NOT_APPLICABLE;
    const a = ctx.vmcs.read(arf(r));
    const l = ctx.vmcs.read(lim(r));
    const g = AR.has(a, 'G');
    const extra = [fv(lim(r), l)];
    if ((l & 0xfffn) !== 0xfffn && g) {
      return arFail(r, a, `G is 1 but limit ${hex(l)} does not end in FFFH; with 4-KByte granularity bits 11:0 of the limit are all 1.`, 'limit[11:0] != 0xfff => G == 0', (l >> 20n) === 0n ? AR.set(a, 'G', false) : undefined, extra);
    }
    if ((l >> 20n) !== 0n && !g) {
      return arFail(r, a, `G is 0 but limit ${hex(l)} exceeds 1 MByte; a byte-granular limit fits in 20 bits.`, 'limit[31:20] != 0 => G == 1', (l & 0xfffn) === 0xfffn ? AR.set(a, 'G', true) : undefined, extra);
    }
    return PASS;
  };
}

// --- TR and LDTR ---------------------------------------------------------------------

function checkGuestTrType(ctx: EntryContext): Verdict {
  const a = ctx.vmcs.read(arf('TR'));
  const t = AR.get(a, 'TYPE');
  const ia32e = ia32eGuest(ctx);
  if (t === 11n || (!ia32e && t === 3n)) return PASS;
  return arFail('TR', a, `type ${t} is not a busy TSS (${ia32e ? '11 for an IA-32e mode guest' : '3 or 11'}).`, ia32e ? 'TR.type == 11' : 'TR.type in {3, 11}', AR.set(a, 'TYPE', 11n));
}

function checkGuestLdtrType(ctx: EntryContext): Verdict {
  if (!usable(ctx, 'LDTR')) return NOT_APPLICABLE;
  const a = ctx.vmcs.read(arf('LDTR'));
  if (AR.get(a, 'TYPE') === 2n) return PASS;
  return arFail('LDTR', a, `type ${AR.get(a, 'TYPE')} is not an LDT (2).`, 'LDTR usable => LDTR.type == 2', AR.set(a, 'TYPE', 2n));
}

function checkGuestSystemS(r: 'TR' | 'LDTR'): Check['run'] {
  return (ctx) => {
    if (r === 'LDTR' && !usable(ctx, r)) return NOT_APPLICABLE;
    const a = ctx.vmcs.read(arf(r));
    if (!AR.has(a, 'S')) return PASS;
    return arFail(r, a, 'S (bit 4) is 1; it must describe a system segment.', `${r}.S == 0`, AR.set(a, 'S', false));
  };
}

function checkGuestTrUsable(ctx: EntryContext): Verdict {
  const a = ctx.vmcs.read(arf('TR'));
  if (!AR.has(a, 'UNUSABLE')) return PASS;
  return arFail('TR', a, 'the unusable bit (16) is 1; a guest always has a usable task register.', 'TR.unusable == 0', AR.set(a, 'UNUSABLE', false));
}

const c = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'guest.segs', sdm: S, title, fields, run });
const lc = (r: string) => r.toLowerCase();
const RF = 'GUEST_RFLAGS';
const SEC = 'SECONDARY_VM_EXEC_CONTROL';

/** §27.3.1.2 in the SDM's order. */
export const GUEST_SEGMENT_CHECKS: readonly Check[] = [
  c('guest.seg.tr.selector.ti', 'Guest TR selector TI flag (bit 2) is 0', [sel('TR')], checkGuestSelectorTi('TR')),
  c('guest.seg.ldtr.selector.ti', 'If LDTR is usable, its selector TI flag (bit 2) is 0', [sel('LDTR'), arf('LDTR')], checkGuestSelectorTi('LDTR')),
  c('guest.seg.ss.selector.rpl', 'Outside virtual-8086 mode and without unrestricted guest, SS.RPL equals CS.RPL', [sel('SS'), sel('CS'), RF, SEC], checkGuestSsRpl),
  ...DATA_REGS.map((r) => c(`guest.seg.${lc(r)}.base.v86`, `In virtual-8086 mode the ${r} base is the selector shifted left 4 bits`, [base(r), sel(r), RF], checkGuestBaseV86(r))),
  ...(['TR', 'FS', 'GS'] as const).map((r) => c(`guest.seg.${lc(r)}.base.canonical`, `Guest ${r} base is canonical`, [base(r)], checkGuestBaseCanonical(r))),
  c('guest.seg.ldtr.base.canonical', 'If LDTR is usable, its base is canonical', [base('LDTR'), arf('LDTR')], checkGuestBaseCanonical('LDTR')),
  c('guest.seg.cs.base.upper', 'Guest CS base bits 63:32 are 0', [base('CS')], checkGuestBaseUpper('CS')),
  ...(['SS', 'DS', 'ES'] as const).map((r) => c(`guest.seg.${lc(r)}.base.upper`, `If ${r} is usable, its base bits 63:32 are 0`, [base(r), arf(r)], checkGuestBaseUpper(r))),
  ...DATA_REGS.map((r) => c(`guest.seg.${lc(r)}.limit.v86`, `In virtual-8086 mode the ${r} limit is 0000FFFFH`, [lim(r), RF], checkGuestLimitV86(r))),
  ...DATA_REGS.map((r) => c(`guest.seg.${lc(r)}.access-rights.v86`, `In virtual-8086 mode the ${r} access rights are 000000F3H`, [arf(r), RF], checkGuestArV86(r))),
  c('guest.seg.cs.access-rights.type', 'CS type is 9, 11, 13 or 15 (also 3 with unrestricted guest)', [arf('CS'), RF, SEC], checkGuestCsType),
  c('guest.seg.ss.access-rights.type', 'If SS is usable, its type is 3 or 7', [arf('SS'), RF], checkGuestSsType),
  ...OTHER_DATA.map((r) => c(`guest.seg.${lc(r)}.access-rights.type`, `If ${r} is usable, its type is accessed, and readable if code`, [arf(r), RF], checkGuestDataType(r))),
  ...DATA_REGS.map((r) => c(`guest.seg.${lc(r)}.access-rights.s`, `${r === 'CS' ? 'CS' : `If ${r} is usable, its`} S bit is 1`, [arf(r), RF], checkGuestArS(r))),
  c('guest.seg.cs.access-rights.dpl', 'CS DPL: 0 for type 3; = SS.DPL for types 9, 11; <= SS.DPL for types 13, 15', [arf('CS'), arf('SS'), RF], checkGuestCsDpl),
  c('guest.seg.ss.access-rights.dpl', 'SS DPL equals SS.RPL without unrestricted guest, and is 0 if CS type is 3 or CR0.PE is 0', [arf('SS'), sel('SS'), arf('CS'), 'GUEST_CR0', RF, SEC], checkGuestSsDpl),
  ...OTHER_DATA.map((r) => c(`guest.seg.${lc(r)}.access-rights.dpl`, `If ${r} is usable with type 0-11 and no unrestricted guest, DPL >= RPL`, [arf(r), sel(r), RF, SEC], checkGuestDataDpl(r))),
  ...DATA_REGS.map((r) => c(`guest.seg.${lc(r)}.access-rights.p`, `${r === 'CS' ? 'CS' : `If ${r} is usable, its`} P bit is 1`, [arf(r), RF], checkGuestArP(r))),
  ...DATA_REGS.map((r) => c(`guest.seg.${lc(r)}.access-rights.reserved-11-8`, `${r === 'CS' ? 'CS' : `If ${r} is usable, its`} access-rights bits 11:8 are 0`, [arf(r), RF], checkGuestArReserved(r, AR_RESERVED_LOW, '11:8'))),
  c('guest.seg.cs.access-rights.db', 'For an IA-32e mode guest with CS.L = 1, CS.D/B is 0', [arf('CS'), 'VM_ENTRY_CONTROLS', RF], checkGuestCsDb),
  ...DATA_REGS.map((r) => c(`guest.seg.${lc(r)}.access-rights.g`, `${r === 'CS' ? 'CS' : `If ${r} is usable, its`} G bit agrees with the limit`, [arf(r), lim(r), RF], checkGuestArG(r))),
  ...DATA_REGS.map((r) => c(`guest.seg.${lc(r)}.access-rights.reserved-31-17`, `${r === 'CS' ? 'CS' : `If ${r} is usable, its`} access-rights bits 31:17 are 0`, [arf(r), RF], checkGuestArReserved(r, AR_RESERVED_HIGH, '31:17'))),
  c('guest.seg.tr.access-rights.type', 'TR type is 11 (busy 64-bit/32-bit TSS), or 3 (busy 16-bit TSS) outside IA-32e mode', [arf('TR'), 'VM_ENTRY_CONTROLS'], checkGuestTrType),
  c('guest.seg.tr.access-rights.s', 'TR S bit is 0', [arf('TR')], checkGuestSystemS('TR')),
  c('guest.seg.tr.access-rights.p', 'TR P bit is 1', [arf('TR')], checkGuestArP('TR')),
  c('guest.seg.tr.access-rights.reserved-11-8', 'TR access-rights bits 11:8 are 0', [arf('TR')], checkGuestArReserved('TR', AR_RESERVED_LOW, '11:8')),
  c('guest.seg.tr.access-rights.g', 'TR G bit agrees with the limit', [arf('TR'), lim('TR')], checkGuestArG('TR')),
  c('guest.seg.tr.access-rights.unusable', 'TR is usable (access-rights bit 16 is 0)', [arf('TR')], checkGuestTrUsable),
  c('guest.seg.tr.access-rights.reserved-31-17', 'TR access-rights bits 31:17 are 0', [arf('TR')], checkGuestArReserved('TR', AR_RESERVED_HIGH, '31:17')),
  c('guest.seg.ldtr.access-rights.type', 'If LDTR is usable, its type is 2', [arf('LDTR')], checkGuestLdtrType),
  c('guest.seg.ldtr.access-rights.s', 'If LDTR is usable, its S bit is 0', [arf('LDTR')], checkGuestSystemS('LDTR')),
  c('guest.seg.ldtr.access-rights.p', 'If LDTR is usable, its P bit is 1', [arf('LDTR')], checkGuestArP('LDTR')),
  c('guest.seg.ldtr.access-rights.reserved-11-8', 'If LDTR is usable, its access-rights bits 11:8 are 0', [arf('LDTR')], checkGuestArReserved('LDTR', AR_RESERVED_LOW, '11:8')),
  c('guest.seg.ldtr.access-rights.g', 'If LDTR is usable, its G bit agrees with the limit', [arf('LDTR'), lim('LDTR')], checkGuestArG('LDTR')),
  c('guest.seg.ldtr.access-rights.reserved-31-17', 'If LDTR is usable, its access-rights bits 31:17 are 0', [arf('LDTR')], checkGuestArReserved('LDTR', AR_RESERVED_HIGH, '31:17')),
];

