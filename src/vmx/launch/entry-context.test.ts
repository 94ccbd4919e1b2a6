// The processor-dependent parts of the VM-entry context: reserved MSR bits from the profile's
// CPUID, the CPUID features the checks consult, the current selectors, and WRMSR faults judged
// with the guest state loaded (SDM Vol. 3C §27.4 "Loading MSRs").
import { describe, expect, it } from 'vitest';
import { EFER_INTEL_RESERVED } from '../../arch/efer.ts';
import { DEBUGCTL } from '../../arch/msr-fields.ts';
import { MSR } from '../../arch/msrs.ts';
import { findProfile, type CpuidLeaf, type Profile } from '../../arch/profiles/index.ts';
import { CpuState } from '../../x86/state.ts';
import type { CpuHandle } from '../../x86/env.ts';
import type { VmcsReader } from '../entry/context.ts';
import { VmxCaps } from '../caps.ts';
import { makeFieldResolver } from '../vmcs-fields.ts';
import { buildEntryContext, entryFeatures, msrReservedBitsFor, wrmsrFaultsAfterGuestLoad } from './entry-context.ts';

const profile = (id: string): Profile => findProfile(id)!;

/** The parts of a CpuHandle the context reads: state, the profile's CPUID and LA57. */
function fakeCpu(p: Profile, extra: readonly CpuidLeaf[] = []): CpuHandle {
  const s = new CpuState();
  s.segSel.set([0x10, 0x08, 0x18, 0x20, 0x28, 0x30, 0, 0x40]);
  const leaves = [...extra, ...p.cpuid];
  const env = {
    config: {
      features: { la57: p.linearAddressBits === 57 },
      cpuid: (leaf: number, subleaf: number) => leaves.find((l) => l.leaf === leaf && l.subleaf === subleaf),
    },
  };
  return { state: s, env, readPhys: () => 0n } as unknown as CpuHandle;
}

function vmcsOf(fields: Record<string, bigint>): VmcsReader {
  return { read: (n) => fields[n] ?? 0n, exists: () => true };
}

describe('msrReservedBits from the profile', () => {
  it('IA32_EFER: everything but SCE, LME, LMA, NXE', () => {
    expect(msrReservedBitsFor(fakeCpu(profile('arrow-lake')))(MSR.IA32_EFER)).toBe(EFER_INTEL_RESERVED);
  });
  it('IA32_DEBUGCTL: BLD exists with CPUID BUS_LOCK_DETECT, RTM_DEBUG with RTM', () => {
    const bld = DEBUGCTL.mask.BLD;
    const rtm = DEBUGCTL.mask.RTM_DEBUG;
    const of = (id: string) => msrReservedBitsFor(fakeCpu(profile(id)))(MSR.IA32_DEBUGCTL);
    expect(of('skylake-client') & (bld | rtm)).toBe(bld); // RTM, no bus-lock detection
    expect(of('arrow-lake') & (bld | rtm)).toBe(rtm); // bus-lock detection, no RTM
    expect(of('sapphire-rapids') & (bld | rtm)).toBe(0n); // both
    expect(of('core2-conroe') & (bld | rtm)).toBe(bld | rtm);
    for (const id of ['core2-conroe', 'arrow-lake']) expect(of(id) & DEBUGCTL.reservedMask).toBe(DEBUGCTL.reservedMask);
    expect(of('arrow-lake') & DEBUGCTL.mask.BTF).toBe(0n);
  });
  it('IA32_PERF_GLOBAL_CTRL: counters from CPUID leaf 0AH when listed, else only bits 63:49', () => {
    const leafA: CpuidLeaf = { leaf: 0xa, subleaf: 0, eax: 0x0730_0402, ebx: 0, ecx: 0, edx: 0x603 };
    const withLeaf = msrReservedBitsFor(fakeCpu(profile('ivy-bridge'), [leafA]))(MSR.IA32_PERF_GLOBAL_CTRL);
    expect(~withLeaf & 0xffff_ffff_ffff_ffffn).toBe(0xfn | (0x7n << 32n));
    expect(msrReservedBitsFor(fakeCpu(profile('core2-conroe')))(MSR.IA32_PERF_GLOBAL_CTRL)).toBe(0xfffe_0000_0000_0000n);
  });
  it('IA32_RTIT_CTL, IA32_LBR_CTL, IA32_BNDCFGS, IA32_TSC_AUX; 0 for MSRs without reserved bits', () => {
    const r = msrReservedBitsFor(fakeCpu(profile('arrow-lake')));
    expect(r(MSR.IA32_RTIT_CTL) & (1n << 18n)).toBe(1n << 18n);
    expect(r(MSR.IA32_RTIT_CTL) & 1n).toBe(0n);
    expect(r(MSR.IA32_LBR_CTL) & 0xfn).toBe(0n);
    expect(r(MSR.IA32_LBR_CTL) & 0x10n).toBe(0x10n);
    expect(r(MSR.IA32_BNDCFGS)).toBe(0xffcn);
    expect(r(MSR.IA32_TSC_AUX)).toBe(0xffff_ffff_0000_0000n);
    expect(r(MSR.IA32_LSTAR)).toBe(0n);
  });
});

