// Who last wrote each field of the current VMCS, for "Run back to last write of FIELD": the
// program's (or a panel's) VMWRITE, which FieldWrites tracks, or the processor itself. The
// processor writes fields at every VM exit (SDM Vol. 3C §28.2 "Recording VM-Exit Information and
// Updating VM-Entry Control Fields", §28.3 "Saving Guest State"), at a VM-entry failure (§27.8
// "VM-Entry Failures During or After Loading Guest State") and for VMfailValid (§31.2
// "Conventions": the VM-instruction error field). Those writes are found in the machine's event
// log, read incrementally; the fields each one writes are the SDM's lists below.

import { EXIT } from '../arch/controls/index.ts';
import { fieldByName } from '../arch/vmcs/fields.ts';
import type { MachineEvent } from '../machine/events.ts';
import type { Machine } from '../machine/machine.ts';
import type { VmxModel } from '../vmx/index.ts';
import type { FieldWrite } from './field-writes.ts';
import type { FieldWriteView } from './types.ts';

const SEGMENTS = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'LDTR', 'TR'];

/** Fields every VM exit writes, whatever its reason and controls. */
export const EXIT_WRITES: readonly string[] = [
  // §28.2.1-28.2.4: exit reason and qualification; the interruption and IDT-vectoring
  // information fields (written even when not valid); §28.2.5: the valid bit of the VM-entry
  // interruption-information field is cleared.
  'VM_EXIT_REASON', 'EXIT_QUALIFICATION', 'VM_EXIT_INTR_INFO', 'IDT_VECTORING_INFO_FIELD', 'VM_ENTRY_INTR_INFO_FIELD',
  // §28.3.1: CR0, CR3, CR4 and the SYSENTER MSRs; §28.3.2 segment registers, GDTR and IDTR.
  'GUEST_CR0', 'GUEST_CR3', 'GUEST_CR4', 'GUEST_SYSENTER_CS', 'GUEST_SYSENTER_ESP', 'GUEST_SYSENTER_EIP',
  ...SEGMENTS.flatMap((s) => [`GUEST_${s}_SELECTOR`, `GUEST_${s}_BASE`, `GUEST_${s}_LIMIT`, `GUEST_${s}_AR_BYTES`]),
  'GUEST_GDTR_BASE', 'GUEST_GDTR_LIMIT', 'GUEST_IDTR_BASE', 'GUEST_IDTR_LIMIT',
  // §28.3.3: RIP, RSP, RFLAGS; §28.3.4: activity and interruptibility state, pending debug exceptions.
  'GUEST_RIP', 'GUEST_RSP', 'GUEST_RFLAGS', 'GUEST_ACTIVITY_STATE', 'GUEST_INTERRUPTIBILITY_INFO', 'GUEST_PENDING_DBG_EXCEPTIONS',
];

/** Fields a VM exit writes when a VM-exit control asks (§28.3.1, §28.3.4). */
export const EXIT_WRITES_IF: readonly { readonly control: Parameters<typeof EXIT.has>[1]; readonly fields: readonly string[] }[] = [
  { control: 'VM_EXIT_SAVE_DEBUG_CONTROLS', fields: ['GUEST_DR7', 'GUEST_IA32_DEBUGCTL'] },
  { control: 'VM_EXIT_SAVE_IA32_PAT', fields: ['GUEST_IA32_PAT'] },
  { control: 'VM_EXIT_SAVE_IA32_EFER', fields: ['GUEST_IA32_EFER'] },
  { control: 'VM_EXIT_SAVE_VMX_PREEMPTION_TIMER', fields: ['VMX_PREEMPTION_TIMER_VALUE'] },
];

/** §28.2.1: EPT violations and misconfigurations (reasons 48, 49) record the guest-physical address. */
const EPT_EXIT_WRITES: readonly string[] = ['GUEST_PHYSICAL_ADDRESS'];
/** §28.2.4: exits caused by an instruction record its length and (for most) its information. */
const INSTRUCTION_EXIT_WRITES: readonly string[] = ['VM_EXIT_INSTRUCTION_LEN', 'VMX_INSTRUCTION_INFO'];
/** §27.8: a VM-entry failure writes the exit reason (bit 31 set) and qualification, and clears the injection's valid bit. */
export const ENTRY_FAILURE_WRITES: readonly string[] = ['VM_EXIT_REASON', 'EXIT_QUALIFICATION', 'VM_ENTRY_INTR_INFO_FIELD'];
/** §31.2: VMfailValid stores the error number in the current VMCS. */
export const VMFAIL_WRITES: readonly string[] = ['VM_INSTRUCTION_ERROR'];

