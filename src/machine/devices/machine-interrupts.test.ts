// End to end on the Machine: the PIT's IRQ0 through the 8259A to the processor's IDT, HLT woken
// by an interrupt, NMIs and their blocking until IRET, and step back across an interrupt.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/index.ts';
import { Machine } from '../machine.ts';

/** Installs a 64-bit interrupt gate for `vector` pointing at `label` (IDT of the starting machine, physical 0x2000). */
function gate(vector: number, label: string): string {
  return `
    lea rax, [rel ${label}]
    mov rdi, PHYS_OFFSET + 0x2000 + ${vector} * 16
    mov word [rdi], ax
    mov word [rdi + 2], 0x08
    mov word [rdi + 4], 0x8E00
    shr rax, 16
    mov word [rdi + 6], ax
    shr rax, 16
    mov dword [rdi + 8], eax
    mov dword [rdi + 12], 0`;
}

/** PIT channel 0 in mode 2 with `count`, IRQ0 unmasked; the handler counts in r12 and sends EOI. */
const TIMER = (count: number, body: string): string => `
${gate(0x20, 'timer')}
    mov al, 0x34
    out 0x43, al
    mov al, ${count & 0xff}
    out 0x40, al
    mov al, ${count >>> 8}
    out 0x40, al
    mov al, 0xFE
    out 0x21, al
    xor r12, r12
${body}
timer:
    inc r12
    mov al, 0x20
    out 0x20, al
    iretq
`;

