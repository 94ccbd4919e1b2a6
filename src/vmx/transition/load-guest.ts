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
import { valuesOf } from '../vmcs-values.ts';
import { X } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { writeMsrFromField } from './cpu-values.ts';
import { GUEST_SEGMENTS } from './segment-fields.ts';

/** Guest activity states (SDM Vol. 3C §25.4.2 "Guest Non-Register State", Table 25-3). */
const ACTIVITY = ['active', 'halted', 'shutdown', 'wait-for-sipi'] as const;

// Control and flag bits as numbers, from the arch tables (all lie below bit 32).
const LOAD_DEBUG = Number(ENTRY_CTLS.mask.VM_ENTRY_LOAD_DEBUG_CONTROLS);
const LOAD_EFER = Number(ENTRY_CTLS.mask.VM_ENTRY_LOAD_IA32_EFER);
const LOAD_PAT = Number(ENTRY_CTLS.mask.VM_ENTRY_LOAD_IA32_PAT);
const LOAD_PERF = Number(ENTRY_CTLS.mask.VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL);
const IA32E_MODE = Number(ENTRY_CTLS.mask.VM_ENTRY_IA32E_MODE);
const EFER_LMA = Number(EFER.mask.LMA);
const EFER_LME = Number(EFER.mask.LME);
const CR0_PG = Number(CR0.mask.PG);
const AR_DEFINED = Number(ACCESS_RIGHTS.definedMask);
const BLOCKING_MOV_SS = Number(GUEST_INTERRUPTIBILITY.mask.MOV_SS);
const BLOCKING_STI = Number(GUEST_INTERRUPTIBILITY.mask.STI);

/** Loads the guest-state area of `vmcs` into the processor. */
export function loadGuestState(s: CpuState, vmcs: ActiveVmcs): void {
  const v = valuesOf(vmcs);
  const entry = v.u32(X.VM_ENTRY_CONTROLS);

  // §27.3.2.1: CR0, CR3, CR4 from their fields; DR7 and IA32_DEBUGCTL if "load debug controls".
  s.cr0 = v.u32(X.GUEST_CR0);
  s.cr3 = v.num(X.GUEST_CR3);
  s.cr4 = v.u32(X.GUEST_CR4);
  if ((entry & LOAD_DEBUG) !== 0) {
    s.dr[7] = v.big(X.GUEST_DR7);
    writeMsrFromField(s, MSR.IA32_DEBUGCTL, v, X.GUEST_IA32_DEBUGCTL);
  }
  writeMsrFromField(s, MSR.IA32_SYSENTER_CS, v, X.GUEST_SYSENTER_CS);
  writeMsrFromField(s, MSR.IA32_SYSENTER_ESP, v, X.GUEST_SYSENTER_ESP);
  writeMsrFromField(s, MSR.IA32_SYSENTER_EIP, v, X.GUEST_SYSENTER_EIP);
  // IA32_EFER: from its field if "load IA32_EFER"; otherwise LMA takes "IA-32e mode guest", and
  // LME too when CR0.PG = 1.
  if ((entry & LOAD_EFER) !== 0) {
    s.efer = v.u32(X.GUEST_IA32_EFER);
  } else {
    const ia32e = (entry & IA32E_MODE) !== 0;
    let efer = ia32e ? s.efer | EFER_LMA : s.efer & ~EFER_LMA;
    if ((s.cr0 & CR0_PG) !== 0) efer = ia32e ? efer | EFER_LME : efer & ~EFER_LME;
    s.efer = efer >>> 0;
  }
  if ((entry & LOAD_PAT) !== 0) writeMsrFromField(s, MSR.IA32_PAT, v, X.GUEST_IA32_PAT);
  if ((entry & LOAD_PERF) !== 0) writeMsrFromField(s, MSR.IA32_PERF_GLOBAL_CTRL, v, X.GUEST_IA32_PERF_GLOBAL_CTRL);

  // §27.3.2.2: every segment register, GDTR and IDTR from the guest fields.
  for (let k = 0; k < GUEST_SEGMENTS.length; k++) {
    const seg = GUEST_SEGMENTS[k]!;
    const ix = seg.ix;
    s.segSel[seg.slot] = v.u32(ix.selector) & 0xffff;
    s.segBase[seg.slot] = v.signed(ix.base);
    s.segLimit[seg.slot] = v.u32(ix.limit);
    s.segAr[seg.slot] = (v.u32(ix.ar) & AR_DEFINED) >>> 0;
  }
  s.gdtrBase = v.signed(X.GUEST_GDTR_BASE);
  s.gdtrLimit = v.u32(X.GUEST_GDTR_LIMIT) & 0xffff;
  s.idtrBase = v.signed(X.GUEST_IDTR_BASE);
  s.idtrLimit = v.u32(X.GUEST_IDTR_LIMIT) & 0xffff;

  // §27.3.2.3: RSP, RIP and RFLAGS.
  s.gpr[8] = v.lo[X.GUEST_RSP]!;
  s.gpr[9] = v.hi[X.GUEST_RSP]!;
  s.rip = v.signed(X.GUEST_RIP);
  s.rflags = v.u32(X.GUEST_RFLAGS);

  // §27.3.2.5 / §27.6: the activity state (checks guaranteed it is supported).
  s.activity = toActivity(v.num(X.GUEST_ACTIVITY_STATE));
  // §27.3.2.5: blocking by STI or MOV SS covers the guest's first instruction. The executor
  // keeps that as the instruction count its shadow lasts to (STI: icount + 2, MOV SS / POP SS:
  // icount + 1, counted from the instruction that set it, here VMLAUNCH/VMRESUME).
  const blocking = v.u32(X.GUEST_INTERRUPTIBILITY_INFO);
  if ((blocking & BLOCKING_MOV_SS) !== 0) s.shadowUntil = s.icount + 1;
  else if ((blocking & BLOCKING_STI) !== 0) s.shadowUntil = s.icount + 2;
  else s.shadowUntil = -1;
}

function toActivity(v: number): CpuState['activity'] {
  // (Checked in range by VM entry; an index past the table is a slow load for V8, so it is not made.)
  const a = v < ACTIVITY.length ? ACTIVITY[v]! : 'active';
  // The executor has no wait-for-SIPI state; a processor waiting for a SIPI executes nothing, as if halted.
  return a === 'wait-for-sipi' ? 'halted' : a;
}
