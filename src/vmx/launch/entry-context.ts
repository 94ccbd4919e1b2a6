// The EntryContext the VM-entry checks read (src/vmx/entry/context.ts), built from the
// processor, the current VMCS and the profile's capability MSRs at the moment of
// VMLAUNCH/VMRESUME (SDM Vol. 3C ch. 27 "VM Entries").

import { canonicalFor } from '../../arch/paging.ts';
import { ENTRY } from '../../arch/controls/index.ts';
import { CPUID, cpuidHas, type CpuidBit } from '../../arch/cpuid.ts';
import { CR0 } from '../../arch/cr.ts';
import { EFER, EFER_INTEL_RESERVED } from '../../arch/efer.ts';
import { LBR_CTL, RTIT_CTL, debugctlReservedBits, isValidPat, perfGlobalCtrlReservedBits } from '../../arch/msr-fields.ts';
import { MSR, msrInfo } from '../../arch/msrs.ts';
import { fieldByName } from '../../arch/vmcs/fields.ts';
import type { CpuHandle } from '../../x86/env.ts';
import type { EntryContext, EntryCpuFeatures, EntryCpuState, VmcsReader, VmcsTracking } from '../entry/context.ts';
import type { VmxCaps } from '../caps.ts';
import { VersionedMap } from '../model-caps.ts';
import type { FieldResolver } from '../vmcs-store.ts';
import { fieldIndex, valuesOf, type ChangeLog, type VmcsValues } from '../vmcs-values.ts';
import type { ActiveVmcs } from '../vmx-state.ts';

/** Capability MSRs of the VMX range are read-only (SDM Vol. 3D Appendix A intro). */
const VMX_CAP_FIRST = 0x480;
const VMX_CAP_LAST = 0x493;
const U64 = 0xffff_ffff_ffff_ffffn;

/** MSRs holding linear addresses: WRMSR of a non-canonical value raises #GP (SDM Vol. 2B WRMSR, "Protected Mode Exceptions"). */
const CANONICAL_MSRS: ReadonlySet<number> = new Set([
  MSR.IA32_FS_BASE, MSR.IA32_GS_BASE, MSR.IA32_KERNEL_GS_BASE, MSR.IA32_LSTAR, MSR.IA32_SYSENTER_ESP, MSR.IA32_SYSENTER_EIP,
]);

/** How a field name maps onto the stored VMCS for one processor: store index, HIGH half, existence. */
interface NameSlot {
  /** Store index (src/vmx/vmcs-values.ts), or -1 when the field table has no such name. */
  readonly index: number;
  readonly high: boolean;
  readonly exists: boolean;
  /** Position in the resolver's slot list: the handle of VmcsTracking. */
  readonly handle: number;
}

/** The names resolved for one resolver, by name and by handle. */
interface NameSlots {
  readonly byName: Map<string, NameSlot>;
  readonly list: NameSlot[];
}

// The checks read hundreds of fields by name per VM entry: resolve each name once per resolver
// (a resolver is rebuilt only when the capability MSRs change).
const slotCache = new WeakMap<FieldResolver, NameSlots>();

function slotsOf(fields: FieldResolver): NameSlots {
  let m = slotCache.get(fields);
  if (!m) {
    m = { byName: new Map(), list: [] };
    slotCache.set(fields, m);
  }
  return m;
}

function slotOf(fields: FieldResolver, m: NameSlots, name: string): NameSlot {
  let slot = m.byName.get(name);
  if (!slot) {
    const f = fieldByName(name);
    const encoding = f ? f.encoding & ~1 : -1;
    const index = f ? fieldIndex(encoding) : -1;
    slot = { index, high: f?.high ?? false, exists: index >= 0 && fields(encoding) !== undefined, handle: m.list.length };
    m.byName.set(name, slot);
    m.list.push(slot);
  }
  return slot;
}

