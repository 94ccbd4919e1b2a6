// Checks on guest non-register state, SDM Vol. 3C §27.3.1.5 "Checks on Guest
// Non-Register State" (VM-entry failure, exit reason 33): activity state,
// interruptibility state, pending debug exceptions, and the VMCS link pointer (exit
// qualification 4), in the SDM's order.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import {
  ACTIVITY, AR, DEBUGCTL, INTERRUPTIBILITY, INTR_INFO, INTR_TYPE, MSR, PENDING_DBG, RFLAGS, VMX_BASIC, VMX_MISC,
} from '../local-arch.ts';
import { SDM_GUEST_NON_REG as S } from '../sections.ts';
import { beyondPhysWidth, bitList, entryHas, pinHas, proc2Has } from './support.ts';

const ACT_F = 'GUEST_ACTIVITY_STATE';
const INT_F = 'GUEST_INTERRUPTIBILITY_INFO';
const PDE_F = 'GUEST_PENDING_DBG_EXCEPTIONS';
const INFO_F = 'VM_ENTRY_INTR_INFO_FIELD';
const LINK_F = 'VMCS_LINK_POINTER';

const ACTIVITY_NAMES = ['active', 'HLT', 'shutdown', 'wait-for-SIPI'];

/** Injected event (type, vector) when the interruption-information valid bit is 1. */
function injected(ctx: EntryContext): { info: bigint; type: bigint; vector: bigint } | undefined {
  const info = ctx.vmcs.read(INFO_F);
  if (!INTR_INFO.has(info, 'VALID')) return undefined;
  return { info, type: INTR_INFO.get(info, 'TYPE'), vector: INTR_INFO.get(info, 'VECTOR') };
}

function checkGuestActivitySupported(ctx: EntryContext): Verdict {
  const a = ctx.vmcs.read(ACT_F);
  const misc = ctx.msr(MSR.IA32_VMX_MISC);
  const ok = a === ACTIVITY.ACTIVE || (a === ACTIVITY.HLT && VMX_MISC.has(misc, 'ACTIVITY_HLT')) ||
    (a === ACTIVITY.SHUTDOWN && VMX_MISC.has(misc, 'ACTIVITY_SHUTDOWN')) || (a === ACTIVITY.WAIT_SIPI && VMX_MISC.has(misc, 'ACTIVITY_WAIT_SIPI'));
  if (ok) return PASS;
  return fail(
    a > 3n ? `Activity state ${a} does not exist (0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI).` : `Activity state ${a} (${ACTIVITY_NAMES[Number(a)]}) is not supported by this processor (IA32_VMX_MISC bits 8:6).`,
    [fv(ACT_F, a)], 'GUEST_ACTIVITY_STATE == 0, or 1-3 if IA32_VMX_MISC[5 + state]',
    { capability: { msr: 'IA32_VMX_MISC', index: MSR.IA32_VMX_MISC, bits: [6, 7, 8] }, fix: { field: ACT_F, value: ACTIVITY.ACTIVE } },
  );
}

function checkGuestActivityHltCpl(ctx: EntryContext): Verdict {
  if (ctx.vmcs.read(ACT_F) !== ACTIVITY.HLT) return NOT_APPLICABLE;
  const ss = ctx.vmcs.read('GUEST_SS_AR_BYTES');
  if (AR.get(ss, 'DPL') === 0n) return PASS;
  return fail(`The activity state is HLT but SS.DPL (the guest CPL) is ${AR.get(ss, 'DPL')}; only CPL 0 can halt.`,
    [fv(ACT_F, ACTIVITY.HLT), fv('GUEST_SS_AR_BYTES', ss)], 'GUEST_ACTIVITY_STATE == HLT => SS.DPL == 0', { fix: { field: ACT_F, value: ACTIVITY.ACTIVE } });
}

function checkGuestActivityBlocking(ctx: EntryContext): Verdict {
  const a = ctx.vmcs.read(ACT_F);
  const i = ctx.vmcs.read(INT_F);
  if (a === ACTIVITY.ACTIVE || (!INTERRUPTIBILITY.has(i, 'STI') && !INTERRUPTIBILITY.has(i, 'MOV_SS'))) return PASS;
  return fail('Blocking by STI or MOV SS is indicated, so the activity state must be active.', [fv(ACT_F, a), fv(INT_F, i)],
    'STI or MOV-SS blocking => GUEST_ACTIVITY_STATE == active', { fix: { field: ACT_F, value: ACTIVITY.ACTIVE } });
}

