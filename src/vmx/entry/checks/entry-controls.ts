// Checks on the VM-entry control fields, SDM Vol. 3C §27.2.1.3 "VM-Entry Control Fields"
// (VMfailValid(7)): the controls, the event-injection fields, the MSR-load area and the
// SMM controls, in the SDM's order.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { CR0, CR4, ENTRY, INTR_INFO, INTR_INFO_RESERVED_30_12, INTR_TYPE, MSR, PROC, VMX_BASIC, VMX_MISC } from '../local-arch.ts';
import { SDM_ENTRY_CONTROLS as S } from '../sections.ts';
import { allowedSettings, bitList, checkAllowedSettings, entryControls, entryHas, unrestrictedGuest } from './support.ts';
import { checkMsrArea } from './exit-controls.ts';

const ENTRY_F = 'VM_ENTRY_CONTROLS';
const INFO_F = 'VM_ENTRY_INTR_INFO_FIELD';

function checkCtrlEntryAllowed(ctx: EntryContext): Verdict {
  const a = allowedSettings(ctx, MSR.IA32_VMX_ENTRY_CTLS, MSR.IA32_VMX_TRUE_ENTRY_CTLS);
  return checkAllowedSettings(ENTRY_F, entryControls(ctx), a, 'VM-entry controls');
}

/** The interruption-information field if its valid bit is 1. */
function injected(ctx: EntryContext): bigint | undefined {
  const info = ctx.vmcs.read(INFO_F);
  return INTR_INFO.has(info, 'VALID') ? info : undefined;
}

function checkCtrlEventType(ctx: EntryContext): Verdict {
  const info = injected(ctx);
  if (info === undefined) return NOT_APPLICABLE;
  const type = INTR_INFO.get(info, 'TYPE');
  const mtf = (ctx.msr(MSR.IA32_VMX_PROCBASED_CTLS) >> 32n) & PROC.mask.CPU_BASED_MONITOR_TRAP_FLAG;
  if (type !== INTR_TYPE.RESERVED && (type !== INTR_TYPE.OTHER_EVENT || mtf !== 0n)) return PASS;
  return fail(
    type === INTR_TYPE.RESERVED
      ? 'The injected event has interruption type 1, which is reserved.'
      : 'The injected event has interruption type 7 (other event), reserved on a processor without the "monitor trap flag" control.',
    [fv(INFO_F, info)],
    'type != 1, and type != 7 unless the 1-setting of "monitor trap flag" is allowed',
    type === INTR_TYPE.OTHER_EVENT ? { capability: { msr: 'IA32_VMX_PROCBASED_CTLS', index: MSR.IA32_VMX_PROCBASED_CTLS, bits: [59] } } : undefined,
  );
}

function checkCtrlEventVector(ctx: EntryContext): Verdict {
  const info = injected(ctx);
  if (info === undefined) return NOT_APPLICABLE;
  const type = INTR_INFO.get(info, 'TYPE');
  const vector = INTR_INFO.get(info, 'VECTOR');
  let want: string | undefined;
  let fixVector = vector;
  if (type === INTR_TYPE.NMI && vector !== 2n) { want = 'an NMI must use vector 2'; fixVector = 2n; }
  if (type === INTR_TYPE.HARD_EXCEPTION && vector > 31n) { want = 'a hardware exception must use a vector of at most 31'; fixVector = vector & 31n; }
  if (type === INTR_TYPE.OTHER_EVENT && vector !== 0n) { want = 'an "other event" must use vector 0 (pending MTF VM exit)'; fixVector = 0n; }
  if (want === undefined) return PASS;
  return fail(`The injected event's vector (${vector}) does not fit its type: ${want}.`, [fv(INFO_F, info)],
    'NMI => vector 2; hardware exception => vector <= 31; other event => vector 0',
    { fix: { field: INFO_F, value: INTR_INFO.set(info, 'VECTOR', fixVector) } });
}

/**
 * Vectors of exceptions that deliver an error code (#DF #TS #NP #SS #GP #PF #AC, and #CP
 * when CR4_FIXED1 lets CR4.CET be 1, i.e. the processor supports CET).
 */
function hasErrorCode(ctx: EntryContext, vector: bigint): boolean {
  if (vector === 8n || (vector >= 10n && vector <= 14n) || vector === 17n) return true;
  return vector === 21n && (ctx.msr(MSR.IA32_VMX_CR4_FIXED1) & CR4.mask.CET!) !== 0n;
}

