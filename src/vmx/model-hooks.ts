// The VT-x model's hooks (src/x86/env.ts, src/x86/external.ts): what the executor asks of the
// model at every VMX instruction, guest instruction, event and mode refresh. They act on the model
// (src/vmx/index.ts) through `HookedModel`.

import { CR0 } from '../arch/cr.ts';
import { ENTRY_INTR_INFO, PENDING_DEBUG_EXCEPTIONS } from '../arch/vmx-info.ts';
import { RFLAGS } from '../arch/rflags.ts';
import type { CpuHandle, VmxHooks, VmxStop } from '../x86/env.ts';
import type { ExternalEventHooks, InterruptPins, NonRootEventAnswer } from '../x86/external.ts';
import { gp } from '../x86/fault.ts';
import type { DecodedInstruction } from '../x86/isa/decoded.ts';
import { dispatchVmx } from './dispatch.ts';
import type { EptController } from './ept/controller.ts';
import { boundaryExit, pauseLoopExits } from './exit/boundary.ts';
import { executeChanged, ripAfter } from './exit/behaviour.ts';
import { deliversErrorCode, eventInfo, eventType, exceptionExits, INTR_TYPE } from './exit/events.ts';
import { externalEventExit, iretInGuest, withNmiUnblocking } from './exit/external-events.ts';
import { hostTsc } from './exit/guest-values.ts';
import { instructionExit, mayExitOrChange, type InstructionExit } from './exit/intercept.ts';
import { exceptionQualification } from './exit/qualification.ts';
import { taskSwitchExit } from './exit/task-switch.ts';
import type { ExitRecord } from './exit/vm-exit.ts';
import type { InsnResult } from './instructions/common.ts';
import { crViolatesFixedBits } from './instructions/cr-fixed.ts';
import type { LaunchContext } from './instructions/vmlaunch.ts';
import { ENABLE_EPT, EXIT_REASON, SECONDARY_CTLS } from './local-arch.ts';
import type { ModelCaps } from './model-caps.ts';
import { secondaryControls, secondaryControlsNum, valuesOf, vmcsGet } from './vmcs-access.ts';
import { F } from './vmcs-fields.ts';
import type { VmxState } from './vmx-state.ts';

/** BS of the pending-debug-exceptions field (§25.4.2) and RFLAGS.TF, from the arch tables. */
const PENDING_BS = PENDING_DEBUG_EXCEPTIONS.mask.BS;
const RFLAGS_TF = Number(RFLAGS.mask.TF);

/** What the hooks need of the model. */
export interface HookedModel {
  readonly vmx: VmxState;
  readonly ept: EptController;
  readonly capsCache: ModelCaps;
  /** The guest instruction last offered to `intercept` (the one an exception comes from). */
  guestInsn: DecodedInstruction | undefined;
  /** The context of a VMX instruction, refreshed. */
  context(cpu: CpuHandle, insn: DecodedInstruction): LaunchContext;
  /** Carries out a VMX instruction's result (outcome, fault, VM exit or VM entry). */
  finish(cpu: CpuHandle, insn: DecodedInstruction, r: InsnResult): VmxStop;
  /** Performs a VM exit with what `rec` records. */
  performExit(cpu: CpuHandle, rec: ExitRecord, insn?: DecodedInstruction, eptWalk?: readonly string[]): void;
  /** A VM exit caused by `insn`. */
  exitForInstruction(cpu: CpuHandle, insn: DecodedInstruction, reason: number, decided?: InstructionExit): void;
}

/**
 * The hooks the executor calls (src/x86/env.ts), as methods of one class: every machine's hooks
 * share one V8 map and the same functions, so the executor's call sites stay monomorphic from
 * one Machine to the next (closures made per model gave each machine its own call targets, and
 * optimised code was dropped when a second machine's arrived).
 */
export class ModelHooks implements VmxHooks, ExternalEventHooks {
  constructor(private readonly m: HookedModel) {}

  // Only while "enable EPT" is in force (decision 0063): without EPT every guest-physical
  // address is the physical address (SDM Vol. 3C §29.3 "The Extended Page Table Mechanism
  // (EPT)"), so the executor needs no hook, and skips building an access record for every
  // guest memory access and paging-structure read. The executor asks at every mode refresh,
  // which a VM entry makes after the VMCS controls are final.
  /** The EPT translation hook while EPT is in force, else undefined. */
  get translateGuestPhysical(): VmxHooks['translateGuestPhysical'] {
    const m = this.m;
    const current = m.vmx.mode === 'non-root' ? m.vmx.currentVmcs() : undefined;
    return current !== undefined && (secondaryControlsNum(valuesOf(current)) & ENABLE_EPT) !== 0 ? m.ept.translateGuestPhysical : undefined;
  }

