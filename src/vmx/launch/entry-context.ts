// The EntryContext the VM-entry checks read (src/vmx/entry/context.ts), built from the
// processor, the current VMCS and the profile's capability MSRs at the moment of
// VMLAUNCH/VMRESUME (SDM Vol. 3C ch. 27 "VM Entries").

import { EFER_INTEL_RESERVED } from '../../arch/efer.ts';
import { MSR, msrInfo } from '../../arch/msrs.ts';
import { fieldByName } from '../../arch/vmcs/fields.ts';
import type { CpuHandle } from '../../x86/env.ts';
import type { EntryContext } from '../entry/context.ts';
import type { VmxCaps } from '../caps.ts';
import type { FieldResolver } from '../vmcs-store.ts';
import { vmcsGet } from '../vmcs-access.ts';
import type { ActiveVmcs } from '../vmx-state.ts';

/** Capability MSRs of the VMX range are read-only (SDM Vol. 3D Appendix A intro). */
const VMX_CAP_FIRST = 0x480;
const VMX_CAP_LAST = 0x493;

function canonical(v: bigint, bits: number): boolean {
  return BigInt.asIntN(bits, v) === BigInt.asIntN(64, v);
}

/** How a field name maps onto the stored VMCS for one processor: full encoding, HIGH half, existence. */
interface NameSlot {
  readonly encoding: number;
  readonly high: boolean;
  readonly exists: boolean;
}

// The checks read hundreds of fields by name per VM entry: resolve each name once per resolver
// (a resolver is rebuilt only when the capability MSRs change).
const slotCache = new WeakMap<FieldResolver, Map<string, NameSlot>>();

function slotOf(fields: FieldResolver, name: string): NameSlot {
  let m = slotCache.get(fields);
  if (!m) {
    m = new Map();
    slotCache.set(fields, m);
  }
  let slot = m.get(name);
  if (!slot) {
    const f = fieldByName(name);
    const encoding = f ? f.encoding & ~1 : -1;
    slot = { encoding, high: f?.high ?? false, exists: f !== undefined && fields(encoding) !== undefined };
    m.set(name, slot);
  }
  return slot;
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
  const s = cpu.state;
  const linearBits = cpu.env.config.features.la57 ? 57 : 48;
  const reserved = (index: number): bigint => (index === MSR.IA32_EFER ? EFER_INTEL_RESERVED : 0n);
  return {
    vmcs: {
      read(name) {
        const slot = slotOf(fields, name);
        if (!slot.exists) return 0n;
        const v = vmcsGet(vmcs, slot.encoding);
        return slot.high ? v >> 32n : v;
      },
      exists: (name) => slotOf(fields, name).exists,
    },
    msr,
    maxPhysAddr: caps.maxPhysAddr,
    linearAddressBits: linearBits,
    cpu: {
      efer: BigInt(s.efer),
      cr0: BigInt(s.cr0),
      cr4: BigInt(s.cr4),
      inSmm: false,
      currentVmcs: BigInt(vmcs.addr),
    },
    features: {},
    readPhys: (addr, size) => cpu.readPhys(Number(addr), size),
    msrReservedBits: reserved,
    // Implementation choice: WRMSR refuses unknown MSRs, the read-only VMX capability MSRs,
    // reserved IA32_EFER bits and non-canonical base addresses (SDM Vol. 4 §2.1 "Architectural MSRs").
    wrmsrFaults(index, value) {
      if (index >= VMX_CAP_FIRST && index <= VMX_CAP_LAST) return true;
      if (!msrInfo(index)) return true;
      if ((value & reserved(index)) !== 0n) return true;
      if (index === MSR.IA32_KERNEL_GS_BASE || index === MSR.IA32_LSTAR || index === MSR.IA32_SYSENTER_ESP || index === MSR.IA32_SYSENTER_EIP) {
        return !canonical(value, linearBits);
      }
      return false;
    },
    launch,
  };
}
