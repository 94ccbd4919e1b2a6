// Task switches reaching the VMX hook from IRET with NT = 1 and from an IDT task gate (SDM Vol.
// 3A §8.3 "Task Switching", Vol. 2A "IRET" TASK-RETURN, §6.12.2 "Interrupt Tasks"), with the
// checks made before the switch; far JMP/CALL are in exec/far.test.ts.
import { describe, expect, it } from 'vitest';
import { F } from './archbits.ts';
import { X86Fault } from './fault.ts';
import { deliverException } from './interrupts.ts';
import { descriptor, makeRig, run1, setDescriptor, to32, T, type TestRig } from './testing.ts';

const TSS_A = 0x80;
const TSS_B = 0x88;

interface Seen { sel: number; source: number; mnemonic?: string }

function rigWithHook(): { rig: TestRig; seen: Seen[] } {
  const rig = makeRig();
  to32(rig);
  setDescriptor(rig, TSS_A, descriptor(0x9000, 0x67, 0x8b, 0)); // busy 32-bit TSS (the previous task)
  setDescriptor(rig, TSS_B, descriptor(0x9100, 0x67, 0x89, 0)); // available 32-bit TSS
  const seen: Seen[] = [];
  rig.env.vmx = {
    execute: () => undefined,
    inNonRoot: () => true,
    taskSwitch: (_c, sel, source, insn) => { seen.push({ sel, source, mnemonic: insn?.mnemonic }); return true; },
  };
  rig.cpu.stateChanged();
  return { rig, seen };
}

/** A 32-bit task gate in IDT entry `v` naming `tss`, with `dpl`. */
function taskGate(rig: TestRig, v: number, tss: number, dpl = 0): void {
  rig.mem.write32(T.IDT + v * 8, tss << 16);
  rig.mem.write32(T.IDT + v * 8 + 4, 0x8500 | (dpl << 13));
}

describe('IRET with NT = 1 (task return)', () => {
  it('goes to the previous-task link of the current TSS, source 1 (IRET)', () => {
    const { rig, seen } = rigWithHook();
    rig.mem.write16(T.TSS, TSS_A); // back link
    rig.cpu.state.rflags = (F.FIXED | F.NT) >>> 0;
    expect(() => run1(rig, 'cf')).toThrow(/VM exit 9/);
    expect(seen).toEqual([{ sel: TSS_A, source: 1, mnemonic: 'iretd' }]);
    expect(rig.cpu.state.rip).toBe(T.CODE);
  });
  it('a back link that is not a busy TSS is #TS(selector) before any exit', () => {
    const { rig, seen } = rigWithHook();
    rig.mem.write16(T.TSS, TSS_B); // available, not busy
    rig.cpu.state.rflags = (F.FIXED | F.NT) >>> 0;
    let f: X86Fault | null = null;
    try { run1(rig, 'cf'); } catch (e) { f = e as X86Fault; }
    expect(f).toMatchObject({ vector: 10, errorCode: TSS_B });
    expect(seen).toEqual([]);
  });
  it('in IA-32e mode NT = 1 is #GP(0) (no task switch there)', () => {
    const rig = makeRig();
    rig.cpu.state.rflags = (F.FIXED | F.NT) >>> 0;
    expect(() => run1(rig, '48 cf')).toThrow(X86Fault);
  });
});

describe('an event through a task gate in the IDT', () => {
  it('INT n reaches the hook with source 3 and the TSS selector of the gate; delivery reports the VM exit', () => {
    const { rig, seen } = rigWithHook();
    taskGate(rig, 0x40, TSS_B, 0);
    const r = deliverException(rig.cpu, new X86Fault(0x40, undefined, 'int 0x40', 'software', T.CODE + 2));
    expect(r).toEqual({ kind: 'vmexit' });
    expect(seen).toEqual([{ sel: TSS_B, source: 3, mnemonic: undefined }]);
  });
  it('a gate naming a busy TSS is #GP(TSS selector) during delivery: no VM exit', () => {
    const { rig, seen } = rigWithHook();
    taskGate(rig, 0x42, TSS_A, 3);
    let inner: X86Fault | null = null;
    rig.env.vmx!.interceptEvent = (_c, vector, errorCode) => { if (vector === 13) inner = new X86Fault(vector, errorCode, ''); return vector === 13; };
    expect(deliverException(rig.cpu, new X86Fault(0x42, undefined, 'int 0x42', 'software', T.CODE + 2))).toEqual({ kind: 'vmexit' });
    expect(inner).toMatchObject({ vector: 13, errorCode: TSS_A });
    expect(seen).toEqual([]);
  });
  it('a software INT through a task gate whose DPL is below CPL is #GP(IDT entry)', () => {
    const { rig, seen } = rigWithHook();
    taskGate(rig, 0x43, TSS_B, 0);
    rig.cpu.state.segSel[1] = 0x1b; // CPL 3
    let code: number | undefined;
    rig.env.vmx!.interceptEvent = (_c, vector, errorCode) => { if (vector === 13) code = errorCode; return vector === 13; };
    deliverException(rig.cpu, new X86Fault(0x43, undefined, 'int 0x43', 'software', T.CODE + 2));
    expect(code).toBe(0x43 * 8 + 2);
    expect(seen).toEqual([]);
  });
});
