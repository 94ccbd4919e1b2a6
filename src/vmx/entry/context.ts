// What the VM-entry checks may look at (SDM Vol. 3C ch. 27 "VM Entries"): the current
// VMCS through VMREAD semantics, the capability MSRs of the profile as possibly edited,
// the processor's address widths, the state of the logical processor at the time of
// VM entry, and physical memory. Checks are pure functions of this context.

/** The current VMCS as VMREAD sees it, by Linux vmx.h field name. */
export interface VmcsReader {
  /** Value of a field (0 for a field the profile does not support). */
  read(name: string): bigint;
  /** Whether the processor supports the field. */
  exists(name: string): boolean;
  /**
   * Change tracking, when the store behind the reader keeps it (the model's VMCS store does,
   * docs/decisions/0060-vmcs-typed-store.md): lets the incremental evaluation skip unchanged
   * fields without reading them. Optional: readers without it are compared by value.
   */
  readonly tracking?: VmcsTracking;
}

/** Per-field change stamps of the VMCS behind a VmcsReader. */
export interface VmcsTracking {
  /** Handles stay valid while this is the same object (it changes with field existence, i.e. the capability MSRs). */
  readonly layout: object;
  /**
   * The handle of the field `read(name)` reads: an index into `stamps`, or -1 when what `read`
   * returns for the name cannot change under this layout (a field the processor lacks reads 0).
   */
  handle(name: string): number;
  /**
   * Per handle, a number that changes whenever the value `read` returns may have changed. Equal
   * stamps (under the same `layout`) mean an equal value, whichever VMCS of the model it is.
   */
  readonly stamps: { readonly [handle: number]: number };
  /**
   * The handles whose stamps changed, in order, when the store logs them: the last
   * `ChangeLog.SIZE` of `count` changes sit in `ring` (change k at `ring[k % size]`). Lets the
   * incremental evaluation look only at the fields changed since its last run.
   */
  readonly changes?: { readonly ring: Int32Array; readonly count: number };
}

/** State of the logical processor at the time of VM entry that the checks consult. */
export interface EntryCpuState {
  /** IA32_EFER: LMA tells whether the processor is in IA-32e mode (§27.2.4). */
  readonly efer: bigint;
  readonly cr0: bigint;
  readonly cr4: bigint;
  /** In system-management mode. The lab never enters SMM; kept for the SDM's SMM rules. */
  readonly inSmm: boolean;
  /** Physical address of the current VMCS (for the VMCS-link-pointer check). */
  readonly currentVmcs: bigint;
  /** Executive-VMCS pointer (dual-monitor treatment only; the VMXON pointer otherwise). */
  readonly executiveVmcs?: bigint;
  /**
   * The selectors the processor holds now, if known. No check depends on them; a failed
   * host-selector check proposes them as its fix (the host usually returns to its own).
   */
  readonly selectors?: Readonly<Partial<Record<'CS' | 'SS' | 'DS' | 'ES' | 'FS' | 'GS' | 'TR', bigint>>>;
}

/** CPUID-enumerated features some checks depend on. Absent = not supported. */
export interface EntryCpuFeatures {
  /** CPUID.(EAX=07H,ECX=0):EBX[11] RTM. */
  readonly rtm?: boolean;
  /** CPUID.(EAX=07H,ECX=0):EBX[2] SGX. */
  readonly sgx?: boolean;
  /** CPUID.(EAX=07H,ECX=1):EAX[26] LAM: CR3 bits 62:61 (LAM_U57, LAM_U48) are then legal. */
  readonly lam?: boolean;
}

export interface EntryContext {
  readonly vmcs: VmcsReader;
  /** A capability MSR (0x480-0x493) as the profile reports it, possibly edited; 0 if absent. */
  msr(index: number): bigint;
  /** CPUID.80000008H:EAX[7:0]. */
  readonly maxPhysAddr: number;
  /** CPUID.80000008H:EAX[15:8]: 48, or 57 with 5-level paging. */
  readonly linearAddressBits: number;
  readonly cpu: EntryCpuState;
  readonly features: EntryCpuFeatures;
  /** Reads `size` bytes of physical memory, little-endian (VTPR, link pointer, PDPTEs, MSR area). */
  readPhys(addr: bigint, size: 1 | 2 | 4 | 8): bigint;
  /**
   * Bits of an MSR that WRMSR at CPL 0 rejects as reserved on this processor
   * (IA32_EFER, IA32_DEBUGCTL, IA32_PERF_GLOBAL_CTRL, IA32_BNDCFGS); 0 when none.
   */
  msrReservedBits(index: number): bigint;
  /** Whether WRMSR of `value` to MSR `index` at CPL 0 would raise #GP (VM-entry MSR loading, §27.4). */
  wrmsrFaults(index: number, value: bigint): boolean;
  readonly launch: 'vmlaunch' | 'vmresume';
  /**
   * Optional: a number that changes whenever `msr(index)` may answer differently for a VMX
   * capability MSR (0x480-0x493), e.g. the version of the profile's MSRs the learner edits.
   * Lets the incremental evaluation skip asking them again (decision 0061).
   */
  readonly capabilityStamp?: number;
}
