// VM exits that happen at an instruction boundary rather than because of an instruction (SDM
// Vol. 3C §26.2 "Other Causes of VM Exits", §26.7.4 "Interrupt-Window Exiting and Virtual-
// Interrupt Delivery" .. §26.7.6 "NMI-Window Exiting", §26.5.1 "VMX-Preemption Timer", §26.5.2
// "Monitor Trap Flag"), in the priority of §26.7 (a pending MTF VM exit, then the preemption
// timer, then NMI-window exiting, then interrupt-window exiting), plus PAUSE-loop exiting
// (§26.1.3). The state they need between instructions lives in `NonRootState`.

import { ENTRY_INTR_NUM, GUEST_INTERRUPTIBILITY, INTERRUPTION_TYPES } from '../../arch/vmx-info.ts';
import { RFLAGS } from '../../arch/rflags.ts';
import { VMX_MISC } from '../../arch/vmx-msrs.ts';
import type { CpuState } from '../../x86/state.ts';
import { EXIT_REASON, PIN_CTLS, PRIMARY_CTLS, SECONDARY_CTLS } from '../local-arch.ts';
import { secondaryControls, vmcsGet } from '../vmcs-access.ts';
import { valuesOf } from '../vmcs-values.ts';
import { F, X } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import type { EventInfo } from './vm-exit.ts';
import { hostTsc } from './guest-values.ts';
import type { VmxAbort } from './abort.ts';

const IF = Number(RFLAGS.mask.IF);
/** The controls and fields `onEntry` reads, as number masks from the arch tables (the 32-bit fields read as numbers). */
const MTF = Number(PRIMARY_CTLS.mask.CPU_BASED_MONITOR_TRAP_FLAG);
const NMI_WINDOW = Number(PRIMARY_CTLS.mask.CPU_BASED_NMI_WINDOW_EXITING);
const INTR_WINDOW = Number(PRIMARY_CTLS.mask.CPU_BASED_INTR_WINDOW_EXITING);
const PREEMPTION_TIMER = Number(PIN_CTLS.mask.PIN_BASED_VMX_PREEMPTION_TIMER);
const VIRTUAL_NMIS = Number(PIN_CTLS.mask.PIN_BASED_VIRTUAL_NMIS);
const TIMER_RATE = VMX_MISC.fields.PREEMPTION_TIMER_RATE.mask;
const TIMER_RATE_SHIFT = BigInt(VMX_MISC.fields.PREEMPTION_TIMER_RATE.bit);
const BLOCKED_BY_NMI = Number(GUEST_INTERRUPTIBILITY.mask.NMI);
const { VALID: ENTRY_VALID, TYPE_SHIFT: ENTRY_TYPE_SHIFT, TYPE_MASK: ENTRY_TYPE_MASK } = ENTRY_INTR_NUM;
/** Interruption type 2, NMI (Table 25-17, from the arch table). */
const NMI_TYPE = INTERRUPTION_TYPES.find((t) => t.linux === 'INTR_TYPE_NMI_INTR')!.type;

/** What the model remembers between guest instructions. Plain data: cloned for snapshots. */
export class NonRootState {
  /** An instruction completed with the monitor trap flag set: an MTF VM exit is pending (§26.5.2). */
  mtfPending = false;
  /** TSC at VM entry and the timer value loaded then (§26.5.1), or -1n when the timer is inactive. */
  timerStartTsc = 0n;
  timerValue = -1n;
  /** Virtual-NMI blocking (§26.7.1 with "virtual NMIs"), loaded from the interruptibility state at entry. */
  virtualNmiBlocked = false;
  /** The event being delivered when a delivery fault may cause a VM exit (IDT-vectoring information, §28.2.4). */
  vectoring: EventInfo | null = null;
  /** The next event offered is the one VM entry injects: not subject to the exception bitmap (§27.6.1). */
  injecting = false;
  /**
   * The controls boundary exits depend on, read at VM entry: a VMCS cannot change while its
   * guest runs (a guest VMWRITE exits or writes the shadow VMCS), so every instruction boundary
   * reads these instead of the VMCS.
   */
  mtfControl = false;
  nmiWindow = false;
  intrWindow = false;
  /** X of IA32_VMX_MISC[4:0] at entry: the timer ticks when TSC bit X changes. */
  timerRate = 0n;
  /** Instruction count at the last boundary where blocking by STI was in effect (see `blockingAt`). */
  stiAt = -1;
  /** PAUSE-loop exiting: TSC of the first and of the last PAUSE of the current loop (§26.1.3). */
  pleFirst = -1n;
  pleLast = -1n;
  /** Instruction count of the guest IRET that last unblocked NMIs (virtual NMIs), -1 if none (§28.2.3). */
  iretUnblockedAt = -1;
  /** A VMX abort the last VM exit ran into (§28.7), for the model to report; null when none. */
  abort: VmxAbort | null = null;

  clone(): NonRootState {
    return Object.assign(new NonRootState(), this);
  }
}

