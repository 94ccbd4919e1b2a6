// Executes a few real instructions on the learner's behalf (MOV to CR, WRMSR, VMWRITE) so an
// edit from a panel has exactly the consequences it would have in the program: the processor
// decides, not the UI. The code is assembled by the lab's assembler, placed in a scratch page
// below the EBDA, run with the machine's own step, and RIP and the scratch registers are put back.

import { assemble } from '../asm/index.ts';
import { PHYS_OFFSET } from '../arch/lab.ts';
import type { MachineEvent } from '../machine/events.ts';
import type { Machine } from '../machine/machine.ts';

/** Physical address of the scratch page (free in the starting machine: docs/machine.md). */
export const SCRATCH_PHYS = 0x9e000;
/** GPR indices the snippets may clobber: RAX, RCX, RDX, RBX. */
const CLOBBERED = [0, 1, 2, 3];

/** What running a snippet did. */
export interface InjectResult {
  readonly ok: boolean;
  /** Steps the snippet took (0 when it could not start). */
  readonly steps: number;
  /** The events the snippet produced. */
  readonly events: readonly MachineEvent[];
  /** Why it failed: a fault, a stop, or the instruction left the scratch page. */
  readonly problem?: string;
}

/** What an edit keeps instead of putting back. */
export interface InjectOptions {
  /** GPR indices the edit sets on purpose (not restored). */
  readonly keep?: readonly number[];
  /** RIP the machine continues at (default: where it was). */
  readonly rip?: number;
}

/**
 * Assembles `lines` and executes them one step each at the scratch page, then restores RIP,
 * RFLAGS and RAX/RCX/RDX/RBX (except those in `keep`). The caller rolls back when `ok` is false.
 */
export function injectInstructions(m: Machine, lines: readonly string[], opts: InjectOptions = {}): InjectResult {
  if (m.stopped) return { ok: false, steps: 0, events: [], problem: `the machine has stopped (${m.stopped}): step back or Reset first` };
  const asm = assemble(lines.join('\n'));
  if (!asm.ok) return { ok: false, steps: 0, events: [], problem: asm.diagnostics.map((d) => d.message).join('; ') };
  const saved = CLOBBERED.map((i) => m.cpu.getGpr64(i));
  const rip = m.cpu.rip;
  const rflags = m.cpu.rflags;
  m.memory.writeBytes(SCRATCH_PHYS, asm.bytes);
  // Restoring a fresh snapshot is how the machine drops its cached decodes of that page.
  m.restore(m.snapshot());
  const start = Number(BigInt.asIntN(64, PHYS_OFFSET + BigInt(SCRATCH_PHYS)));
  const end = start + asm.bytes.length;
  m.cpu.rip = start;
  const firstEvent = m.events.length;
  let steps = 0;
  let problem: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    m.step();
    steps++;
    if (m.stopped) {
      const e = m.events.slice(firstEvent).find((x) => x.kind === 'fault' || x.kind === 'stop');
      problem = e?.kind === 'fault' ? `${e.name}: ${e.explain}` : e?.kind === 'stop' ? e.message : m.stopped;
      break;
    }
    const at = m.cpu.rip;
    if ((at < start || at >= end) && i < lines.length - 1) {
      problem = 'the instruction did not complete: it raised an exception the program handles, or caused a VM exit';
      break;
    }
  }
  const events = m.events.slice(firstEvent);
  if (problem === undefined) {
    m.cpu.rip = opts.rip ?? rip;
    m.cpu.rflags = rflags;
    CLOBBERED.forEach((r, k) => {
      if (!opts.keep?.includes(r)) m.cpu.setGpr64(r, saved[k]!);
    });
  }
  return { ok: problem === undefined, steps, events, problem };
}
