// The lazily built event log (docs/decisions/0062-lazy-event-log.md) gives every reader what an
// eagerly built one gives: the same events, keys in the same order, through step back and reset.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assemble } from '../asm/index.ts';
import { Machine } from './machine.ts';
import type { MachineEvent } from './events.ts';
import { EventLog } from './event-log.ts';
import type { VmxReport } from '../vmx/reports.ts';
import type { DecodedInstruction } from '../x86/isa/decoded.ts';

const ROUND_TRIPS = readFileSync(fileURLToPath(new URL('./conformance/round-trips.asm', import.meta.url)), 'utf8')
  .replace(/%define ROUND_TRIPS .*/, '%define ROUND_TRIPS 6');

function machine(history = false): Machine {
  const asm = assemble(ROUND_TRIPS);
  if (!asm.ok) throw new Error(asm.diagnostics[0]?.message);
  const m = new Machine({ profile: 'skylake-client', history });
  m.load(asm);
  return m;
}

/** Events as text, keys in their own order (bigints as hex). */
const textOf = (events: readonly MachineEvent[]): string =>
  JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v));

describe('event log', () => {
  it('built when read (no listener) equals built at once (a listener), key order included', () => {
    const lazy = machine();
    lazy.run({ maxSteps: 5000 });
    const eager = machine();
    const heard: MachineEvent[] = [];
    eager.on('*', (e) => heard.push(e));
    eager.run({ maxSteps: 5000 });
    expect(lazy.stopped).toBe('halted');
    expect(lazy.events.filter((e) => e.kind === 'vmexit')).toHaveLength(6);
    expect(textOf(lazy.events)).toBe(textOf(eager.events));
    expect(textOf(heard)).toBe(textOf(eager.events));
  });

  it.each(['exit-loop.asm', 'ept.asm', 'guest-modes.asm'])('%s: built when read equals built at once', (file) => {
    const source = readFileSync(fileURLToPath(new URL(`./conformance/${file}`, import.meta.url)), 'utf8');
    const run = (listen: boolean) => {
      const asm = assemble(source);
      if (!asm.ok) throw new Error(asm.diagnostics[0]?.message);
      const m = new Machine({ profile: 'sapphire-rapids', history: false });
      m.load(asm);
      if (listen) m.on('*', () => {});
      m.run({ maxSteps: 200_000 });
      return m.events;
    };
    const lazy = run(false);
    expect(lazy.filter((e) => e.kind === 'vmexit').length).toBeGreaterThan(0);
    expect(textOf(lazy)).toBe(textOf(run(true)));
  });

  it('read part-way, then run on: the same events as read once at the end', () => {
    const once = machine();
    once.run({ maxSteps: 5000 });
    const often = machine();
    let seen = 0;
    while (!often.stopped) {
      often.run({ maxSteps: 7 });
      expect(often.events.length).toBeGreaterThanOrEqual(seen);
      seen = often.events.length;
    }
    expect(textOf(often.events)).toBe(textOf(once.events));
  });

  it('step back drops raw and built events after the target, and replay records them again', () => {
    const m = machine(true);
    m.run({ maxSteps: 5000 });
    const all = textOf(m.events);
    const steps = m.steps;
    const count = m.events.length;
    // Back past the last few round trips (their events are still raw: nothing read them since).
    expect(m.stepBack(40)).toBe(true);
    const kept = m.events;
    expect(kept.length).toBeLessThan(count);
    expect(kept.every((e) => e.step <= steps - 40)).toBe(true);
    // Forward again to the same end: the same log.
    const fresh = machine(true);
    fresh.run({ maxSteps: steps - 40 });
    expect(textOf(kept)).toBe(textOf(fresh.events));
    expect(textOf(kept)).toBe(textOf(JSON.parse(all).slice(0, kept.length)));
  });

  it('reset forgets every event, raw ones included', () => {
    const m = machine();
    m.run({ maxSteps: 3000 });
    m.reset();
    expect(m.events).toEqual([]);
  });

  it('truncation at any length, across the log\'s chunks, keeps exactly the events before it', () => {
    const insn = {} as DecodedInstruction;
    const placeOf = (step: number, rip: number) => ({ step, line: step % 7, rip: BigInt(rip), text: 'vmread rbx, rax' });
    const fill = (log: EventLog, n: number) => {
      for (let i = 0; i < n; i++) {
        if (i % 5 === 4) {
          log.pushVmx(i, 0, null, { kind: 'vmexit', reason: 10, name: 'CPUID', entryFailure: false, qualification: BigInt(i), guestRip: 0x1000n + BigInt(i), instruction: 'cpuid' } as VmxReport);
        } else if (i % 997 === 0) {
          log.push({ kind: 'stop', reason: 'halted', message: `m${i}`, step: i });
        } else {
          log.pushVmx(i, 0x1000 + i, insn, { kind: 'vmx', result: 'VMsucceed', error: undefined, explain: undefined });
        }
      }
    };
    const whole = new EventLog(placeOf);
    fill(whole, 40_000);
    const all = textOf(whole.all());
    const three = new EventLog(placeOf);
    fill(three, 3);
    const tail = JSON.parse(textOf(three.all()));
    for (const n of [0, 1, 16383, 16384, 16385, 32767, 32768, 39999]) {
      const log = new EventLog(placeOf);
      fill(log, 40_000);
      log.truncate(n);
      expect(log.length).toBe(n);
      fill(log, 3);
      const got = log.all();
      expect(textOf(got)).toBe(textOf([...JSON.parse(all).slice(0, n), ...tail]));
    }
  });
});
