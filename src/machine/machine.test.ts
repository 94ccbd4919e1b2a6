import { describe, it, expect } from 'vitest';
import { assemble } from '../asm/index.ts';
import { LAB_BASE } from '../arch/lab.ts';
import { Machine } from './machine.ts';
import type { FaultEvent, MachineEvent } from './events.ts';

function machineFor(source: string, opts: ConstructorParameters<typeof Machine>[0] = {}): Machine {
  const asm = assemble(source);
  if (!asm.ok) throw new Error(asm.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));
  const m = new Machine({ vmx: null, ...opts });
  m.load(asm);
  return m;
}

const rax = (m: Machine) => m.cpu.getGpr64(0);

describe('Machine', () => {
  it('runs a program to hlt and stops with "halted"', () => {
    const m = machineFor('mov eax, 5\nadd eax, 7\npush rax\npop rbx\nhlt\n');
    const r = m.run({ maxSteps: 100 });
    expect(r).toEqual({ kind: 'stopped', reason: 'halted', steps: 5 });
    expect(rax(m)).toBe(12n);
    expect(m.cpu.getGpr64(3)).toBe(12n);
    const stop = m.events.at(-1)!;
    expect(stop).toMatchObject({ kind: 'stop', reason: 'halted', step: 5, line: 5, text: 'hlt', rip: LAB_BASE + 10n });
  });

  it('stops on an exception whose IDT gate is not present, with vector, instruction, line and reason', () => {
    // 0x1000 is a physical address: only PHYS_OFFSET + 0x1000 is mapped, so this is a #PF.
    const src = 'nop\nmov rbx, 0x1000\nbad: mov rax, [rbx]\nhlt\n';
    const bad = assemble(src).symbols.get('bad')!;
    const m = machineFor(src);
    const r = m.run({ maxSteps: 100 });
    expect(r).toMatchObject({ kind: 'stopped', reason: 'fault' });
    const f = m.events.find((e): e is FaultEvent => e.kind === 'fault')!;
    expect(f).toMatchObject({ step: 3, line: 3, vector: 14, name: '#PF', rip: bad, text: 'mov rax, [rbx]' });
    expect(f.errorCode).toBe(0);
    expect(f.explain.length).toBeGreaterThan(10);
    expect(m.cpu.getRip64()).toBe(bad);
  });

  it('maps all of RAM (1 GiB) in the direct map and nothing above it', () => {
    const ok = machineFor('mov rax, PHYS_OFFSET + 0x3ffffff8\nmov rbx, [rax]\nmov [rax], rax\nhlt\n');
    expect(ok.run({ maxSteps: 10 })).toMatchObject({ kind: 'stopped', reason: 'halted' });
    const above = machineFor('mov rax, PHYS_OFFSET + 0x40000000\nmov rbx, [rax]\nhlt\n');
    above.run({ maxSteps: 10 });
    expect(above.events[0]).toMatchObject({ kind: 'fault', name: '#PF', line: 2 });
  });

  it('stops with "shutdown" when software pulses the fast-reset bit of port 0x92', () => {
    const m = machineFor('in al, 0x92\nor al, 1\nout 0x92, al\nhlt\n');
    expect(m.run({ maxSteps: 10 })).toMatchObject({ kind: 'stopped', reason: 'shutdown', steps: 3 });
    expect(m.events.at(-1)).toMatchObject({ kind: 'stop', reason: 'shutdown', line: 3 });
  });

  it('reports #UD for ud2', () => {
    const m = machineFor('ud2\n');
    m.run({ maxSteps: 10 });
    expect(m.events[0]).toMatchObject({ kind: 'fault', vector: 6, name: '#UD', line: 1, text: 'ud2' });
    expect(m.stopped).toBe('fault');
  });

  it('ends an endless loop at the step budget', () => {
    const m = machineFor('l: jmp l\n');
    expect(m.run({ maxSteps: 1000 })).toEqual({ kind: 'max-steps', steps: 1000 });
    expect(m.stopped).toBeNull();
    expect(m.run({ maxSteps: 10 })).toEqual({ kind: 'max-steps', steps: 1010 });
  });

  it('pauses at a breakpoint and goes on when run again', () => {
    const m = machineFor('mov ecx, 3\nl: dec ecx\njnz l\nhlt\n');
    m.breakpoints.add(LAB_BASE + 5n);
    expect(m.run({ maxSteps: 100 })).toEqual({ kind: 'breakpoint', rip: LAB_BASE + 5n, steps: 1 });
    expect(m.run({ maxSteps: 100 })).toEqual({ kind: 'breakpoint', rip: LAB_BASE + 5n, steps: 3 });
    m.breakpoints.clear();
    expect(m.run({ maxSteps: 100 })).toMatchObject({ kind: 'stopped', reason: 'halted' });
  });

  it('restores a snapshot exactly (registers, memory, events, step count)', () => {
    const m = machineFor('mov rbx, 0x1000\nl: inc rax\nmov [rsp-8], rax\ncmp rax, rbx\njne l\nhlt\n');
    m.run({ maxSteps: 50 });
    const s = m.snapshot();
    const stackPhys = Number(m.cpu.getGpr64(4) - 0xffff888000000000n) - 8;
    const before = { rax: rax(m), mem: m.memory.read64(stackPhys), steps: m.steps, events: m.events.length };
    m.run({ maxSteps: 1000 });
    expect(rax(m)).not.toBe(before.rax);
    m.restore(s);
    expect({ rax: rax(m), mem: m.memory.read64(stackPhys), steps: m.steps, events: m.events.length }).toEqual(before);
    m.run({ maxSteps: 100_000 });
    expect(rax(m)).toBe(0x1000n);
  });

  it('steps back to an earlier step with the same state as running there directly', () => {
    const src = 'l: add rax, 3\nimul rax, rax, 7\nmov [rsp-16], rax\npush rax\npop rcx\njmp l\n';
    const m = machineFor(src, { history: true });
    for (let i = 0; i < 300; i++) m.step();
    expect(m.stepBack(137)).toBe(true);
    const fresh = machineFor(src);
    fresh.run({ maxSteps: 163 });
    expect(m.steps).toBe(163);
    expect(rax(m)).toBe(rax(fresh));
    expect(m.cpu.getGpr64(1)).toBe(fresh.cpu.getGpr64(1));
    expect(m.cpu.rip).toBe(fresh.cpu.rip);
  });

  it('reset boots again: RIP at LAB_BASE, registers cleared, events gone', () => {
    const m = machineFor('mov eax, 1\nud2\n');
    m.run({ maxSteps: 10 });
    m.reset();
    expect(m.cpu.getRip64()).toBe(LAB_BASE);
    expect(rax(m)).toBe(0n);
    expect(m.events).toEqual([]);
    expect(m.stopped).toBeNull();
  });

  it('notifies listeners by kind and by "*", and unsubscribes', () => {
    const m = machineFor('ud2\n');
    const all: MachineEvent[] = [];
    const faults: FaultEvent[] = [];
    const off = m.on('*', (e) => all.push(e));
    m.on('fault', (e) => faults.push(e));
    m.run({ maxSteps: 10 });
    expect(all.map((e) => e.kind)).toEqual(['fault', 'stop']);
    expect(faults).toHaveLength(1);
    off();
    m.reset();
    m.run({ maxSteps: 10 });
    expect(all).toHaveLength(2);
    expect(faults).toHaveLength(2);
  });

  it('stops on a VMX instruction when no VT-x model is plugged in', () => {
    const m = machineFor('mov rax, 0x1000\nvmxon [rax]\nhlt\n');
    m.run({ maxSteps: 10 });
    expect(m.stopped).toBe('fault');
    expect(m.events.at(-1)).toMatchObject({ kind: 'stop', line: 2, text: 'vmxon [rax]' });
    expect(m.mode).toBe('off');
  });

  it('reports VMX in CPUID, A20 enabled at port 0x92, and applies --msr overrides before the first instruction', () => {
    const m = machineFor('mov eax, 1\ncpuid\nmov r8, rcx\nin al, 0x92\nmov r9, rax\nmov ecx, 0x3a\nrdmsr\nhlt\n', { msrOverrides: new Map([[0x3a, 0x4n]]) });
    m.run({ maxSteps: 20 });
    expect(m.stopped).toBe('halted');
    expect((m.cpu.getGpr64(8) >> 5n) & 1n).toBe(1n);
    expect((m.cpu.getGpr64(9) >> 1n) & 1n).toBe(1n);
    expect(rax(m)).toBe(4n);
  });

  it('an override of a capability MSR edits this machine\'s profile copy only', () => {
    const src = 'mov ecx, 0x480\nrdmsr\nshl rdx, 32\nor rax, rdx\nhlt\n';
    const m = machineFor(src, { msrOverrides: new Map([[0x480, 0x00da040000000007n]]) });
    m.run({ maxSteps: 10 });
    expect(rax(m)).toBe(0x00da040000000007n);
    const other = machineFor(src);
    other.run({ maxSteps: 10 });
    expect(rax(other)).toBe(other.profile.profile.msrs[0x480]);
  });

  it('leaves IA32_FEATURE_CONTROL locked with VMX outside SMX by default', () => {
    const m = machineFor('mov ecx, 0x3a\nrdmsr\nhlt\n');
    m.run({ maxSteps: 10 });
    expect(rax(m)).toBe(5n);
  });

  it('delivers an exception through a gate the program made present', () => {
    const m = machineFor(IDT_PROGRAM('0x08'));
    expect(m.run({ maxSteps: 100 })).toMatchObject({ kind: 'stopped', reason: 'halted' });
    expect(m.cpu.getGpr64(12)).toBe(1n);
    expect(m.events.filter((e) => e.kind === 'fault')).toEqual([]);
  });

  it('shuts down on a triple fault (a present gate whose selector is beyond the GDT)', () => {
    const m = machineFor(IDT_PROGRAM('0x28'));
    expect(m.run({ maxSteps: 100 })).toMatchObject({ kind: 'stopped', reason: 'shutdown' });
    expect(m.events.at(-1)).toMatchObject({ kind: 'stop', reason: 'shutdown', text: 'int3' });
  });
});

/** A program that installs a #BP gate with the given code selector, then executes int3. */
function IDT_PROGRAM(selector: string): string {
  return `
    lea rax, [handler]
    mov [idt + 3*16], ax
    mov word [idt + 3*16 + 2], ${selector}
    mov word [idt + 3*16 + 4], 0x8e00
    shr rax, 16
    mov [idt + 3*16 + 6], ax
    shr rax, 16
    mov [idt + 3*16 + 8], eax
    lidt [idt_desc]
    int3
    hlt
handler:
    inc r12
    iretq
idt_desc: dw 4095
    dq idt
align 16
idt: times 4096 db 0
`;
}
