// Which VMCS fields a processor implements: a field exists when one of the controls
// that use it may be 1 on that processor (SDM Vol. 3D Appendix B footnotes: such fields
// exist "only on processors that support the 1-setting" of the control). VMREAD and
// VMWRITE of any other encoding fail with VM-instruction error 12.

import { CONTROL_WORDS, allowedSettings, findControl } from '../controls/index.ts';
import type { Profile } from '../profiles/types.ts';
import { VMCS_FIELDS, type VmcsField } from './fields.ts';

/** Whether a control may be set to 1 on a processor with these capability MSRs. */
export function controlAllowed1(msrs: Readonly<Record<number, bigint>>, name: string): boolean {
  const bit = findControl(name);
  if (bit === undefined) return false;
  const info = CONTROL_WORDS.find((w) => w.info.word === bit.word)!.info;
  const msr = msrs[info.capabilityMsr];
  if (msr === undefined) return false;
  return ((allowedSettings(info, msr).allowed1 >> BigInt(bit.bit)) & 1n) === 1n;
}

/** Whether a field exists on a processor (SEAM-only fields never exist outside a TDX module). */
export function fieldExists(field: VmcsField, msrs: Readonly<Record<number, bigint>>): boolean {
  if (field.requires === null) return true;
  if (field.requires === 'seam') return false;
  return field.requires.some((c) => controlAllowed1(msrs, c));
}

/** Every field a profile's processor implements, in encoding order. */
export function supportedFields(profile: Pick<Profile, 'msrs'>): VmcsField[] {
  return VMCS_FIELDS.filter((f) => fieldExists(f, profile.msrs));
}