function checkCtrlEventErrorCodeBit(ctx: EntryContext): Verdict {
  const info = injected(ctx);
  if (info === undefined) return NOT_APPLICABLE;
  // Newer SDM: IA32_VMX_BASIC[56] = 1 lifts this consistency check.
  if (VMX_BASIC.has(ctx.msr(MSR.IA32_VMX_BASIC), 'NO_HW_ERROR_CODE_CC')) return NOT_APPLICABLE;
  const type = INTR_INFO.get(info, 'TYPE');
  const vector = INTR_INFO.get(info, 'VECTOR');
  const pe = CR0.has(ctx.vmcs.read('GUEST_CR0'), 'PE');
  const should = (!unrestrictedGuest(ctx) || pe) && type === INTR_TYPE.HARD_EXCEPTION && hasErrorCode(ctx, vector);
  const has = INTR_INFO.has(info, 'DELIVER_ERROR_CODE');
  if (has === should) return PASS;
  return fail(
    should
      ? `The injected hardware exception ${vector} delivers an error code in protected mode, so the deliver-error-code bit (11) must be 1.`
      : 'The deliver-error-code bit (11) is 1 but the injected event does not deliver an error code (only hardware exceptions 8, 10-14 and 17 do, and not in real mode).',
    [fv(INFO_F, info), fv('GUEST_CR0', ctx.vmcs.read('GUEST_CR0'))],
    'bit 11 == ((UG == 0 || GUEST_CR0.PE) && type == 3 && vector in {8, 10, 11, 12, 13, 14, 17})',
    { fix: { field: INFO_F, value: INTR_INFO.set(info, 'DELIVER_ERROR_CODE', should) } },
  );
}

function checkCtrlEventReserved(ctx: EntryContext): Verdict {
  const info = injected(ctx);
  if (info === undefined) return NOT_APPLICABLE;
  // Newer SDM (FRED): bit 13 marks a nested exception, allowed only where IA32_VMX_BASIC[58] says so.
  const nested = VMX_BASIC.has(ctx.msr(MSR.IA32_VMX_BASIC), 'NESTED_EXCEPTION') ? INTR_INFO.mask.NESTED_EXCEPTION : 0n;
  const bad = info & INTR_INFO_RESERVED_30_12 & ~nested;
  if (bad === 0n) return PASS;
  return fail(`The VM-entry interruption-information field (${hex(info)}) sets reserved bits ${bitList(bad).join(', ')}.`,
    [fv(INFO_F, info)], `${INFO_F}[30:12] == 0${nested !== 0n ? ' (bit 13 allowed: IA32_VMX_BASIC[58])' : ''}`, { fix: { field: INFO_F, value: info & ~bad } });
}

function checkCtrlEventErrorCode(ctx: EntryContext): Verdict {
  const info = injected(ctx);
  if (info === undefined || !INTR_INFO.has(info, 'DELIVER_ERROR_CODE')) return NOT_APPLICABLE;
  const code = ctx.vmcs.read('VM_ENTRY_EXCEPTION_ERROR_CODE');
  // Implementation choice (docs/decisions/0004): bits 31:16, as Intel hardware checks and
  // KVM follows (commit 567926cca99b); the June-2016 SDM text said 31:15.
  if ((code & 0xffff_0000n) === 0n) return PASS;
  return fail(`The injected error code (${hex(code)}) sets bits 31:16.`, [fv('VM_ENTRY_EXCEPTION_ERROR_CODE', code)],
    'VM_ENTRY_EXCEPTION_ERROR_CODE[31:16] == 0', { fix: { field: 'VM_ENTRY_EXCEPTION_ERROR_CODE', value: code & 0xffffn } });
}

function checkCtrlEventInstructionLength(ctx: EntryContext): Verdict {
  const info = injected(ctx);
  if (info === undefined) return NOT_APPLICABLE;
  const type = INTR_INFO.get(info, 'TYPE');
  if (type !== INTR_TYPE.SOFT_INTR && type !== INTR_TYPE.PRIV_SW_EXCEPTION && type !== INTR_TYPE.SOFT_EXCEPTION) return NOT_APPLICABLE;
  const len = ctx.vmcs.read('VM_ENTRY_INSTRUCTION_LEN');
  const zeroOk = VMX_MISC.has(ctx.msr(MSR.IA32_VMX_MISC), 'ZERO_LEN_INJECTION');
  if (len <= 15n && (len !== 0n || zeroOk)) return PASS;
  return fail(
    `A software interrupt or exception is injected with instruction length ${len}; it must be 1-15${zeroOk ? ' (or 0)' : ' (0 only if IA32_VMX_MISC[30] = 1)'}.`,
    [fv(INFO_F, info), fv('VM_ENTRY_INSTRUCTION_LEN', len)],
    zeroOk ? 'VM_ENTRY_INSTRUCTION_LEN <= 15' : '1 <= VM_ENTRY_INSTRUCTION_LEN <= 15',
    { capability: { msr: 'IA32_VMX_MISC', index: MSR.IA32_VMX_MISC, bits: [30] }, fix: { field: 'VM_ENTRY_INSTRUCTION_LEN', value: len === 0n ? 1n : 15n } },
  );
}