function checkGuestActivityInjection(ctx: EntryContext): Verdict {
  const ev = injected(ctx);
  if (ev === undefined) return NOT_APPLICABLE;
  const a = ctx.vmcs.read(ACT_F);
  const { type, vector } = ev;
  let ok = true;
  if (a === ACTIVITY.HLT) {
    ok = type === INTR_TYPE.EXT_INTR || type === INTR_TYPE.NMI || (type === INTR_TYPE.HARD_EXCEPTION && (vector === 1n || vector === 18n)) ||
      (type === INTR_TYPE.OTHER_EVENT && vector === 0n);
  } else if (a === ACTIVITY.SHUTDOWN) {
    ok = type === INTR_TYPE.NMI || (type === INTR_TYPE.HARD_EXCEPTION && vector === 18n);
  } else if (a === ACTIVITY.WAIT_SIPI) {
    ok = false;
  }
  if (ok) return PASS;
  return fail(
    `The injected event (type ${type}, vector ${vector}) would be blocked in the ${ACTIVITY_NAMES[Number(a)] ?? String(a)} activity state.`,
    [fv(INFO_F, ev.info), fv(ACT_F, a)],
    'HLT: external interrupt, NMI, #DB, #MC or MTF only; shutdown: NMI or #MC only; wait-for-SIPI: none',
    { fix: { field: ACT_F, value: ACTIVITY.ACTIVE } },
  );
}

function checkGuestActivitySipiSmm(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_SMM')) return NOT_APPLICABLE;
  const a = ctx.vmcs.read(ACT_F);
  if (a !== ACTIVITY.WAIT_SIPI) return PASS;
  return fail('"Entry to SMM" is 1 with the wait-for-SIPI activity state.', [fv(ACT_F, a)],
    'entry to SMM == 1 => GUEST_ACTIVITY_STATE != wait-for-SIPI', { fix: { field: ACT_F, value: ACTIVITY.ACTIVE } });
}

function checkGuestIntrReserved(ctx: EntryContext): Verdict {
  const i = ctx.vmcs.read(INT_F);
  const bad = i & INTERRUPTIBILITY.reservedMask;
  if (bad === 0n) return PASS;
  return fail(`The interruptibility state (${hex(i)}) sets reserved bits ${bitList(bad).join(', ')}.`, [fv(INT_F, i)],
    `${INT_F}[31:5] == 0`, { fix: { field: INT_F, value: i & ~bad } });
}

function checkGuestIntrStiAndMovSs(ctx: EntryContext): Verdict {
  const i = ctx.vmcs.read(INT_F);
  if (!INTERRUPTIBILITY.has(i, 'STI') || !INTERRUPTIBILITY.has(i, 'MOV_SS')) return PASS;
  return fail('The interruptibility state indicates blocking by both STI and MOV SS.', [fv(INT_F, i)],
    '!(STI blocking && MOV-SS blocking)', { fix: { field: INT_F, value: INTERRUPTIBILITY.set(i, 'STI', false) } });
}

function checkGuestIntrStiNeedsIf(ctx: EntryContext): Verdict {
  const i = ctx.vmcs.read(INT_F);
  if (!INTERRUPTIBILITY.has(i, 'STI')) return NOT_APPLICABLE;
  const rf = ctx.vmcs.read('GUEST_RFLAGS');
  if (RFLAGS.has(rf, 'IF')) return PASS;
  return fail('Blocking by STI is indicated but guest RFLAGS.IF is 0 (STI blocking exists only right after an STI that set IF).',
    [fv(INT_F, i), fv('GUEST_RFLAGS', rf)], 'STI blocking => GUEST_RFLAGS.IF == 1', { fix: { field: INT_F, value: INTERRUPTIBILITY.set(i, 'STI', false) } });
}

