// Virtual-8086 mode extensions (CR4.VME) and protected-mode virtual interrupts (CR4.PVI):
// SDM Vol. 3B §20.3 "Interrupt and Exception Handling in Virtual-8086 Mode" (§20.3.2 "Class 2:
// Maskable Hardware Interrupt Handling in Virtual-8086 Mode Using the Virtual Interrupt
// Mechanism", §20.3.3 "Class 3: Software Interrupt Handling in Virtual-8086 Mode", Table 20-2
// and the interrupt redirection bitmap of Figure 20-5), §20.4 "Protected-Mode Virtual
// Interrupts"; the VME branches of CLI, STI, PUSHF, POPF, IRET and INT n in SDM Vol. 2.
//
// With VME = 1 and IOPL < 3 in virtual-8086 mode, CLI/STI, the 16-bit PUSHF/POPF/IRET work on
// VIF instead of raising #GP(0) (the 32-bit forms still do), and STI, POPF and IRET raise #GP(0)
// where VIF would become set while VIP = 1 (or TF would be set by POPF/IRET), so the monitor
// can deliver the pending interrupt. INT n consults the redirection bitmap: a clear bit sends the
// interrupt to the 8086 handler through the real-mode IVT at linear address 0.

import { C4, F, IOPL_SHIFT } from './archbits.ts';
import type { Cpu } from './cpu.ts';
import { gp } from './fault.ts';
import type { Prepared } from './operand.ts';
import { SegIndex } from './state.ts';
import { loadV8086Segment } from './v8086.ts';
import { peek, pop, push } from './exec/stack.ts';

const iopl = (cpu: Cpu): number => (cpu.state.rflags & F.IOPL) >>> IOPL_SHIFT;

/**
 * The FLAGS image PUSHF and a redirected INT n push at IOPL < 3 with VME = 1: IF replaced by VIF,
 * IOPL shown as 3 (SDM Vol. 2B "PUSHF", Vol. 3B §20.3.3.5 method 6).
 */
function virtualFlagsImage(rflags: number): number {
  const f = (rflags & ~(F.IF | F.IOPL)) | ((rflags & F.VIF) !== 0 ? F.IF : 0) | F.IOPL;
  return f & 0xffff;
}

/**
 * POPF/IRET at IOPL < 3 with VME = 1: #GP(0) when the image would set IF while VIP = 1, or set
 * TF; otherwise FLAGS except IOPL and IF, and VIF from the image's IF (SDM Vol. 2B "POPF", Vol.
 * 2A "IRET": "IF CR4.VME = 1 and OperandSize = 16").
 */
function loadVirtualFlags(cpu: Cpu, image: number, what: string): void {
  const s = cpu.state;
  if (((s.rflags & F.VIP) !== 0 && (image & F.IF) !== 0) || (image & F.TF) !== 0) {
    throw gp(`${what} in virtual-8086 mode with VME: ${(image & F.TF) !== 0 ? 'TF would be set' : 'IF would be set while VIP = 1 (a virtual interrupt is pending)'}`);
  }
  const mask = 0xffff & F.DEFINED & ~(F.FIXED | F.IOPL | F.IF);
  s.rflags = ((s.rflags & ~mask & ~F.VIF) | (image & mask) | ((image & F.IF) !== 0 ? F.VIF : 0) | F.FIXED) >>> 0;
}

/**
 * Executes an IOPL-sensitive instruction in virtual-8086 mode with CR4.VME = 1 where the
 * extensions apply; returns false when the instruction runs as usual (INT n to the protected-mode
 * handler at IOPL 3). Raises #GP(0) where the SDM does.
 */
