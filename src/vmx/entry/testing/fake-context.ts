// A small EntryContext over plain data for tests: a VMCS as a Map of Linux field names,
// capability MSRs from a test profile (editable), sparse byte memory, and a WRMSR model
// with the reserved bits of the few MSRs the checks look at. Test helper only.

import type { EntryContext, EntryCpuFeatures, EntryCpuState } from '../context.ts';
import type { TestProfile } from './profiles.ts';
import { EFER_INTEL_RESERVED } from '../../../arch/efer.ts';
import { MSR } from '../local-arch.ts';
import { isValidPat } from '../checks/support.ts';

/** IA32_DEBUGCTL bits a typical processor implements: LBR, BTF, 6-14 (SDM Vol. 3B §18.4.1). */
export const TEST_DEBUGCTL_RESERVED = ~0x7fc3n & 0xffff_ffff_ffff_ffffn;
/** IA32_PERF_GLOBAL_CTRL with 4 general-purpose and 3 fixed counters (SDM Vol. 3B §20.2.2). */
export const TEST_PERF_GLOBAL_CTRL_RESERVED = ~0x7_0000_000fn & 0xffff_ffff_ffff_ffffn;

/** IA32_RTIT_CTL bits a typical processor reserves (SDM Vol. 3C §33.2.8.2; a test model). */
export const TEST_RTIT_CTL_RESERVED = 0xffff_ffff_0000_0000n | (1n << 1n) | (1n << 4n) | (1n << 12n) | (1n << 15n);
/** IA32_LBR_CTL: LBREn, OS, USR, CALL_STACK and the branch filters 22:16 are defined (SDM Vol. 3B §19.1). */
export const TEST_LBR_CTL_RESERVED = ~0x7f_000fn & 0xffff_ffff_ffff_ffffn;

export interface FakeEntry {
  readonly ctx: EntryContext;
  readonly vmcs: Map<string, bigint>;
  readonly msrs: Map<number, bigint>;
  readonly memory: Map<bigint, number>;
  cpu: EntryCpuState;
  features: EntryCpuFeatures;
  launch: 'vmlaunch' | 'vmresume';
  /** Writes little-endian bytes into the fake memory. */
  write(addr: bigint, size: number, value: bigint): void;
}

const RESERVED: Record<number, bigint> = {
  [MSR.IA32_EFER]: EFER_INTEL_RESERVED,
  [MSR.IA32_DEBUGCTL]: TEST_DEBUGCTL_RESERVED,
  [MSR.IA32_PERF_GLOBAL_CTRL]: TEST_PERF_GLOBAL_CTRL_RESERVED,
  [MSR.IA32_BNDCFGS]: 0xffcn,
  [MSR.IA32_RTIT_CTL]: TEST_RTIT_CTL_RESERVED,
  [MSR.IA32_LBR_CTL]: TEST_LBR_CTL_RESERVED,
};

/** MSRs the fake WRMSR accepts (others #GP, as an unimplemented MSR would). */
const WRITABLE = new Set<number>([
  0x10, 0x3b, 0x174, 0x175, 0x176, MSR.IA32_DEBUGCTL, MSR.IA32_PAT, MSR.IA32_PERF_GLOBAL_CTRL, MSR.IA32_EFER,
  0xc000_0081, 0xc000_0082, 0xc000_0083, 0xc000_0084, MSR.IA32_FS_BASE, MSR.IA32_GS_BASE, 0xc000_0102, MSR.IA32_SMM_MONITOR_CTL,
  ...Array.from({ length: 0x100 }, (_, i) => 0x800 + i),
]);

/** Builds a fake context over `vmcs` for `profile`. */
export function fakeEntry(profile: TestProfile, vmcs: Map<string, bigint>, cpu: EntryCpuState): FakeEntry {
  const msrs = new Map<number, bigint>(Object.entries(profile.msrs).map(([k, v]) => [Number(k), v]));
  const memory = new Map<bigint, number>();
  const fake: FakeEntry = {
    vmcs, msrs, memory, cpu, features: {}, launch: 'vmlaunch',
    write(addr, size, value) {
      for (let i = 0; i < size; i++) memory.set(addr + BigInt(i), Number((value >> BigInt(8 * i)) & 0xffn));
    },
    ctx: undefined as unknown as EntryContext,
  };
  const ctx: EntryContext = {
    vmcs: { read: (n) => vmcs.get(n) ?? 0n, exists: () => true },
    msr: (i) => msrs.get(i) ?? 0n,
    maxPhysAddr: profile.maxPhysAddr,
    linearAddressBits: profile.linearAddressBits,
    get cpu() { return fake.cpu; },
    get features() { return fake.features; },
    get launch() { return fake.launch; },
    readPhys(addr, size) {
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(memory.get(addr + BigInt(i)) ?? 0);
      return v;
    },
    msrReservedBits: (i) => RESERVED[i] ?? 0n,
    wrmsrFaults(i, v) {
      if (!WRITABLE.has(i)) return true;
      if ((v & (RESERVED[i] ?? 0n)) !== 0n) return true;
      if (i === MSR.IA32_PAT && !isValidPat(v)) return true;
      if (((i >= 0xc000_0100 && i <= 0xc000_0102) || (i >= 0xc000_0082 && i <= 0xc000_0084)) && BigInt.asUintN(64, BigInt.asIntN(48, v)) !== v) return true;
      return false;
    },
  };
  (fake as { ctx: EntryContext }).ctx = ctx;
  return fake;
}
