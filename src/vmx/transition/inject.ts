// Event injection at the end of a successful VM entry (SDM Vol. 3C §27.6 "Event Injection",
// §27.6.1 "Vectored-Event Injection"): the event in the VM-entry interruption-information field
// is delivered through the guest's IDT as if it had occurred right after entry, without being
// subject to the exception bitmap. Delivery (and its double/triple-fault rules, a triple fault
// becoming a VM exit) is the executor's (src/x86/interrupts.ts).

import { ENTRY_INTR_INFO } from '../../arch/vmx-info.ts';
import { Cpu } from '../../x86/cpu.ts';
import type { CpuHandle } from '../../x86/env.ts';
import { X86Fault } from '../../x86/fault.ts';
import { deliverException } from '../../x86/interrupts.ts';
import { vmcsGet } from '../vmcs-access.ts';
import { F } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';

/** Interruption types (SDM Vol. 3C §25.8.3 "VM-Entry Controls for Event Injection", Table 25-17). */
const SOFTWARE_INTERRUPT = 4n;
const PRIVILEGED_SOFTWARE_EXCEPTION = 5n;
const SOFTWARE_EXCEPTION = 6n;
const OTHER_EVENT = 7n;

/** What injection did. */
export type InjectionResult = 'none' | 'delivered' | 'vm-exit' | 'shutdown' | 'not-modelled';

/** Delivers the event the VMCS asks VM entry to inject, if its valid bit is set. */
export function injectEvent(cpu: CpuHandle, vmcs: ActiveVmcs): InjectionResult {
  const info = vmcsGet(vmcs, F.VM_ENTRY_INTR_INFO_FIELD);
  if (!ENTRY_INTR_INFO.has(info, 'VALID')) return 'none';
  const type = ENTRY_INTR_INFO.get(info, 'TYPE');
  // Type 7 (a pending MTF VM exit) needs the monitor trap flag, which arrives with the controlled exits.
  if (type === OTHER_EVENT || !(cpu instanceof Cpu)) return 'not-modelled';
  const vector = Number(ENTRY_INTR_INFO.get(info, 'VECTOR'));
  const errorCode = ENTRY_INTR_INFO.has(info, 'DELIVER_ERROR_CODE') ? Number(vmcsGet(vmcs, F.VM_ENTRY_EXCEPTION_ERROR_CODE) & 0xffff_ffffn) : undefined;
  const software = type === SOFTWARE_INTERRUPT || type === PRIVILEGED_SOFTWARE_EXCEPTION || type === SOFTWARE_EXCEPTION;
  // Software events return past the instruction that "raised" them: RIP + VM-entry instruction length (§27.6.1.1).
  const nextRip = software ? cpu.state.rip + Number(vmcsGet(vmcs, F.VM_ENTRY_INSTRUCTION_LEN)) : undefined;
  const event = new X86Fault(vector, errorCode, `event injected by VM entry (vector ${vector}, type ${type})`, software ? 'software' : 'fault', nextRip);
  const r = deliverException(cpu, event);
  if (r.kind === 'vmexit') return 'vm-exit';
  if (r.kind === 'shutdown') return 'shutdown';
  return 'delivered';
}
