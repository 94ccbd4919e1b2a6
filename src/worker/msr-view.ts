// IA32_FEATURE_CONTROL and the VMX capability MSRs 0x480-0x493 decoded bit by bit in the
// vocabulary of Linux's `vmxcap` tool (controls: no / forced / yes / default). Every bit name,
// meaning and SDM reference comes from src/arch (SDM Vol. 3D Appendix A "VMX Capability
// Reporting Facility"; Vol. 3C §24.7 "Enabling and Entering VMX Operation" for 0x3A).

import type { Bitfield, Field } from '../arch/bitfield.ts';
import { CONTROL_WORDS, allowedSettings } from '../arch/controls/index.ts';
import { CR0, CR4 } from '../arch/cr.ts';
import { FEATURE_CONTROL } from '../arch/feature-control.ts';
import { MSRS, type MsrInfo } from '../arch/msrs.ts';
import { formatSdm } from '../arch/sdm.ts';
import { VMX_BASIC, VMX_EPT_VPID_CAP, VMX_MISC, VMX_VMCS_ENUM, VMX_VMFUNC_CAP } from '../arch/vmx-msrs.ts';
import type { MsrLine, MsrView } from './types.ts';
import { hex } from './hex.ts';


/** Fields of a bitfield as lines: flags as yes/no, wider fields as numbers. */
function bitfieldLines(bf: Bitfield<string>, value: bigint): MsrLine[] {
  return bf.list.map((f: Field) => {
    const v = (value & f.mask) >> BigInt(f.bit);
    const label = f.sdmName ?? f.name;
    return { label: f.width === 1 ? label : `${label} [${f.bit + f.width - 1}:${f.bit}]`, value: f.width === 1 ? (v ? 'yes' : 'no') : String(v), doc: f.doc };
  });
}

/** Which control word an MSR reports, and whether it is the TRUE twin. */
function controlWordOf(index: number): { word: (typeof CONTROL_WORDS)[number]; isTrue: boolean } | undefined {
  for (const w of CONTROL_WORDS) {
    if (w.info.capabilityMsr === index) return { word: w, isTrue: false };
    if (w.info.trueMsr === index) return { word: w, isTrue: true };
  }
  return undefined;
}

/**
 * A control MSR as `vmxcap` prints it: each control `no` (may not be 1), `forced` (must be 1),
 * `yes` (either), or `default` (a default1 control the TRUE MSR allows to be 0).
 */
function controlLines(index: number, msrs: ReadonlyMap<number, bigint>): MsrLine[] | undefined {
  const cw = controlWordOf(index);
  if (!cw) return undefined;
  const { info, bits } = cw.word;
  const mine = allowedSettings(info, msrs.get(index) ?? 0n);
  const plainValue = msrs.get(info.capabilityMsr);
  const plain = cw.isTrue && plainValue !== undefined ? allowedSettings(info, plainValue) : undefined;
  return bits.map((b) => {
    const m = 1n << BigInt(b.bit);
    let value: string;
    if ((mine.allowed1 & m) === 0n) value = 'no';
    else if ((mine.allowed0 & m) !== 0n) value = 'forced';
    else if (plain && (plain.allowed0 & m) !== 0n) value = 'default';
    else value = 'yes';
    return { label: `${b.sdmName} (${b.name})`, value, doc: b.doc };
  });
}

/** CR0/CR4 fixed-bit MSRs: the named CR bits each one fixes. */
function fixedLines(index: number, value: bigint): MsrLine[] | undefined {
  const cr = index === 0x486 || index === 0x487 ? CR0 : index === 0x488 || index === 0x489 ? CR4 : undefined;
  if (!cr) return undefined;
  const fixed0 = index === 0x486 || index === 0x488;
  return cr.list.map((f) => {
    const set = (value & f.mask) !== 0n;
    const v = fixed0 ? (set ? 'must be 1' : 'free') : set ? 'may be 1' : 'must be 0';
    return { label: `${cr.name}.${f.name} (${f.sdmName ?? f.name})`, value: v, doc: f.doc };
  });
}

const BITFIELDS: Record<number, Bitfield<string>> = {
  0x3a: FEATURE_CONTROL,
  0x480: VMX_BASIC,
  0x485: VMX_MISC,
  0x48a: VMX_VMCS_ENUM,
  0x48c: VMX_EPT_VPID_CAP,
  0x491: VMX_VMFUNC_CAP,
};

/** Decodes one MSR value into lines. */
export function decodeMsr(index: number, value: bigint, msrs: ReadonlyMap<number, bigint>): MsrLine[] {
  const bf = BITFIELDS[index];
  if (bf) return bitfieldLines(bf, value);
  return controlLines(index, msrs) ?? fixedLines(index, value) ?? [];
}

/** The MSRs the panel lists: IA32_FEATURE_CONTROL, then every capability MSR in 0x480-0x493. */
export const PANEL_MSRS: readonly MsrInfo[] = MSRS.filter((m) => m.index === 0x3a || (m.index >= 0x480 && m.index <= 0x493));

/**
 * The MSRs panel: 0x3A as the processor holds it now, then each capability MSR the profile
 * implements (an absent one makes RDMSR raise #GP, so it is left out).
 */
export function msrViews(featureControl: bigint, caps: ReadonlyMap<number, bigint>, edited: ReadonlySet<number>): MsrView[] {
  const out: MsrView[] = [];
  for (const m of PANEL_MSRS) {
    const value = m.index === 0x3a ? featureControl : caps.get(m.index);
    if (value === undefined) continue;
    out.push({
      index: hex(BigInt(m.index)),
      name: m.sdmName,
      value: hex(value),
      doc: m.doc,
      sdm: formatSdm(m.sdm),
      readOnly: m.readOnly,
      edited: edited.has(m.index),
      lines: decodeMsr(m.index, value, caps),
    });
  }
  return out;
}
