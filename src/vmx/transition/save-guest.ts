// Saving guest state at VM exit (SDM Vol. 3C §28.3 "Saving Guest State": §28.3.1 control
// registers, debug registers and MSRs; §28.3.2 segment and descriptor-table registers;
// §28.3.3 RIP, RSP, RFLAGS; §28.3.4 non-register state).

import { EFER } from '../../arch/efer.ts';
import { MSR } from '../../arch/msrs.ts';
import { GUEST_INTERRUPTIBILITY } from '../../arch/vmx-info.ts';
import type { CpuState } from '../../x86/state.ts';
import { ENTRY_CTLS, EXIT_CTLS } from '../local-arch.ts';
import { vmcsGet, vmcsSet } from '../vmcs-access.ts';
import { F } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { linearToField, readMsr } from './cpu-values.ts';
import { GUEST_SEGMENTS } from './segment-fields.ts';

const ACTIVITY_CODE = { active: 0n, halted: 1n, shutdown: 2n } as const;

/**
 * Stores the processor's state into the guest-state area of `vmcs`. `guestRip` is the RIP the
 * SDM says to save (the instruction that caused a fault-like exit, §28.3.3); `storeLma` is
 * IA32_VMX_MISC[5].
 */
export function saveGuestState(s: CpuState, vmcs: ActiveVmcs, guestRip: number, storeLma: boolean, blockingNow?: 'sti' | 'mov-ss' | 'none', pendingDebug = 0n): void {
  const set = (enc: number, v: bigint): void => vmcsSet(vmcs, enc, v);
  const exit = vmcsGet(vmcs, F.VM_EXIT_CONTROLS);

  // §28.3.1: CR0, CR3, CR4; DR7 and IA32_DEBUGCTL if "save debug controls"; SYSENTER MSRs;
  // IA32_PAT and IA32_EFER if their "save" controls are 1.
  set(F.GUEST_CR0, BigInt(s.cr0));
  set(F.GUEST_CR3, BigInt(s.cr3));
  set(F.GUEST_CR4, BigInt(s.cr4));
  if (EXIT_CTLS.has(exit, 'VM_EXIT_SAVE_DEBUG_CONTROLS')) {
    set(F.GUEST_DR7, s.dr[7]);
    set(F.GUEST_IA32_DEBUGCTL, readMsr(s, MSR.IA32_DEBUGCTL));
  }
  set(F.GUEST_SYSENTER_CS, readMsr(s, MSR.IA32_SYSENTER_CS) & 0xffff_ffffn);
  set(F.GUEST_SYSENTER_ESP, readMsr(s, MSR.IA32_SYSENTER_ESP));
  set(F.GUEST_SYSENTER_EIP, readMsr(s, MSR.IA32_SYSENTER_EIP));
  if (EXIT_CTLS.has(exit, 'VM_EXIT_SAVE_IA32_PAT')) set(F.GUEST_IA32_PAT, readMsr(s, MSR.IA32_PAT));
  if (EXIT_CTLS.has(exit, 'VM_EXIT_SAVE_IA32_EFER')) set(F.GUEST_IA32_EFER, BigInt(s.efer));
  // The "IA-32e mode guest" VM-entry control receives IA32_EFER.LMA when IA32_VMX_MISC[5] = 1
  // (§28.3.1; Vol. 3D §A.6 "Miscellaneous Data").
  if (storeLma) set(F.VM_ENTRY_CONTROLS, ENTRY_CTLS.set(vmcsGet(vmcs, F.VM_ENTRY_CONTROLS), 'VM_ENTRY_IA32E_MODE', EFER.has(BigInt(s.efer), 'LMA')));

  // §28.3.2: every segment register and GDTR/IDTR.
  for (const seg of GUEST_SEGMENTS) {
    set(seg.selector, BigInt(s.segSel[seg.slot]));
    set(seg.base, linearToField(s.segBase[seg.slot]));
    set(seg.limit, BigInt(s.segLimit[seg.slot]));
    set(seg.ar, BigInt(s.segAr[seg.slot]));
  }
  set(F.GUEST_GDTR_BASE, linearToField(s.gdtrBase));
  set(F.GUEST_GDTR_LIMIT, BigInt(s.gdtrLimit));
  set(F.GUEST_IDTR_BASE, linearToField(s.idtrBase));
  set(F.GUEST_IDTR_LIMIT, BigInt(s.idtrLimit));

  // §28.3.3: RIP, RSP, RFLAGS.
  set(F.GUEST_RIP, linearToField(guestRip));
  set(F.GUEST_RSP, s.getGpr64(4));
  set(F.GUEST_RFLAGS, BigInt(s.rflags));

  // §28.3.4: activity state, and blocking by MOV SS / STI still in effect for the instruction
  // that caused the exit (the executor's shadow lasts to icount + 1 after MOV SS, + 2 after STI).
  set(F.GUEST_ACTIVITY_STATE, ACTIVITY_CODE[s.activity]);
  // `blockingNow` (from the model, which tells a stale STI shadow from a MOV SS one) wins.
  const kind = blockingNow ?? (s.shadowUntil === s.icount ? 'mov-ss' : s.shadowUntil === s.icount + 1 ? 'sti' : 'none');
  let blocking = 0n;
  if (kind === 'mov-ss') blocking = GUEST_INTERRUPTIBILITY.set(blocking, 'MOV_SS', true);
  else if (kind === 'sti') blocking = GUEST_INTERRUPTIBILITY.set(blocking, 'STI', true);
  set(F.GUEST_INTERRUPTIBILITY_INFO, blocking);
  // Pending debug exceptions: a single-step trap the exit overtook (a trap-like exit after an
  // instruction run with RFLAGS.TF = 1) is saved as BS; the lab models no other pending ones.
  set(F.GUEST_PENDING_DBG_EXCEPTIONS, pendingDebug);
}