function encodings(names: readonly string[]): Set<number> {
  return new Set(names.map((n) => {
    const f = fieldByName(n);
    if (!f) throw new Error(`last-writes: no VMCS field named ${n}`);
    return f.encoding;
  }));
}

const EXIT_SET = encodings(EXIT_WRITES);
const EXIT_IF = EXIT_WRITES_IF.map((c) => ({ control: c.control, set: encodings(c.fields) }));
const EPT_SET = encodings(EPT_EXIT_WRITES);
const INSN_SET = encodings(INSTRUCTION_EXIT_WRITES);
const ENTRY_FAILURE_SET = encodings(ENTRY_FAILURE_WRITES);
const VMFAIL_SET = encodings(VMFAIL_WRITES);
const EXIT_CONTROLS = fieldByName('VM_EXIT_CONTROLS')!.encoding;

/** The latest processor writes since the current VMCS was made current (event indices, -1 for none). */
interface Latest {
  exit: number;
  eptExit: number;
  insnExit: number;
  entryFailure: number;
  vmfail: number;
}

const none = (): Latest => ({ exit: -1, eptExit: -1, insnExit: -1, entryFailure: -1, vmfail: -1 });

function isVmptrld(e: MachineEvent): boolean {
  return e.kind === 'vmx' && e.result === 'VMsucceed' && (e.text ?? '').trim().toLowerCase().startsWith('vmptrld');
}

/** Reads the event log forward from where the last call stopped (from the start after time travel). */
const scans = new WeakMap<Machine, { length: number; last: MachineEvent | undefined; latest: Latest }>();

function latestWrites(m: Machine): Latest {
  const ev = m.events;
  const seen = scans.get(m);
  const fresh = seen !== undefined && ev.length >= seen.length && (seen.length === 0 || ev[seen.length - 1] === seen.last);
  const latest = fresh ? { ...seen.latest } : none();
  for (let i = fresh ? seen.length : 0; i < ev.length; i++) {
    const e = ev[i]!;
    // Writes to an earlier VMCS are not writes to this one (FieldWrites forgets them the same way).
    if (isVmptrld(e)) Object.assign(latest, none());
    else if (e.kind === 'vmexit') {
      if (e.entryFailure) latest.entryFailure = i;
      else {
        latest.exit = i;
        if (e.reason === 48 || e.reason === 49) latest.eptExit = i;
        else if (e.instruction !== undefined) latest.insnExit = i;
      }
    } else if (e.kind === 'vmx' && e.result === 'VMfailValid') latest.vmfail = i;
  }
  scans.set(m, { length: ev.length, last: ev[ev.length - 1], latest });
  return latest;
}

/**
 * Returns `writtenAt(encoding)`: the last write of a field of the current VMCS, by a VMWRITE
 * (`vmwrite(encoding)`, FieldWrites) or by the processor, whichever came later. A write of the
 * value already there by VMWRITE is not noticed (FieldWrites compares values); the processor's
 * writes are counted whether or not they changed the value.
 */
export function lastWrites(m: Machine, model: VmxModel | undefined, vmwrite: (encoding: number) => FieldWrite | undefined): (encoding: number) => FieldWriteView | undefined {
  if (!model || model.currentPointer() === 0xffff_ffff_ffff_ffffn) return (enc) => vmwrite(enc);
  const latest = latestWrites(m);
  let exitControls: bigint | undefined;
  const controls = (): bigint => (exitControls ??= model.currentFields().find((f) => f.encoding === EXIT_CONTROLS)?.value ?? 0n);
  const at = (index: number, by: FieldWriteView['by']): FieldWriteView | undefined => {
    const e = index >= 0 ? m.events[index] : undefined;
    return e ? { step: e.step, ...(e.line !== undefined ? { line: e.line } : {}), by } : undefined;
  };
  return (enc) => {
    const full = enc & ~1;
    const found: (FieldWriteView | undefined)[] = [vmwrite(enc)];
    // The exit controls are read (one currentFields) only when there was an exit to ask about.
    if (latest.exit >= 0 && (EXIT_SET.has(full) || EXIT_IF.some((c) => c.set.has(full) && EXIT.has(controls(), c.control)))) found.push(at(latest.exit, 'vm-exit'));
    if (EPT_SET.has(full)) found.push(at(latest.eptExit, 'vm-exit'));
    if (INSN_SET.has(full)) found.push(at(latest.insnExit, 'vm-exit'));
    if (ENTRY_FAILURE_SET.has(full)) found.push(at(latest.entryFailure, 'entry-failure'));
    if (VMFAIL_SET.has(full)) found.push(at(latest.vmfail, 'vmfail'));
    let best: FieldWriteView | undefined;
    for (const w of found) if (w && (!best || w.step > best.step)) best = w;
    return best;
  };
}
