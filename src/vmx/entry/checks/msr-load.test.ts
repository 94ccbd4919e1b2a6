// Rule tests for SDM §27.4 Loading MSRs: each failure case of an entry, the 1-based index
// as exit qualification, and the entry-order rule across cases.
import { describe, it, expect } from 'vitest';
import { TEST_PROFILES } from '../testing/profiles.ts';
import { validEntry } from '../testing/valid-vmcs.ts';
import type { FakeEntry } from '../testing/fake-context.ts';
import type { TestProfile } from '../testing/profiles.ts';
import { cap } from '../testing/rules.ts';
import { expectNotApplicable, expectRule } from '../testing/expect-verdict.ts';
import { verdict } from '../testing/rules.ts';
import { MSR } from '../local-arch.ts';
import { runEntryChecks } from '../runner.ts';

const each = it.each(TEST_PROFILES.map((p) => [p.id, p] as const));
const AREA = 0x50_0000n;
const GOOD: [number, bigint] = [MSR.IA32_PAT, 0x0007_0406_0007_0406n];

/** A valid entry whose VM-entry MSR-load list holds `entries` ([index, data, reserved?]). */
function withList(p: TestProfile, entries: [number, bigint, bigint?][]): FakeEntry {
  const e = validEntry(p);
  e.vmcs.set('VM_ENTRY_MSR_LOAD_COUNT', BigInt(entries.length));
  e.vmcs.set('VM_ENTRY_MSR_LOAD_ADDR', AREA);
  entries.forEach(([index, data, reserved], i) => {
    e.write(AREA + BigInt(16 * i), 4, BigInt(index));
    e.write(AREA + BigInt(16 * i) + 4n, 4, reserved ?? 0n);
    e.write(AREA + BigInt(16 * i) + 8n, 8, data);
  });
  return e;
}

/** Asserts the rule fails and reports entry `index` (1-based). */
function expectIndex(e: FakeEntry, id: string, index: number) {
  const v = verdict(e, id);
  expect(v.kind === 'fail' && v.index, id).toBe(index);
  expectRule(e, id, false);
}

describe('MSR-load rules without a list', () => {
  each('%s: a zero count loads nothing', (_id, p) => {
    const e = validEntry(p);
    for (const id of ['msr-load.count', 'msr-load.fs-gs-base', 'msr-load.x2apic', 'msr-load.smm-only', 'msr-load.reserved-bits', 'msr-load.wrmsr']) expectNotApplicable(e, id);
  });
});

describe('msr-load.fs-gs-base', () => {
  each('%s: IA32_FS_BASE and IA32_GS_BASE cannot be loaded; IA32_KERNEL_GS_BASE can', (_id, p) => {
    for (const [index, ok] of [[MSR.IA32_FS_BASE, false], [MSR.IA32_GS_BASE, false], [0xc000_0102, true]] as const) {
      for (const at of [1, 2, 3]) {
        const list: [number, bigint][] = [GOOD, GOOD, GOOD];
        list[at - 1] = [index, 0n];
        const e = withList(p, list);
        if (ok) expectRule(e, 'msr-load.fs-gs-base', true);
        else expectIndex(e, 'msr-load.fs-gs-base', at);
      }
    }
  });
});

describe('msr-load.x2apic', () => {
  each('%s: indices 800H-8FFH fail; 7FFH and 900H do not', (_id, p) => {
    for (const [index, ok] of [[0x800, false], [0x808, false], [0x8ff, false], [0x7ff, true], [0x900, true]] as const) {
      const e = withList(p, [GOOD, [index, 0n]]);
      if (ok) expectRule(e, 'msr-load.x2apic', true, `0x${index.toString(16)}`);
      else expectIndex(e, 'msr-load.x2apic', 2);
    }
  });
});

