import { describe, expect, it } from 'vitest';
import { VmExitUnwind } from './env.ts';
import { X86Fault } from './fault.ts';
import { deliverException } from './interrupts.ts';
import { makeRig, reg, run1, setReg, T } from './testing.ts';

describe('VMX hooks', () => {
  it('in non-root operation an intercepted instruction does not execute; RIP is the hook\'s', () => {
    const rig = makeRig();
    const seen: string[] = [];
    rig.env.vmx = {
      execute: () => undefined,
      inNonRoot: () => true,
      intercept: (cpu, insn) => {
        seen.push(insn.mnemonic);
        if (insn.mnemonic !== 'cpuid') return false;
        cpu.state.rip = 0x50000; // the hook performed a VM exit to the host
        return true;
      },
    };
    setReg(rig, 0, 0n);
    run1(rig, '0f a2'); // cpuid: intercepted
    expect(rig.cpu.state.rip).toBe(0x50000);
    expect(reg(rig, 0)).toBe(0n);
    rig.cpu.state.rip = T.CODE;
    run1(rig, '48 ff c0'); // inc rax: not intercepted
    expect(reg(rig, 0)).toBe(1n);
    expect(seen).toEqual(['cpuid', 'inc']);
  });
  it('VMX instructions go to execute(); a returned stop ends the step', () => {
    const rig = makeRig();
    rig.env.vmx = { execute: (_c, insn) => ({ kind: 'stop', message: `saw ${insn.mnemonic}` }) };
    expect(run1(rig, '0f 01 c1')).toEqual({ kind: 'stop', message: 'saw vmcall' });
  });
  it('an event in non-root operation is offered to interceptEvent first', () => {
    const rig = makeRig();
    const events: [number, string][] = [];
    rig.env.vmx = {
      execute: () => undefined,
      inNonRoot: () => true,
      interceptEvent: (_c, v, _e, kind) => {
        events.push([v, kind]);
        return true;
      },
    };
    expect(deliverException(rig.cpu, new X86Fault(13, 0, 'test'))).toEqual({ kind: 'vmexit' });
    expect(events).toEqual([[13, 'fault']]);
  });
});

describe('EPT hook (translateGuestPhysical)', () => {
  it('in non-root operation every guest-physical access goes through it; a VmExitUnwind passes through', () => {
    const rig = makeRig();
    const seen: string[] = [];
    let nonRoot = false;
    rig.env.vmx = {
      execute: () => undefined,
      inNonRoot: () => nonRoot,
      translateGuestPhysical: (_c, gpa, acc) => {
        seen.push(`${acc.guestPaging ? 'paging' : acc.fetch ? 'fetch' : acc.write ? 'write' : 'read'}:${gpa.toString(16)}`);
        if (gpa >= 0x300000 && gpa < 0x301000) throw new VmExitUnwind(48, 'EPT violation (test)');
        // Guest-physical page 0x20000 lives at host 0x21000; everything else is identity.
        return gpa >= 0x20000 && gpa < 0x21000 ? gpa + 0x1000 : gpa;
      },
    };
    rig.mem.write32(0x21010, 0xfeed);
    nonRoot = true;
    rig.cpu.stateChanged();
    setReg(rig, 3, 0x20010n);
    run1(rig, '8b 03'); // mov eax, [rbx]
    expect(reg(rig, 0)).toBe(0xfeedn);
    expect(seen).toContain('read:20010');
    expect(seen.some((x) => x.startsWith('paging:'))).toBe(true);
    expect(seen.some((x) => x.startsWith('fetch:'))).toBe(true);
    setReg(rig, 3, 0x300000n);
    const rip = rig.cpu.state.rip;
    expect(() => run1(rig, '8b 03')).toThrow(VmExitUnwind);
    expect(rig.cpu.state.rip).toBe(rip);
    nonRoot = false;
    rig.cpu.stateChanged();
    seen.length = 0;
    run1(rig, '8b 03');
    expect(seen).toEqual([]);
  });
});
