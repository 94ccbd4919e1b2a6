// Conformance programs (STYLE rule 18e): lab-asm VMX scenarios run end to end on every profile
// through the Machine with the VT-x model plugged in.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../arch/profiles/index.ts';
import { readFileSync } from 'node:fs';
import { runProgram } from './run-program.ts';

/** Runs a program of this folder; see run-program.ts. */
function runConformance(file: string, profile: string, msrs?: ReadonlyMap<number, bigint>, edit?: (s: string) => string) {
  return runProgram(readFileSync(new URL(file, import.meta.url), 'utf8'), profile, msrs, edit);
}
import { VmxCaps } from '../../vmx/caps.ts';

const GOOD = 0x600dn;

describe.each(PROFILES.map((p) => [p.id] as const))('bring-up on %s', (profile) => {
  it('reaches the guest, comes back on each VMCALL, and VMRESUMEs in between', () => {
    const { machine, diagnostics } = runConformance('bringup.asm', profile);
    expect(diagnostics).toEqual([]);
    const stop = machine.events.find((e) => e.kind === 'stop');
    const failedChecks = machine.events.filter((e) => e.kind === 'vmexit' && e.entryFailure);
    expect({ stop, failedChecks, rbx: machine.cpu.getGpr64(3) }).toMatchObject({ rbx: GOOD, failedChecks: [] });
    expect(machine.cpu.getGpr64(15)).toBe(2n);
    expect(machine.cpu.getGpr64(14)).toBe(18n);
    const kinds = machine.events.filter((e) => e.kind === 'vmentry' || e.kind === 'vmexit').map((e) => (e.kind === 'vmexit' ? `exit ${e.reason}` : 'entry'));
    expect(kinds).toEqual(['entry', 'exit 18', 'entry', 'exit 18']);
    expect(machine.mode).toBe('root');
  });
});

describe.each(PROFILES.map((p) => [p.id] as const))('VMX instruction outcomes on %s', (profile) => {
  it('gives every VMfailInvalid / VMfailValid(n) the SDM defines, one event per VMX instruction', () => {
    const { machine, diagnostics } = runConformance('outcomes.asm', profile);
    expect(diagnostics).toEqual([]);
    expect(machine.cpu.getGpr64(3)).toBe(GOOD);
    const last = machine.events.at(-1);
    expect(last).toMatchObject({ kind: 'stop', reason: 'fault' });
    const fault = machine.events.find((e) => e.kind === 'fault');
    expect(fault).toMatchObject({ kind: 'fault', vector: 6, name: '#UD', text: 'vmxoff' });
    const errors = machine.events.flatMap((e) => (e.kind === 'vmx' && e.result === 'VMfailValid' ? [e.error] : []));
    expect(errors.slice(0, 11)).toEqual([15, 2, 3, 9, 10, 11, 12, 1, 5, 26, 7]);
    // Every VMX instruction executed gave exactly one event at its own line.
    const vmxEvents = machine.events.filter((e) => e.kind === 'vmx');
    expect(new Set(vmxEvents.map((e) => e.step)).size).toBe(vmxEvents.length);
    expect(vmxEvents.every((e) => e.line !== undefined && /^vm|^inv/.test(e.text ?? ''))).toBe(true);
  });
});

describe.each(PROFILES.map((p) => [p.id] as const))('VMXON faults on %s', (profile) => {
  const faultOf = (file: string, msrs?: ReadonlyMap<number, bigint>) => {
    const { machine, diagnostics } = runConformance(file, profile, msrs);
    expect(diagnostics).toEqual([]);
    return machine.events.find((e) => e.kind === 'fault');
  };
  it('#UD with CR4.VMXE clear', () => {
    expect(faultOf('vmxon-ud.asm')).toMatchObject({ vector: 6, text: expect.stringMatching(/^vmxon/) });
  });
  it('VMsucceed from the starting machine once CR4.VMXE is set', () => {
    const { machine } = runConformance('vmxon-gp.asm', profile);
    expect(machine.cpu.getGpr64(3)).toBe(GOOD);
    expect(machine.mode).toBe('root');
  });
  it.each([
    ['unlocked', 0x4n],
    ['locked with VMX outside SMX disabled', 0x1n],
  ])('#GP(0) with IA32_FEATURE_CONTROL %s', (_w, fc) => {
    expect(faultOf('vmxon-gp.asm', new Map([[0x3a, fc]]))).toMatchObject({ vector: 13, errorCode: 0 });
  });
  it('#GP(0) with CR0.NE clear', () => {
    expect(faultOf('vmxon-gp-cr0.asm')).toMatchObject({ vector: 13, errorCode: 0, explain: expect.stringContaining('CR0.NE') });
  });
});

