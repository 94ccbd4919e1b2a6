// The capability MSRs as the model reads them (Vol. 3D Appendix A "VMX Capability Reporting
// Facility"): live from the profile's read-only MSRs (as the learner may have edited them) with
// the processor's own MSRs behind, one VmxCaps per processor, and the MSRs as a record for the
// field resolver, rebuilt only when an MSR changed.

import type { CpuHandle, X86Env } from '../x86/env.ts';
import { VmxCaps } from './caps.ts';

/**
 * A Map that counts its changes. The Machine keeps its profile's read-only MSRs in one, so the
 * model learns that a capability MSR was edited by comparing one number instead of every value.
 */
export class VersionedMap<K, V> extends Map<K, V> {
  /** Bumped by every set, delete and clear. */
  version = 0;
  override set(key: K, value: V): this {
    this.version++;
    return super.set(key, value);
  }
  override delete(key: K): boolean {
    this.version++;
    return super.delete(key);
  }
  override clear(): void {
    this.version++;
    super.clear();
  }
}

/** Cached capability readers of one model. */
export class ModelCaps {
  private cpu: CpuHandle | null = null;
  private caps: VmxCaps | null = null;
  private record: Record<number, bigint> = {};
  private count = 0;
  /** The VersionedMap the record was built from, and its version then. */
  private source: Map<number, bigint> | null = null;
  private version = -1;
  /** Reads an MSR: the profile's read-only value, else the processor's, else 0. */
  msr: (index: number) => bigint = () => 0n;

  constructor(private readonly env: X86Env) {}

  /** The VmxCaps of `cpu` (both it and `msr` read the MSRs live, so they never go stale). */
  of(cpu: CpuHandle): VmxCaps {
    const env = this.env;
    if (this.caps === null || this.cpu !== cpu || this.caps.maxPhysAddr !== env.config.maxPhysAddr) {
      this.cpu = cpu;
      this.msr = (index) => env.config.readOnlyMsrs.get(index) ?? cpu.state.msrs.get(index) ?? 0n;
      this.caps = new VmxCaps(this.msr, env.config.maxPhysAddr);
    }
    return this.caps;
  }

  /** One MSR of `cpu`. */
  read(cpu: CpuHandle, index: number): bigint {
    this.of(cpu);
    return this.msr(index);
  }

  /** The read-only MSRs as a record; the same object until one of them changes. */
  capabilityRecord(): Record<number, bigint> {
    const msrs = this.env.config.readOnlyMsrs;
    if (msrs instanceof VersionedMap && msrs === this.source && msrs.version === this.version) return this.record;
    let same = this.count === msrs.size;
    if (same) for (const [k, v] of msrs) if (this.record[k] !== v) { same = false; break; }
    if (!same) {
      this.record = Object.fromEntries(msrs);
      this.count = msrs.size;
    }
    this.source = msrs;
    this.version = msrs instanceof VersionedMap ? msrs.version : -1;
    return this.record;
  }
}
