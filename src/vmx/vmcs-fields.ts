// VMCS fields the VMX model itself reads and writes (VM entry, VM exit, interception), by
// Linux vmx.h name, and the resolver that tells VMREAD/VMWRITE which fields exist on the
// processor. Encodings and existence come from src/arch/vmcs (SDM Vol. 3D Appendix B "Field
// Encoding in VMCS").

import { fieldByEncoding, VMCS } from '../arch/vmcs/fields.ts';
import { fieldExists } from '../arch/vmcs/exists.ts';
import type { FieldResolver, FieldShape, VmcsFieldWidth } from './vmcs-store.ts';

const USED = [
  'VIRTUAL_PROCESSOR_ID',
  'POSTED_INTR_NV',
  'EPTP_INDEX',
  'GUEST_ES_SELECTOR',
  'GUEST_CS_SELECTOR',
  'GUEST_SS_SELECTOR',
  'GUEST_DS_SELECTOR',
  'GUEST_FS_SELECTOR',
  'GUEST_GS_SELECTOR',
  'GUEST_LDTR_SELECTOR',
  'GUEST_TR_SELECTOR',
  'GUEST_INTR_STATUS',
  'GUEST_PML_INDEX',
  'HOST_ES_SELECTOR',
  'HOST_CS_SELECTOR',
  'HOST_SS_SELECTOR',
  'HOST_DS_SELECTOR',
  'HOST_FS_SELECTOR',
  'HOST_GS_SELECTOR',
  'HOST_TR_SELECTOR',
  'IO_BITMAP_A',
  'IO_BITMAP_B',
  'MSR_BITMAP',
  'VM_EXIT_MSR_STORE_ADDR',
  'VM_EXIT_MSR_LOAD_ADDR',
  'VM_ENTRY_MSR_LOAD_ADDR',
  'PML_ADDRESS',
  'TSC_OFFSET',
  'VIRTUAL_APIC_PAGE_ADDR',
  'APIC_ACCESS_ADDR',
  'POSTED_INTR_DESC_ADDR',
  'VM_FUNCTION_CONTROL',
  'EPT_POINTER',
  'EOI_EXIT_BITMAP0',
  'EOI_EXIT_BITMAP1',
  'EOI_EXIT_BITMAP2',
  'EOI_EXIT_BITMAP3',
  'EPTP_LIST_ADDRESS',
  'VMREAD_BITMAP',
  'VMWRITE_BITMAP',
  'VE_INFORMATION_ADDRESS',
  'XSS_EXIT_BITMAP',
  'TSC_MULTIPLIER',
  'GUEST_PHYSICAL_ADDRESS',
  'VMCS_LINK_POINTER',
  'GUEST_IA32_DEBUGCTL',
  'GUEST_IA32_PAT',
  'GUEST_IA32_EFER',
  'GUEST_IA32_PERF_GLOBAL_CTRL',
  'GUEST_PDPTR0',
  'GUEST_PDPTR1',
  'GUEST_PDPTR2',
  'GUEST_PDPTR3',
  'HOST_IA32_PAT',
  'HOST_IA32_EFER',
  'HOST_IA32_PERF_GLOBAL_CTRL',
  'PIN_BASED_VM_EXEC_CONTROL',
  'CPU_BASED_VM_EXEC_CONTROL',
  'EXCEPTION_BITMAP',
  'PAGE_FAULT_ERROR_CODE_MASK',
  'PAGE_FAULT_ERROR_CODE_MATCH',
  'CR3_TARGET_COUNT',
  'VM_EXIT_CONTROLS',
  'VM_EXIT_MSR_STORE_COUNT',
  'VM_EXIT_MSR_LOAD_COUNT',
  'VM_ENTRY_CONTROLS',
  'VM_ENTRY_MSR_LOAD_COUNT',
  'VM_ENTRY_INTR_INFO_FIELD',
  'VM_ENTRY_EXCEPTION_ERROR_CODE',
  'VM_ENTRY_INSTRUCTION_LEN',
  'TPR_THRESHOLD',
  'SECONDARY_VM_EXEC_CONTROL',
  'PLE_GAP',
  'PLE_WINDOW',
  'VM_INSTRUCTION_ERROR',
  'VM_EXIT_REASON',
  'VM_EXIT_INTR_INFO',
  'VM_EXIT_INTR_ERROR_CODE',
  'IDT_VECTORING_INFO_FIELD',
  'IDT_VECTORING_ERROR_CODE',
  'VM_EXIT_INSTRUCTION_LEN',
  'VMX_INSTRUCTION_INFO',
  'GUEST_ES_LIMIT',
  'GUEST_CS_LIMIT',
  'GUEST_SS_LIMIT',
  'GUEST_DS_LIMIT',
  'GUEST_FS_LIMIT',
  'GUEST_GS_LIMIT',
  'GUEST_LDTR_LIMIT',
  'GUEST_TR_LIMIT',
  'GUEST_GDTR_LIMIT',
  'GUEST_IDTR_LIMIT',
  'GUEST_ES_AR_BYTES',
  'GUEST_CS_AR_BYTES',
  'GUEST_SS_AR_BYTES',
  'GUEST_DS_AR_BYTES',
  'GUEST_FS_AR_BYTES',
  'GUEST_GS_AR_BYTES',
  'GUEST_LDTR_AR_BYTES',
  'GUEST_TR_AR_BYTES',
  'GUEST_INTERRUPTIBILITY_INFO',
  'GUEST_ACTIVITY_STATE',
  'GUEST_SMBASE',
  'GUEST_SYSENTER_CS',
  'VMX_PREEMPTION_TIMER_VALUE',
  'HOST_IA32_SYSENTER_CS',
  'CR0_GUEST_HOST_MASK',
  'CR4_GUEST_HOST_MASK',
  'CR0_READ_SHADOW',
  'CR4_READ_SHADOW',
  'CR3_TARGET_VALUE0',
  'CR3_TARGET_VALUE1',
  'CR3_TARGET_VALUE2',
  'CR3_TARGET_VALUE3',
  'EXIT_QUALIFICATION',
  'EXIT_IO_RCX',
  'EXIT_IO_RSI',
  'EXIT_IO_RDI',
  'EXIT_IO_RIP',
  'GUEST_LINEAR_ADDRESS',
  'GUEST_CR0',
  'GUEST_CR3',
  'GUEST_CR4',
  'GUEST_ES_BASE',
  'GUEST_CS_BASE',
  'GUEST_SS_BASE',
  'GUEST_DS_BASE',
  'GUEST_FS_BASE',
  'GUEST_GS_BASE',
  'GUEST_LDTR_BASE',
  'GUEST_TR_BASE',
  'GUEST_GDTR_BASE',
  'GUEST_IDTR_BASE',
  'GUEST_DR7',
  'GUEST_RSP',
  'GUEST_RIP',
  'GUEST_RFLAGS',
  'GUEST_PENDING_DBG_EXCEPTIONS',
  'GUEST_SYSENTER_ESP',
  'GUEST_SYSENTER_EIP',
  'HOST_CR0',
  'HOST_CR3',
  'HOST_CR4',
  'HOST_FS_BASE',
  'HOST_GS_BASE',
  'HOST_TR_BASE',
  'HOST_GDTR_BASE',
  'HOST_IDTR_BASE',
  'HOST_IA32_SYSENTER_ESP',
  'HOST_IA32_SYSENTER_EIP',
  'HOST_RSP',
  'HOST_RIP',
] as const;

export type FieldName = (typeof USED)[number];

function encodingOf(name: string): number {
  const e = VMCS[name];
  if (e === undefined) throw new Error(`VMCS field ${name} is missing from src/arch/vmcs/fields.ts`);
  return e;
}

/** Encodings of the fields the model uses: `F.GUEST_RIP`. */
export const F = Object.fromEntries(USED.map((n) => [n, encodingOf(n)])) as Readonly<Record<FieldName, number>>;




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
  const resolve: FieldResolver = (encoding) => {
    let shape = cache.get(encoding);
    if (shape === undefined) {
      const f = fieldByEncoding(encoding);
      shape = f && !f.high && fieldExists(f, current) ? { width: WIDTH[f.width]!, readOnly: f.area === 'exit-info' } : null;
      cache.set(encoding, shape);
    }
    return shape ?? undefined;
  };
  return (msrs) => {
    const k = Object.entries(msrs).map(([i, v]) => `${i}=${v}`).join(',');
    if (k !== key) {
      key = k;
      current = msrs;
      cache = new Map();
    }
    return resolve;
  };
}
