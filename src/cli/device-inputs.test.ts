// `vmx-lab run --irq STEP:LINE --nmi STEP` (docs/cli.md): device inputs from the command line,
// on the conformance program external-events.asm (src/machine/conformance).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.ts';
import { main } from './main.ts';
import { memoryIo } from './testing.ts';

const SOURCE = readFileSync(resolve(__dirname, '../machine/conformance/external-events.asm'), 'utf8');

interface Rec {
  readonly events: { kind: string; reason?: number; name?: string }[];
  readonly final: { stop: string; regs: Record<string, string> };
}

function run(source: string, ...args: string[]): Rec {
  const io = memoryIo({ 'p.asm': source });
  expect(main(['run', 'p.asm', '--json', ...args], io)).toBe(0);
  return JSON.parse(io.out) as Rec;
}

describe('run --irq / --nmi', () => {
  it('parses STEP:LINE and STEP, in step order; refuses lines above 15 and missing steps', () => {
    const p = parseArgs(['run', 'a.asm', '--nmi', '900', '--irq', '0x10:3']);
    expect(p.ok && p.command.cmd === 'run' ? p.command.raise : undefined).toEqual([{ step: 16, line: 3 }, { step: 900, line: 'nmi' }]);
    expect(parseArgs(['run', 'a.asm', '--irq', '5:16']).ok).toBe(false);
    expect(parseArgs(['run', 'a.asm', '--irq', '5']).ok).toBe(false);
    expect(parseArgs(['run', 'a.asm', '--nmi']).ok).toBe(false);
  });

  it('--nmi: the guest under NMI exiting leaves with reason 0 and the handler reflects it; without it the guest waits for ever', () => {
    const nmiGuest = SOURCE.replace(/%define WANT_PIN .*/, '%define WANT_PIN PIN_BASED_NMI_EXITING')
      .replace(/%define TICKS_WANTED .*/, '%define TICKS_WANTED 0')
      .replace(/%define NMIS_WANTED .*/, '%define NMIS_WANTED 1');
    const r = run(nmiGuest, '--nmi', '1500');
    expect(r.events.filter((e) => e.kind === 'vmexit').map((e) => [e.reason, e.name])).toEqual([[0, 'EXCEPTION_NMI'], [18, 'VMCALL']]);
    expect(r.final.regs.rbx).toBe('0x600d');
    const none = run(nmiGuest, '--max-steps', '20000');
    expect(none.final.stop).toBe('max-steps');
  });

  it('--irq on a masked line latches a request that nothing takes; the PIT run needs no input at all', () => {
    const r = run(SOURCE);
    expect(r.events.filter((e) => e.kind === 'vmexit').map((e) => e.reason)).toEqual([1, 1, 1, 18]);
    const masked = run(SOURCE.replace(/%define PIT_COUNT .*/, '%define PIT_COUNT 60000'), '--irq', '700:5', '--max-steps', '5000');
    expect(masked.events.filter((e) => e.kind === 'vmexit')).toEqual([]);
  });
});
