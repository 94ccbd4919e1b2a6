// Builds the LabSnapshot (plain data) from a paused machine and its VT-x model: registers,
// RFLAGS, segments with their hidden parts, CR0/CR4/EFER bit grids with the VMX fixed bits of
// the profile (SDM Vol. 3D Appendix A.7 "VMX-Fixed Bits in CR0", A.8 "VMX-Fixed Bits in CR4"),
// MSRs, the VMCS, events, entry-check verdicts and the VM-instruction error.

import type { Bitfield } from '../arch/bitfield.ts';
import { CR0, CR4 } from '../arch/cr.ts';
import { EFER } from '../arch/efer.ts';
import { RFLAGS } from '../arch/rflags.ts';
import { formatSdm } from '../arch/sdm.ts';
import { ACCESS_RIGHTS } from '../arch/segments.ts';
import { vmInstructionError } from '../arch/vm-instruction-errors.ts';
import { BOOT, STACK_BOTTOM } from '../machine/boot-layout.ts';
import { Machine } from '../machine/machine.ts';
import type { VmxModel } from '../vmx/index.ts';
import { GPR_NAMES, SEG_SLOT_NAMES } from '../x86/state.ts';
import { devicesView } from './devices-view.ts';
import { eventView } from './events-view.ts';
import { msrViews } from './msr-view.ts';
import type { BitView, EventView, FieldWriteView, LabSnapshot, RegisterView, SegmentView } from './types.ts';
import { explainView } from './verdicts.ts';
import { vmcsView } from './vmcs-view.ts';
import { hex } from './hex.ts';

/** The timeline keeps the latest events only (older ones stay in the machine). */
export const EVENT_VIEW_LIMIT = 500;

/**
 * Register views already built, per bitfield, by value and fixed bits: a Step rebuilds RFLAGS,
 * CR0, CR4, EFER and six segments' access rights (~150 bits with their docs and SDM references),
 * and almost always to the same values. A view returned again is the same object, which also
 * makes the snapshot patch (decision 0078) skip it without a walk.
 */
const registerViews = new WeakMap<Bitfield<string>, Map<string, RegisterView>>();
const REGISTER_VIEWS_KEPT = 256;

/** A register as a bit grid; `fixed` gives the VMX fixed bits (must be 1 / may be 1). Views are shared (read-only data). */
export function registerView(bf: Bitfield<string>, value: bigint, fixed?: { fixed0: bigint; fixed1: bigint }): RegisterView {
  let byKey = registerViews.get(bf);
  if (!byKey) registerViews.set(bf, (byKey = new Map()));
  const key = fixed ? `${value}:${fixed.fixed0}:${fixed.fixed1}` : `${value}`;
  const known = byKey.get(key);
  if (known) return known;
  if (byKey.size >= REGISTER_VIEWS_KEPT) byKey.clear();
  const view = buildRegisterView(bf, value, fixed);
  byKey.set(key, view);
  return view;
}

function buildRegisterView(bf: Bitfield<string>, value: bigint, fixed?: { fixed0: bigint; fixed1: bigint }): RegisterView {
  const bits: BitView[] = bf.list.map((f) => {
    const m = f.mask;
    let mustBe: 0 | 1 | undefined;
    if (fixed && f.width === 1) {
      if ((fixed.fixed0 & m) !== 0n) mustBe = 1;
      else if ((fixed.fixed1 & m) === 0n) mustBe = 0;
    }
    return {
      name: f.name,
      bit: f.bit,
      width: f.width,
      value: ((value & m) >> BigInt(f.bit)).toString(),
      doc: f.doc,
      sdmName: f.sdmName,
      sdm: f.sdm ? formatSdm(f.sdm) : undefined,
      mustBe,
    };
  });
  return { name: bf.name, value: hex(value), bits, sdm: bf.sdm ? formatSdm(bf.sdm) : undefined };
}

function segments(m: Machine): SegmentView[] {
  const c = m.cpu;
  return SEG_SLOT_NAMES.map((name, i) => ({
    name: name.toUpperCase(),
    selector: hex(c.segSel[i]!),
    base: hex(BigInt.asUintN(64, BigInt(c.segBase[i]!))),
    limit: hex(c.segLimit[i]!),
    ar: hex(c.segAr[i]!),
    arBits: registerView(ACCESS_RIGHTS as Bitfield<string>, BigInt(c.segAr[i]!)).bits,
  }));
}

