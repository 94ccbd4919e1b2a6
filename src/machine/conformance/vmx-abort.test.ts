// VMX aborts end to end (SDM Vol. 3C §28.7 "VMX Aborts"): exit-loop.asm with a VM-exit MSR-load
// or MSR-store list the processor cannot process. The guest's VMCALL exit then aborts: the abort
// indicator lands in bytes 4-7 of the VMCS region and the processor shuts down, which the machine
// reports as its stop, with the cause.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PHYS_OFFSET } from '../../arch/lab.ts';
import { PROFILES } from '../../arch/profiles/index.ts';
import { runProgram } from './run-program.ts';

const SOURCE = readFileSync(new URL('exit-loop.asm', import.meta.url), 'utf8');

/** exit-loop.asm with one 16-byte entry (index, value) in an MSR list of the VM-exit controls. */
function withList(profile: string, list: 'load' | 'store', index: string, value = '0', reserved = 0) {
  const count = list === 'load' ? 'VM_EXIT_MSR_LOAD_COUNT' : 'VM_EXIT_MSR_STORE_COUNT';
  const addr = list === 'load' ? 'VM_EXIT_MSR_LOAD_ADDR' : 'VM_EXIT_MSR_STORE_ADDR';
  const setup = [
    `    mov dword [msr_areas], ${index}`, `    mov dword [msr_areas + 4], ${reserved}`, `    mov rax, ${value}`, '    mov [msr_areas + 8], rax',
    '    mov rbx, PA(msr_areas)', `    mov eax, ${addr}`, '    call vmw',
    '    mov ebx, 1', `    mov eax, ${count}`, '    call vmw',
  ].join('\n');
  const r = runProgram(SOURCE, profile, undefined, (s) => s.replace('    ; @SETUP\n', `${setup}\n`), 200_000);
  expect(r.diagnostics).toEqual([]);
  const region = Number(r.symbols.get('vmcs_region')! - PHYS_OFFSET);
  const stop = r.machine.events.find((e) => e.kind === 'stop');
  return { m: r.machine, indicator: r.machine.memory.read32(region + 4), message: stop?.kind === 'stop' ? stop.message : '' };
}

describe.each(PROFILES.map((p) => [p.id] as const))('VMX aborts on %s', (profile) => {
  it('a VM-exit MSR-load entry WRMSR would refuse (a read-only capability MSR): abort 4, shutdown', () => {
    const r = withList(profile, 'load', 'MSR_IA32_VMX_BASIC');
    expect(r.m.stopped).toBe('shutdown');
    expect(r.indicator).toBe(4);
    expect(r.m.cpu.activity).toBe('shutdown');
    expect(r.message).toMatch(/^VMX abort 4: VM-exit MSR-load entry 1 \(MSR 0x480/);
    // No VM exit completed: the guest's VMCALL left no vmexit event.
    expect(r.m.events.filter((e) => e.kind === 'vmexit')).toEqual([]);
  });

  it('a VM-exit MSR-store entry for IA32_SMBASE (9EH) outside SMM: abort 1', () => {
    const r = withList(profile, 'store', '0x9e');
    expect([r.indicator, r.m.stopped]).toEqual([1, 'shutdown']);
    expect(r.message).toMatch(/^VMX abort 1: VM-exit MSR-store entry 1/);
  });
});

describe('VMX aborts: the other load-list cases (one profile: the rule does not depend on it)', () => {
  const profile = 'skylake-client';
  it('a VM-exit MSR-load entry for IA32_FS_BASE, or with bits 63:32 set: abort 4', () => {
    expect(withList(profile, 'load', 'MSR_FS_BASE').indicator).toBe(4);
    expect(withList(profile, 'load', 'MSR_IA32_CR_PAT', '0x0007040600070406', 1).indicator).toBe(4);
  });

  it('a valid VM-exit MSR-load entry is loaded: no abort, the run ends as usual', () => {
    const r = withList(profile, 'load', 'MSR_IA32_CR_PAT', '0x0606060606060606');
    expect(r.indicator).toBe(0);
    expect(r.m.stopped).toBe('halted');
    expect(r.m.cpu.msrs.get(0x277)).toBe(0x0606060606060606n);
  });
});