/** Sets the per-entry state after a successful VM entry (§27.3.2.5, §26.5.1, §26.5.2). */
export function onEntry(st: NonRootState, s: CpuState, vmcs: ActiveVmcs, injectedOther: boolean, misc: bigint): void {
  const v = valuesOf(vmcs);
  const pin = v.u32(X.PIN_BASED_VM_EXEC_CONTROL);
  const primary = v.u32(X.CPU_BASED_VM_EXEC_CONTROL);
  st.mtfControl = (primary & MTF) !== 0;
  st.nmiWindow = (primary & NMI_WINDOW) !== 0;
  st.intrWindow = (primary & INTR_WINDOW) !== 0;
  st.timerRate = (misc & TIMER_RATE) >> TIMER_RATE_SHIFT;
  st.timerValue = (pin & PREEMPTION_TIMER) !== 0 ? BigInt(v.u32(X.VMX_PREEMPTION_TIMER_VALUE) >>> 0) : -1n;
  // Implementation choice (decision 0022): the timer starts as VMLAUNCH/VMRESUME retires (one
  // tick of the lab's instruction-count TSC), so a value of N lets N << X guest instructions run.
  st.timerStartTsc = hostTsc(s) + 1n;
  // NMI blocking (§27.3.2.5 "Updating Non-Register State", §27.6.1 "Vectored-Event Injection"): with
  // "virtual NMIs" bit 3 of the interruptibility state is virtual-NMI blocking and an injected NMI
  // sets it; without, bit 3 loads the processor's blocking by NMI, which an injected NMI sets too.
  const bit3 = (v.u32(X.GUEST_INTERRUPTIBILITY_INFO) & BLOCKED_BY_NMI) !== 0;
  const entryInfo = v.u32(X.VM_ENTRY_INTR_INFO_FIELD);
  const injectsNmi = (entryInfo & ENTRY_VALID) !== 0 && ((entryInfo >>> ENTRY_TYPE_SHIFT) & ENTRY_TYPE_MASK) === NMI_TYPE;
  if ((pin & VIRTUAL_NMIS) !== 0) {
    st.virtualNmiBlocked = bit3 || injectsNmi;
  } else {
    st.virtualNmiBlocked = false;
    s.nmiBlocked = bit3 || injectsNmi;
  }
  // §27.6.2 (type 7): injecting a "pending MTF VM exit" makes the MTF exit happen before the first instruction.
  st.mtfPending = injectedOther;
  st.vectoring = null;
  st.injecting = false;
  st.pleFirst = -1n;
  st.pleLast = -1n;
  st.stiAt = -1;
  st.iretUnblockedAt = -1;
}

/** Interruptibility at an instruction boundary (§25.4.2): blocking by STI, by MOV SS, or none. */
export type Blocking = 'sti' | 'mov-ss' | 'none';

/**
 * Which blocking is in effect now. The executor keeps one number, `shadowUntil` (MOV SS: count
 * + 1, STI: count + 2, from the instruction that set it), exact right after that instruction;
 * one instruction after an STI it equals the count as after a MOV SS, so the model remembers
 * where it last saw STI blocking to tell the two apart.
 */
export function blockingAt(st: NonRootState, s: CpuState): Blocking {
  if (s.shadowUntil === s.icount + 1) return 'sti';
  if (s.shadowUntil === s.icount && st.stiAt !== s.icount - 1) return 'mov-ss';
  return 'none';
}

/** Timer ticks elapsed since entry: one each time TSC bit X changes, X = IA32_VMX_MISC[4:0] (§26.5.1). */
function timerTicks(st: NonRootState, s: CpuState): bigint {
  const x = st.timerRate;
  return (hostTsc(s) >> x) - (st.timerStartTsc >> x);
}

/** The preemption-timer value left (0 once expired), or undefined when the timer is not active (§28.3.4). */
export function timerLeft(st: NonRootState, s: CpuState): bigint | undefined {
  if (st.timerValue < 0n) return undefined;
  const left = st.timerValue - timerTicks(st, s);
  return left > 0n ? left : 0n;
}

/**
 * The exit that happens before the next guest instruction, if any: a pending MTF VM exit, the
 * preemption timer reaching zero, NMI-window exiting with no virtual-NMI blocking (nor MOV SS
 * blocking), or interrupt-window exiting with RFLAGS.IF = 1 and no STI / MOV SS blocking.
 */
export function boundaryExit(st: NonRootState, s: CpuState): number | null {
  if (s.shadowUntil === s.icount + 1) st.stiAt = s.icount;
  if (st.mtfPending) return EXIT_REASON.MONITOR_TRAP_FLAG;
  if (st.timerValue >= 0n && timerTicks(st, s) >= st.timerValue) return EXIT_REASON.PREEMPTION_TIMER;
  if (!st.nmiWindow && !st.intrWindow) return null;
  const blocking = blockingAt(st, s);
  const movSs = blocking === 'mov-ss';
  const sti = blocking === 'sti';
  if (st.nmiWindow && !st.virtualNmiBlocked && !movSs) return EXIT_REASON.NMI_WINDOW;
  if (st.intrWindow && (s.rflags & IF) !== 0 && !movSs && !sti) return EXIT_REASON.INTERRUPT_WINDOW;
  return null;
}

/**
 * PAUSE-loop exiting (§26.1.3), at CPL 0 only: a PAUSE more than PLE_Gap TSC ticks after the
 * previous one starts a new loop; a PAUSE more than PLE_Window ticks after the first of its loop
 * causes a VM exit. Updates the loop state; returns whether this PAUSE exits.
 */
export function pauseLoopExits(st: NonRootState, s: CpuState, vmcs: ActiveVmcs): boolean {
  if (s.cpl !== 0 || !SECONDARY_CTLS.has(secondaryControls(vmcs), 'SECONDARY_EXEC_PAUSE_LOOP_EXITING')) return false;
  const now = hostTsc(s);
  const gap = vmcsGet(vmcs, F.PLE_GAP);
  // Implementation choice (decision 0020): gap and window are measured on the lab's TSC, as KVM's
  // nested PLE and Bochs count TSC ticks between PAUSEs.
  if (st.pleLast < 0n || now - st.pleLast > gap) st.pleFirst = now;
  st.pleLast = now;
  return now - st.pleFirst > vmcsGet(vmcs, F.PLE_WINDOW);
}