describe.each(PROFILES.map((p) => [p.id] as const))('VM-entry failures of the bring-up on %s', (profile) => {
  /** The bring-up with one VMWRITE value replaced: `field` gets `value` instead. */
  const breaking = (field: string, value: string) => (src: string) => {
    const re = new RegExp(`(\\n\\s+)mov (e?r?bx), [^\\n]+(\\n\\s+mov eax, ${field}\\n)`);
    if (!re.test(src)) throw new Error(`no VMWRITE of ${field} in bringup.asm`);
    return src.replace(re, `$1mov rbx, ${value}$3`);
  };

  it('a broken guest RFLAGS gives exit reason 33 | 0x80000000 at HOST_RIP, with the check that decided it', () => {
    const { machine } = runConformance('bringup.asm', profile, undefined, breaking('GUEST_RFLAGS', '0'));
    const exit = machine.events.find((e) => e.kind === 'vmexit');
    expect(exit).toMatchObject({ kind: 'vmexit', reason: 33, name: 'INVALID_GUEST_STATE', entryFailure: true, qualification: 0n });
    expect(exit?.kind === 'vmexit' && exit.check).toMatch(/^guest\.rflags/);
    expect(machine.cpu.getGpr64(14)).toBe(0x8000_0021n); // the handler read the exit reason
    expect(machine.cpu.getGpr64(3)).toBe(0xbadn);
  });

  it('a host RIP that is not canonical gives VMfailValid(8) and VMLAUNCH falls through', () => {
    const { machine } = runConformance('bringup.asm', profile, undefined, (src) => src.replace('    lea rbx, [vmexit_handler]\n', '    mov rbx, 0x0100000000000000\n'));
    const launch = machine.events.filter((e) => e.kind === 'vmx').at(-1);
    expect(launch).toMatchObject({ kind: 'vmx', result: 'VMfailValid', error: 8, text: 'vmlaunch' });
    expect(machine.cpu.getGpr64(3)).toBe(0xbadn);
  });
});

describe.each(PROFILES.map((p) => [p.id, p] as const))('INVEPT and INVVPID on %s', (profile, p) => {
  it('succeed for all-context, VMfailValid(28) for an unsupported type or VPID 0; #UD without EPT', () => {
    const caps = new VmxCaps((i) => p.msrs[i] ?? 0n, p.maxPhysAddr);
    const { machine, diagnostics } = runConformance('invalidate.asm', profile);
    expect(diagnostics).toEqual([]);
    const inv = machine.events.filter((e) => (e.kind === 'vmx' || e.kind === 'fault') && /^inv/.test(e.text ?? ''));
    if (!caps.ept || !caps.invept) {
      expect(inv).toMatchObject([{ kind: 'fault', vector: 6 }]);
      return;
    }
    expect(inv.map((e) => (e.kind === 'vmx' ? `${e.result}${e.error ?? ''}` : e.kind))).toEqual(['VMsucceed', 'VMfailValid28', 'VMsucceed', 'VMfailValid28']);
    expect(machine.cpu.getGpr64(3)).toBe(GOOD);
  });
});

describe.each(PROFILES.map((p) => [p.id] as const))('event injection on %s', (profile) => {
  it('an injected #UD meets the not-present IDT gates of the shared IDT: #NP, #DF, then a triple-fault VM exit', () => {
    const inject = (src: string) => src.replace('    ; -- 9. launch\n', '    ; -- 9. launch\n    mov ebx, 0x80000306\n    mov eax, VM_ENTRY_INTR_INFO_FIELD\n    call vmw\n');
    const { machine } = runConformance('bringup.asm', profile, undefined, inject);
    const kinds = machine.events.filter((e) => e.kind === 'vmentry' || e.kind === 'vmexit').map((e) => (e.kind === 'vmexit' ? `exit ${e.reason}` : 'entry'));
    expect(kinds[0]).toBe('entry');
    expect(kinds[1]).toBe('exit 2');
    expect(machine.cpu.getGpr64(14)).toBe(2n); // the host read EXIT_REASON_TRIPLE_FAULT
  });
});
