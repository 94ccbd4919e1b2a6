// Helpers of the VM-exit tests: a real decoded instruction from lab-asm text, a VMCS with
// chosen fields (no VM entry needed to ask the interception code), control words by name, and
// whether a profile allows a control's 1-setting. Test helper only.

import { assemble } from '../../asm/index.ts';
import { allowedSettings, PIN_BASED_INFO, PRIMARY_INFO, SECONDARY_INFO } from '../../arch/controls/index.ts';
import { decode } from '../../x86/decode.ts';
import type { DecodedInstruction } from '../../x86/isa/decoded.ts';
import { PIN_CTLS, PRIMARY_CTLS, SECONDARY_CTLS } from '../local-arch.ts';
import { F, type FieldName } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { fieldByName, VMCS } from '../../arch/vmcs/fields.ts';
import { fieldExists } from '../../arch/vmcs/exists.ts';
import { validVmcsFields, VALID_LAYOUT } from '../entry/testing/valid-vmcs.ts';
import type { TestProfile } from '../entry/testing/profiles.ts';
import { outcomeOf, rootWithVmcs } from './flow.ts';
import { insn, makeRig, r64, type Rig, type RigProfile } from './rig.ts';

/** The instruction lab-asm assembles `text` to, as the decoder hands it to the executor. */
export function asmInsn(text: string): DecodedInstruction {
  const r = assemble(text);
  if (!r.ok) throw new Error(`${text}: ${r.diagnostics[0]?.message}`);
  const d = decode((i) => r.bytes[i]!, 64);
  if (!d.ok) throw new Error(`${text}: ${d.message}`);
  return d.insn;
}

/** An active VMCS whose fields hold `values` (all others read 0). */
export function vmcsWith(values: Partial<Record<FieldName, bigint>> = {}): ActiveVmcs {
  const fields = new Map<number, bigint>();
  for (const [name, v] of Object.entries(values)) fields.set(F[name as FieldName], v as bigint);
  return { addr: 0x2_0000, launch: 'launched', shadow: false, fields };
}

/** Primary processor-based controls with these bits. */
export function primary(...names: string[]): bigint {
  return names.reduce((v, n) => PRIMARY_CTLS.set(v, n, true), 0n);
}
/** Secondary processor-based controls with these bits. */
export function secondary(...names: string[]): bigint {
  return names.reduce((v, n) => SECONDARY_CTLS.set(v, n, true), 0n);
}
/** Pin-based controls with these bits. */
export function pin(...names: string[]): bigint {
  return names.reduce((v, n) => PIN_CTLS.set(v, n, true), 0n);
}

/** Whether `profile` allows the 1-setting of a control of the given word. */
export function allows(profile: RigProfile, word: 'pin' | 'primary' | 'secondary', name: string): boolean {
  const msr = (i: number): bigint => profile.msrs[i] ?? 0n;
  if (word === 'pin') return PIN_CTLS.has(allowedSettings(PIN_BASED_INFO, msr(PIN_BASED_INFO.capabilityMsr)).allowed1, name);
  if (word === 'primary') return PRIMARY_CTLS.has(allowedSettings(PRIMARY_INFO, msr(PRIMARY_INFO.capabilityMsr)).allowed1, name);
  if (!PRIMARY_CTLS.has(allowedSettings(PRIMARY_INFO, msr(PRIMARY_INFO.capabilityMsr)).allowed1, 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS')) return false;
  return SECONDARY_CTLS.has(allowedSettings(SECONDARY_INFO, msr(SECONDARY_INFO.capabilityMsr)).allowed1, name);
}

/** VMXON, VMCLEAR, VMPTRLD, a valid 64-bit guest and host written by VMWRITE (with `edit` applied), then VMLAUNCH. */
export function launchedRig(p: TestProfile, edit: (f: Map<string, bigint>) => void = () => {}, staysInGuest = true): Rig {
  const rig = makeRig(p);
  rootWithVmcs(rig, p, VALID_LAYOUT.currentVmcs);
  const fields = validVmcsFields(p);
  edit(fields);
  for (const [name, v] of fields) if (fieldExists(fieldByName(name)!, p.msrs)) vmwriteField(rig, name, v);
  rig.exec(insn('vmlaunch', [], 3));
  if (staysInGuest && rig.model.mode() !== 'non-root') throw new Error(`VMLAUNCH did not enter the guest on ${p.id}`);
  if (staysInGuest) rig.model.takeReports();
  return rig;
}

/** VMWRITE through the model (root operation). */
export function vmwriteField(rig: Rig, name: string, v: bigint): void {
  rig.cpu.state.setGpr64(0, BigInt(VMCS[name]!));
  rig.cpu.state.setGpr64(1, v);
  rig.exec(insn('vmwrite', [r64(0), r64(1)]));
  if (outcomeOf(rig) !== 'VMsucceed') throw new Error(`VMWRITE ${name} failed`);
}

/** A field of the current VMCS as the processor holds it (0 when never written). */
export function fieldOf(rig: Rig, name: string): bigint {
  return rig.model.currentFields().find((f) => f.name === name)?.value ?? 0n;
}