function checkGuestIntrExtIntrInjection(ctx: EntryContext): Verdict {
  const ev = injected(ctx);
  if (ev === undefined || ev.type !== INTR_TYPE.EXT_INTR) return NOT_APPLICABLE;
  const i = ctx.vmcs.read(INT_F);
  const block = INTERRUPTIBILITY.mask.STI | INTERRUPTIBILITY.mask.MOV_SS;
  if ((i & block) === 0n) return PASS;
  return fail('An external interrupt is injected while blocking by STI or MOV SS is indicated.', [fv(INT_F, i), fv(INFO_F, ev.info)],
    'injecting an external interrupt => STI blocking == MOV-SS blocking == 0', { fix: { field: INT_F, value: i & ~block } });
}

function checkGuestIntrNmiInjectionMovSs(ctx: EntryContext): Verdict {
  const ev = injected(ctx);
  if (ev === undefined || ev.type !== INTR_TYPE.NMI) return NOT_APPLICABLE;
  const i = ctx.vmcs.read(INT_F);
  if (!INTERRUPTIBILITY.has(i, 'MOV_SS')) return PASS;
  return fail('An NMI is injected while blocking by MOV SS is indicated.', [fv(INT_F, i), fv(INFO_F, ev.info)],
    'injecting an NMI => MOV-SS blocking == 0', { fix: { field: INT_F, value: INTERRUPTIBILITY.set(i, 'MOV_SS', false) } });
}

// Implementation choice (docs/decisions/0004): the current SDM requires STI blocking 0 for
// an injected NMI (the 2016 text said a processor "may"); its failure keeps the
// implementation-specific exit qualification 3 of §27.8.
function checkGuestIntrNmiInjectionSti(ctx: EntryContext): Verdict {
  const ev = injected(ctx);
  if (ev === undefined || ev.type !== INTR_TYPE.NMI) return NOT_APPLICABLE;
  const i = ctx.vmcs.read(INT_F);
  if (!INTERRUPTIBILITY.has(i, 'STI')) return PASS;
  return fail('An NMI is injected while blocking by STI is indicated.', [fv(INT_F, i), fv(INFO_F, ev.info)],
    'injecting an NMI => STI blocking == 0 (exit qualification 3)', { fix: { field: INT_F, value: INTERRUPTIBILITY.set(i, 'STI', false) } });
}

function checkGuestIntrSmiOutsideSmm(ctx: EntryContext): Verdict {
  if (ctx.cpu.inSmm) return NOT_APPLICABLE;
  const i = ctx.vmcs.read(INT_F);
  if (!INTERRUPTIBILITY.has(i, 'SMI')) return PASS;
  return fail('Blocking by SMI is indicated but the processor is not in SMM.', [fv(INT_F, i)], 'not in SMM => SMI blocking == 0',
    { fix: { field: INT_F, value: INTERRUPTIBILITY.set(i, 'SMI', false) } });
}

function checkGuestIntrSmiOnSmmEntry(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_SMM')) return NOT_APPLICABLE;
  const i = ctx.vmcs.read(INT_F);
  if (INTERRUPTIBILITY.has(i, 'SMI')) return PASS;
  return fail('"Entry to SMM" is 1 but blocking by SMI is not indicated.', [fv(INT_F, i)], 'entry to SMM == 1 => SMI blocking == 1',
    { fix: { field: INT_F, value: INTERRUPTIBILITY.set(i, 'SMI', true) } });
}

function checkGuestIntrNmiBlockingVirtualNmi(ctx: EntryContext): Verdict {
  const ev = injected(ctx);
  if (ev === undefined || ev.type !== INTR_TYPE.NMI || !pinHas(ctx, 'PIN_BASED_VIRTUAL_NMIS')) return NOT_APPLICABLE;
  const i = ctx.vmcs.read(INT_F);
  if (!INTERRUPTIBILITY.has(i, 'NMI')) return PASS;
  return fail('A virtual NMI is injected while blocking by NMI is indicated.', [fv(INT_F, i), fv(INFO_F, ev.info), fv('PIN_BASED_VM_EXEC_CONTROL', ctx.vmcs.read('PIN_BASED_VM_EXEC_CONTROL'))],
    'virtual NMIs && injecting an NMI => NMI blocking == 0', { fix: { field: INT_F, value: INTERRUPTIBILITY.set(i, 'NMI', false) } });
}

