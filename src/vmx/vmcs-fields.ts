// VMCS fields the VMX model itself reads and writes (VM entry, VM exit, interception), by
// Linux vmx.h name, and the resolver that tells VMREAD/VMWRITE which fields exist on the
// processor. Encodings and existence come from src/arch/vmcs (SDM Vol. 3D Appendix B "Field
// Encoding in VMCS").

import { fieldByEncoding, VMCS } from '../arch/vmcs/fields.ts';
import { fieldExists } from '../arch/vmcs/exists.ts';
import type { FieldResolver, FieldShape, VmcsFieldWidth } from './vmcs-store.ts';
import { fieldIndex } from './vmcs-values.ts';

const USED = [
  'CPU_BASED_VM_EXEC_CONTROL',
  'CR0_GUEST_HOST_MASK',
  'CR0_READ_SHADOW',
  'CR3_TARGET_COUNT',
  'CR3_TARGET_VALUE0',
  'CR3_TARGET_VALUE1',
  'CR3_TARGET_VALUE2',
  'CR3_TARGET_VALUE3',
  'CR4_GUEST_HOST_MASK',
  'CR4_READ_SHADOW',
  'EPTP_INDEX',
  'EPTP_LIST_ADDRESS',
  'EPT_POINTER',
  'EXCEPTION_BITMAP',
  'EXIT_QUALIFICATION',
  'GUEST_ACTIVITY_STATE',
  'GUEST_CR0',
  'GUEST_CR3',
  'GUEST_CR4',
  'GUEST_CS_AR_BYTES',
  'GUEST_CS_BASE',
  'GUEST_CS_LIMIT',
  'GUEST_CS_SELECTOR',
  'GUEST_DR7',
  'GUEST_DS_AR_BYTES',
  'GUEST_DS_BASE',
  'GUEST_DS_LIMIT',
  'GUEST_DS_SELECTOR',
  'GUEST_ES_AR_BYTES',
  'GUEST_ES_BASE',
  'GUEST_ES_LIMIT',
  'GUEST_ES_SELECTOR',
  'GUEST_FS_AR_BYTES',
  'GUEST_FS_BASE',
  'GUEST_FS_LIMIT',
  'GUEST_FS_SELECTOR',
  'GUEST_GDTR_BASE',
  'GUEST_GDTR_LIMIT',
  'GUEST_GS_AR_BYTES',
  'GUEST_GS_BASE',
  'GUEST_GS_LIMIT',
  'GUEST_GS_SELECTOR',
  'GUEST_IA32_DEBUGCTL',
  'GUEST_IA32_EFER',
  'GUEST_IA32_PAT',
  'GUEST_IA32_PERF_GLOBAL_CTRL',
  'GUEST_IDTR_BASE',
  'GUEST_IDTR_LIMIT',
  'GUEST_INTERRUPTIBILITY_INFO',
  'GUEST_LDTR_AR_BYTES',
  'GUEST_LDTR_BASE',
  'GUEST_LDTR_LIMIT',
  'GUEST_LDTR_SELECTOR',
  'GUEST_LINEAR_ADDRESS',
  'GUEST_PENDING_DBG_EXCEPTIONS',
  'GUEST_PHYSICAL_ADDRESS',
  'GUEST_RFLAGS',
  'GUEST_RIP',
  'GUEST_RSP',
  'GUEST_SS_AR_BYTES',
  'GUEST_SS_BASE',
  'GUEST_SS_LIMIT',
  'GUEST_SS_SELECTOR',
  'GUEST_SYSENTER_CS',
  'GUEST_SYSENTER_EIP',
  'GUEST_SYSENTER_ESP',
  'GUEST_TR_AR_BYTES',
  'GUEST_TR_BASE',
  'GUEST_TR_LIMIT',
  'GUEST_TR_SELECTOR',
  'HOST_CR0',
  'HOST_CR3',
  'HOST_CR4',
  'HOST_CS_SELECTOR',
  'HOST_DS_SELECTOR',
  'HOST_ES_SELECTOR',
  'HOST_FS_BASE',
  'HOST_FS_SELECTOR',
  'HOST_GDTR_BASE',
  'HOST_GS_BASE',
  'HOST_GS_SELECTOR',
  'HOST_IA32_EFER',
  'HOST_IA32_PAT',
  'HOST_IA32_PERF_GLOBAL_CTRL',
  'HOST_IA32_SYSENTER_CS',
  'HOST_IA32_SYSENTER_EIP',
  'HOST_IA32_SYSENTER_ESP',
  'HOST_IDTR_BASE',
  'HOST_RIP',
  'HOST_RSP',
  'HOST_SS_SELECTOR',
  'HOST_TR_BASE',
  'HOST_TR_SELECTOR',
  'IDT_VECTORING_ERROR_CODE',
  'IDT_VECTORING_INFO_FIELD',
  'IO_BITMAP_A',
  'IO_BITMAP_B',
  'MSR_BITMAP',
  'PAGE_FAULT_ERROR_CODE_MASK',
  'PAGE_FAULT_ERROR_CODE_MATCH',
  'PIN_BASED_VM_EXEC_CONTROL',
  'PLE_GAP',
  'PLE_WINDOW',
  'SECONDARY_VM_EXEC_CONTROL',
  'TPR_THRESHOLD',
  'TSC_MULTIPLIER',
  'TSC_OFFSET',
  'VIRTUAL_APIC_PAGE_ADDR',
  'VIRTUAL_PROCESSOR_ID',
  'VMCS_LINK_POINTER',
  'VMREAD_BITMAP',
  'VMWRITE_BITMAP',
  'VMX_INSTRUCTION_INFO',
  'VMX_PREEMPTION_TIMER_VALUE',
  'VM_ENTRY_CONTROLS',
  'VM_ENTRY_EXCEPTION_ERROR_CODE',
  'VM_ENTRY_INSTRUCTION_LEN',
  'VM_ENTRY_INTR_INFO_FIELD',
  'VM_ENTRY_MSR_LOAD_ADDR',
  'VM_ENTRY_MSR_LOAD_COUNT',
  'VM_EXIT_CONTROLS',
  'VM_EXIT_INSTRUCTION_LEN',
  'VM_EXIT_INTR_ERROR_CODE',
  'VM_EXIT_INTR_INFO',
  'VM_EXIT_MSR_LOAD_ADDR',
  'VM_EXIT_MSR_LOAD_COUNT',
  'VM_EXIT_MSR_STORE_ADDR',
  'VM_EXIT_MSR_STORE_COUNT',
  'VM_EXIT_REASON',
  'VM_FUNCTION_CONTROL',
  'VM_INSTRUCTION_ERROR',
] as const;

