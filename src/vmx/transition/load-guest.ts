// Loading guest state at VM entry (SDM Vol. 3C §27.3.2 "Loading Guest State": §27.3.2.1 control
// registers, debug registers and MSRs; §27.3.2.2 segment and descriptor-table registers;
// §27.3.2.3 RIP, RSP and RFLAGS; §27.3.2.5 non-register state). Runs only after every
// guest-state check passed, so values are loaded as they are.

import { EFER } from '../../arch/efer.ts';
import { CR0 } from '../../arch/cr.ts';
import { MSR } from '../../arch/msrs.ts';
import { ACCESS_RIGHTS } from '../../arch/segments.ts';
import { GUEST_INTERRUPTIBILITY } from '../../arch/vmx-info.ts';
import type { CpuState } from '../../x86/state.ts';
import { ENTRY_CTLS } from '../local-arch.ts';
import { vmcsGet } from '../vmcs-access.ts';
import { F } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { fieldToLinear, writeMsr } from './cpu-values.ts';
import { GUEST_SEGMENTS } from './segment-fields.ts';

/** Guest activity states (SDM Vol. 3C §25.4.2 "Guest Non-Register State", Table 25-3). */
const ACTIVITY = ['active', 'halted', 'shutdown', 'wait-for-sipi'] as const;

/** Loads the guest-state area of `vmcs` into the processor. */
export function loadGuestState(s: CpuState, vmcs: ActiveVmcs): void {
  const g = (enc: number): bigint => vmcsGet(vmcs, enc);
  const entry = g(F.VM_ENTRY_CONTROLS);

  // §27.3.2.1: CR0, CR3, CR4 from their fields; DR7 and IA32_DEBUGCTL if "load debug controls".
  s.cr0 = Number(g(F.GUEST_CR0) & 0xffff_ffffn);
  s.cr3 = Number(g(F.GUEST_CR3));
  s.cr4 = Number(g(F.GUEST_CR4) & 0xffff_ffffn);
  if (ENTRY_CTLS.has(entry, 'VM_ENTRY_LOAD_DEBUG_CONTROLS')) {
    s.dr[7] = g(F.GUEST_DR7);
    writeMsr(s, MSR.IA32_DEBUGCTL, g(F.GUEST_IA32_DEBUGCTL));
  }
  writeMsr(s, MSR.IA32_SYSENTER_CS, g(F.GUEST_SYSENTER_CS));
  writeMsr(s, MSR.IA32_SYSENTER_ESP, g(F.GUEST_SYSENTER_ESP));
  writeMsr(s, MSR.IA32_SYSENTER_EIP, g(F.GUEST_SYSENTER_EIP));
  // IA32_EFER: from its field if "load IA32_EFER"; otherwise LMA takes "IA-32e mode guest", and
  // LME too when CR0.PG = 1.
  if (ENTRY_CTLS.has(entry, 'VM_ENTRY_LOAD_IA32_EFER')) {
    s.efer = Number(g(F.GUEST_IA32_EFER) & 0xffff_ffffn);
  } else {
    const ia32e = ENTRY_CTLS.has(entry, 'VM_ENTRY_IA32E_MODE');
    let efer = EFER.set(BigInt(s.efer), 'LMA', ia32e);
    if (CR0.has(BigInt(s.cr0), 'PG')) efer = EFER.set(efer, 'LME', ia32e);
    s.efer = Number(efer);
  }
  if (ENTRY_CTLS.has(entry, 'VM_ENTRY_LOAD_IA32_PAT')) writeMsr(s, MSR.IA32_PAT, g(F.GUEST_IA32_PAT));
  if (ENTRY_CTLS.has(entry, 'VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL')) writeMsr(s, MSR.IA32_PERF_GLOBAL_CTRL, g(F.GUEST_IA32_PERF_GLOBAL_CTRL));

  // §27.3.2.2: every segment register, GDTR and IDTR from the guest fields.
  for (const seg of GUEST_SEGMENTS) {
    s.segSel[seg.slot] = Number(g(seg.selector) & 0xffffn);
    s.segBase[seg.slot] = fieldToLinear(g(seg.base));
    s.segLimit[seg.slot] = Number(g(seg.limit) & 0xffff_ffffn);
    s.segAr[seg.slot] = Number(g(seg.ar) & ACCESS_RIGHTS.definedMask);
  }
  s.gdtrBase = fieldToLinear(g(F.GUEST_GDTR_BASE));
  s.gdtrLimit = Number(g(F.GUEST_GDTR_LIMIT) & 0xffffn);
  s.idtrBase = fieldToLinear(g(F.GUEST_IDTR_BASE));
  s.idtrLimit = Number(g(F.GUEST_IDTR_LIMIT) & 0xffffn);

  // §27.3.2.3: RSP, RIP and RFLAGS.
  s.setGpr64(4, g(F.GUEST_RSP));
  s.rip = fieldToLinear(g(F.GUEST_RIP));
  s.rflags = Number(g(F.GUEST_RFLAGS) & 0xffff_ffffn);

  // §27.3.2.5 / §27.6: the activity state (checks guaranteed it is supported).
  s.activity = toActivity(g(F.GUEST_ACTIVITY_STATE));
  // §27.3.2.5: blocking by STI or MOV SS covers the guest's first instruction. The executor
  // keeps that as the instruction count its shadow lasts to (STI: icount + 2, MOV SS / POP SS:
  // icount + 1, counted from the instruction that set it, here VMLAUNCH/VMRESUME).
  const blocking = g(F.GUEST_INTERRUPTIBILITY_INFO);
  if (GUEST_INTERRUPTIBILITY.has(blocking, 'MOV_SS')) s.shadowUntil = s.icount + 1;
  else if (GUEST_INTERRUPTIBILITY.has(blocking, 'STI')) s.shadowUntil = s.icount + 2;
  else s.shadowUntil = -1;
}

function toActivity(v: bigint): CpuState['activity'] {
  const a = ACTIVITY[Number(v)] ?? 'active';
  // The executor has no wait-for-SIPI state; a processor waiting for a SIPI executes nothing, as if halted.
  return a === 'wait-for-sipi' ? 'halted' : a;
}
