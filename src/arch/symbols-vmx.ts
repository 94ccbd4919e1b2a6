// The VMX half of the predefined symbols (DESIGN.md section 4): every VMCS field by its
// Linux vmx.h name (with _HIGH aliases), every control bit by its Linux name plus the
// aliases the seeds use, exit reasons (EXIT_REASON_*), VM-instruction errors (VMXERR_*),
// EPT and capability constants (VMX_EPT_*, VMX_VPID_*), event-injection constants.
// All derived from the tables; nothing restated.

import { ALL_CONTROLS, CONTROL_WORDS } from './controls/index.ts';
import { EPT_LINUX_CONSTANTS, INVALIDATION_TYPES } from './ept.ts';
import { EXIT_REASONS } from './exit-reasons.ts';
import type { PredefinedSymbol } from './symbol-helpers.ts';
import { VMCS_FIELDS } from './vmcs/fields.ts';
import { ACTIVITY_STATES, ENTRY_INTR_INFO, EXIT_INTR_INFO, INTERRUPTION_TYPES } from './vmx-info.ts';
import { EPT_VPID_CAP_LINUX, VMX_BASIC, VMX_EPT_VPID_CAP } from './vmx-msrs.ts';
import { VM_INSTRUCTION_ERRORS } from './vm-instruction-errors.ts';

type Sym = PredefinedSymbol;

function fieldSymbols(): Sym[] {
  return VMCS_FIELDS.flatMap((f) => [f.name, ...f.aliases].map((name) => ({
    name, value: BigInt(f.encoding),
    doc: `VMCS ${f.width === 'natural' ? 'natural-width' : `${f.width}-bit`} ${f.area} field: ${f.sdmName}${name === f.name ? '' : ` (alias of ${f.name})`}. ${f.doc}`,
    group: `vmcs-${f.area}`,
  })));
}

function controlSymbols(): Sym[] {
  const out: Sym[] = [];
  for (const c of ALL_CONTROLS) {
    const value = 1n << BigInt(c.bit);
    out.push({ name: c.name, value, doc: `${c.sdmName} (${c.word} control bit ${c.bit}): ${c.doc}`, group: `controls-${c.word}` });
    for (const a of c.aliases) out.push({ name: a, value, doc: `Alias of ${c.name}: ${c.sdmName}.`, group: `controls-${c.word}` });
  }
  const alwaysOn: Partial<Record<string, string>> = {
    pin: 'PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR', primary: 'CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR',
    exit: 'VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR', entry: 'VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR',
  };
  for (const { info } of CONTROL_WORDS) {
    const name = alwaysOn[info.word];
    if (name !== undefined) out.push({ name, value: info.default1, doc: `Default1 bits of the ${info.title}: must be 1 unless a TRUE capability MSR allows 0.`, group: `controls-${info.word}` });
  }
  return out;
}

function exitReasonSymbols(): Sym[] {
  const out: Sym[] = [];
  for (const r of EXIT_REASONS) {
    const value = BigInt(r.reason);
    out.push({ name: `EXIT_REASON_${r.name}`, value, doc: `Exit reason ${r.reason}: ${r.sdmName}. ${r.doc}`, group: 'exit-reason' });
    if (r.linux !== null && r.linux !== r.name) {
      out.push({ name: `EXIT_REASON_${r.linux}`, value, doc: `Linux name of exit reason ${r.reason} (${r.sdmName}).`, group: 'exit-reason' });
    }
  }
  return out;
}

function errorSymbols(): Sym[] {
  return VM_INSTRUCTION_ERRORS.map((e) => ({ name: e.linux, value: BigInt(e.number), doc: `VM-instruction error ${e.number}: ${e.text}.`, group: 'vm-instruction-error' }));
}

function eptSymbols(): Sym[] {
  const out: Sym[] = EPT_LINUX_CONSTANTS.map((c) => ({ name: c.name, value: c.value, doc: c.doc, group: 'ept' }));
  for (const [field, name] of Object.entries(EPT_VPID_CAP_LINUX) as [keyof typeof EPT_VPID_CAP_LINUX, string][]) {
    const f = VMX_EPT_VPID_CAP.fields[field];
    // Linux keeps the VPID capability bits relative to the MSR's upper half (it reads EDX).
    const value = f.bit >= 32 ? f.mask >> 32n : f.mask;
    out.push({ name, value, doc: `IA32_VMX_EPT_VPID_CAP ${f.sdmName}${f.bit >= 32 ? ' (bit of the upper 32 bits)' : ''}: ${f.doc}`, group: 'ept' });
  }
  for (const t of INVALIDATION_TYPES) out.push({ name: t.linux, value: BigInt(t.type), doc: `${t.instruction} type ${t.type}: ${t.name}. ${t.doc}`, group: 'ept' });
  return out;
}

function eventSymbols(): Sym[] {
  const out: Sym[] = INTERRUPTION_TYPES.map((t) => ({ name: t.linux, value: BigInt(t.type) << 8n, doc: `Interruption type ${t.type} (bits 10:8): ${t.name}. ${t.doc}`, group: 'event' }));
  out.push({ name: 'INTR_INFO_VECTOR_MASK', value: ENTRY_INTR_INFO.mask.VECTOR, doc: 'Vector bits of an interruption-information field.', group: 'event' });
  out.push({ name: 'INTR_INFO_INTR_TYPE_MASK', value: ENTRY_INTR_INFO.mask.TYPE, doc: 'Type bits of an interruption-information field.', group: 'event' });
  out.push({ name: 'INTR_INFO_DELIVER_CODE_MASK', value: ENTRY_INTR_INFO.mask.DELIVER_ERROR_CODE, doc: 'Deliver/valid error code bit.', group: 'event' });
  out.push({ name: 'INTR_INFO_UNBLOCK_NMI', value: EXIT_INTR_INFO.mask.NMI_UNBLOCKING, doc: 'NMI unblocking due to IRET (exit information).', group: 'event' });
  out.push({ name: 'INTR_INFO_VALID_MASK', value: ENTRY_INTR_INFO.mask.VALID, doc: 'Valid bit of an interruption-information field.', group: 'event' });
  for (const a of ACTIVITY_STATES) out.push({ name: a.linux, value: BigInt(a.value), doc: `Guest activity state ${a.value}: ${a.name}. ${a.doc}`, group: 'event' });
  return out;
}

function basicSymbols(): Sym[] {
  return [
    { name: 'VMX_BASIC_INOUT', value: VMX_BASIC.mask.INOUT, doc: `IA32_VMX_BASIC: ${VMX_BASIC.fields.INOUT.doc}`, group: 'vmx-basic' },
    { name: 'VMX_BASIC_TRUE_CTLS', value: VMX_BASIC.mask.TRUE_CTLS, doc: `IA32_VMX_BASIC: ${VMX_BASIC.fields.TRUE_CTLS.doc}`, group: 'vmx-basic' },
    { name: 'VMX_BASIC_MEM_TYPE_WB', value: 6n, doc: 'IA32_VMX_BASIC memory type value for write-back.', group: 'vmx-basic' },
  ];
}

/** Every VMX predefined symbol, in vmx.inc order. */
export function vmxSymbols(): Sym[] {
  return [...fieldSymbols(), ...controlSymbols(), ...exitReasonSymbols(), ...errorSymbols(), ...eptSymbols(), ...eventSymbols(), ...basicSymbols()];
}