function machineFor(source: string, history = true): Machine {
  const asm = assemble(source);
  expect(asm.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const m = new Machine({ history });
  m.load(asm);
  return m;
}

describe('interrupts from the devices', () => {
  it('with IF = 1 the PIT interrupts every N steps through IDT vector 0x20; with IF = 0 never', () => {
    const on = machineFor(TIMER(100, `
    sti
spin:
    inc r13
    cmp r13, 2000
    jne spin
    hlt`));
    on.run({ maxSteps: 10_000 });
    // About one interrupt per 100 steps over the ~6,000-step loop (each delivery and handler costs steps too).
    const ticks = Number(on.cpu.getGpr64(12));
    expect(ticks).toBeGreaterThan(40);
    expect(ticks).toBeLessThan(80);
    const off = machineFor(TIMER(100, `
spin:
    inc r13
    cmp r13, 2000
    jne spin
    hlt`));
    off.run({ maxSteps: 10_000 });
    expect(off.cpu.getGpr64(12)).toBe(0n);
    expect(off.stopped).toBe('halted');
    expect(off.devices.pic.master.irr & 1).toBe(1);
  });

  it('HLT with IF = 1 waits for the timer (idle steps count as PIT clocks), then continues after the HLT', () => {
    const m = machineFor(TIMER(500, `
    sti
    hlt
    mov r14, 1
    cli
    hlt`));
    const r = m.run({ maxSteps: 5_000 });
    expect(r.kind).toBe('stopped');
    expect(m.stopped).toBe('halted');
    expect(m.cpu.getGpr64(12)).toBe(1n);
    expect(m.cpu.getGpr64(14)).toBe(1n);
    // Woken by the first edge, 500 steps after the count was loaded.
    expect(m.steps).toBeGreaterThan(500);
    expect(m.steps).toBeLessThan(540);
  });

  it('STI blocks interrupts for one instruction: the instruction after STI runs before the handler', () => {
    const m = machineFor(TIMER(20, `
    mov r15, 0
wait:
    inc r15
    cmp r15, 30
    jne wait
    sti
    mov r14, r12
    cli
    hlt`));
    m.run({ maxSteps: 1_000 });
    // The request was pending long before STI; it is taken only after the MOV that follows STI.
    expect(m.cpu.getGpr64(14)).toBe(0n);
    expect(m.cpu.getGpr64(12)).toBeGreaterThanOrEqual(1n);
  });

  it('NMI: delivered through vector 2 even with IF = 0, blocked until IRET, a second one waits', () => {
    const m = machineFor(`
${gate(2, 'nmi')}
    xor r12, r12
spin:
    inc r13
    cmp r13, 200
    jne spin
    hlt
nmi:
    inc r12
    mov r14, r13
spin2:
    inc r13
    cmp r14, r13
    jne .next
.next:
    mov rax, r13
    sub rax, r14
    cmp rax, 20
    jb spin2
    iretq
`);
    m.run({ maxSteps: 30 });
    m.raiseNmi();
    m.run({ maxSteps: 5 });
    expect(m.cpu.getGpr64(12)).toBe(1n);
    expect(m.cpu.nmiBlocked).toBe(true);
    m.raiseNmi();
    m.run({ maxSteps: 20 });
    expect(m.cpu.getGpr64(12)).toBe(1n);
    m.run({ maxSteps: 2_000 });
    expect(m.cpu.getGpr64(12)).toBe(2n);
    expect(m.cpu.nmiBlocked).toBe(false);
    expect(m.stopped).toBe('halted');
  });

  it('raiseIrq: a line raised from outside reaches the handler; it wakes a machine stopped in HLT with IF = 1', () => {
    const m = machineFor(`
${gate(0x23, 'irq3')}
    mov al, 0xF7
    out 0x21, al
    xor r12, r12
    sti
    hlt
    mov r14, 7
    cli
    hlt
irq3:
    inc r12
    mov al, 0x63
    out 0x20, al
    iretq
`);
    m.run({ maxSteps: 100 });
    expect(m.stopped).toBe('halted');
    m.raiseIrq(3);
    m.run({ maxSteps: 100 });
    expect(m.cpu.getGpr64(12)).toBe(1n);
    expect(m.cpu.getGpr64(14)).toBe(7n);
    expect(() => m.raiseIrq(16)).toThrow(RangeError);
  });

  it('step back across interrupts reproduces the same state, device inputs included', () => {
    const src = TIMER(37, `
${gate(2, 'nmi')}
    sti
spin:
    inc r13
    add r15, r12
    cmp r13, 3000
    jne spin
    hlt
nmi:
    iretq`);
    const m = machineFor(src);
    m.run({ maxSteps: 400 });
    m.raiseIrq(0);
    m.raiseNmi();
    m.run({ maxSteps: 600 });
    const at1000 = { cpu: m.cpu.clone(), dev: JSON.stringify(m.devices.snapshot()), steps: m.steps };
    m.run({ maxSteps: 500 });
    expect(m.stepBack(500)).toBe(true);
    expect(m.steps).toBe(at1000.steps);
    expect(m.cpu.gpr).toEqual(at1000.cpu.gpr);
    expect(m.cpu.rip).toBe(at1000.cpu.rip);
    expect(m.cpu.rflags).toBe(at1000.cpu.rflags);
    expect(m.cpu.nmiBlocked).toBe(at1000.cpu.nmiBlocked);
    expect(JSON.stringify(m.devices.snapshot())).toBe(at1000.dev);
    // Back before the raised inputs, and forward again: the same future.
    expect(m.stepBack(700)).toBe(true);
    m.run({ maxSteps: 700 });
    expect(m.cpu.gpr).toEqual(at1000.cpu.gpr);
    expect(JSON.stringify(m.devices.snapshot())).toBe(at1000.dev);
    // The same run without history gives the same state.
    const fresh = machineFor(src, false);
    fresh.run({ maxSteps: 400 });
    fresh.raiseIrq(0);
    fresh.raiseNmi();
    fresh.run({ maxSteps: 600 });
    expect(fresh.cpu.gpr).toEqual(at1000.cpu.gpr);
  });

  it('an interrupt whose IDT gate the program left absent stops the machine with a fault event for its vector', () => {
    const m = machineFor(`
    mov al, 0x34
    out 0x43, al
    mov al, 50
    out 0x40, al
    xor al, al
    out 0x40, al
    mov al, 0xFE
    out 0x21, al
    sti
spin:
    jmp spin`);
    m.run({ maxSteps: 1_000 });
    expect(m.stopped).toBe('fault');
    const fault = m.events.find((e) => e.kind === 'fault');
    expect(fault).toMatchObject({ kind: 'fault', vector: 0x20, name: 'INT 32' });
  });
});