describe('msr-load.smm-only', () => {
  each('%s: IA32_SMM_MONITOR_CTL only when the entry starts in SMM', (_id, p) => {
    const e = withList(p, [[MSR.IA32_SMM_MONITOR_CTL, 0n]]);
    expectIndex(e, 'msr-load.smm-only', 1);
    e.cpu = { ...e.cpu, inSmm: true };
    expectNotApplicable(e, 'msr-load.smm-only');
  });
});

describe('msr-load.reserved-bits', () => {
  each('%s: bits 63:32 of an entry are 0', (_id, p) => {
    for (const b of [0, 1, 15, 31]) {
      const e = withList(p, [GOOD, GOOD, [MSR.IA32_PAT, GOOD[1], 1n << BigInt(b)]]);
      expectIndex(e, 'msr-load.reserved-bits', 3);
    }
    expectRule(withList(p, [GOOD]), 'msr-load.reserved-bits', true);
  });
});

describe('msr-load.wrmsr', () => {
  each('%s: a value WRMSR would refuse fails (PAT type 2, EFER reserved bit, unknown MSR)', (_id, p) => {
    for (const [index, data, ok] of [
      [MSR.IA32_PAT, 0x0007_0406_0007_0406n, true], [MSR.IA32_PAT, 2n, false], [MSR.IA32_EFER, 1n << 20n, false],
      [MSR.IA32_EFER, 0xd01n, true], [0xdead, 0n, false], [0xc000_0102, 0xffff_8000_0000_0000n, true], [0xc000_0102, 0x8000_0000_0000_0000n, false],
    ] as const) {
      const e = withList(p, [GOOD, [index, data]]);
      if (ok) expectRule(e, 'msr-load.wrmsr', true, `0x${index.toString(16)}`);
      else expectIndex(e, 'msr-load.wrmsr', 2);
    }
  });
});

describe('msr-load.count', () => {
  each('%s: more than 512 * (IA32_VMX_MISC[27:25] + 1) entries fail at the first entry past the limit', (_id, p) => {
    const max = 512 * (Number((cap(p, MSR.IA32_VMX_MISC) >> 25n) & 7n) + 1);
    const e = validEntry(p);
    e.vmcs.set('VM_ENTRY_MSR_LOAD_ADDR', AREA);
    for (let i = 0; i <= max; i++) { e.write(AREA + BigInt(16 * i), 4, BigInt(MSR.IA32_PAT)); e.write(AREA + BigInt(16 * i) + 8n, 8, GOOD[1]); }
    e.vmcs.set('VM_ENTRY_MSR_LOAD_COUNT', BigInt(max));
    expectRule(e, 'msr-load.count', true);
    e.vmcs.set('VM_ENTRY_MSR_LOAD_COUNT', BigInt(max + 1));
    expectIndex(e, 'msr-load.count', max + 1);
  });
});

describe('the exit-34 qualification is the first failing entry over all rules', () => {
  each('%s: entries fail in order; the architectural result names the lowest index', (_id, p) => {
    const e = withList(p, [GOOD, [MSR.IA32_PAT, 3n], [0x808, 0n], [MSR.IA32_FS_BASE, 0n]]);
    const r = runEntryChecks(e.ctx);
    expect(r.decision).toMatchObject({ kind: 'entry-failure', reason: 34, qualification: 2n });
    if (r.decision.kind === 'entry-failure') expect(r.decision.check.id).toBe('msr-load.wrmsr');
    const ok = withList(p, [GOOD, [MSR.IA32_EFER, 0xd01n]]);
    expect(runEntryChecks(ok.ctx).decision).toEqual({ kind: 'pass' });
  });
  each('%s: a list whose address fails the control check is not read', (_id, p) => {
    const e = withList(p, [[MSR.IA32_FS_BASE, 0n]]);
    e.vmcs.set('VM_ENTRY_MSR_LOAD_ADDR', AREA + 8n);
    expectNotApplicable(e, 'msr-load.fs-gs-base');
    expect(runEntryChecks(e.ctx).decision).toMatchObject({ kind: 'vmfail', error: 7 });
  });
});
