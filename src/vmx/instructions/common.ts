// What every VMX instruction handler shares: its context, its result as a value, the SDM's
// VMsucceed / VMfail conventions (SDM Vol. 3C §31.2 "Conventions") and the mode tests of the
// instructions' operation sections (SDM Vol. 3C §31.3 "VMX Instructions").

import { CR0 } from '../../arch/cr.ts';
import { EFER } from '../../arch/efer.ts';
import { RFLAGS } from '../../arch/rflags.ts';
import { ACCESS_RIGHTS } from '../../arch/segments.ts';
import type { CpuHandle } from '../../x86/env.ts';
import type { X86Fault } from '../../x86/fault.ts';
import type { DecodedInstruction } from '../../x86/isa/decoded.ts';
import { SegIndex } from '../../x86/state.ts';
import type { VmxCaps } from '../caps.ts';
import { VM_FAIL_INVALID, vmFailValid, type VmxOutcome } from '../outcome.ts';
import type { FieldResolver } from '../vmcs-store.ts';
import type { VmxState } from '../vmx-state.ts';

/** Everything a handler reads or changes. */
export interface InsnContext {
  readonly cpu: CpuHandle;
  readonly insn: DecodedInstruction;
  readonly vmx: VmxState;
  readonly caps: VmxCaps;
  /** Which VMCS fields exist on this processor. */
  readonly fields: FieldResolver;
  /** The EPT translation cache INVEPT / INVVPID invalidate (src/vmx/ept), when the model has one. */
  readonly translations?: {
    invept(type: 1 | 2, eptp: bigint): void;
    invvpid(type: 0 | 1 | 2 | 3, vpid: number, linear: number): void;
  };
}

/** Where an instruction's data goes once its checks have decided. */
export type InsnResult =
  /** An exception: the instruction has no other effect. */
  | { readonly kind: 'fault'; readonly fault: X86Fault }
  /** VMsucceed / VMfailInvalid / VMfailValid(n): RFLAGS and RIP are updated by the caller. */
  | { readonly kind: 'outcome'; readonly outcome: VmxOutcome; readonly note?: string }
  /** The instruction completed without touching RFLAGS (VMFUNC's EPTP switching). */
  | { readonly kind: 'completed' }
  /** The lab does not model what the instruction would do next; the machine stops with the message. */
  | { readonly kind: 'stop'; readonly message: string }
  /** In VMX non-root operation the instruction causes a VM exit with this basic reason. */
  | { readonly kind: 'vm-exit'; readonly reason: number }
  /** VMLAUNCH/VMRESUME passed their VMfail checks: the VM entry's result is in `entry`. */
  | { readonly kind: 'vm-entry'; readonly entry: EntryAttempt };

/** What a VM entry attempt did, once VMLAUNCH/VMRESUME passed their VMfail checks. */
export type EntryAttempt =
  | { readonly kind: 'entered' }
  /** A VM-entry failure (SDM Vol. 3C §27.8): host state loaded, exit reason 33/34 with bit 31 set. */
  | { readonly kind: 'failed'; readonly reason: 33 | 34; readonly qualification: bigint; readonly check?: string };

/** Result helpers: one early `return` per SDM outcome reads as the pseudo-code does. */
export const raise = (fault: X86Fault): InsnResult => ({ kind: 'fault', fault });
export const done = (outcome: VmxOutcome, note?: string): InsnResult => ({ kind: 'outcome', outcome, note });
export const exitWith = (reason: number): InsnResult => ({ kind: 'vm-exit', reason });

/**
 * VMfail(ErrorNumber): VMfailValid when the current-VMCS pointer is valid, else VMfailInvalid
 * (SDM Vol. 3C §31.2 "Conventions").
 */
export function vmFail(vmx: VmxState, error: number): VmxOutcome {
  return vmx.current === null ? VM_FAIL_INVALID : vmFailValid(error);
}

/** The address of the next instruction. The executor calls the hook with RIP at the instruction. */
export function nextRip(ctx: InsnContext): number {
  return ctx.cpu.state.rip + ctx.insn.length;
}

/** IA32_EFER.LMA = 1 and CS.L = 1: 64-bit mode (SDM Vol. 3A §2.2 "Modes of Operation"). */
export function in64BitMode(cpu: CpuHandle): boolean {
  return (cpu.state.efer & EFER_LMA) !== 0 && (cpu.state.segAr[SegIndex.CS]! & CS_L) !== 0;
}

/**
 * The #UD condition shared by the VMX instructions' operation sections: real-address mode
 * (CR0.PE = 0), virtual-8086 mode (RFLAGS.VM = 1) or compatibility mode (IA32_EFER.LMA = 1 and
 * CS.L = 0). SDM Vol. 3C §31.3 "VMX Instructions".
 */
export function inUdMode(cpu: CpuHandle): string | undefined {
  if ((cpu.state.cr0 & CR0_PE) === 0) return 'the processor is in real-address mode (CR0.PE = 0)';
  return inV86OrCompatMode(cpu);
}

// The bits the mode tests and the outcome's RFLAGS update use, as numbers (all below bit 32), from the arch tables.
const CR0_PE = Number(CR0.mask.PE);
const RFLAGS_VM = Number(RFLAGS.mask.VM);
const EFER_LMA = Number(EFER.mask.LMA);
const CS_L = Number(ACCESS_RIGHTS.mask.L);
const ARITH_FLAGS = Number(RFLAGS.of('CF', 'PF', 'AF', 'ZF', 'SF', 'OF'));
const FLAG_CF = Number(RFLAGS.mask.CF);
const FLAG_ZF = Number(RFLAGS.mask.ZF);

/** Virtual-8086 mode or compatibility mode: VMCALL's #UD condition in root operation. */
export function inV86OrCompatMode(cpu: CpuHandle): string | undefined {
  const s = cpu.state;
  if ((s.rflags & RFLAGS_VM) !== 0) return 'the processor is in virtual-8086 mode (RFLAGS.VM = 1)';
  if ((s.efer & EFER_LMA) !== 0 && (s.segAr[SegIndex.CS]! & CS_L) === 0) {
    return 'the processor is in compatibility mode (IA32_EFER.LMA = 1 and CS.L = 0)';
  }
  return undefined;
}

/** The outcome's effect on RFLAGS (SDM Vol. 3C §31.2 "Conventions": CF, PF, AF, ZF, SF, OF). */
export function rflagsAfter(rflags: number, outcome: VmxOutcome): number {
  const cleared = rflags & ~ARITH_FLAGS;
  if (outcome.kind === 'failInvalid') return (cleared | FLAG_CF) >>> 0;
  if (outcome.kind === 'failValid') return (cleared | FLAG_ZF) >>> 0;
  return cleared >>> 0;
}