function checkGuestIntrEnclave(ctx: EntryContext): Verdict {
  const i = ctx.vmcs.read(INT_F);
  if (!INTERRUPTIBILITY.has(i, 'ENCLAVE')) return NOT_APPLICABLE;
  if (!INTERRUPTIBILITY.has(i, 'MOV_SS') && ctx.features.sgx === true) return PASS;
  return fail(ctx.features.sgx === true ? 'Enclave interruption (bit 4) is indicated together with blocking by MOV SS.' : 'Enclave interruption (bit 4) is indicated but the processor does not support SGX.',
    [fv(INT_F, i)], 'enclave interruption => MOV-SS blocking == 0 && CPUID.(7,0):EBX.SGX == 1',
    { fix: { field: INT_F, value: INTERRUPTIBILITY.set(i, 'ENCLAVE', false) } });
}

function checkGuestPendingDbgReserved(ctx: EntryContext): Verdict {
  const v = ctx.vmcs.read(PDE_F);
  const bad = v & PENDING_DBG.reservedMask;
  if (bad === 0n) return PASS;
  return fail(`The pending debug exceptions (${hex(v)}) set reserved bits ${bitList(bad).join(', ')}.`, [fv(PDE_F, v)],
    `${PDE_F}[11:4, 13, 15, 63:17] == 0`, { fix: { field: PDE_F, value: v & ~bad } });
}

function checkGuestPendingDbgBs(ctx: EntryContext): Verdict {
  const i = ctx.vmcs.read(INT_F);
  const a = ctx.vmcs.read(ACT_F);
  if (!INTERRUPTIBILITY.has(i, 'STI') && !INTERRUPTIBILITY.has(i, 'MOV_SS') && a !== ACTIVITY.HLT) return NOT_APPLICABLE;
  const v = ctx.vmcs.read(PDE_F);
  const tf = RFLAGS.has(ctx.vmcs.read('GUEST_RFLAGS'), 'TF');
  const btf = (ctx.vmcs.read('GUEST_IA32_DEBUGCTL') & DEBUGCTL.mask.BTF) !== 0n;
  const want = tf && !btf;
  if (PENDING_DBG.has(v, 'BS') === want) return PASS;
  return fail(
    want ? 'RFLAGS.TF is 1 (and DEBUGCTL.BTF 0) while events are blocked or the guest is halted, so a single-step trap is pending: BS (bit 14) must be 1.'
      : 'BS (bit 14) is 1 but no single-step trap can be pending (RFLAGS.TF is 0 or DEBUGCTL.BTF is 1).',
    [fv(PDE_F, v), fv('GUEST_RFLAGS', ctx.vmcs.read('GUEST_RFLAGS')), fv('GUEST_IA32_DEBUGCTL', ctx.vmcs.read('GUEST_IA32_DEBUGCTL')), fv(INT_F, i), fv(ACT_F, a)],
    'STI/MOV-SS blocking or HLT => BS == (RFLAGS.TF && !DEBUGCTL.BTF)',
    { fix: { field: PDE_F, value: PENDING_DBG.set(v, 'BS', want) } },
  );
}

function checkGuestPendingDbgRtm(ctx: EntryContext): Verdict {
  const v = ctx.vmcs.read(PDE_F);
  if (!PENDING_DBG.has(v, 'RTM')) return NOT_APPLICABLE;
  const i = ctx.vmcs.read(INT_F);
  const others = v & ~PENDING_DBG.mask.RTM & ~PENDING_DBG.mask.ENABLED_BREAKPOINT;
  const problems: string[] = [];
  if (others !== 0n) problems.push(`bits ${bitList(others).join(', ')} must be 0`);
  if (!PENDING_DBG.has(v, 'ENABLED_BREAKPOINT')) problems.push('bit 12 must be 1');
  if (ctx.features.rtm !== true) problems.push('the processor does not support RTM');
  if (INTERRUPTIBILITY.has(i, 'MOV_SS')) problems.push('blocking by MOV SS must be 0');
  if (problems.length === 0) return PASS;
  return fail(`The RTM bit (16) of the pending debug exceptions is 1 but ${problems.join('; ')}.`, [fv(PDE_F, v), fv(INT_F, i)],
    'RTM == 1 => other bits 0, bit 12 == 1, CPUID RTM, MOV-SS blocking == 0', { fix: { field: PDE_F, value: 0n } });
}

