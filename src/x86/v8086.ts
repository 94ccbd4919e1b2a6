// Virtual-8086 mode (RFLAGS.VM = 1 with CR0.PE = 1, outside IA-32e mode): what differs from
// protected mode for the instructions themselves. SDM Vol. 3B ch. 20 "8086 Emulation":
// §20.2.4 "Protection within a Virtual-8086 Task" (CPL 3), §20.1.1 "Address Translation in
// Real-Address Mode" (which virtual-8086 mode uses, §20.2: base = selector * 16, 64-KiB limit), §20.2.7 "Sensitive Instructions" (CLI, STI,
// PUSHF, POPF, INT n, IRET are IOPL-sensitive: #GP(0) when IOPL < 3, with CR4.VME = 0), §20.2.8.1
// "I/O-Port-Mapped I/O" (I/O is not IOPL-sensitive; the TSS I/O permission bitmap always
// decides), and the "Virtual-8086 Mode Exceptions" of LAR, LSL, VERR, VERW, ARPL, LLDT, SLDT,
// LTR and STR (Vol. 2: "#UD: not recognized in virtual-8086 mode"). Event delivery out of
// virtual-8086 mode and IRET back into it live in interrupts-legacy.ts. CR4.VME and CR4.PVI
// (virtual interrupt flags, the interrupt redirection bitmap) are in vme.ts (decision 0071).

import { ARB, C4, F, IOPL_SHIFT, TY } from './archbits.ts';
import { readGpr, writeGpr } from './access.ts';
import type { Cpu } from './cpu.ts';
import { gp, ud } from './fault.ts';
import type { Prepared } from './operand.ts';
import { executeVme } from './vme.ts';
import { SegIndex } from './state.ts';

/**
 * Access rights of every segment in virtual-8086 mode, VMX format: present, DPL 3, read/write
 * data, accessed (0xF3), the value the VM-entry checks require (SDM Vol. 3C §27.3.1.2 "Checks
 * on Guest Segment Registers").
 */
export const V8086_AR = TY.WR | TY.A | ARB.S | (3 << ARB.DPL_SHIFT) | ARB.P;

/** Instructions that raise #GP(0) in virtual-8086 mode when IOPL < 3 (SDM Vol. 3B §20.2.7 "Sensitive Instructions"). */
const IOPL_SENSITIVE: ReadonlySet<string> = new Set([
  'cli', 'sti', 'pushfw', 'pushfd', 'popfw', 'popfd', 'int', 'iretw', 'iretd',
]);

/** Instructions not recognized in virtual-8086 mode: #UD (each one's "Virtual-8086 Mode Exceptions", SDM Vol. 2). */
const NOT_RECOGNIZED: ReadonlySet<string> = new Set([
  'lar', 'lsl', 'verr', 'verw', 'arpl', 'lldt', 'sldt', 'ltr', 'str',
]);

/** Whether the processor is in virtual-8086 mode (RFLAGS.VM = 1; SDM Vol. 3A §2.2 "Modes of Operation"). */
export function inV8086(cpu: Cpu): boolean {
  return (cpu.state.rflags & F.VM) !== 0;
}

/**
 * The virtual-8086 checks made before an instruction executes: #UD for the instructions the
 * mode does not recognize, #GP(0) for the IOPL-sensitive ones when IOPL < 3 (SDM Vol. 3B §20.2.7
 * "Sensitive Instructions"; INT3 and INTO are not IOPL-sensitive). Privileged instructions
 * need no check here: CPL is 3, so their own CPL 0 checks raise #GP(0) (§20.2.7). With CR4.VME = 1
 * the virtual-interrupt forms run here instead (vme.ts): returns true when the instruction was
 * executed that way, and the caller must not run its ordinary handler.
 */
export function checkV8086(cpu: Cpu, p: Prepared): boolean {
  const m = p.insn.mnemonic;
  if (NOT_RECOGNIZED.has(m)) throw ud(`${m.toUpperCase()} is not recognized in virtual-8086 mode`);
  if (!IOPL_SENSITIVE.has(m)) return false;
  if ((cpu.state.cr4 & C4.VME) !== 0) return executeVme(cpu, p);
  const iopl = (cpu.state.rflags & F.IOPL) >>> IOPL_SHIFT;
  if (iopl < 3) throw gp(`${m.toUpperCase()} in virtual-8086 mode with IOPL ${iopl} < 3 (IOPL-sensitive instruction)`);
  return false;
}

/**
 * Loads a segment register in virtual-8086 mode: base = selector * 16, limit 0xFFFF, access
 * rights 0xF3 (SDM Vol. 3B §20.1.1 "Address Translation in Real-Address Mode", as §20.2 applies it;
 * Vol. 3C §27.3.1.2 for the limit and access rights VM entry requires).
 */
export function loadV8086Segment(cpu: Cpu, seg: number, sel: number): void {
  const s = cpu.state;
  s.segSel[seg] = sel & 0xffff;
  s.segBase[seg] = (sel & 0xffff) * 16;
  s.segLimit[seg] = 0xffff;
  s.segAr[seg] = V8086_AR;
}

/**
 * IRET in virtual-8086 mode with IOPL = 3 (IOPL < 3 faulted in `checkV8086`): pops IP/EIP, CS
 * and FLAGS/EFLAGS from SS:SP; IOPL, VM, VIP and VIF keep their values (SDM Vol. 2A "IRET",
 * the "IF VM = 1" branch). #GP(0) when the new IP lies beyond the 64-KiB CS limit.
 */
export function iretV8086(cpu: Cpu, size: number): void {
  const s = cpu.state;
  const sp = readGpr(cpu, 4, 2);
  const ssBase = s.segBase[SegIndex.SS]!;
  const rd = (i: number, n: number): number => cpu.readLin(ssBase + ((sp + i * size) & 0xffff), n);
  const ip = rd(0, size);
  const cs = rd(1, 2);
  const fl = rd(2, size);
  if (ip > 0xffff) throw gp(`IRET in virtual-8086 mode to EIP 0x${ip.toString(16)} beyond the 64-KiB CS limit`);
  const keep = F.IOPL | F.VM | F.VIP | F.VIF | F.RF | F.FIXED;
  const mask = (size === 4 ? F.DEFINED : 0xffff) & ~keep;
  writeGpr(cpu, 4, 2, (sp + 3 * size) & 0xffff, 0);
  loadV8086Segment(cpu, SegIndex.CS, cs);
  s.rflags = ((s.rflags & ~mask) | (fl & mask) | F.FIXED) >>> 0;
  cpu.next = ip;
  cpu.refreshMode();
}
