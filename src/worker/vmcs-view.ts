// The VMCS panel's view: every field of the current VMCS (SDM Vol. 3D Appendix B "Field
// Encoding in VMCS") grouped into the six areas the seeds use: guest state, host state,
// execution controls, exit controls, entry controls, exit information. The control area
// splits by the section each field's table row cites (§25.7 VM-exit controls, §25.8 VM-entry
// controls); control words are decoded bit by bit with what the capability MSRs allow
// (SDM Vol. 3D Appendix A.3-A.5).

import { CONTROL_WORDS } from '../arch/controls/index.ts';
import { controlCapability } from '../arch/controls/capabilities.ts';
import { formatSdm } from '../arch/sdm.ts';
import { fieldExists } from '../arch/vmcs/exists.ts';
import { VMCS_FIELDS, type VmcsField } from '../arch/vmcs/fields.ts';
import type { VmcsFieldValue, VmcsSummary } from '../vmx/index.ts';
import type { ControlBitView, FieldWriteView, VmcsFieldMeta, VmcsFieldView, VmcsGroup, VmcsView } from './types.ts';
import { hex } from './hex.ts';


/** The panel group of a field. */
export function groupOf(f: VmcsField): VmcsGroup {
  if (f.area === 'guest') return 'guest';
  if (f.area === 'host') return 'host';
  if (f.area === 'exit-info') return 'exit-info';
  if (f.sdm.section.startsWith('25.7')) return 'exit';
  if (f.sdm.section.startsWith('25.8')) return 'entry';
  return 'exec';
}

/** Fields shown: every full field (HIGH aliases are the upper halves of 64-bit ones). */
const PANEL_FIELDS = VMCS_FIELDS.filter((f) => !f.high);

/** What never changes about the fields, in panel order (the catalog). */
export function vmcsCatalog(): VmcsFieldMeta[] {
  return PANEL_FIELDS.map((f) => ({
    name: f.name,
    encoding: `0x${f.encoding.toString(16).padStart(4, '0')}`,
    width: f.width === 'natural' ? 'natural' : `${f.width}-bit`,
    sdmName: f.sdmName,
    group: groupOf(f),
    doc: f.doc,
    sdm: formatSdm(f.sdm),
  }));
}

function controlBits(f: VmcsField, value: bigint, msrs: Readonly<Record<number, bigint>>): ControlBitView[] | undefined {
  const w = CONTROL_WORDS.find((c) => c.info.vmcsField === f.name);
  if (!w) return undefined;
  const cap = controlCapability(msrs, w.info.word);
  return w.bits.map((b) => {
    const m = 1n << BigInt(b.bit);
    const allowed = !cap || (cap.allowed1 & m) === 0n ? 'no' : (cap.allowed0 & m) !== 0n ? 'forced' : 'yes';
    return { name: b.name, bit: b.bit, set: (value & m) !== 0n, allowed, doc: b.doc };
  });
}

/** Builds the view of the current VMCS and the other active ones. */
export function vmcsView(
  pointer: bigint,
  vmxon: bigint | undefined,
  values: readonly VmcsFieldValue[],
  vmcses: readonly VmcsSummary[],
  msrs: Readonly<Record<number, bigint>>,
  writtenAt: (encoding: number) => FieldWriteView | undefined = () => undefined,
): VmcsView {
  const byEnc = new Map(values.map((v) => [v.encoding, v.value]));
  const hasCurrent = vmcses.some((v) => v.current);
  const fields: VmcsFieldView[] = hasCurrent
    ? PANEL_FIELDS.map((f) => {
      const value = byEnc.get(f.encoding) ?? 0n;
      const controls = controlBits(f, value, msrs);
      const written = writtenAt(f.encoding);
      const v: VmcsFieldView = { name: f.name, value: hex(value), exists: fieldExists(f, msrs) };
      return { ...v, ...(controls ? { controls } : {}), ...(written ? { written } : {}) };
    })
    : [];
  return {
    pointer: hex(pointer),
    vmxon: vmxon === undefined ? undefined : hex(vmxon),
    fields,
    vmcses: vmcses.map((v) => ({ addr: hex(v.addr), launch: v.launch, current: v.current, shadow: v.shadow })),
  };
}