export type FieldName = (typeof USED)[number];

function encodingOf(name: string): number {
  const e = VMCS[name];
  if (e === undefined) throw new Error(`VMCS field ${name} is missing from src/arch/vmcs/fields.ts`);
  return e;
}

/** Encodings of the fields the model uses: `F.GUEST_RIP`. */
export const F = Object.fromEntries(USED.map((n) => [n, encodingOf(n)])) as Readonly<Record<FieldName, number>>;

/** Store indices (src/vmx/vmcs-values.ts) of the fields the model uses: `X.GUEST_RIP`. */
export const X = Object.fromEntries(USED.map((n) => [n, fieldIndex(encodingOf(n))])) as Readonly<Record<FieldName, number>>;

/** Linux name of an encoding, if the arch table knows it. */
export function fieldName(encoding: number): string | undefined {
  return fieldByEncoding(encoding)?.name;
}

/** Encoding of a field by its Linux vmx.h name, or undefined. */
export function fieldEncoding(name: string): number | undefined {
  return VMCS[name];
}

const WIDTH: Readonly<Record<string, VmcsFieldWidth>> = { '16': 16, '32': 32, '64': 64, natural: 'natural' };

/**
 * The resolver for a processor with these capability MSRs: a field exists when the arch table
 * knows its encoding and the processor supports a control that uses it (SDM Vol. 3D
 * Appendix B footnotes). Rebuilt only when the capability MSRs change.
 */
export function makeFieldResolver(): (msrs: Readonly<Record<number, bigint>>) => FieldResolver {
  let key = '';
  let cache = new Map<number, FieldShape | null>();
  let current: Readonly<Record<number, bigint>> = {};
  let resolve: FieldResolver = makeResolve();
  function makeResolve(): FieldResolver {
    return (encoding) => {
      let shape = cache.get(encoding);
      if (shape === undefined) {
        const f = fieldByEncoding(encoding);
        shape = f && !f.high && fieldExists(f, current) ? { width: WIDTH[f.width]!, readOnly: f.area === 'exit-info' } : null;
        cache.set(encoding, shape);
      }
      return shape ?? undefined;
    };
  }
  return (msrs) => {
    if (msrs === current) return resolve;
    const k = Object.entries(msrs).map(([i, v]) => `${i}=${v}`).join(',');
    current = msrs;
    if (k !== key) {
      key = k;
      cache = new Map();
      // A new function identity tells per-resolver caches (entry-context name slots) to start over.
      resolve = makeResolve();
    }
    return resolve;
  };
}