/** Whether the profile's CPUID (as the machine configured it) reports a feature; false when the leaf is not listed. */
function cpuHas(cpu: CpuHandle, bit: CpuidBit): boolean {
  const regs = cpu.env.config.cpuid?.(bit.leaf, bit.subleaf);
  return regs !== undefined && cpuidHas(regs, bit);
}

/** The CPUID-enumerated features some checks depend on (RTM, SGX, LAM), from the profile's CPUID leaves. */
export function entryFeatures(cpu: CpuHandle): EntryCpuFeatures {
  return { rtm: cpuHas(cpu, CPUID.RTM), sgx: cpuHas(cpu, CPUID.SGX), lam: cpuHas(cpu, CPUID.LAM) };
}

/**
 * Bits of an MSR that WRMSR at CPL 0 rejects as reserved on this processor: IA32_EFER (Intel
 * reserves all but SCE, LME, LMA, NXE), IA32_DEBUGCTL (BLD and RTM_DEBUG per CPUID),
 * IA32_PERF_GLOBAL_CTRL (per CPUID leaf 0AH when the profile lists it), IA32_RTIT_CTL and
 * IA32_LBR_CTL (their always-reserved bits), IA32_BNDCFGS bits 11:2, IA32_TSC_AUX bits 63:32.
 * Layouts in src/arch/msr-fields.ts.
 */
export function msrReservedBitsFor(cpu: CpuHandle): (index: number) => bigint {
  const debugctl = debugctlReservedBits({ busLockDetect: cpuHas(cpu, CPUID.BUS_LOCK_DETECT), rtm: cpuHas(cpu, CPUID.RTM) });
  const perf = perfGlobalCtrlReservedBits(cpu.env.config.cpuid?.(0xa, 0));
  const table = new Map<number, bigint>([
    [MSR.IA32_EFER, EFER_INTEL_RESERVED],
    [MSR.IA32_DEBUGCTL, debugctl],
    [MSR.IA32_PERF_GLOBAL_CTRL, perf],
    [MSR.IA32_RTIT_CTL, RTIT_CTL.reservedMask],
    [MSR.IA32_LBR_CTL, LBR_CTL.reservedMask],
    [MSR.IA32_BNDCFGS, 0xffcn],
    [MSR.IA32_TSC_AUX, 0xffff_ffff_0000_0000n],
  ]);
  return (index) => table.get(index) ?? 0n;
}

/**
 * IA32_EFER and CR0 as they will be once guest state is loaded (SDM Vol. 3C §27.3.2.1 "Loading
 * Guest Control Registers, Debug Registers, and MSRs"): EFER from the guest field when "load
 * IA32_EFER" is 1, otherwise the current EFER with LMA and LME set to "IA-32e mode guest".
 */
function guestEferAndCr0(vmcs: VmcsReader, currentEfer: bigint): { efer: bigint; cr0: bigint } {
  const entry = vmcs.read('VM_ENTRY_CONTROLS');
  const cr0 = vmcs.read('GUEST_CR0');
  if (ENTRY.has(entry, 'VM_ENTRY_LOAD_IA32_EFER')) return { efer: vmcs.read('GUEST_IA32_EFER'), cr0 };
  const ia32e = ENTRY.has(entry, 'VM_ENTRY_IA32E_MODE');
  return { efer: EFER.set(EFER.set(currentEfer, 'LMA', ia32e), 'LME', ia32e), cr0 };
}

/**
 * Whether WRMSR of `value` to MSR `index` at CPL 0 raises #GP, judged as VM-entry MSR loading
 * does: after the guest state is loaded (SDM Vol. 3C §27.4 "Loading MSRs"). Implementation
 * choice where the lab models no MSR: unknown MSRs fault (SDM Vol. 4 §2.1 "Architectural MSRs").
 */
