// The VT-x model's hooks as the Machine hands them to the executor: each one passes through to
// the model, and those that can produce reports (a VMX instruction, an instruction or event in
// non-root operation, an external event) mark the step so the Machine drains the model's
// reports after it. A class, so every machine's hooks share one V8 map and the same functions:
// the executor's call sites stay monomorphic from one Machine to the next (closures made per
// Machine gave each its own call targets). A hook the model lacks answers as the executor
// treats a missing hook.

import type { CpuHandle, VmxHooks, VmxStop } from '../x86/env.ts';
import type { ExternalEventHooks, InterruptPins, NonRootEventAnswer } from '../x86/external.ts';
import type { DecodedInstruction } from '../x86/isa/decoded.ts';

type Hooks = VmxHooks & ExternalEventHooks;

/** What the watched hooks tell the Machine about the current step. */
export class VmxTap {
  /** A hook that may have produced reports ran during this step. */
  touched = false;
  /** The VMX instruction `execute` last received (its text for the event). */
  insn: DecodedInstruction | null = null;
}

/** The model's hooks, watched for the Machine (every hook of VmxHooks and ExternalEventHooks). */
export class WatchedHooks implements Hooks {
  constructor(private readonly inner: Hooks, private readonly tap: VmxTap) {}

  /** Asked of the model at every mode refresh (it answers only while EPT is in force), not copied. */
  get translateGuestPhysical(): Hooks['translateGuestPhysical'] {
    return this.inner.translateGuestPhysical;
  }

  execute(cpu: CpuHandle, insn: DecodedInstruction): VmxStop {
    const tap = this.tap;
    tap.touched = true;
    tap.insn = insn;
    return this.inner.execute(cpu, insn);
  }

  intercept(cpu: CpuHandle, insn: DecodedInstruction): boolean {
    const inner = this.inner;
    if (inner.intercept === undefined) return false;
    this.tap.touched = true;
    return inner.intercept(cpu, insn);
  }

  inNonRoot(): boolean {
    const inner = this.inner;
    return inner.inNonRoot !== undefined && inner.inNonRoot();
  }

  checkCrWrite(cpu: CpuHandle, cr: 0 | 4, value: number): void {
    this.inner.checkCrWrite?.(cpu, cr, value);
  }

  interceptEvent(
    cpu: CpuHandle, vector: number, errorCode: number | undefined, kind: 'fault' | 'trap' | 'interrupt' | 'software' | 'triple-fault',
    event?: { readonly cr2?: number; readonly nextRip?: number },
  ): boolean {
    const inner = this.inner;
    if (inner.interceptEvent === undefined) return false;
    this.tap.touched = true;
    return inner.interceptEvent(cpu, vector, errorCode, kind, event);
  }

  taskSwitch(cpu: CpuHandle, selector: number, source: 0 | 1 | 2 | 3, insn?: DecodedInstruction): boolean {
    const inner = this.inner;
    return inner.taskSwitch !== undefined && inner.taskSwitch(cpu, selector, source, insn);
  }

  externalEvent(cpu: CpuHandle, pins: InterruptPins): NonRootEventAnswer {
    const inner = this.inner;
    if (inner.externalEvent === undefined) return 'native';
    this.tap.touched = true;
    return inner.externalEvent(cpu, pins);
  }

  iretUnblocksNmi(cpu: CpuHandle): boolean {
    const inner = this.inner;
    return inner.iretUnblocksNmi === undefined || inner.iretUnblocksNmi(cpu);
  }
}

/** Every hook is watched: a hook added to VmxHooks or ExternalEventHooks must be added above. */
export type UnwatchedHooks = Exclude<keyof Hooks, keyof WatchedHooks>;
const everyHookWatched: UnwatchedHooks extends never ? true : false = true;
void everyHookWatched;
