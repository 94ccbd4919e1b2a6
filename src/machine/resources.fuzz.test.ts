// Programs that would run for ever or eat the host: an endless loop, unbounded recursion (CALL
// without RET until the stack runs into the paging structures below it), and a walk that writes
// every page up to the end of RAM. Each stays bounded and stoppable: the step budget pauses the
// loop (and Run goes on from there), the recursion and the walk stop the machine with a #PF
// `fault` (the boot IDT has no present gate: docs/machine.md "Stepping, faults and stops"), and
// host memory grows by exactly the pages written (sparse RAM: docs/machine.md "The starting machine").
// SDM Vol. 3A §4.7 "Page-Fault Exceptions"; §6.15 "Exception and Interrupt Reference" (#PF).

import { describe, expect, it } from 'vitest';
import { assemble } from '../asm/index.ts';
import { SLOW } from '../testing/fuzz/config.ts';
import { Machine } from './machine.ts';

function machineFor(source: string, history = true): Machine {
  const asm = assemble(`bits 64\n${source}`);
  expect(asm.ok, asm.diagnostics.map((d) => d.message).join('; ')).toBe(true);
  const m = new Machine({ history });
  m.load(asm);
  return m;
}

const RAM_END = '0xffff888040000000'; // PHYS_OFFSET + 1 GiB (DEFAULT_MEMORY_SIZE)

describe('runaway programs stay bounded and stoppable', () => {
  it('an endless loop pauses at the step budget, goes on, pauses at a breakpoint, and steps back', () => {
    const m = machineFor('top:\n    inc rax\n    jmp top\n');
    const pages = m.memory.pageCount;
    expect(m.run({ maxSteps: 10_000 })).toEqual({ kind: 'max-steps', steps: 10_000 });
    expect(m.run({ maxSteps: 10_000 })).toEqual({ kind: 'max-steps', steps: 20_000 });
    expect(m.stopped).toBeNull();
    expect(m.cpu.gpr[0]).toBe(10_000); // inc rax ran once per two steps
    m.breakpoints.add(0xffff888000100000n);
    expect(m.run({ maxSteps: 10_000 })).toEqual({ kind: 'breakpoint', rip: 0xffff888000100000n, steps: 20_002 });
    m.breakpoints.clear();
    expect(m.stepBack(5_000)).toBe(true);
    expect(m.steps).toBe(20_002 - 5_000);
    expect(m.memory.pageCount).toBe(pages);
  });

  it('CALL without RET until the stack runs out stops the machine with a #PF fault', () => {
    const m = machineFor('f:\n    call f\n');
    const pages = m.memory.pageCount;
    const r = m.run({ maxSteps: 200_000 });
    expect(r.kind).toBe('stopped');
    expect(m.stopped).toBe('fault');
    const fault = m.events.find((e) => e.kind === 'fault');
    expect(fault?.kind === 'fault' ? fault.name : undefined).toMatch(/^#(PF|SS|GP|DF)$/);
    // The stack walked down from physical 0x90000: at most 0x90 pages written.
    expect(m.memory.pageCount - pages).toBeLessThanOrEqual(0x90);
    expect(m.step()).toBe('fault');
  });

  const walk = (pages: number): string =>
    `    mov rdi, ${RAM_END} - ${pages} * 4096\n.l:\n    mov byte [rdi], 1\n    add rdi, 4096\n    jmp .l\n`;

  it('writing every page up to the end of RAM allocates exactly those pages, then #PF stops it', () => {
    const n = 2048;
    const m = machineFor(walk(n), false);
    const pages = m.memory.pageCount;
    expect(m.run({ maxSteps: 10 * n }).kind).toBe('stopped');
    expect(m.stopped).toBe('fault');
    const fault = m.events.find((e) => e.kind === 'fault');
    expect(fault?.kind === 'fault' && fault.vector).toBe(14);
    expect(m.memory.pageCount - pages).toBe(n);
  });

  it.runIf(SLOW)('VMXLAB_SLOW: writing every page of RAM above the image (1 GiB of host memory) stops with #PF', () => {
    const n = (0x4000_0000 - 0x20_0000) / 4096;
    const m = machineFor(walk(n), false);
    const pages = m.memory.pageCount;
    expect(m.run({ maxSteps: 4 * n }).kind).toBe('stopped');
    expect(m.stopped).toBe('fault');
    expect(m.memory.pageCount - pages).toBe(n);
  }, 600_000);
});
