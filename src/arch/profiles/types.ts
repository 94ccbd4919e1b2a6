// The shape of a CPU profile: the capability-MSR values, CPUID bits and address widths
// of one real processor, with where they came from (STYLE rule 19). The machine, the
// VMX instructions and the CLI `profiles` command read profiles; nothing else
// invents capability values.

/** One CPUID leaf/subleaf as the processor returns it. */
export interface CpuidLeaf {
  readonly leaf: number;
  readonly subleaf: number;
  readonly eax: number;
  readonly ebx: number;
  readonly ecx: number;
  readonly edx: number;
}

export interface Profile {
  /** Stable identifier used on the command line and in shared URLs (`skylake-client`). */
  readonly id: string;
  /** Short display name (`Skylake`). */
  readonly name: string;
  /** The processor the values were read on (`Intel Core i7-6700K`). */
  readonly processor: string;
  /** Where the values come from: repository, path and commit, or a URL; see `sources/<id>.txt`. */
  readonly source: string;
  /** Whether the values are a hardware dump or were constructed (explained in `source`). */
  readonly provenance: 'hardware-dump' | 'constructed';
  readonly isDefault: boolean;
  /** CPUID.80000008H:EAX[7:0]. */
  readonly maxPhysAddr: number;
  /** CPUID.80000008H:EAX[15:8]: 48, or 57 with 5-level paging. */
  readonly linearAddressBits: number;
  /** Every VMX capability MSR (0x480-0x493) the processor implements, by index. Absent = RDMSR #GP. */
  readonly msrs: Readonly<Record<number, bigint>>;
  /** CPUID leaves 1, 7.0, 0x80000001 and 0x80000008 at least. */
  readonly cpuid: readonly CpuidLeaf[];
  /** IA32_FEATURE_CONTROL as firmware leaves it at boot. */
  readonly featureControl: bigint;
  /** MSR indices (0x3A or capability MSRs) whose values the source dump lacks and the profile assumes. */
  readonly assumedMsrs: readonly number[];
}

/** The CPUID leaf of a profile, or all zeros when the profile does not list it. */
export function profileCpuid(p: Profile, leaf: number, subleaf = 0): CpuidLeaf {
  return p.cpuid.find((l) => l.leaf === leaf && l.subleaf === subleaf) ?? { leaf, subleaf, eax: 0, ebx: 0, ecx: 0, edx: 0 };
}

/** A capability MSR of a profile, or undefined when the processor does not implement it. */
export function profileMsr(p: Profile, index: number): bigint | undefined {
  return p.msrs[index];
}
