// Saving guest state at VM exit (SDM Vol. 3C §28.3 "Saving Guest State": §28.3.1 control
// registers, debug registers and MSRs; §28.3.2 segment and descriptor-table registers;
// §28.3.3 RIP, RSP, RFLAGS; §28.3.4 non-register state). Written through the store's number
// accessors by field index (docs/decisions/0060-vmcs-typed-store.md).

import { EFER } from '../../arch/efer.ts';
import { MSR } from '../../arch/msrs.ts';
import { GUEST_INTERRUPTIBILITY } from '../../arch/vmx-info.ts';
import type { CpuState } from '../../x86/state.ts';
import { ENTRY_CTLS, EXIT_CTLS } from '../local-arch.ts';
import { valuesOf } from '../vmcs-values.ts';
import { X } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { readMsr } from './cpu-values.ts';
import { GUEST_SEGMENTS } from './segment-fields.ts';

const ACTIVITY_CODE = { active: 0, halted: 1, shutdown: 2 } as const;

// Control and flag bits as numbers, from the arch tables (all lie below bit 32).
const SAVE_DEBUG = Number(EXIT_CTLS.mask.VM_EXIT_SAVE_DEBUG_CONTROLS);
const SAVE_PAT = Number(EXIT_CTLS.mask.VM_EXIT_SAVE_IA32_PAT);
const SAVE_EFER = Number(EXIT_CTLS.mask.VM_EXIT_SAVE_IA32_EFER);
const IA32E_MODE = Number(ENTRY_CTLS.mask.VM_ENTRY_IA32E_MODE);
const EFER_LMA = Number(EFER.mask.LMA);
const BLOCKING_MOV_SS = Number(GUEST_INTERRUPTIBILITY.mask.MOV_SS);
const BLOCKING_STI = Number(GUEST_INTERRUPTIBILITY.mask.STI);

/**
 * Stores the processor's state into the guest-state area of `vmcs`. `guestRip` is the RIP the
 * SDM says to save (the instruction that caused a fault-like exit, §28.3.3); `storeLma` is
 * IA32_VMX_MISC[5].
 */
export function saveGuestState(s: CpuState, vmcs: ActiveVmcs, guestRip: number, storeLma: boolean, blockingNow?: 'sti' | 'mov-ss' | 'none', pendingDebug = 0n): void {
  const v = valuesOf(vmcs);
  const exit = v.u32(X.VM_EXIT_CONTROLS);

  // §28.3.1: CR0, CR3, CR4; DR7 and IA32_DEBUGCTL if "save debug controls"; SYSENTER MSRs;
  // IA32_PAT and IA32_EFER if their "save" controls are 1.
  v.setNum(X.GUEST_CR0, s.cr0);
  v.setNum(X.GUEST_CR3, s.cr3);
  v.setNum(X.GUEST_CR4, s.cr4);
  if ((exit & SAVE_DEBUG) !== 0) {
    v.setBig(X.GUEST_DR7, s.dr[7]!);
    v.setBig(X.GUEST_IA32_DEBUGCTL, readMsr(s, MSR.IA32_DEBUGCTL));
  }
  v.setBigLow32(X.GUEST_SYSENTER_CS, readMsr(s, MSR.IA32_SYSENTER_CS));
  v.setBig(X.GUEST_SYSENTER_ESP, readMsr(s, MSR.IA32_SYSENTER_ESP));
  v.setBig(X.GUEST_SYSENTER_EIP, readMsr(s, MSR.IA32_SYSENTER_EIP));
  if ((exit & SAVE_PAT) !== 0) v.setBig(X.GUEST_IA32_PAT, readMsr(s, MSR.IA32_PAT));
  if ((exit & SAVE_EFER) !== 0) v.setNum(X.GUEST_IA32_EFER, s.efer);
  // The "IA-32e mode guest" VM-entry control receives IA32_EFER.LMA when IA32_VMX_MISC[5] = 1
  // (§28.3.1; Vol. 3D §A.6 "Miscellaneous Data").
  if (storeLma) {
    const entry = v.u32(X.VM_ENTRY_CONTROLS);
    v.setHalves(X.VM_ENTRY_CONTROLS, ((s.efer & EFER_LMA) !== 0 ? entry | IA32E_MODE : entry & ~IA32E_MODE) >>> 0, v.hi[X.VM_ENTRY_CONTROLS]!);
  }

  // §28.3.2: every segment register and GDTR/IDTR.
  for (let k = 0; k < GUEST_SEGMENTS.length; k++) {
    const seg = GUEST_SEGMENTS[k]!;
    const ix = seg.ix;
    v.setU32(ix.selector, s.segSel[seg.slot]!);
    v.setNum(ix.base, s.segBase[seg.slot]!);
    v.setU32(ix.limit, s.segLimit[seg.slot]!);
    v.setU32(ix.ar, s.segAr[seg.slot]!);
  }
  v.setNum(X.GUEST_GDTR_BASE, s.gdtrBase);
  v.setNum(X.GUEST_GDTR_LIMIT, s.gdtrLimit);
  v.setNum(X.GUEST_IDTR_BASE, s.idtrBase);
  v.setNum(X.GUEST_IDTR_LIMIT, s.idtrLimit);

  // §28.3.3: RIP, RSP, RFLAGS.
  v.setNum(X.GUEST_RIP, guestRip);
  v.setHalves(X.GUEST_RSP, s.gpr[8]!, s.gpr[9]!);
  v.setNum(X.GUEST_RFLAGS, s.rflags);

  // §28.3.4: activity state, and blocking by MOV SS / STI still in effect for the instruction
  // that caused the exit (the executor's shadow lasts to icount + 1 after MOV SS, + 2 after STI).
  v.setU32(X.GUEST_ACTIVITY_STATE, ACTIVITY_CODE[s.activity]);
  // `blockingNow` (from the model, which tells a stale STI shadow from a MOV SS one) wins.
  const kind = blockingNow ?? (s.shadowUntil === s.icount ? 'mov-ss' : s.shadowUntil === s.icount + 1 ? 'sti' : 'none');
  v.setU32(X.GUEST_INTERRUPTIBILITY_INFO, kind === 'mov-ss' ? BLOCKING_MOV_SS : kind === 'sti' ? BLOCKING_STI : 0);
  // Pending debug exceptions: a single-step trap the exit overtook (a trap-like exit after an
  // instruction run with RFLAGS.TF = 1) is saved as BS; the lab models no other pending ones.
  if (pendingDebug === 0n) v.setU32(X.GUEST_PENDING_DBG_EXCEPTIONS, 0);
  else v.setBig(X.GUEST_PENDING_DBG_EXCEPTIONS, pendingDebug);
}