export function executeVme(cpu: Cpu, p: Prepared): boolean {
  const s = cpu.state;
  const m = p.insn.mnemonic;
  if (m === 'int') return softwareInterrupt(cpu, p.ops[0]!.lo & 0xff);
  if (iopl(cpu) === 3) return false;
  switch (m) {
    case 'cli':
      s.rflags = (s.rflags & ~F.VIF) >>> 0;
      return true;
    case 'sti':
      if ((s.rflags & F.VIP) !== 0) throw gp('STI in virtual-8086 mode with VME: VIP = 1 (a virtual interrupt is pending)');
      s.rflags = (s.rflags | F.VIF) >>> 0;
      return true;
    case 'pushfw':
      push(cpu, 2, virtualFlagsImage(s.rflags & ~(F.VM | F.RF)), 0);
      return true;
    case 'popfw': {
      const image = peek(cpu, 2);
      loadVirtualFlags(cpu, image, 'POPF');
      pop(cpu, 2);
      return true;
    }
    case 'iretw': {
      const ip = peek(cpu, 2, 0);
      const cs = peek(cpu, 2, 2);
      const image = peek(cpu, 2, 4);
      loadVirtualFlags(cpu, image, 'IRET');
      pop(cpu, 2); pop(cpu, 2); pop(cpu, 2);
      loadV8086Segment(cpu, SegIndex.CS, cs);
      cpu.next = ip;
      return true;
    }
    default:
      // PUSHFD, POPFD, IRETD stay IOPL-sensitive (SDM Vol. 2B "PUSHF": "IF OperandSize = 32 ... #GP(0)").
      throw gp(`${m.toUpperCase()} in virtual-8086 mode with IOPL ${iopl(cpu)} < 3 (only the 16-bit form is virtualised by CR4.VME)`);
  }
}

/**
 * INT n with VME = 1 (SDM Vol. 3B §20.3.3.5, Table 20-2): bit n of the interrupt redirection
 * bitmap (the 32 bytes below the I/O map base of the TSS) set: the protected-mode handler at
 * IOPL 3 (method 4, returns false), #GP(0) at IOPL < 3 (method 3); clear: the 8086 handler from
 * the IVT at linear 0 (methods 5 and 6).
 */
function softwareInterrupt(cpu: Cpu, n: number): boolean {
  const s = cpu.state;
  const tss = s.segBase[SegIndex.TR]!;
  const limit = s.segLimit[SegIndex.TR]!;
  if (limit < 0x67) throw gp(`INT ${n} in virtual-8086 mode with VME: the TSS (limit 0x${limit.toString(16)}) has no I/O map base`);
  const ioBase = cpu.readLin(tss + 0x66, 2, true);
  const at = ioBase - 32 + (n >> 3);
  if (at < 0 || at > limit) throw gp(`INT ${n} in virtual-8086 mode with VME: the interrupt redirection bitmap lies outside the TSS`);
  const redirected = ((cpu.readLin(tss + at, 1, true) >> (n & 7)) & 1) === 0;
  const low = iopl(cpu) < 3;
  if (!redirected) {
    if (low) throw gp(`INT ${n} in virtual-8086 mode with IOPL ${iopl(cpu)} < 3 (redirection bit set: to the protected-mode monitor)`);
    return false;
  }
  // Methods 5 and 6: push FLAGS (IF <- VIF and IOPL = 3 in the image when IOPL < 3), CS, IP and
  // enter the 8086 handler; clear IF and TF (VIF and TF when IOPL < 3).
  const ip = cpu.readLin(n * 4, 2);
  const cs = cpu.readLin(n * 4 + 2, 2);
  const flags = s.rflags & ~(F.VM | F.RF);
  push(cpu, 2, low ? virtualFlagsImage(flags) : flags & 0xffff, 0);
  push(cpu, 2, s.segSel[SegIndex.CS]!, 0);
  push(cpu, 2, cpu.next & 0xffff, 0);
  s.rflags = (s.rflags & ~(F.TF | (low ? F.VIF : F.IF))) >>> 0;
  loadV8086Segment(cpu, SegIndex.CS, cs);
  cpu.next = ip;
  return true;
}

/**
 * CLI/STI with CR4.PVI = 1 at CPL 3 in protected mode when IOPL < 3: VIF instead of IF; STI with
 * VIP = 1 raises #GP(0) (SDM Vol. 3B §20.4, Vol. 2A "CLI", Vol. 2B "STI"). Returns false when PVI
 * does not apply (the caller raises its #GP).
 */
export function protectedVirtualInterruptFlag(cpu: Cpu, set: boolean): boolean {
  const s = cpu.state;
  if ((s.cr4 & C4.PVI) === 0 || s.cpl !== 3 || (s.rflags & F.VM) !== 0) return false;
  if (!set) {
    s.rflags = (s.rflags & ~F.VIF) >>> 0;
    return true;
  }
  if ((s.rflags & F.VIP) !== 0) throw gp('STI at CPL 3 with CR4.PVI: VIP = 1 (a virtual interrupt is pending)');
  s.rflags = (s.rflags | F.VIF) >>> 0;
  return true;
}