export function wrmsrFaultsAfterGuestLoad(
  vmcs: VmcsReader, currentEfer: bigint, linearBits: number, reserved: (index: number) => bigint,
): (index: number, value: bigint) => boolean {
  return (index, value) => {
    if (index >= VMX_CAP_FIRST && index <= VMX_CAP_LAST) return true;
    const info = msrInfo(index);
    if (!info || info.readOnly) return true;
    if ((value & reserved(index)) !== 0n) return true;
    if (index === MSR.IA32_PAT) return !isValidPat(value);
    if (CANONICAL_MSRS.has(index)) return !canonicalFor(value, linearBits);
    if (index === MSR.IA32_EFER) {
      // IA32_EFER.LME cannot change while paging is enabled (SDM Vol. 3A §10.8.5 "Initializing IA-32e Mode").
      const guest = guestEferAndCr0(vmcs, currentEfer);
      const pagingOn = (guest.cr0 & CR0.mask.PG) !== 0n;
      return pagingOn && EFER.has(value, 'LME') !== EFER.has(guest.efer, 'LME');
    }
    return false;
  };
}

/** The selectors the processor holds now (a failed host-selector check proposes them as its fix). */
function currentSelectors(cpu: CpuHandle): NonNullable<EntryCpuState['selectors']> {
  const sel = cpu.state.segSel;
  return {
    ES: BigInt(sel[0]!), CS: BigInt(sel[1]!), SS: BigInt(sel[2]!), DS: BigInt(sel[3]!),
    FS: BigInt(sel[4]!), GS: BigInt(sel[5]!), TR: BigInt(sel[7]!),
  };
}

/**
 * The VMCS reader of one store under one resolver (by name; with change tracking). Classes, not
 * closures: every check calls `vmcs.read`, and per-store closures gave each new VMCS (and each
 * Machine) new call targets there, so optimised checks were dropped.
 */
class StoreReader implements VmcsReader {
  readonly tracking: StoreTracking;
  constructor(private readonly fields: FieldResolver, private readonly slots: NameSlots, private readonly store: VmcsValues) {
    this.tracking = new StoreTracking(fields, slots, store);
  }

  read(name: string): bigint {
    const slot = slotOf(this.fields, this.slots, name);
    if (!slot.exists) return 0n;
    const store = this.store;
    return slot.high ? BigInt(store.hi[slot.index]!) : store.big(slot.index);
  }

  exists(name: string): boolean {
    return slotOf(this.fields, this.slots, name).exists;
  }
}

/** The store's stamps and change log as the incremental checks see them (handles are field indices). */
class StoreTracking implements VmcsTracking {
  readonly layout: NameSlots;
  readonly stamps: Float64Array;
  readonly changes: ChangeLog;
  constructor(private readonly fields: FieldResolver, slots: NameSlots, store: VmcsValues) {
    this.layout = slots;
    this.stamps = store.stamps;
    this.changes = store.changes;
  }

  handle(name: string): number {
    const slot = slotOf(this.fields, this.layout, name);
    return slot.exists ? slot.index : -1;
  }
}

/**
 * The checks' view of VM entries with one VMCS. Kept between entries (`entryContextFor`): the
 * reader and the methods stay; what the processor holds is taken afresh at each entry, and the
 * `cpu` and `features` objects are replaced only when a value in them changed.
 */
class ModelEntryContext implements EntryContext {
  readonly vmcs: VmcsReader;
  maxPhysAddr: number;
  linearAddressBits: number;
  cpu!: EntryCpuState;
  features!: EntryCpuFeatures;
  launch!: 'vmlaunch' | 'vmresume';
  /** Numbers `cpu` was built from: EFER, CR0, CR4 and the selectors (ES CS SS DS FS GS TR). */
  private readonly from = new Float64Array(10).fill(Number.NaN);
  private reservedTable: ((index: number) => bigint) | undefined;

  constructor(
    readonly handle: CpuHandle,
    readonly store: VmcsValues,
    private readonly addr: number,
    caps: VmxCaps,
    readonly msr: (index: number) => bigint,
    readonly fields: FieldResolver,
  ) {
    this.vmcs = new StoreReader(fields, slotsOf(fields), store);
    this.maxPhysAddr = caps.maxPhysAddr;
    this.linearAddressBits = 48;
  }