/** The VMCS link pointer is in use unless it is FFFFFFFF_FFFFFFFFH. */
function linkPointer(ctx: EntryContext): bigint | undefined {
  const p = ctx.vmcs.read(LINK_F);
  return p === 0xffff_ffff_ffff_ffffn ? undefined : p;
}

function checkGuestLinkPointerAddress(ctx: EntryContext): Verdict {
  const p = linkPointer(ctx);
  if (p === undefined) return NOT_APPLICABLE;
  const bad = (p & 0xfffn) | beyondPhysWidth(ctx, p);
  if (bad === 0n) return PASS;
  return fail(`The VMCS link pointer (${hex(p)}) is neither FFFFFFFF_FFFFFFFFH nor a 4-KByte aligned address within the ${ctx.maxPhysAddr}-bit physical-address width.`,
    [fv(LINK_F, p)], `${LINK_F} == ~0 || (${LINK_F}[11:0] == 0 && ${LINK_F} < 2^${ctx.maxPhysAddr})`,
    { fix: { field: LINK_F, value: 0xffff_ffff_ffff_ffffn } });
}

function checkGuestLinkPointerRevision(ctx: EntryContext): Verdict {
  const p = linkPointer(ctx);
  if (p === undefined || (p & 0xfffn) !== 0n || beyondPhysWidth(ctx, p) !== 0n) return NOT_APPLICABLE;
  const word = ctx.readPhys(p, 4);
  const rev = VMX_BASIC.get(ctx.msr(MSR.IA32_VMX_BASIC), 'REVISION_ID');
  const shadow = proc2Has(ctx, 'SECONDARY_EXEC_SHADOW_VMCS');
  const want = rev | (shadow ? 0x8000_0000n : 0n);
  if (word === want) return PASS;
  return fail(
    `The VMCS the link pointer references starts with ${hex(word)}; it must hold revision identifier ${hex(rev)} with bit 31 ${shadow ? 'set (a shadow VMCS, since "VMCS shadowing" is 1)' : 'clear ("VMCS shadowing" is 0)'}.`,
    [fv(LINK_F, p), fv('revision dword', word)], 'dword at link pointer == revision id | (VMCS shadowing << 31)',
    { capability: { msr: 'IA32_VMX_BASIC', index: MSR.IA32_VMX_BASIC }, fix: { field: LINK_F, value: 0xffff_ffff_ffff_ffffn } },
  );
}

function checkGuestLinkPointerNotCurrent(ctx: EntryContext): Verdict {
  const p = linkPointer(ctx);
  if (p === undefined) return NOT_APPLICABLE;
  const smmEntry = entryHas(ctx, 'VM_ENTRY_SMM');
  const other = !ctx.cpu.inSmm || smmEntry ? ctx.cpu.currentVmcs : ctx.cpu.executiveVmcs;
  if (other === undefined || p !== other) return PASS;
  return fail(`The VMCS link pointer (${hex(p)}) points at the ${!ctx.cpu.inSmm || smmEntry ? 'current' : 'executive'} VMCS itself.`,
    [fv(LINK_F, p)], `${LINK_F} != current-VMCS pointer`, { fix: { field: LINK_F, value: 0xffff_ffff_ffff_ffffn } });
}

const c = (id: string, title: string, fields: string[], run: Check['run'], qualification?: 3 | 4): Check =>
  defineCheck({ id, area: 'guest.non-reg', sdm: S, title, fields, run, ...(qualification ? { qualification } : {}) });

