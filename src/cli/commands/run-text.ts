// Human-readable output of `vmx-lab run` (without --json): diagnostics as file:line:col, one
// line per event, how the program stopped, and the registers.

import { GPR_NAMES } from '../../x86/state.ts';
import type { ProgramRun } from './run.ts';

function eventLine(e: Record<string, unknown>): string {
  const where = `step ${String(e.step).padStart(6)}${e.line !== undefined ? `  line ${String(e.line).padStart(4)}` : '           '}`;
  const text = e.text !== undefined ? `  ${String(e.text)}` : '';
  switch (e.kind) {
    case 'vmx':
      return `${where}${text}  -> ${String(e.result)}${e.error !== undefined ? ` (error ${String(e.error)})` : ''}${e.explain ? `: ${String(e.explain)}` : ''}`;
    case 'fault':
      return `${where}${text}  -> ${String(e.name)}${e.errorCode !== undefined ? `(${String(e.errorCode)})` : ''}: ${String(e.explain)}`;
    case 'vmentry':
      return `${where}${text}  -> VM entry`;
    case 'vmexit':
      return `${where}  VM exit: ${String(e.name)} (reason ${String(e.reason)})${e.entryFailure ? ' VM-entry failure' : ''}${e.check ? ` [${String(e.check)}]` : ''}, qualification ${String(e.qualification)}${e.guestRip ? `, guest RIP ${String(e.guestRip)}` : ''}`;
    default:
      return `${where}  ${JSON.stringify(e)}`;
  }
}

/** The report of one program as text. */
export function formatHuman(run: ProgramRun): string {
  const r = run.record;
  const out: string[] = [];
  for (const d of r.diagnostics) out.push(`${r.file}:${d.line}:${d.col}: ${d.message}`);
  if (!r.ok || !r.final) {
    out.push(`${r.file}: not run`);
    return `${out.join('\n')}\n`;
  }
  out.push(`${r.file} on ${r.profile}:`);
  for (const e of r.events) out.push(`  ${eventLine(e)}`);
  const f = r.final;
  out.push(`  stopped: ${f.stop} (${run.stopMessage ?? ''}) at rip ${f.rip}, VMX ${f.mode}, rflags ${f.rflags}`);
  for (let i = 0; i < 16; i += 4) {
    out.push(`  ${GPR_NAMES.slice(i, i + 4).map((n) => `${n.padStart(3)}=${f.regs[n].padEnd(18)}`).join(' ')}`);
  }
  return `${out.join('\n')}\n`;
}
