// External interrupts and NMIs end to end (STYLE rule 18e): external-events.asm, a hypervisor whose
// guest is interrupted by the machine's 8254 through the 8259A, runs on the real assembler,
// executor, devices and Machine on every profile. SDM Vol. 3C §26.2 "Other Causes of VM Exits",
// §28.2.2 "Information for VM Exits Due to Vectored Events", §27.6 "Event Injection".
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { assemble } from '../../asm/index.ts';
import { PHYS_OFFSET } from '../../arch/lab.ts';
import { PROFILES } from '../../arch/profiles/index.ts';
import { createVmxModel } from '../../vmx/index.ts';
import { Machine } from '../machine.ts';

const SOURCE = readFileSync(new URL('external-events.asm', import.meta.url), 'utf8');
const GOOD = 0x600dn;
const BAD = 0xbadn;

interface Defines {
  readonly pin?: string;
  readonly exit?: string;
  readonly ticks?: number;
  readonly nmis?: number;
  readonly rflags?: string;
  /** Guest code put before the guest's STI. */
  readonly guestPrologue?: string;
  /** The instruction the guest waits with (PAUSE by default; HLT to wait in the HLT activity state). */
  readonly guestSpin?: string;
  /** Host code before VMLAUNCH (VMWRITEs: `mov ebx, v / mov eax, FIELD / call vmw`). */
  readonly setup?: string;
  /** Leave the IDT gate of vector 0x20 absent. */
  readonly noTimerGate?: boolean;
}