describe('agreement with the WRMSR #GP masks VirtualBox recorded on the hardware', () => {
  // VBoxCpuReport probes which bits of each MSR raise #GP on WRMSR (the last column of its MSR
  // table): Intel_Core_i5_3570.h and Intel_Core_i7_6700K.h, VirtualBox/virtualbox@4908d8d1.
  it('Ivy Bridge i5-3570: DEBUGCTL 0xffffffffffff803c, PERF_GLOBAL_CTRL 0xfffffff8ffffff00', () => {
    const r = msrReservedBitsFor(fakeCpu(profile('ivy-bridge')));
    expect(r(MSR.IA32_DEBUGCTL)).toBe(0xffff_ffff_ffff_803cn);
    expect(r(MSR.IA32_PERF_GLOBAL_CTRL)).toBe(0xffff_fff8_ffff_ff00n);
  });
  it('Skylake i7-6700K: DEBUGCTL 0xffffffffffff003c', () => {
    expect(msrReservedBitsFor(fakeCpu(profile('skylake-client')))(MSR.IA32_DEBUGCTL)).toBe(0xffff_ffff_ffff_003cn);
  });
});

describe('features from the profile CPUID', () => {
  it('RTM, SGX and LAM as CPUID leaf 7 reports them', () => {
    expect(entryFeatures(fakeCpu(profile('skylake-client')))).toEqual({ rtm: true, sgx: true, lam: false });
    expect(entryFeatures(fakeCpu(profile('arrow-lake')))).toEqual({ rtm: false, sgx: false, lam: false });
    expect(entryFeatures(fakeCpu(profile('core2-conroe')))).toEqual({ rtm: false, sgx: false, lam: false });
    const lam: CpuidLeaf = { leaf: 7, subleaf: 1, eax: 1 << 26, ebx: 0, ecx: 0, edx: 0 };
    expect(entryFeatures(fakeCpu(profile('arrow-lake'), [lam])).lam).toBe(true);
  });
});