/** §27.3.1.5 in the SDM's order. */
export const GUEST_NON_REGISTER_CHECKS: readonly Check[] = [
  c('guest.activity.supported', 'The activity state is 0-3 and supported (IA32_VMX_MISC bits 8:6)', [ACT_F], checkGuestActivitySupported),
  c('guest.activity.hlt-needs-cpl0', 'The activity state is not HLT if SS.DPL is not 0', [ACT_F, 'GUEST_SS_AR_BYTES'], checkGuestActivityHltCpl),
  c('guest.activity.blocking-needs-active', 'The activity state is active if blocking by STI or MOV SS is indicated', [ACT_F, INT_F], checkGuestActivityBlocking),
  c('guest.activity.injection-allowed', 'An injected event is one the activity state does not block', [ACT_F, INFO_F], checkGuestActivityInjection),
  c('guest.activity.sipi-with-smm-entry', 'The activity state is not wait-for-SIPI if "entry to SMM" is 1', [ACT_F, 'VM_ENTRY_CONTROLS'], checkGuestActivitySipiSmm),
  c('guest.interruptibility.reserved-bits', 'Interruptibility-state bits 31:5 are 0', [INT_F], checkGuestIntrReserved),
  c('guest.interruptibility.sti-and-mov-ss', 'Blocking by STI and by MOV SS are not both indicated', [INT_F], checkGuestIntrStiAndMovSs),
  c('guest.interruptibility.sti-needs-if', 'Blocking by STI is 0 if RFLAGS.IF is 0', [INT_F, 'GUEST_RFLAGS'], checkGuestIntrStiNeedsIf),
  c('guest.interruptibility.ext-intr-injection', 'Blocking by STI and MOV SS are 0 when an external interrupt is injected', [INT_F, INFO_F], checkGuestIntrExtIntrInjection),
  c('guest.interruptibility.nmi-injection-mov-ss', 'Blocking by MOV SS is 0 when an NMI is injected', [INT_F, INFO_F], checkGuestIntrNmiInjectionMovSs),
  c('guest.interruptibility.nmi-injection-sti', 'Blocking by STI is 0 when an NMI is injected (exit qualification 3)', [INT_F, INFO_F], checkGuestIntrNmiInjectionSti, 3),
  c('guest.interruptibility.smi-outside-smm', 'Blocking by SMI is 0 outside SMM', [INT_F], checkGuestIntrSmiOutsideSmm),
  c('guest.interruptibility.smi-on-smm-entry', 'Blocking by SMI is 1 if "entry to SMM" is 1', [INT_F, 'VM_ENTRY_CONTROLS'], checkGuestIntrSmiOnSmmEntry),
  c('guest.interruptibility.nmi-blocking-virtual-nmi', 'Blocking by NMI is 0 when "virtual NMIs" is 1 and an NMI is injected', [INT_F, INFO_F, 'PIN_BASED_VM_EXEC_CONTROL'], checkGuestIntrNmiBlockingVirtualNmi),
  c('guest.interruptibility.enclave', 'Enclave interruption needs MOV-SS blocking 0 and SGX support', [INT_F], checkGuestIntrEnclave),
  c('guest.pending-dbg.reserved-bits', 'Pending-debug-exceptions bits 11:4, 13, 15 and 63:17 are 0', [PDE_F], checkGuestPendingDbgReserved),
  c('guest.pending-dbg.bs', 'With STI/MOV-SS blocking or HLT, BS is 1 iff RFLAGS.TF is 1 and DEBUGCTL.BTF is 0', [PDE_F, INT_F, ACT_F, 'GUEST_RFLAGS', 'GUEST_IA32_DEBUGCTL'], checkGuestPendingDbgBs),
  c('guest.pending-dbg.rtm', 'If the RTM bit is 1: other bits 0 except bit 12 = 1, RTM supported, no MOV-SS blocking', [PDE_F, INT_F], checkGuestPendingDbgRtm),
  c('guest.link-pointer.address', 'A VMCS link pointer other than FFFFFFFF_FFFFFFFFH has bits 11:0 = 0 and is within the physical-address width', [LINK_F], checkGuestLinkPointerAddress, 4),
  c('guest.link-pointer.revision', 'The VMCS the link pointer references has the revision identifier, bit 31 = "VMCS shadowing"', [LINK_F, 'SECONDARY_VM_EXEC_CONTROL'], checkGuestLinkPointerRevision, 4),
  c('guest.link-pointer.not-current', 'The VMCS link pointer is not the current-VMCS pointer (executive-VMCS pointer in SMM)', [LINK_F], checkGuestLinkPointerNotCurrent, 4),
];
