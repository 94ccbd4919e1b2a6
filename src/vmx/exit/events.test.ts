// Event-caused VM exits through the model's hooks, on every profile (SDM Vol. 3C §26.2 "Other
// Causes of VM Exits"; exit information: §28.2.2 "Information for VM Exits Due to Vectored
// Events", §28.2.4 "Information for VM Exits That Occur During Event Delivery"; guest state
// saved: §28.3.4 "Saving Non-Register State"): the exception bitmap and the #PF mask/match
// rule, the #PF and #DB qualifications, software interrupts never intercepted, IDT-vectoring
// information, triple faults, the preemption-timer value saved, interruptibility saved.
import { describe, expect, it } from 'vitest';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { fieldOf, launchedRig, vmwriteField } from '../testing/exits.ts';
import { insn } from '../testing/rig.ts';
import { exceptionExits } from './events.ts';
import { vmcsWith } from '../testing/exits.ts';

const UD = 6, PF = 14, GP = 13, DB = 1, NP = 11;

describe('the exception bitmap (§26.2)', () => {
  it('selects vectors 0-31 by their bit; #PF by bit 14 and the mask/match rule', () => {
    const v = vmcsWith({ EXCEPTION_BITMAP: (1n << 6n) | (1n << 13n) });
    expect([exceptionExits(v, UD, undefined), exceptionExits(v, GP, 0), exceptionExits(v, NP, 0), exceptionExits(v, 32, undefined)]).toEqual([true, true, false, false]);
    const pf = (bit: boolean, mask: bigint, match: bigint, ec: number) =>
      exceptionExits(vmcsWith({ EXCEPTION_BITMAP: bit ? 1n << 14n : 0n, PAGE_FAULT_ERROR_CODE_MASK: mask, PAGE_FAULT_ERROR_CODE_MATCH: match }), PF, ec);
    // Bit 14 = 1: exit when (EC & mask) = match; bit 14 = 0: exit when they differ.
    expect([pf(true, 0n, 0n, 0b11), pf(true, 0b10n, 0b10n, 0b11), pf(true, 0b10n, 0b10n, 0b01)]).toEqual([true, true, false]);
    expect([pf(false, 0n, 0n, 0b11), pf(false, 0b10n, 0b10n, 0b01), pf(false, 0b10n, 0b10n, 0b10)]).toEqual([false, true, false]);
    // The usual "all page faults" (bit 1, mask 0, match 0) and "none" (bit 0, mask 0, match 0) settings.
    expect(pf(false, 0n, 0n, 0x1f)).toBe(false);
  });
});

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('event exits on %s', (_id, p) => {
  const withBitmap = (bitmap: bigint, extra: Record<string, bigint> = {}) =>
    launchedRig(p, (f) => {
      f.set('EXCEPTION_BITMAP', bitmap);
      for (const [k, v] of Object.entries(extra)) f.set(k, v);
    });

  it('an exception in the bitmap exits (reason 0) with valid interruption info, type 3 and its error code; guest RIP = the instruction', () => {
    const rig = withBitmap(1n << 13n);
    const rip = rig.cpu.state.rip;
    expect(rig.model.hooks.interceptEvent!(rig.cpu, GP, 0x18, 'fault')).toBe(true);
    expect(rig.model.mode()).toBe('root');
    expect([fieldOf(rig, 'VM_EXIT_REASON'), fieldOf(rig, 'VM_EXIT_INTR_INFO'), fieldOf(rig, 'VM_EXIT_INTR_ERROR_CODE')]).toEqual([0n, 0x8000_0b0dn, 0x18n]);
    expect(fieldOf(rig, 'GUEST_RIP')).toBe(BigInt(rip));
    expect(fieldOf(rig, 'IDT_VECTORING_INFO_FIELD')).toBe(0n);
    expect(rig.model.takeReports()).toMatchObject([{ kind: 'vmexit', reason: 0, name: 'EXCEPTION_NMI', qualification: 0n }]);
  });

  it('an exception outside the bitmap is left to the guest IDT (no exit)', () => {
    const rig = withBitmap(1n << 13n);
    expect(rig.model.hooks.interceptEvent!(rig.cpu, UD, undefined, 'fault')).toBe(false);
    expect(rig.model.mode()).toBe('non-root');
  });

  it('#PF: the qualification is the faulting linear address (CR2 unchanged), error code valid', () => {
    const rig = withBitmap(1n << 14n);
    const cr2 = rig.cpu.state.cr2;
    expect(rig.model.hooks.interceptEvent!(rig.cpu, PF, 0x6, 'fault', { cr2: 0x7fff_1234 })).toBe(true);
    expect([fieldOf(rig, 'EXIT_QUALIFICATION'), fieldOf(rig, 'VM_EXIT_INTR_INFO'), fieldOf(rig, 'VM_EXIT_INTR_ERROR_CODE')]).toEqual([0x7fff_1234n, 0x8000_0b0en, 0x6n]);
    expect(rig.cpu.state.cr2).toBe(cr2);
  });

  it('#PF with PFEC mask/match not matching: no exit', () => {
    const rig = withBitmap(1n << 14n, { PAGE_FAULT_ERROR_CODE_MASK: 0x2n, PAGE_FAULT_ERROR_CODE_MATCH: 0x2n });
    expect(rig.model.hooks.interceptEvent!(rig.cpu, PF, 0x4, 'fault', { cr2: 0x1000 })).toBe(false);
    expect(rig.model.hooks.interceptEvent!(rig.cpu, PF, 0x6, 'fault', { cr2: 0x1000 })).toBe(true);
  });

  it('#DB: the qualification carries DR6 B3-B0 / BD / BS (Table 28-1)', () => {
    const rig = withBitmap(1n << 1n);
    rig.cpu.state.dr[6] = 0xffff_4ff1n; // BS and B0, with DR6's fixed-1 bits
    expect(rig.model.hooks.interceptEvent!(rig.cpu, DB, undefined, 'trap')).toBe(true);
    expect([fieldOf(rig, 'EXIT_QUALIFICATION'), fieldOf(rig, 'VM_EXIT_INTR_INFO')]).toEqual([0x4001n, 0x8000_0301n]);
  });

  it('software interrupts (INT n) are never intercepted by the exception bitmap', () => {
    const rig = withBitmap(0xffff_ffffn);
    expect(rig.model.hooks.interceptEvent!(rig.cpu, 3, undefined, 'software')).toBe(false);
    expect(rig.model.hooks.interceptEvent!(rig.cpu, 0x80, undefined, 'software')).toBe(false);
  });

  it('a fault while delivering an event records the event as IDT-vectoring information', () => {
    const rig = withBitmap(1n << 11n);
    expect(rig.model.hooks.interceptEvent!(rig.cpu, GP, 0, 'fault')).toBe(false);
    expect(rig.model.hooks.interceptEvent!(rig.cpu, NP, 0x6a, 'fault')).toBe(true);
    expect([fieldOf(rig, 'IDT_VECTORING_INFO_FIELD'), fieldOf(rig, 'IDT_VECTORING_ERROR_CODE')]).toEqual([0x8000_0b0dn, 0n]);
    expect([fieldOf(rig, 'VM_EXIT_INTR_INFO'), fieldOf(rig, 'VM_EXIT_INTR_ERROR_CODE')]).toEqual([0x8000_0b0bn, 0x6an]);
  });

  it('a new instruction boundary ends the delivery: no vectoring information afterwards', () => {
    const rig = withBitmap(1n << 6n);
    rig.model.hooks.interceptEvent!(rig.cpu, GP, 0, 'fault');
    expect(rig.step(insn('nop', [], 1))).toBeUndefined();
    expect(rig.model.hooks.interceptEvent!(rig.cpu, UD, undefined, 'fault')).toBe(true);
    expect(fieldOf(rig, 'IDT_VECTORING_INFO_FIELD')).toBe(0n);
  });

  it('a triple fault exits with reason 2 whatever the bitmap says', () => {
    const rig = withBitmap(0n);
    expect(rig.model.hooks.interceptEvent!(rig.cpu, 8, 0, 'triple-fault')).toBe(true);
    expect(fieldOf(rig, 'VM_EXIT_REASON')).toBe(2n);
  });

  it('blocking by STI right after STI is saved in the interruptibility state; one instruction later it is gone', () => {
    const rig = withBitmap(1n << 6n);
    const s = rig.cpu.state;
    s.shadowUntil = s.icount + 1; // as right after an STI retired
    expect(rig.model.hooks.intercept!(rig.cpu, insn('cpuid', [], 2))).toBe(true);
    expect(fieldOf(rig, 'GUEST_INTERRUPTIBILITY_INFO')).toBe(1n);
    const again = withBitmap(1n << 6n);
    const t = again.cpu.state;
    t.shadowUntil = t.icount + 1;
    expect(again.step(insn('nop', [], 1))).toBeUndefined(); // the instruction STI's shadow covers
    expect(again.model.hooks.intercept!(again.cpu, insn('cpuid', [], 2))).toBe(true);
    expect(fieldOf(again, 'GUEST_INTERRUPTIBILITY_INFO')).toBe(0n);
  });

  it('with "save VMX-preemption timer value", an exit saves what is left of the timer', () => {
    const pin = p.msrs[0x481] ?? 0n;
    const exitCaps = p.msrs[0x483] ?? 0n;
    if (((pin >> 32n) & (1n << 6n)) === 0n || ((exitCaps >> 32n) & (1n << 22n)) === 0n) return; // not on this processor
    const rig = launchedRig(p, (f) => {
      f.set('PIN_BASED_VM_EXEC_CONTROL', f.get('PIN_BASED_VM_EXEC_CONTROL')! | (1n << 6n));
      f.set('VM_EXIT_CONTROLS', f.get('VM_EXIT_CONTROLS')! | (1n << 22n));
      f.set('VMX_PREEMPTION_TIMER_VALUE', 1000n);
    });
    for (let i = 0; i < 5; i++) expect(rig.step(insn('nop', [], 1))).toBeUndefined();
    expect(rig.step(insn('cpuid', [], 2))).toBe('intercepted');
    const rate = (p.msrs[0x485] ?? 0n) & 0x1fn;
    const left = fieldOf(rig, 'VMX_PREEMPTION_TIMER_VALUE');
    expect(left).toBeLessThanOrEqual(1000n);
    expect(1000n - left).toBeLessThanOrEqual((6n >> rate) + 1n);
    vmwriteField(rig, 'GUEST_RIP', fieldOf(rig, 'GUEST_RIP') + 2n);
  });
});