/** Regions of physical memory worth a name (docs/machine.md layout, plus the VMX structures). */
function regions(model: VmxModel | undefined): { name: string; phys: string }[] {
  const out = [
    { name: 'program image', phys: hex(Machine.imagePhys) },
    { name: 'stack', phys: hex(STACK_BOTTOM) },
    { name: 'GDT', phys: hex(BOOT.gdt) },
    { name: 'IDT', phys: hex(BOOT.idt) },
    { name: 'TSS', phys: hex(BOOT.tss) },
    { name: 'PML4 (CR3)', phys: hex(BOOT.pml4) },
  ];
  const vmxon = model?.vmxonPointer();
  if (vmxon !== undefined) out.push({ name: 'VMXON region', phys: hex(vmxon) });
  for (const v of model?.vmcses() ?? []) out.push({ name: `VMCS ${hex(v.addr)} (${v.launch}${v.current ? ', current' : ''})`, phys: hex(v.addr) });
  return out;
}

/** Everything the panels show, from the machine as it is now. */
export function buildSnapshot(
  m: Machine,
  model: VmxModel | undefined,
  extra: {
    labels: readonly { name: string; phys: string }[];
    editedMsrs: ReadonlySet<number>;
    editSteps: ReadonlySet<number>;
    writtenAt?: (encoding: number) => FieldWriteView | undefined;
  },
): LabSnapshot {
  const c = m.cpu;
  const caps = m.profile.cpu.readOnlyMsrs;
  const record = Object.fromEntries(caps) as Record<number, bigint>;
  const fixed = (lo: number) => ({ fixed0: caps.get(lo) ?? 0n, fixed1: caps.get(lo + 1) ?? ~0n });
  const rip = c.getRip64();
  const first = Math.max(0, m.events.length - EVENT_VIEW_LIMIT);
  const events: EventView[] = [];
  for (let i = first; i < m.events.length; i++) {
    const v = eventView(m.events[i]!, i);
    events.push(extra.editSteps.has(v.step) ? { ...v, summary: `(edit from a panel) ${v.summary}` } : v);
  }
  const lastStop = [...m.events].reverse().find((e) => e.kind === 'stop');
  const fields = model?.currentFields() ?? [];
  const errField = fields.find((f) => f.encoding === 0x4400)?.value;
  const err = errField !== undefined && errField !== 0n ? vmInstructionError(Number(errField)) : undefined;
  return {
    steps: m.steps,
    mode: m.mode,
    stopped: m.stopped,
    stopMessage: m.stopped && lastStop?.kind === 'stop' ? lastStop.message : undefined,
    line: m.lineAt(rip),
    rip: hex(rip),
    gprs: GPR_NAMES.map((name, i) => ({ name: name.toUpperCase(), value: hex(c.getGpr64(i)) })),
    rflags: registerView(RFLAGS as Bitfield<string>, BigInt(c.rflags)),
    segments: segments(m),
    crs: [
      registerView(CR0 as Bitfield<string>, BigInt(c.cr0), fixed(0x486)),
      registerView(CR4 as Bitfield<string>, BigInt(c.cr4), fixed(0x488)),
      registerView(EFER as Bitfield<string>, BigInt(c.efer)),
    ],
    cr2: hex(BigInt.asUintN(64, BigInt(c.cr2))),
    cr3: hex(c.cr3),
    msrs: msrViews(c.msrs.get(0x3a) ?? 0n, caps, extra.editedMsrs),
    vmcs: model
      ? vmcsView(model.currentPointer(), model.vmxonPointer(), fields, model.vmcses(), record, extra.writtenAt)
      : { pointer: hex(0xffff_ffff_ffff_ffffn), fields: [], vmcses: [] },
    events,
    explain: model ? explainView(m, model, extra.writtenAt) : { source: 'none', launch: 'vmlaunch', decision: 'No VT-x model.', failing: [], passed: 0, notApplicable: 0 },
    vmError: errField !== undefined && errField !== 0n
      ? { number: Number(errField), meaning: err?.text ?? 'unknown error number', sdm: err ? formatSdm(err.sdm) : '' }
      : undefined,
    profile: m.profile.id,
    labels: extra.labels,
    regions: regions(model),
    devices: devicesView(m),
  };
}
