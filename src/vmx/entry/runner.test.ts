import { describe, it, expect } from 'vitest';
import { runEntryChecks, failedChecks } from './runner.ts';
import { ENTRY_CHECKS, checkById } from './checks/index.ts';
import { TEST_PROFILES } from './testing/profiles.ts';
import { validEntry } from './testing/valid-vmcs.ts';
import { failureKindOf } from './check.ts';
import { fieldByName } from '../../arch/vmcs/fields.ts';

describe('the check table', () => {
  it('has unique, well-formed ids, and every check cites section 27.x with a title and reads named fields', () => {
    const ids = new Set<string>();
    for (const c of ENTRY_CHECKS) {
      expect(ids.has(c.id), c.id).toBe(false);
      ids.add(c.id);
      expect(c.id).toMatch(/^(ctrl|host|guest|msr-load)\.[a-z0-9.-]+$/);
      expect(c.sdm.section).toMatch(/^27\.[1-4]/);
      expect(c.sdm.title.length).toBeGreaterThan(5);
      expect(c.title.length).toBeGreaterThan(5);
      for (const f of c.fields) expect(f).toMatch(/^[A-Z0-9_]+$/);
      expect(checkById(c.id)).toBe(c);
    }
  });

  it('names only VMCS fields that src/arch declares', () => {
    const unknown = ENTRY_CHECKS.flatMap((c) => c.fields.filter((f) => fieldByName(f) === undefined).map((f) => `${c.id}: ${f}`));
    expect(unknown).toEqual([]);
  });

  it('is in phase order: controls, host state, guest state, MSR loading', () => {
    const rank = (a: string) => (a.startsWith('ctrl.') ? 0 : a.startsWith('host.') ? 1 : a.startsWith('guest.') ? 2 : 3);
    const ranks = ENTRY_CHECKS.map((c) => rank(c.area));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('maps areas to the architectural failure', () => {
    expect(failureKindOf('ctrl.exec')).toEqual({ kind: 'vmfail', error: 7 });
    expect(failureKindOf('host.addr-space')).toEqual({ kind: 'vmfail', error: 8 });
    expect(failureKindOf('guest.pdpte')).toEqual({ kind: 'entry-failure', reason: 33 });
    expect(failureKindOf('msr-load')).toEqual({ kind: 'entry-failure', reason: 34 });
  });
});

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('the valid VMCS on %s', (_id, profile) => {
  it('passes every check', () => {
    const e = validEntry(profile);
    const report = runEntryChecks(e.ctx);
    expect(failedChecks(report).map((f) => `${f.check.id}: ${f.failure.message}`)).toEqual([]);
    expect(report.decision).toEqual({ kind: 'pass' });
    expect(report.results).toHaveLength(ENTRY_CHECKS.length);
  });
});

describe('the architectural result is the first failure in SDM order', () => {
  const profile = TEST_PROFILES[0]!;

  it('controls before host state: error 7 when both are broken', () => {
    const e = validEntry(profile);
    e.vmcs.set('HOST_CR4', 0n);
    e.vmcs.set('PIN_BASED_VM_EXEC_CONTROL', 0n);
    const r = runEntryChecks(e.ctx);
    expect(r.decision.kind).toBe('vmfail');
    if (r.decision.kind === 'vmfail') {
      expect(r.decision.error).toBe(7);
      expect(r.decision.check.id).toBe('ctrl.pin.allowed-settings');
    }
    expect(failedChecks(r).map((f) => f.check.id)).toContain('host.cr4.fixed-bits');
  });

  it('host state before guest state: error 8', () => {
    const e = validEntry(profile);
    e.vmcs.set('HOST_TR_SELECTOR', 0n);
    e.vmcs.set('GUEST_RFLAGS', 0n);
    const r = runEntryChecks(e.ctx);
    expect(r.decision).toMatchObject({ kind: 'vmfail', error: 8 });
  });

  it('guest state gives exit 33 with qualification 0, the link pointer 4, PDPTEs 2', () => {
    const e = validEntry(profile);
    e.vmcs.set('GUEST_RFLAGS', 0n);
    expect(runEntryChecks(e.ctx).decision).toMatchObject({ kind: 'entry-failure', reason: 33, qualification: 0n });
    const l = validEntry(profile);
    l.vmcs.set('VMCS_LINK_POINTER', 0x1234n);
    expect(runEntryChecks(l.ctx).decision).toMatchObject({ kind: 'entry-failure', reason: 33, qualification: 4n });
  });

  it('MSR loading gives exit 34 with the lowest failing entry index over all rules', () => {
    const e = validEntry(profile);
    e.vmcs.set('VM_ENTRY_MSR_LOAD_COUNT', 3n);
    e.vmcs.set('VM_ENTRY_MSR_LOAD_ADDR', 0x50_0000n);
    e.write(0x50_0000n, 8, 0x277n); e.write(0x50_0008n, 8, 0x0007_0406_0007_0406n); // IA32_PAT, valid
    e.write(0x50_0010n, 8, 0x1_0000_0277n); e.write(0x50_0018n, 8, 0n); // reserved bits 63:32 set
    e.write(0x50_0020n, 8, 0xc000_0100n); e.write(0x50_0028n, 8, 0n); // FS_BASE
    const r = runEntryChecks(e.ctx);
    expect(r.decision).toMatchObject({ kind: 'entry-failure', reason: 34, qualification: 2n });
    if (r.decision.kind === 'entry-failure') expect(r.decision.check.id).toBe('msr-load.reserved-bits');
  });

  it('MSR-load failures do not decide when guest state already failed', () => {
    const e = validEntry(profile);
    e.vmcs.set('VM_ENTRY_MSR_LOAD_COUNT', 1n);
    e.vmcs.set('VM_ENTRY_MSR_LOAD_ADDR', 0x50_0000n);
    e.write(0x50_0000n, 8, 0xc000_0101n);
    e.vmcs.set('GUEST_RFLAGS', 0n);
    const r = runEntryChecks(e.ctx);
    expect(r.decision).toMatchObject({ kind: 'entry-failure', reason: 33 });
    expect(failedChecks(r).map((f) => f.check.id)).toContain('msr-load.fs-gs-base');
  });

  it('an all-zero VMCS gives error 7 (seed 000: "RUNS BLANK; 0x7 ERROR CODE THROWS")', () => {
    const e = validEntry(profile);
    for (const k of [...e.vmcs.keys()]) e.vmcs.set(k, 0n);
    const r = runEntryChecks(e.ctx);
    expect(r.decision).toMatchObject({ kind: 'vmfail', error: 7 });
    expect(failedChecks(r).length).toBeGreaterThan(10);
  });
});

describe('the proposed fixes lead a learner to a VMCS that enters', () => {
  it.each(TEST_PROFILES.map((p) => [p.id, p] as const))('%s: from an all-zero VMCS, applying every proposed fix converges in a few rounds', (_id, profile) => {
    const e = validEntry(profile);
    for (const k of [...e.vmcs.keys()]) e.vmcs.set(k, 0n);
    let rounds = 0;
    for (; rounds < 6; rounds++) {
      const failed = failedChecks(runEntryChecks(e.ctx));
      if (failed.length === 0) break;
      for (const f of failed) {
        expect(f.failure.fix, `${f.check.id} proposes no fix`).toBeDefined();
        e.vmcs.set(f.failure.fix!.field, f.failure.fix!.value);
      }
    }
    expect(runEntryChecks(e.ctx).decision).toEqual({ kind: 'pass' });
    expect(rounds).toBeLessThanOrEqual(4);
  });
});
