// Conformance programs (STYLE rule 18e): lab-asm VMX scenarios run end to end on every profile
// through the Machine with the VT-x model plugged in.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../arch/profiles/index.ts';
import { runConformance } from './run-program.ts';

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
