// A known-valid VMCS for a profile: a 64-bit guest and a 64-bit host that pass every
// VM-entry check. The controls are adjusted to the capability MSRs the way seed 000
// does it (VMxAdjustControls: `(value | allowed0) & allowed1` over the plain
// IA32_VMX_*_CTLS MSRs), with "IA-32e mode guest" and "host address-space size" set.
// Every rule test starts from here and breaks one thing. Test helper only.

import type { EntryCpuState } from '../context.ts';
import type { TestProfile } from './profiles.ts';
import { fakeEntry } from './fake-context.ts';
import type { FakeEntry } from './fake-context.ts';
import { CR0, CR4, EFER, ENTRY, EXIT, MSR } from '../local-arch.ts';

/** Seed 000's VMxAdjustControls: set the bits that must be 1, clear those that cannot be. */
export function adjustControls(wanted: bigint, capability: bigint): bigint {
  return (wanted | (capability & 0xffff_ffffn)) & (capability >> 32n);
}

/** Physical addresses the valid configuration uses (all page-aligned, below 16 MiB). */
export const VALID_LAYOUT = {
  currentVmcs: 0x20_0000n,
  guestCr3: 0x30_0000n,
  hostCr3: 0x1000n,
  guestGdt: 0x31_0000n,
  guestIdt: 0x31_1000n,
  guestTss: 0x31_2000n,
  guestRip: 0x40_0000n,
  guestRsp: 0x41_0000n,
  hostRip: 0xffff_8880_0010_0000n,
  hostRsp: 0xffff_8880_0011_0000n,
  hostGdt: 0xffff_8880_0000_2000n,
  hostIdt: 0xffff_8880_0000_3000n,
  hostTss: 0xffff_8880_0000_4000n,
} as const;

/** CR0 of a 64-bit kernel: PE MP ET NE WP PG (DESIGN section 5). */
const KERNEL_CR0 = CR0.of('PE', 'MP', 'ET', 'NE', 'WP', 'PG');

/** The processor state at VMLAUNCH: 64-bit mode with CR4.VMXE, as the lab's programs run. */
export function validCpu(): EntryCpuState {
  return {
    efer: EFER.of('SCE', 'LME', 'LMA', 'NXE'),
    cr0: KERNEL_CR0,
    cr4: CR4.of('PAE', 'PGE', 'VMXE'),
    inSmm: false,
    currentVmcs: VALID_LAYOUT.currentVmcs,
    selectors: { CS: 0x08n, SS: 0x10n, DS: 0x10n, ES: 0x10n, FS: 0x10n, GS: 0x10n, TR: 0x18n },
  };
}

