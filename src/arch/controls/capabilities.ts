// What a processor allows for each control word, read from its capability MSRs the way
// VM entry reads them (SDM Vol. 3D Appendix A.2 Reserved Controls and Default Settings,
// A.3-A.5, A.7-A.8): the TRUE_* MSR when IA32_VMX_BASIC[55] = 1, else the plain one; the
// 64-bit words have only an allowed-1 mask; a word whose MSR is absent allows nothing.

import { VMX_BASIC } from '../vmx-msrs.ts';
import { CONTROL_WORDS, allowedSettings } from './index.ts';
import type { ControlWord } from './types.ts';

export interface ControlCapability {
  /** Bits that must be 1. */
  readonly allowed0: bigint;
  /** Bits that may be 1. */
  readonly allowed1: bigint;
  /** The MSR the values came from (a TRUE_* MSR when IA32_VMX_BASIC[55] = 1). */
  readonly msr: number;
}

/** The allowed settings of a control word, or null when the processor lacks the word's MSR. */
export function controlCapability(msrs: Readonly<Record<number, bigint>>, word: ControlWord): ControlCapability | null {
  const info = CONTROL_WORDS.find((w) => w.info.word === word)!.info;
  const basic = msrs[0x480] ?? 0n;
  const msr = info.trueMsr !== null && VMX_BASIC.has(basic, 'TRUE_CTLS') ? info.trueMsr : info.capabilityMsr;
  const value = msrs[msr];
  if (value === undefined) return null;
  return { ...allowedSettings(info, value), msr };
}

/** The usual way software picks a legal value: force the must-be-1 bits, drop the may-not-be-1 bits. */
export function adjustControls(desired: bigint, cap: ControlCapability): bigint {
  return (desired | cap.allowed0) & cap.allowed1;
}

/** Whether a control value satisfies its capability (the VM-entry check of SDM §27.2.1). */
export function controlsValid(value: bigint, cap: ControlCapability): boolean {
  return (value & cap.allowed0) === cap.allowed0 && (value & ~cap.allowed1) === 0n;
}

/** CR0 or CR4 bits fixed in VMX operation: `fixed0` must be 1, bits outside `fixed1` must be 0. */
export function vmxFixedBits(msrs: Readonly<Record<number, bigint>>, cr: 'cr0' | 'cr4'): { fixed0: bigint; fixed1: bigint } {
  const base = cr === 'cr0' ? 0x486 : 0x488;
  return { fixed0: msrs[base] ?? 0n, fixed1: msrs[base + 1] ?? 0n };
}