  // External interrupts and NMIs at a guest boundary (src/vmx/exit/external-events.ts).
  externalEvent(cpu: CpuHandle, pins: InterruptPins): NonRootEventAnswer {
    const m = this.m;
    const vmx = m.vmx;
    const current = vmx.currentVmcs();
    const exit = vmx.mode === 'non-root' && current ? externalEventExit(vmx.nonRoot, cpu.state, current, pins) : null;
    if (exit === null) return 'native';
    m.performExit(cpu, { reason: exit.reason, qualification: 0n, guestRip: cpu.state.rip, interruption: exit.interruption });
    if (exit.blocksNmi) cpu.state.nmiBlocked = true;
    return 'exit';
  }

  iretUnblocksNmi(cpu: CpuHandle): boolean {
    const vmx = this.m.vmx;
    const current = vmx.currentVmcs();
    return !(vmx.mode === 'non-root' && current) || iretInGuest(vmx.nonRoot, cpu.state, current);
  }

  execute(cpu: CpuHandle, insn: DecodedInstruction): VmxStop {
    const m = this.m;
    const r = dispatchVmx(m.context(cpu, insn));
    if (!r) return { kind: 'stop', message: `${insn.mnemonic} is not a VMX instruction` };
    return m.finish(cpu, insn, r);
  }

  inNonRoot(): boolean {
    return this.m.vmx.mode === 'non-root';
  }

  intercept(cpu: CpuHandle, insn: DecodedInstruction): boolean {
    const m = this.m;
    const vmx = m.vmx;
    if (vmx.mode !== 'non-root') return false;
    // The instruction about to run: any exception raised before the next boundary is its own.
    m.guestInsn = insn;
    const st = vmx.nonRoot;
    // A new instruction boundary: the previous event delivery (if any) completed.
    st.vectoring = null;
    const boundary = boundaryExit(st, cpu.state);
    if (boundary !== null) {
      m.performExit(cpu, { reason: boundary, qualification: 0n, guestRip: cpu.state.rip });
      return true;
    }
    // Fast path: most instructions neither exit nor behave differently in non-root operation.
    if (!mayExitOrChange(insn.mnemonic)) {
      st.mtfPending = st.mtfControl;
      return false;
    }
    const current = vmx.currentVmcs();
    if (!current) return false;
    const decided = instructionExit(cpu, insn, current);
    if (decided !== null) {
      m.exitForInstruction(cpu, insn, decided.reason, decided);
      return true;
    }
    if (insn.mnemonic === 'hlt' && cpu.state.cpl === 0 && (st.mtfControl || st.timerValue >= 0n)) {
      // §26.5.2: HLT completes into the HLT activity state and the MTF exit follows at once;
      // §26.5.1: the preemption timer keeps counting in the HLT state and wakes the guest with
      // its exit. Implementation choice (decision 0022): the lab's TSC does not run while the
      // guest is halted, so that exit happens at once, with the timer saved as expired.
      const singleStep = (cpu.state.rflags & RFLAGS_TF) !== 0;
      cpu.state.rip = ripAfter(cpu, insn);
      cpu.state.activity = 'halted';
      if (!st.mtfControl) {
        st.timerValue = 0n;
        st.timerStartTsc = hostTsc(cpu.state);
      }
      m.performExit(cpu, { reason: st.mtfControl ? EXIT_REASON.MONITOR_TRAP_FLAG : EXIT_REASON.PREEMPTION_TIMER, qualification: 0n, guestRip: cpu.state.rip, pendingDebug: singleStep ? PENDING_BS : 0n });
      return true;
    }
    if (insn.mnemonic === 'pause' && pauseLoopExits(st, cpu.state, current)) {
      m.exitForInstruction(cpu, insn, EXIT_REASON.PAUSE);
      return true;
    }
    // §26.5.2: the instruction completes (or its fault is delivered): an MTF VM exit follows.
    st.mtfPending = st.mtfControl;
    const changed = executeChanged(cpu, insn, current);
    if (typeof changed === 'object') {
      // A trap-like exit (TPR below threshold): the instruction completed; guest RIP is the next one.
      m.performExit(cpu, { reason: changed.trapExit, qualification: 0n, guestRip: cpu.state.rip, pendingDebug: changed.singleStepPending ? PENDING_BS : 0n }, insn);
      return true;
    }
    return changed;
  }