/** The field values of a valid 64-bit guest + host configuration for `profile`. */
export function validVmcsFields(profile: TestProfile): Map<string, bigint> {
  const m = (i: number) => profile.msrs[i] ?? 0n;
  const L = VALID_LAYOUT;
  const cr0Fixed0 = m(MSR.IA32_VMX_CR0_FIXED0);
  const cr4Fixed0 = m(MSR.IA32_VMX_CR4_FIXED0);
  const guestCr0 = (KERNEL_CR0 | cr0Fixed0) & (m(MSR.IA32_VMX_CR0_FIXED1) | CR0.mask.NW | CR0.mask.CD);
  const guestCr4 = (CR4.of('PAE') | cr4Fixed0) & m(MSR.IA32_VMX_CR4_FIXED1);
  const hostCr4 = (CR4.of('PAE', 'PGE', 'VMXE') | cr4Fixed0) & m(MSR.IA32_VMX_CR4_FIXED1);
  const f = new Map<string, bigint>();
  const set = (name: string, v: bigint) => f.set(name, v);

  // Controls (seed 000): nothing wanted beyond what the MSRs force, plus 64-bit guest and host.
  set('PIN_BASED_VM_EXEC_CONTROL', adjustControls(0n, m(MSR.IA32_VMX_PINBASED_CTLS)));
  set('CPU_BASED_VM_EXEC_CONTROL', adjustControls(0n, m(MSR.IA32_VMX_PROCBASED_CTLS)));
  set('VM_EXIT_CONTROLS', adjustControls(EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE!, m(MSR.IA32_VMX_EXIT_CTLS)));
  set('VM_ENTRY_CONTROLS', adjustControls(ENTRY.mask.VM_ENTRY_IA32E_MODE!, m(MSR.IA32_VMX_ENTRY_CTLS)));
  set('CR3_TARGET_COUNT', 0n);
  set('VM_ENTRY_INTR_INFO_FIELD', 0n);
  set('VM_ENTRY_MSR_LOAD_COUNT', 0n);
  set('VM_EXIT_MSR_LOAD_COUNT', 0n);
  set('VM_EXIT_MSR_STORE_COUNT', 0n);

  // Host state: a 64-bit kernel in the lab's boot environment.
  set('HOST_CR0', KERNEL_CR0);
  set('HOST_CR3', L.hostCr3);
  set('HOST_CR4', hostCr4);
  set('HOST_CS_SELECTOR', 0x08n);
  set('HOST_SS_SELECTOR', 0x10n);
  for (const r of ['DS', 'ES', 'FS', 'GS']) set(`HOST_${r}_SELECTOR`, 0x10n);
  set('HOST_TR_SELECTOR', 0x18n);
  set('HOST_FS_BASE', 0n);
  set('HOST_GS_BASE', 0n);
  set('HOST_TR_BASE', L.hostTss);
  set('HOST_GDTR_BASE', L.hostGdt);
  set('HOST_IDTR_BASE', L.hostIdt);
  set('HOST_IA32_SYSENTER_CS', 0n);
  set('HOST_IA32_SYSENTER_ESP', 0n);
  set('HOST_IA32_SYSENTER_EIP', 0n);
  set('HOST_RSP', L.hostRsp);
  set('HOST_RIP', L.hostRip);

  // Guest state: a flat 64-bit guest at CPL 0 with paging.
  set('GUEST_CR0', guestCr0);
  set('GUEST_CR3', L.guestCr3);
  set('GUEST_CR4', guestCr4);
  set('GUEST_DR7', 0x400n);
  set('GUEST_IA32_DEBUGCTL', 0n);
  set('GUEST_SYSENTER_CS', 0n);
  set('GUEST_SYSENTER_ESP', 0n);
  set('GUEST_SYSENTER_EIP', 0n);
  set('GUEST_IA32_EFER', EFER.of('LME', 'LMA'));
  set('GUEST_IA32_PAT', 0x0007_0406_0007_0406n);
  const seg = (r: string, sel: bigint, ar: bigint, limit: bigint, base = 0n) => {
    set(`GUEST_${r}_SELECTOR`, sel);
    set(`GUEST_${r}_AR_BYTES`, ar);
    set(`GUEST_${r}_LIMIT`, limit);
    set(`GUEST_${r}_BASE`, base);
  };
  seg('CS', 0x08n, 0xa09bn, 0xffff_ffffn); // 64-bit code, type 11, S, P, L, G
  for (const r of ['SS', 'DS', 'ES', 'FS', 'GS']) seg(r, 0x10n, 0xc093n, 0xffff_ffffn); // data, type 3, D/B, G
  seg('TR', 0x18n, 0x8bn, 0x67n, L.guestTss); // busy 64-bit TSS
  seg('LDTR', 0n, 0x1_0000n, 0n); // unusable
  set('GUEST_GDTR_BASE', L.guestGdt);
  set('GUEST_GDTR_LIMIT', 0x27n);
  set('GUEST_IDTR_BASE', L.guestIdt);
  set('GUEST_IDTR_LIMIT', 0xfffn);
  set('GUEST_RSP', L.guestRsp);
  set('GUEST_RIP', L.guestRip);
  set('GUEST_RFLAGS', 0x2n);
  set('GUEST_ACTIVITY_STATE', 0n);
  set('GUEST_INTERRUPTIBILITY_INFO', 0n);
  set('GUEST_PENDING_DBG_EXCEPTIONS', 0n);
  set('VMCS_LINK_POINTER', 0xffff_ffff_ffff_ffffn);
  return f;
}

/** A fake entry context holding a valid VMCS for `profile`. */
export function validEntry(profile: TestProfile): FakeEntry {
  return fakeEntry(profile, validVmcsFields(profile), validCpu());
}
