// The machine's side of the executor (src/x86/cpu.ts): stepping, the question "did the program
// make this exception's IDT gate present?", delivery, and disassembly for the event log.

import { Cpu, type StepResult } from '../x86/cpu.ts';
import { decode } from '../x86/decode.ts';
import { disassemble } from '../x86/disasm.ts';
import type { X86Env } from '../x86/env.ts';
import { X86Fault } from '../x86/fault.ts';
import { deliverException, type DeliveryResult } from '../x86/interrupts.ts';
import type { CpuState } from '../x86/state.ts';

/** What the Machine needs from the processor. */
export interface Executor {
  readonly cpu: Cpu;
  /** One instruction; throws X86Fault (RIP left at the faulting instruction). */
  step(): StepResult;
  /**
   * Whether the IDT gate for `vector` lies inside the IDT limit and has its P bit set (SDM Vol.
   * 3A §6.14.1 "64-Bit Mode IDT": P is bit 47 of the gate). A gate that cannot be read counts as
   * not present.
   */
  gatePresent(vector: number): boolean;
  /**
   * Delivers an exception through the IDT (double and triple faults handled by the executor;
   * in VMX non-root operation the VT-x model may turn it into a VM exit).
   */
  deliver(f: X86Fault): DeliveryResult;
  /** Forget cached translations, decodes and mode (after boot, restore, or a VMX state switch). */
  flush(): void;
  /** Intel-syntax text of the instruction at a linear address, or undefined if it cannot be fetched or decoded. */
  disassembleAt(rip: number): string | undefined;
}

/** Wraps a Cpu over `state` and `env`. */
export function createExecutor(state: CpuState, env: X86Env): Executor {
  const cpu = new Cpu(env, state);
  return {
    cpu,
    step: () => cpu.step(),
    gatePresent(vector) {
      const s = cpu.state;
      if (vector * 16 + 15 > s.idtrLimit) return false;
      try {
        return ((cpu.readLin(s.idtrBase + vector * 16 + 4, 4, true) >>> 15) & 1) === 1;
      } catch (e) {
        if (e instanceof X86Fault) return false;
        throw e;
      }
    },
    deliver: (f) => deliverException(cpu, f),
    flush() {
      // Memory may have been replaced (restore, reboot) without passing through the processor.
      cpu.stateChanged();
      cpu.flushDecodeCache();
    },
    disassembleAt(rip) {
      try {
        const r = decode((i) => cpu.readLin(rip + i, 1), cpu.mode, BigInt.asUintN(64, BigInt(rip)));
        return r.ok ? disassemble(r.insn, BigInt.asUintN(64, BigInt(rip))) : undefined;
      } catch (e) {
        if (e instanceof X86Fault) return undefined;
        throw e;
      }
    },
  };
}