describe('wrmsrFaults with the guest state loaded', () => {
  const reserved = msrReservedBitsFor(fakeCpu(profile('arrow-lake')));
  const LOAD_EFER = 1n << 15n;
  const IA32E = 1n << 9n;
  const PG = 1n << 31n;
  const LME = 1n << 8n;
  const hostEfer = 0xd01n; // SCE LME LMA NXE
  it('IA32_PAT: every byte a valid memory type', () => {
    const f = wrmsrFaultsAfterGuestLoad(vmcsOf({}), hostEfer, 48, reserved);
    expect(f(MSR.IA32_PAT, 0x0007_0406_0007_0406n)).toBe(false);
    expect(f(MSR.IA32_PAT, 0x0007_0406_0007_0402n)).toBe(true);
    expect(f(MSR.IA32_PAT, 0x0800_0000_0000_0000n)).toBe(true);
  });
  it('IA32_EFER: LME may not change while the guest has paging on; the guest EFER is the loaded one', () => {
    const pagedLoad = wrmsrFaultsAfterGuestLoad(vmcsOf({ VM_ENTRY_CONTROLS: LOAD_EFER | IA32E, GUEST_CR0: PG | 1n, GUEST_IA32_EFER: 0x500n }), hostEfer, 48, reserved);
    expect(pagedLoad(MSR.IA32_EFER, 0x501n)).toBe(false);
    expect(pagedLoad(MSR.IA32_EFER, 0x1n)).toBe(true);
    const paged32 = wrmsrFaultsAfterGuestLoad(vmcsOf({ VM_ENTRY_CONTROLS: 0n, GUEST_CR0: PG | 1n }), hostEfer, 48, reserved);
    expect(paged32(MSR.IA32_EFER, LME)).toBe(true); // IA-32e mode guest 0: the loaded LME is 0
    expect(paged32(MSR.IA32_EFER, 0x801n)).toBe(false);
    const unpaged = wrmsrFaultsAfterGuestLoad(vmcsOf({ VM_ENTRY_CONTROLS: 0n, GUEST_CR0: 1n }), hostEfer, 48, reserved);
    expect(unpaged(MSR.IA32_EFER, LME)).toBe(false);
    expect(unpaged(MSR.IA32_EFER, 1n << 12n)).toBe(true); // SVME is reserved on Intel
  });
  it('base-address MSRs: canonical for the processor\'s linear-address width', () => {
    const f48 = wrmsrFaultsAfterGuestLoad(vmcsOf({}), hostEfer, 48, reserved);
    const f57 = wrmsrFaultsAfterGuestLoad(vmcsOf({}), hostEfer, 57, reserved);
    for (const m of [MSR.IA32_FS_BASE, MSR.IA32_GS_BASE, MSR.IA32_KERNEL_GS_BASE, MSR.IA32_LSTAR, MSR.IA32_SYSENTER_EIP]) {
      expect(f48(m, 0x0000_7fff_ffff_f000n)).toBe(false);
      expect(f48(m, 0x0000_8000_0000_0000n)).toBe(true);
      expect(f57(m, 0x0000_8000_0000_0000n)).toBe(false);
      expect(f57(m, 0x0100_0000_0000_0000n)).toBe(true);
    }
  });
  it('read-only and unknown MSRs fault; reserved bits fault; ordinary values do not', () => {
    const f = wrmsrFaultsAfterGuestLoad(vmcsOf({}), hostEfer, 48, reserved);
    expect(f(0x480, 0n)).toBe(true);
    expect(f(0x12345, 0n)).toBe(true);
    expect(f(MSR.IA32_DEBUGCTL, 1n << 16n)).toBe(true);
    expect(f(MSR.IA32_DEBUGCTL, DEBUGCTL.mask.BTF)).toBe(false);
    expect(f(MSR.IA32_TSC_AUX, 1n << 32n)).toBe(true);
    expect(f(MSR.IA32_STAR, 0x0023_0010_0000_0000n)).toBe(false);
  });
});

describe('buildEntryContext', () => {
  it('carries the current selectors, the profile features, and the judged MSR rules', () => {
    const p = profile('sapphire-rapids');
    const cpu = fakeCpu(p);
    const vmcs = { addr: 0x5000, launch: 'clear' as const, shadow: false, fields: new Map<number, bigint>() };
    const caps = new VmxCaps((i) => p.msrs[i] ?? 0n, p.maxPhysAddr);
    const ctx = buildEntryContext(cpu, vmcs, caps, (i) => p.msrs[i] ?? 0n, makeFieldResolver()(p.msrs), 'vmlaunch');
    expect(ctx.cpu.selectors).toEqual({ ES: 0x10n, CS: 0x08n, SS: 0x18n, DS: 0x20n, FS: 0x28n, GS: 0x30n, TR: 0x40n });
    expect(ctx.features).toEqual({ rtm: true, sgx: false, lam: false });
    expect(ctx.linearAddressBits).toBe(57);
    expect(ctx.msrReservedBits(MSR.IA32_DEBUGCTL) & DEBUGCTL.mask.RTM_DEBUG).toBe(0n);
    expect(ctx.wrmsrFaults(MSR.IA32_FS_BASE, 0x0000_8000_0000_0000n)).toBe(false);
    expect(ctx.wrmsrFaults(MSR.IA32_PAT, 2n)).toBe(true);
  });
});