function checkCtrlEntryMsrLoad(ctx: EntryContext): Verdict {
  return checkMsrArea(ctx, 'VM_ENTRY_MSR_LOAD_COUNT', 'VM_ENTRY_MSR_LOAD_ADDR', 'VM-entry MSR-load');
}

function checkCtrlEntrySmmOutsideSmm(ctx: EntryContext): Verdict {
  if (ctx.cpu.inSmm) return NOT_APPLICABLE;
  const v = entryControls(ctx);
  const smm = ENTRY.mask.VM_ENTRY_SMM | ENTRY.mask.VM_ENTRY_DEACT_DUAL_MONITOR;
  if ((v & smm) === 0n) return PASS;
  return fail('"Entry to SMM" or "deactivate dual-monitor treatment" is 1 outside system-management mode.', [fv(ENTRY_F, v)],
    'not in SMM => entry to SMM == deactivate dual-monitor treatment == 0', { fix: { field: ENTRY_F, value: v & ~smm } });
}

function checkCtrlEntrySmmAndDualMonitor(ctx: EntryContext): Verdict {
  if (!entryHas(ctx, 'VM_ENTRY_SMM') || !entryHas(ctx, 'VM_ENTRY_DEACT_DUAL_MONITOR')) return PASS;
  const v = entryControls(ctx);
  return fail('"Entry to SMM" and "deactivate dual-monitor treatment" are both 1.', [fv(ENTRY_F, v)],
    '!(entry to SMM && deactivate dual-monitor treatment)', { fix: { field: ENTRY_F, value: v & ~ENTRY.mask.VM_ENTRY_DEACT_DUAL_MONITOR } });
}

const c = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'ctrl.entry', sdm: S, title, fields, run });

/** §27.2.1.3 in the SDM's order. */
export const ENTRY_CONTROL_CHECKS: readonly Check[] = [
  c('ctrl.entry.allowed-settings', 'Reserved bits in the VM-entry controls must be set properly (IA32_VMX_[TRUE_]ENTRY_CTLS)', [ENTRY_F], checkCtrlEntryAllowed),
  c('ctrl.entry.event.type', 'An injected event\'s interruption type is not reserved (1; 7 without monitor-trap-flag support)', [INFO_F], checkCtrlEventType),
  c('ctrl.entry.event.vector', 'An injected event\'s vector fits its type (NMI 2; hardware exception <= 31; other event 0)', [INFO_F], checkCtrlEventVector),
  c('ctrl.entry.event.error-code-bit', 'Deliver-error-code is 1 iff protected mode (or no unrestricted guest), hardware exception, and a vector with an error code', [INFO_F, 'GUEST_CR0', 'SECONDARY_VM_EXEC_CONTROL'], checkCtrlEventErrorCodeBit),
  c('ctrl.entry.event.reserved-bits', 'Bits 30:12 of the VM-entry interruption-information field are 0', [INFO_F], checkCtrlEventReserved),
  c('ctrl.entry.event.error-code', 'If deliver-error-code is 1, bits 31:16 of the VM-entry exception error code are 0', [INFO_F, 'VM_ENTRY_EXCEPTION_ERROR_CODE'], checkCtrlEventErrorCode),
  c('ctrl.entry.event.instruction-length', 'Software interrupts and exceptions are injected with an instruction length of 1-15 (0 if IA32_VMX_MISC[30])', [INFO_F, 'VM_ENTRY_INSTRUCTION_LEN'], checkCtrlEventInstructionLength),
  c('ctrl.entry.msr-load.address', 'If the VM-entry MSR-load count is not 0, its address bits 3:0 are 0 and the whole area is within the physical-address width', ['VM_ENTRY_MSR_LOAD_COUNT', 'VM_ENTRY_MSR_LOAD_ADDR'], checkCtrlEntryMsrLoad),
  c('ctrl.entry.smm-outside-smm', 'Outside SMM, "entry to SMM" and "deactivate dual-monitor treatment" are 0', [ENTRY_F], checkCtrlEntrySmmOutsideSmm),
  c('ctrl.entry.smm-and-dual-monitor', '"Entry to SMM" and "deactivate dual-monitor treatment" are not both 1', [ENTRY_F], checkCtrlEntrySmmAndDualMonitor),
];
