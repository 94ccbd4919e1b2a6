// From a CPU profile (src/arch/profiles) to what the machine needs: the executor's CpuConfig
// (CPUID features, MAXPHYADDR, read-only capability MSRs), the RAM size, and the firmware's
// IA32_FEATURE_CONTROL.

import { CPUID, cpuidHas, type CpuidBit } from '../arch/cpuid.ts';
import { defaultProfile, findProfile, PROFILES, profileCpuid, type Profile } from '../arch/profiles/index.ts';
import type { CpuConfig, CpuFeatures } from '../x86/env.ts';

/** RAM of every lab machine: 1 GiB (sparse: only pages written cost memory). */
export const DEFAULT_MEMORY_SIZE = 1 << 30;

/** A profile resolved for one machine (its MSR map is the machine's own copy: edits stay local). */
export interface MachineProfile {
  readonly id: string;
  readonly profile: Profile;
  readonly memorySize: number;
  readonly featureControl: bigint;
  readonly cpu: CpuConfig;
}

function has(p: Profile, bit: CpuidBit): boolean {
  const l = profileCpuid(p, bit.leaf, bit.subleaf);
  return cpuidHas(l, bit);
}

/** The executor's feature set of a profile, from its CPUID leaves. */
export function profileFeatures(p: Profile): CpuFeatures {
  return {
    vmx: has(p, CPUID.VMX),
    smx: has(p, CPUID.SMX),
    pae: has(p, CPUID.PAE),
    pse: has(p, CPUID.PSE),
    pge: has(p, CPUID.PGE),
    nx: has(p, CPUID.NX),
    pcid: has(p, CPUID.PCID),
    la57: has(p, CPUID.LA57),
    smep: has(p, CPUID.SMEP),
    smap: has(p, CPUID.SMAP),
    umip: has(p, CPUID.UMIP),
    fsgsbase: has(p, CPUID.FSGSBASE),
    xsave: has(p, CPUID.XSAVE),
    rdtscp: has(p, CPUID.RDTSCP),
    page1gb: has(p, CPUID.GBPAGES),
    pku: has(p, CPUID.PKU),
  };
}

/** Names of the profiles, for error messages. */
export function profileIds(): string[] {
  return PROFILES.map((p) => p.id);
}

/**
 * Resolves a profile id (or the default when undefined) for a new machine. Throws a RangeError
 * naming the known ids when the id is unknown (the CLI checks first and reports it).
 */
export function resolveProfile(id?: string): MachineProfile {
  const p = id === undefined ? defaultProfile() : findProfile(id);
  if (!p) throw new RangeError(`unknown profile '${id}' (known: ${profileIds().join(', ')})`);
  return machineProfile(p);
}

/** A MachineProfile for a Profile object. */
export function machineProfile(p: Profile): MachineProfile {
  const readOnlyMsrs = new Map<number, bigint>();
  for (const [k, v] of Object.entries(p.msrs)) readOnlyMsrs.set(Number(k), v);
  const cpu: CpuConfig = {
    vendor: 'GenuineIntel',
    signature: profileCpuid(p, 1).eax,
    brand: p.processor.slice(0, 48),
    maxPhysAddr: p.maxPhysAddr,
    features: profileFeatures(p),
    readOnlyMsrs,
  };
  return { id: p.id, profile: p, memorySize: DEFAULT_MEMORY_SIZE, featureControl: p.featureControl, cpu };
}