  checkCrWrite(cpu: CpuHandle, cr: 0 | 4, value: number): void {
    const m = this.m;
    const vmx = m.vmx;
    if (vmx.mode === 'off') return;
    const caps = m.capsCache.of(cpu);
    let fixed0 = cr === 0 ? caps.cr0Fixed0 : caps.cr4Fixed0;
    const fixed1 = cr === 0 ? caps.cr0Fixed1 : caps.cr4Fixed1;
    // SDM Vol. 3C §26.3 "Changes to Instruction Behavior in VMX Non-Root Operation": with
    // "unrestricted guest", a guest may clear CR0.PE and CR0.PG.
    const current = vmx.currentVmcs();
    if (cr === 0 && vmx.mode === 'non-root' && current && SECONDARY_CTLS.has(secondaryControls(current), 'SECONDARY_EXEC_UNRESTRICTED_GUEST')) {
      fixed0 &= ~CR0.of('PE', 'PG');
    }
    const problem = crViolatesFixedBits(cr === 0 ? 'CR0' : 'CR4', BigInt(value >>> 0), fixed0, fixed1);
    // SDM Vol. 3C §24.8 "Restrictions on VMX Operation": MOV to CR0/CR4 that breaks a fixed bit raises #GP(0).
    if (problem) throw gp(`MOV to CR${cr} in VMX operation: ${problem}`);
  }

  // §26.1.2: every task switch in non-root operation exits (reason 9); exit/task-switch.ts builds the record.
  taskSwitch(cpu: CpuHandle, selector: number, source: 0 | 1 | 2 | 3, insn?: DecodedInstruction): boolean {
    const m = this.m;
    const vmx = m.vmx;
    if (vmx.mode !== 'non-root' || !vmx.currentVmcs()) return false;
    m.performExit(cpu, taskSwitchExit(cpu, selector, source, insn, source === 3 ? vmx.nonRoot.vectoring : null), insn);
    return true;
  }

  interceptEvent(
    cpu: CpuHandle, vector: number, errorCode: number | undefined, kind: 'fault' | 'trap' | 'interrupt' | 'software' | 'triple-fault',
    event?: { readonly cr2?: number; readonly nextRip?: number },
  ): boolean {
    const m = this.m;
    const vmx = m.vmx;
    const current = vmx.currentVmcs();
    if (vmx.mode !== 'non-root' || !current) return false;
    const st = vmx.nonRoot;
    const guestRip = cpu.state.rip;
    // A triple fault in VMX non-root operation causes a VM exit (SDM Vol. 3C §26.2 "Other Causes of VM Exits").
    if (kind === 'triple-fault') {
      m.performExit(cpu, { reason: EXIT_REASON.TRIPLE_FAULT, qualification: 0n, guestRip });
      return true;
    }
    const injecting = st.injecting;
    st.injecting = false;
    const raisedBy = injecting ? undefined : m.guestInsn;
    const type = injecting
      ? Number(ENTRY_INTR_INFO.get(vmcsGet(current, F.VM_ENTRY_INTR_INFO_FIELD), 'TYPE'))
      : eventType(vector, kind, raisedBy?.mnemonic);
    const info = eventInfo(vector, type, errorCode, deliversErrorCode(type, vector, errorCode, (cpu.state.cr0 & 1) !== 0));
    // §27.6.1: the event VM entry injects is not subject to the exception bitmap; software
    // interrupts (INT n) and external interrupts are not exceptions.
    const exceptionLike = type === INTR_TYPE.HARDWARE_EXCEPTION || type === INTR_TYPE.SOFTWARE_EXCEPTION || type === INTR_TYPE.PRIVILEGED_SOFTWARE_EXCEPTION;
    const software = type === INTR_TYPE.SOFTWARE_INTERRUPT || type === INTR_TYPE.SOFTWARE_EXCEPTION || type === INTR_TYPE.PRIVILEGED_SOFTWARE_EXCEPTION;
    // §28.2.5: the instruction length of a software event (for the injected one, the VM-entry instruction length).
    const length = !software ? undefined : injecting ? Number(vmcsGet(current, F.VM_ENTRY_INSTRUCTION_LEN)) : raisedBy?.length;
    if (!injecting && exceptionLike && exceptionExits(current, vector, errorCode)) {
      // The exit's own software exception gives the length; else that of a software event being delivered.
      const exitLength = length ?? st.vectoring?.length;
      m.performExit(cpu, {
        reason: EXIT_REASON.EXCEPTION_NMI,
        qualification: exceptionQualification(cpu, vector, event?.cr2),
        guestRip,
        interruption: withNmiUnblocking(st, cpu.state, info, raisedBy?.mnemonic),
        vectoring: st.vectoring ?? undefined,
        ...(exitLength !== undefined ? { instruction: { length: exitLength, info: 0n } } : {}),
      }, raisedBy);
      return true;
    }
    // The event is delivered through the guest IDT; a fault during delivery records it (§28.2.4).
    st.vectoring = length === undefined ? info : { ...info, length };
    return false;
  }
}