  /** Takes the processor's state at this entry. */
  refresh(caps: VmxCaps, launch: 'vmlaunch' | 'vmresume'): this {
    const h = this.handle;
    const s = h.state;
    this.maxPhysAddr = caps.maxPhysAddr;
    this.linearAddressBits = h.env.config.features.la57 ? 57 : 48;
    this.launch = launch;
    this.reservedTable = undefined;
    const f = this.from;
    const sel = s.segSel;
    if (f[0] !== s.efer || f[1] !== s.cr0 || f[2] !== s.cr4 || f[3] !== sel[0] || f[4] !== sel[1] || f[5] !== sel[2] ||
      f[6] !== sel[3] || f[7] !== sel[4] || f[8] !== sel[5] || f[9] !== sel[7]) {
      f[0] = s.efer; f[1] = s.cr0; f[2] = s.cr4;
      f[3] = sel[0]!; f[4] = sel[1]!; f[5] = sel[2]!; f[6] = sel[3]!; f[7] = sel[4]!; f[8] = sel[5]!; f[9] = sel[7]!;
      this.cpu = {
        efer: BigInt(s.efer) & U64,
        cr0: BigInt(s.cr0),
        cr4: BigInt(s.cr4),
        inSmm: false,
        currentVmcs: BigInt(this.addr),
        selectors: currentSelectors(h),
      };
    }
    const rtm = cpuHas(h, CPUID.RTM);
    const sgx = cpuHas(h, CPUID.SGX);
    const lam = cpuHas(h, CPUID.LAM);
    const old = this.features as EntryCpuFeatures | undefined;
    if (!old || old.rtm !== rtm || old.sgx !== sgx || old.lam !== lam) this.features = { rtm, sgx, lam };
    return this;
  }

  /** The version of the profile's read-only MSRs when the Machine keeps them in a VersionedMap (decision 0061). */
  get capabilityStamp(): number | undefined {
    const msrs = this.handle.env.config.readOnlyMsrs;
    return msrs instanceof VersionedMap ? msrs.version : undefined;
  }

  readPhys(addr: bigint, size: 1 | 2 | 4 | 8): bigint {
    return this.handle.readPhys(Number(addr), size);
  }

  msrReservedBits(index: number): bigint {
    // Only the MSR-load checks ask (most entries load no MSRs): built on first use in an entry.
    return (this.reservedTable ??= msrReservedBitsFor(this.handle))(index);
  }

  wrmsrFaults(index: number, value: bigint): boolean {
    return wrmsrFaultsAfterGuestLoad(this.vmcs, this.cpu.efer, this.linearAddressBits, (i) => this.msrReservedBits(i))(index, value);
  }
}

/** Builds the checks' view of this VM entry. */
export function buildEntryContext(
  cpu: CpuHandle,
  vmcs: ActiveVmcs,
  caps: VmxCaps,
  msr: (index: number) => bigint,
  fields: FieldResolver,
  launch: 'vmlaunch' | 'vmresume',
): EntryContext {
  return new ModelEntryContext(cpu, valuesOf(vmcs), vmcs.addr, caps, msr, fields).refresh(caps, launch);
}

const contexts = new WeakMap<ActiveVmcs, ModelEntryContext>();

/**
 * `buildEntryContext` for the model's VM entries: the same view, kept per VMCS and refreshed, so
 * an entry allocates only for what changed since the last one.
 */
export function entryContextFor(
  cpu: CpuHandle,
  vmcs: ActiveVmcs,
  caps: VmxCaps,
  msr: (index: number) => bigint,
  fields: FieldResolver,
  launch: 'vmlaunch' | 'vmresume',
): EntryContext {
  const store = valuesOf(vmcs);
  let c = contexts.get(vmcs);
  if (!c || c.store !== store || c.msr !== msr || c.fields !== fields || c.handle !== cpu) {
    c = new ModelEntryContext(cpu, store, vmcs.addr, caps, msr, fields);
    contexts.set(vmcs, c);
  }
  return c.refresh(caps, launch);
}
