// The machine's event log in plain words for the Events panel: each VMX instruction outcome,
// fault, VM entry, VM exit and stop, with its SDM reference and source line.

import { exitReasonInfo } from '../arch/exit-reasons.ts';
import { formatSdm, sdm } from '../arch/sdm.ts';
import { vmInstructionError } from '../arch/vm-instruction-errors.ts';
import type { MachineEvent } from '../machine/events.ts';
import type { EventView } from './types.ts';
import { hex } from './hex.ts';

const CONVENTIONS = sdm('3C', '31.2', 'Conventions');
const EXCEPTIONS = sdm('3A', '6.15', 'Exception and Interrupt Reference');
const VM_ENTRIES = sdm('3C', '27', 'VM Entries');

/** One event as the timeline shows it. */
export function eventView(e: MachineEvent, index: number): EventView {
  const base = { index, step: e.step, line: e.line, kind: e.kind, text: e.text ?? '' };
  switch (e.kind) {
    case 'vmx': {
      if (e.result === 'VMfailValid' && e.error !== undefined) {
        const err = vmInstructionError(e.error);
        return { ...base, summary: `VMfailValid(${e.error}): ${err?.text ?? 'unknown error'}${e.explain ? `. ${e.explain}` : ''}`, sdm: formatSdm(err?.sdm ?? CONVENTIONS) };
      }
      const words = e.result === 'VMsucceed' ? 'VMsucceed (CF = ZF = 0)' : 'VMfailInvalid (CF = 1): no current VMCS to hold an error number';
      return { ...base, summary: e.explain ? `${words}. ${e.explain}` : words, sdm: formatSdm(CONVENTIONS) };
    }
    case 'fault':
      return { ...base, summary: `${e.name} (vector ${e.vector}${e.errorCode !== undefined ? `, error code ${e.errorCode}` : ''}): ${e.explain}`, sdm: formatSdm(EXCEPTIONS) };
    case 'vmentry':
      return { ...base, summary: 'VM entry: the checks passed and the processor loaded the guest state', sdm: formatSdm(VM_ENTRIES) };
    case 'vmexit': {
      const info = exitReasonInfo(e.reason);
      const ref = info ? formatSdm(info.sdm) : undefined;
      if (e.entryFailure) {
        return { ...base, summary: `VM-entry failure: exit reason ${e.reason} (${e.name})${e.check ? `, decided by check ${e.check}` : ''}, qualification ${hex(e.qualification)}`, sdm: ref };
      }
      return { ...base, summary: `VM exit: reason ${e.reason} (${e.name}), qualification ${hex(e.qualification)}${e.guestRip !== undefined ? `, guest RIP ${hex(e.guestRip)}` : ''}`, sdm: ref };
    }
    case 'stop':
      return { ...base, summary: `Machine stopped (${e.reason}): ${e.message}` };
  }
}
