// Shared shape of the VMX control tables (pin-based, primary, secondary, tertiary,
// VM-exit, secondary VM-exit, VM-entry, VM-function). Each control bit is one row
// with its Linux vmx.h name, SDM name, the aliases the seed hypervisors use, its
// default1 class (SDM Vol. 3D Appendix A.2) and an SDM reference.

import { bitfield, type Bitfield, type FieldSpec } from '../bitfield.ts';
import { sdm, type SdmRef } from '../sdm.ts';

export type ControlWord = 'pin' | 'primary' | 'secondary' | 'tertiary' | 'exit' | 'exit2' | 'entry' | 'vmfunc';

export interface ControlBit {
  readonly word: ControlWord;
  readonly bit: number;
  /** Linux `asm/vmx.h` name; when `linux` is false, a name in Linux style chosen by the lab. */
  readonly name: string;
  /** Whether `name` is Linux's own. */
  readonly linux: boolean;
  /** The control as the SDM names it ("HLT exiting"). */
  readonly sdmName: string;
  /** Older Linux names and names used by the seed hypervisors (all predefined symbols). */
  readonly aliases: readonly string[];
  /** Present in the 2016 SDM, or added later (source in the doc). */
  readonly since: 'SDM16' | 'newer';
  readonly doc: string;
  readonly sdm: SdmRef;
}

export interface ControlWordInfo {
  readonly word: ControlWord;
  /** SDM name of the control field. */
  readonly title: string;
  /** Linux name of the VMCS field holding the controls. */
  readonly vmcsField: string;
  readonly width: 32 | 64;
  /** Capability MSR reporting the allowed settings. */
  readonly capabilityMsr: number;
  /** TRUE_* twin (exists when IA32_VMX_BASIC[55] = 1), or null. */
  readonly trueMsr: number | null;
  /** Whether the capability MSR has an allowed-0 half (bits 31:0); 64-bit words have only allowed-1. */
  readonly hasAllowed0: boolean;
  /** Reserved bits that must be 1 unless a TRUE MSR allows 0 (default1 class). */
  readonly default1: bigint;
  readonly sdm: SdmRef;
}

export const SDM_DEFAULT1 = sdm('3D', 'A.2', 'Reserved Controls and Default Settings');

/** Row builder used by the control tables. */
export function control(
  word: ControlWord, bit: number, name: string, sdmName: string, doc: string, ref: SdmRef,
  opts: { aliases?: readonly string[]; linux?: boolean; since?: 'SDM16' | 'newer' } = {},
): ControlBit {
  return { word, bit, name, linux: opts.linux ?? true, sdmName, aliases: opts.aliases ?? [], since: opts.since ?? 'SDM16', doc, sdm: ref };
}

/** A bitfield view of a control word (for panels and the bit editor); undeclared, non-default1 bits are reserved. */
export function controlBitfield(info: ControlWordInfo, bits: readonly ControlBit[]): Bitfield<string> {
  const fields: Record<string, FieldSpec> = {};
  let used = info.default1;
  for (const b of bits) {
    fields[b.name] = { bit: b.bit, doc: b.doc, sdmName: b.sdmName, sdm: b.sdm };
    used |= 1n << BigInt(b.bit);
  }
  const all = info.width === 64 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
  return bitfield({ name: info.title, size: info.width, fields, reserved: all & ~used, sdm: info.sdm });
}

/** Mask of a list of control bits. */
export function controlMask(bits: readonly ControlBit[]): bigint {
  return bits.reduce((m, b) => m | (1n << BigInt(b.bit)), 0n);
}