describe('interruption types (Table 25-17)', () => {
  it('INT3/INTO are software exceptions, INT1 a privileged software exception, INT n a software interrupt, the rest hardware exceptions', async () => {
    const { eventType } = await import('./events.ts');
    expect(eventType(3, 'software', 'int3')).toBe(6);
    expect(eventType(4, 'software', 'into')).toBe(6);
    expect(eventType(1, 'trap', 'int1')).toBe(5);
    expect(eventType(3, 'software', 'int')).toBe(4);
    expect(eventType(0x80, 'software', 'int')).toBe(4);
    expect(eventType(13, 'fault', 'int3')).toBe(3); // a #GP is a hardware exception whatever raised it
    expect(eventType(1, 'trap', 'nop')).toBe(3); // single-step #DB
    expect(eventType(0x20, 'interrupt', undefined)).toBe(0);
    expect(eventType(2, 'interrupt', undefined)).toBe(2);
  });
});

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('HLT without HLT exiting on %s', (_id, p) => {
  const cap1 = (msr: number, bit: number) => (((p.msrs[msr] ?? 0n) >> 32n) >> BigInt(bit)) & 1n;
  it('with the monitor trap flag: HLT completes and an MTF exit follows, saving the HLT activity state and the next RIP', () => {
    if (cap1(0x482, 27) === 0n) return; // no MTF on this processor
    const rig = launchedRig(p, (f) => f.set('CPU_BASED_VM_EXEC_CONTROL', f.get('CPU_BASED_VM_EXEC_CONTROL')! | (1n << 27n)));
    const rip = rig.cpu.state.rip;
    expect(rig.step(insn('hlt', [], 1))).toBe('intercepted');
    expect([fieldOf(rig, 'VM_EXIT_REASON'), fieldOf(rig, 'GUEST_ACTIVITY_STATE'), fieldOf(rig, 'GUEST_RIP')]).toEqual([37n, 1n, BigInt(rip + 1)]);
    expect(rig.cpu.state.activity).toBe('active'); // the host runs
  });
  it('with the preemption timer: the halted guest leaves with a timer exit, the timer saved as expired', () => {
    if (cap1(0x481, 6) === 0n || cap1(0x483, 22) === 0n) return; // no timer (or no save) on this processor
    const rig = launchedRig(p, (f) => {
      f.set('PIN_BASED_VM_EXEC_CONTROL', f.get('PIN_BASED_VM_EXEC_CONTROL')! | (1n << 6n));
      f.set('VM_EXIT_CONTROLS', f.get('VM_EXIT_CONTROLS')! | (1n << 22n));
      f.set('VMX_PREEMPTION_TIMER_VALUE', 100000n);
    });
    expect(rig.step(insn('hlt', [], 1))).toBe('intercepted');
    expect([fieldOf(rig, 'VM_EXIT_REASON'), fieldOf(rig, 'GUEST_ACTIVITY_STATE'), fieldOf(rig, 'VMX_PREEMPTION_TIMER_VALUE')]).toEqual([52n, 1n, 0n]);
  });
  it('with neither, HLT is left to the executor (the guest halts)', () => {
    const rig = launchedRig(p);
    expect(rig.model.hooks.intercept!(rig.cpu, insn('hlt', [], 1))).toBe(false);
  });
});

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('pending debug exceptions on %s', (_id, p) => {
  it('HLT run with RFLAGS.TF = 1 and MTF: the single-step trap the exit overtook is saved as BS; without TF none', () => {
    if ((((p.msrs[0x482] ?? 0n) >> 32n) >> 27n & 1n) === 0n) return; // no MTF on this processor
    const launch = (tf: boolean) => launchedRig(p, (f) => {
      f.set('CPU_BASED_VM_EXEC_CONTROL', f.get('CPU_BASED_VM_EXEC_CONTROL')! | (1n << 27n));
      if (tf) f.set('GUEST_RFLAGS', f.get('GUEST_RFLAGS')! | 0x100n);
    });
    const withTf = launch(true);
    withTf.step(insn('hlt', [], 1));
    expect(fieldOf(withTf, 'GUEST_PENDING_DBG_EXCEPTIONS')).toBe(0x4000n);
    const without = launch(false);
    without.step(insn('hlt', [], 1));
    expect(fieldOf(without, 'GUEST_PENDING_DBG_EXCEPTIONS')).toBe(0n);
  });
});

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('software exceptions on %s', (_id, p) => {
  it('INT3 selected by bit 3 exits as a software exception (type 6) with its instruction length; INT 3 (CD 03) is a software interrupt and does not exit', () => {
    const rig = launchedRig(p, (f) => f.set('EXCEPTION_BITMAP', 1n << 3n));
    const int3 = insn('int3', [], 1);
    expect(rig.model.hooks.intercept!(rig.cpu, int3)).toBe(false);
    expect(rig.model.hooks.interceptEvent!(rig.cpu, 3, undefined, 'software')).toBe(true);
    expect([fieldOf(rig, 'VM_EXIT_INTR_INFO'), fieldOf(rig, 'VM_EXIT_INSTRUCTION_LEN')]).toEqual([0x8000_0603n, 1n]);
    expect(rig.model.takeReports().at(-1)).toMatchObject({ kind: 'vmexit', reason: 0, instruction: 'int3' });
    const other = launchedRig(p, (f) => f.set('EXCEPTION_BITMAP', 1n << 3n));
    const int = insn('int', [{ kind: 'imm', value: 3n, size: 1 }], 2);
    expect(other.model.hooks.intercept!(other.cpu, int)).toBe(false);
    expect(other.model.hooks.interceptEvent!(other.cpu, 3, undefined, 'software')).toBe(false);
  });
});

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('entering the HLT activity state on %s', (_id, p) => {
  it('with the preemption timer active, the guest leaves at once with reason 52 (activity state HLT saved)', () => {
    if ((((p.msrs[0x481] ?? 0n) >> 32n) >> 6n & 1n) === 0n) return; // no timer on this processor
    const rig = launchedRig(p, (f) => {
      f.set('PIN_BASED_VM_EXEC_CONTROL', f.get('PIN_BASED_VM_EXEC_CONTROL')! | (1n << 6n));
      f.set('VMX_PREEMPTION_TIMER_VALUE', 500n);
      f.set('GUEST_ACTIVITY_STATE', 1n);
    }, false);
    expect(rig.model.mode()).toBe('root');
    expect([fieldOf(rig, 'VM_EXIT_REASON'), fieldOf(rig, 'GUEST_ACTIVITY_STATE')]).toEqual([52n, 1n]);
    expect(rig.model.takeReports().filter((r) => r.kind !== 'vmx').map((r) => r.kind)).toEqual(['vmentry', 'vmexit']);
  });
});