function machineFor(profile: string, d: Defines = {}, history = false): { m: Machine; q: (name: string, i?: number) => bigint } {
  let s = SOURCE;
  const define = (name: string, value: string | number | undefined) => {
    if (value !== undefined) s = s.replace(new RegExp(`%define ${name} .*`), `%define ${name} ${value}`);
  };
  define('WANT_PIN', d.pin);
  define('WANT_EXIT', d.exit);
  define('TICKS_WANTED', d.ticks);
  define('NMIS_WANTED', d.nmis);
  define('GUEST_START_RFLAGS', d.rflags);
  if (d.setup) s = s.replace('    ; @SETUP\n', `${d.setup}\n`);
  if (d.noTimerGate) s = s.replace('    mov ecx, 0x20\n    call set_gate\n', '');
  if (d.guestSpin) s = s.replace('.spin:\n    pause\n', `.spin:\n    ${d.guestSpin}\n`);
  if (d.guestPrologue) s = s.replace('guest_code:\n    sti\n', `guest_code:\n${d.guestPrologue}\n    sti\n`);
  const asm = assemble(s);
  expect(asm.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  const m = new Machine({ profile, vmx: createVmxModel, history });
  m.load(asm);
  const sym = (name: string): number => Number(asm.symbols.get(name)! - PHYS_OFFSET);
  return { m, q: (name, i = 0) => m.memory.read64(sym(name) + 8 * i) };
}

function exits(q: (name: string, i?: number) => bigint): { reason: number; info: bigint; rflags: bigint }[] {
  const n = Number(q('exit_count'));
  return Array.from({ length: n }, (_, i) => ({ reason: Number(q('exit_log', i * 4)), info: q('exit_log', i * 4 + 1) & 0xffff_ffffn, rflags: q('exit_log', i * 4 + 3) }));
}

describe.each(PROFILES.map((p) => [p.id] as const))('external events under a hypervisor on %s', (profile) => {
  it('the PIT interrupts the guest: each tick exits (reason 1) with vector 0x20 acknowledged, is injected back and counted by the guest', () => {
    const { m, q } = machineFor(profile);
    m.run({ maxSteps: 50_000 });
    expect(m.cpu.getGpr64(3)).toBe(GOOD);
    expect(q('ticks')).toBe(3n);
    const log = exits(q);
    expect(log.map((e) => e.reason)).toEqual([1, 1, 1, 18]);
    expect(log.slice(0, 3).every((e) => e.info === 0x8000_0020n)).toBe(true);
    const events = m.events.filter((e) => e.kind === 'vmexit');
    expect(events.map((e) => (e.kind === 'vmexit' ? e.name : ''))).toEqual(['EXTERNAL_INTERRUPT', 'EXTERNAL_INTERRUPT', 'EXTERNAL_INTERRUPT', 'VMCALL']);
    // The guest's EOIs left nothing in service; the host acknowledged every request.
    expect([m.devices.pic.master.isr, m.devices.pic.master.irr]).toEqual([0, 0]);
  });

  it('NMI exiting: an NMI raised while the guest runs exits with reason 0 (type 2, vector 2) and is injected into the guest', () => {
    const { m, q } = machineFor(profile, { pin: 'PIN_BASED_NMI_EXITING', ticks: 0, nmis: 1 });
    m.run({ maxSteps: 2_000 });
    expect(m.mode).toBe('non-root');
    m.raiseNmi();
    m.run({ maxSteps: 50_000 });
    expect(m.cpu.getGpr64(3)).toBe(GOOD);
    expect(exits(q)).toMatchObject([{ reason: 0, info: 0x8000_0202n }, { reason: 18 }]);
    expect(q('nmis')).toBe(1n);
  });
});

describe('external events: the other controls (one profile: the rules do not depend on it)', () => {
  const profile = 'skylake-client';
  it('a tick while the guest has IF = 0 still exits; the handler waits for the interrupt window (reason 7) to inject it', () => {
    const { m, q } = machineFor(profile, { ticks: 1, guestPrologue: '    mov ecx, 400\n.busy:\n    dec ecx\n    jnz .busy' });
    m.run({ maxSteps: 50_000 });
    expect(m.cpu.getGpr64(3)).toBe(GOOD);
    const log = exits(q);
    expect(log.slice(0, 2).map((e) => e.reason)).toEqual([1, 7]);
    expect(log[0]!.rflags & 0x200n).toBe(0n);
    expect(log[1]!.rflags & 0x200n).toBe(0x200n);
    expect(log[log.length - 1]!.reason).toBe(18);
    // Every tick that found IF = 0 (including inside the guest's own handler) waited for a window.
    for (let i = 0; i < log.length - 1; i++) if (log[i]!.reason === 1 && (log[i]!.rflags & 0x200n) === 0n) expect(log[i + 1]!.reason).toBe(7);
    expect(q('ticks')).toBeGreaterThanOrEqual(1n);
  });

  it('without "acknowledge interrupt on exit" the exit carries no vector, the request stays pending, and the host takes it through its own IDT with STI', () => {
    const { m, q } = machineFor(profile, { exit: 'VM_EXIT_HOST_ADDR_SPACE_SIZE' });
    // Right after the first VM exit: in root operation, the request still in IRR.
    while (m.stopped === null && !m.events.some((e) => e.kind === 'vmexit')) m.step();
    expect(m.mode).toBe('root');
    expect(m.devices.pic.master.irr & 1).toBe(1);
    expect(m.devices.pic.master.isr).toBe(0);
    m.run({ maxSteps: 50_000 });
    expect(m.cpu.getGpr64(3)).toBe(GOOD);
    expect(exits(q).map((e) => [e.reason, e.info])).toEqual([[1, 0n], [1, 0n], [1, 0n], [18, 0n]]);
    expect(q('ticks')).toBe(3n);
  });

  it('without external-interrupt exiting the ticks go straight to the guest IDT: no exit until the VMCALL', () => {
    const { m, q } = machineFor(profile, { pin: '0', ticks: 4 });
    m.run({ maxSteps: 50_000 });
    expect(m.cpu.getGpr64(3)).toBe(GOOD);
    expect(exits(q).map((e) => e.reason)).toEqual([18]);
    expect(q('ticks')).toBe(4n);
  });
  it('an interrupt delivered through the guest IDT that faults on the way (an empty gate) exits with it as IDT-vectoring information (§28.2.4)', () => {
    const { m } = machineFor(profile, { pin: '0', noTimerGate: true, setup: '    mov ebx, 1 << 13\n    mov eax, EXCEPTION_BITMAP\n    call vmw' });
    while (m.stopped === null && !m.events.some((e) => e.kind === 'vmexit')) m.step();
    const vmx = m.vmx as ReturnType<typeof createVmxModel>;
    const field = (name: string) => vmx.currentFields().find((f) => f.name === name)?.value ?? 0n;
    // #GP (an all-zero gate is no interrupt or trap gate; error code: IDT entry 0x20, IDT = 1, EXT = 1)
    // during the delivery of external interrupt 0x20, whose information is the IDT-vectoring field's.
    expect([field('VM_EXIT_REASON'), field('VM_EXIT_INTR_INFO'), field('VM_EXIT_INTR_ERROR_CODE')]).toEqual([0n, 0x8000_0b0dn, 0x20n * 8n + 3n]);
    expect(field('IDT_VECTORING_INFO_FIELD')).toBe(0x8000_0020n);
  });

  it('a guest halted in HLT is woken by the tick: the exit saves activity state HLT, the injected interrupt wakes it after the HLT', () => {
    const { m, q } = machineFor(profile, { guestSpin: 'hlt' });
    while (m.stopped === null && !m.events.some((e) => e.kind === 'vmexit')) m.step();
    const vmx = m.vmx as ReturnType<typeof createVmxModel>;
    const field = (name: string) => vmx.currentFields().find((f) => f.name === name)?.value;
    expect(field('VM_EXIT_REASON')).toBe(1n);
    expect(field('GUEST_ACTIVITY_STATE')).toBe(1n);
    m.run({ maxSteps: 50_000 });
    expect(m.cpu.getGpr64(3)).toBe(GOOD);
    expect(exits(q).map((e) => e.reason)).toEqual([1, 1, 1, 18]);
    expect(q('ticks')).toBe(3n);
  });
});

describe('determinism', () => {
  it('step back across external-interrupt exits and injections reproduces the same state', () => {
    const { m } = machineFor('skylake-client', {}, true);
    m.run({ maxSteps: 1_200 });
    const cpu = m.cpu.clone();
    const dev = JSON.stringify(m.devices.snapshot());
    const fields = m.vmx && 'currentFields' in m.vmx ? JSON.stringify((m.vmx as ReturnType<typeof createVmxModel>).currentFields(), (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v)) : '';
    m.run({ maxSteps: 300 });
    expect(m.stepBack(300)).toBe(true);
    expect(m.cpu.gpr).toEqual(cpu.gpr);
    expect(m.cpu.rip).toBe(cpu.rip);
    expect(JSON.stringify(m.devices.snapshot())).toBe(dev);
    expect(JSON.stringify((m.vmx as ReturnType<typeof createVmxModel>).currentFields(), (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))).toBe(fields);
  });
});
