// Rule tests for SDM §27.3.1.1 guest control registers, debug registers and MSRs, and
// §27.3.1.3-27.3.1.4 descriptor tables, RIP and RFLAGS: one describe per rule.
import { describe, it } from 'vitest';
import { TEST_PROFILES } from '../testing/profiles.ts';
import type { TestProfile } from '../testing/profiles.ts';
import { validEntry } from '../testing/valid-vmcs.ts';
import type { FakeEntry } from '../testing/fake-context.ts';
import { TEST_DEBUGCTL_RESERVED, TEST_PERF_GLOBAL_CTRL_RESERVED } from '../testing/fake-context.ts';
import { cap, canonicalSweep } from '../testing/rules.ts';
import { expectNotApplicable, expectRule } from '../testing/expect-verdict.ts';
import { CR0, CR4, EFER, ENTRY, MSR, PROC, PROC2, RFLAGS } from '../local-arch.ts';
import { EFER_INTEL_RESERVED } from '../../../arch/efer.ts';

const each = it.each(TEST_PROFILES.map((p) => [p.id, p] as const));
const bit = (n: number) => 1n << BigInt(n);
const UG = PROC2.mask.SECONDARY_EXEC_UNRESTRICTED_GUEST! | PROC2.mask.SECONDARY_EXEC_ENABLE_EPT!;

function setEntry(e: FakeEntry, mask: bigint, on: boolean) {
  const v = e.vmcs.get('VM_ENTRY_CONTROLS')!;
  e.vmcs.set('VM_ENTRY_CONTROLS', on ? v | mask : v & ~mask);
}

function unrestricted(e: FakeEntry) {
  e.vmcs.set('CPU_BASED_VM_EXEC_CONTROL', e.vmcs.get('CPU_BASED_VM_EXEC_CONTROL')! | PROC.mask.CPU_BASED_ACTIVATE_SECONDARY_CONTROLS!);
  e.vmcs.set('SECONDARY_VM_EXEC_CONTROL', UG);
}

/** A 32-bit protected-mode guest (not IA-32e mode, paging off). */
function legacyGuest(e: FakeEntry) {
  setEntry(e, ENTRY.mask.VM_ENTRY_IA32E_MODE!, false);
  e.vmcs.set('GUEST_CS_AR_BYTES', 0xc09bn);
}

describe('guest.cr0.fixed-bits', () => {
  each('%s: each bit flipped fails exactly when FIXED0/FIXED1 forbid it (NW, CD exempt)', (_id, p) => {
    const ex = bit(29) | bit(30);
    const f0 = cap(p, MSR.IA32_VMX_CR0_FIXED0) & ~ex;
    const f1 = cap(p, MSR.IA32_VMX_CR0_FIXED1) | ex;
    for (let b = 0; b < 64; b++) {
      const e = validEntry(p);
      const v = e.vmcs.get('GUEST_CR0')! ^ bit(b);
      e.vmcs.set('GUEST_CR0', v);
      expectRule(e, 'guest.cr0.fixed-bits', (v & f0) === f0 && (v & ~f1) === 0n, `bit ${b}`);
    }
  });
  each('%s: PE and PG are exempt with unrestricted guest (only with "activate secondary controls")', (_id, p) => {
    for (const ug of [false, true]) {
      const e = validEntry(p);
      if (ug) unrestricted(e);
      else e.vmcs.set('SECONDARY_VM_EXEC_CONTROL', UG);
      e.vmcs.set('GUEST_CR0', CR0.of('ET', 'NE'));
      expectRule(e, 'guest.cr0.fixed-bits', ug, `ug=${ug}`);
    }
  });
});

describe('guest.cr0.pg-needs-pe', () => {
  each('%s: PG without PE fails, even with unrestricted guest', (_id, p) => {
    for (const [pe, pg] of [[false, false], [true, false], [true, true], [false, true]] as const) {
      const e = validEntry(p);
      unrestricted(e);
      e.vmcs.set('GUEST_CR0', CR0.set(CR0.set(CR0.of('NE'), 'PE', pe), 'PG', pg));
      expectRule(e, 'guest.cr0.pg-needs-pe', pe || !pg, `pe=${pe} pg=${pg}`);
    }
  });
});

describe('guest.cr4.fixed-bits', () => {
  each('%s: each bit flipped fails exactly when CR4_FIXED0/FIXED1 forbid it', (_id, p) => {
    const f0 = cap(p, MSR.IA32_VMX_CR4_FIXED0);
    const f1 = cap(p, MSR.IA32_VMX_CR4_FIXED1);
    for (let b = 0; b < 64; b++) {
      const e = validEntry(p);
      const v = e.vmcs.get('GUEST_CR4')! ^ bit(b);
      e.vmcs.set('GUEST_CR4', v);
      expectRule(e, 'guest.cr4.fixed-bits', (v & f0) === f0 && (v & ~f1) === 0n, `bit ${b}`);
    }
  });
});

function msrReservedRule(id: string, field: string, control: bigint, reserved: bigint, base = 0n) {
  describe(id, () => {
    each('%s: reserved bits are 0 when the control loads the MSR', (_id, p) => {
      for (let b = 0; b < 64; b++) {
        const e = validEntry(p);
        e.vmcs.set(field, base | bit(b));
        setEntry(e, control, false);
        expectNotApplicable(e, id);
        setEntry(e, control, true);
        expectRule(e, id, (bit(b) & reserved) === 0n, `bit ${b}`);
      }
    });
  });
}

msrReservedRule('guest.debugctl.reserved-bits', 'GUEST_IA32_DEBUGCTL', ENTRY.mask.VM_ENTRY_LOAD_DEBUG_CONTROLS!, TEST_DEBUGCTL_RESERVED);
msrReservedRule('guest.perf-global-ctrl.reserved-bits', 'GUEST_IA32_PERF_GLOBAL_CTRL', ENTRY.mask.VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL!, TEST_PERF_GLOBAL_CTRL_RESERVED);
msrReservedRule('guest.efer.reserved-bits', 'GUEST_IA32_EFER', ENTRY.mask.VM_ENTRY_LOAD_IA32_EFER!, EFER_INTEL_RESERVED, EFER.of('LME', 'LMA'));
msrReservedRule('guest.bndcfgs.reserved-bits', 'GUEST_BNDCFGS', ENTRY.mask.VM_ENTRY_LOAD_BNDCFGS!, 0xffcn);

describe('guest.cr0.pg-for-ia32e and guest.cr4.pae-for-ia32e', () => {
  each('%s: an IA-32e mode guest has CR0.PG and CR4.PAE', (_id, p) => {
    for (const pg of [false, true]) {
      const e = validEntry(p);
      unrestricted(e);
      e.vmcs.set('GUEST_CR0', CR0.set(e.vmcs.get('GUEST_CR0')!, 'PG', pg));
      expectRule(e, 'guest.cr0.pg-for-ia32e', pg);
    }
    for (const pae of [false, true]) {
      const e = validEntry(p);
      e.vmcs.set('GUEST_CR4', CR4.set(e.vmcs.get('GUEST_CR4')!, 'PAE', pae));
      expectRule(e, 'guest.cr4.pae-for-ia32e', pae);
    }
    const legacy = validEntry(p);
    legacyGuest(legacy);
    expectNotApplicable(legacy, 'guest.cr0.pg-for-ia32e');
    expectNotApplicable(legacy, 'guest.cr4.pae-for-ia32e');
  });
});

describe('guest.cr4.pcide-outside-ia32e', () => {
  each('%s: CR4.PCIDE only in an IA-32e mode guest', (_id, p) => {
    for (const ia32e of [false, true]) {
      const e = validEntry(p);
      if (!ia32e) legacyGuest(e);
      e.vmcs.set('GUEST_CR4', CR4.set(e.vmcs.get('GUEST_CR4')!, 'PCIDE', true));
      if (ia32e) expectNotApplicable(e, 'guest.cr4.pcide-outside-ia32e');
      else expectRule(e, 'guest.cr4.pcide-outside-ia32e', false);
    }
  });
});

describe('guest.cr3.reserved-bits', () => {
  each('%s: bits from MAXPHYADDR up are 0; LAM allows 62:61', (_id, p) => {
    for (const lam of [false, true]) for (let b = 0; b < 64; b++) {
      const e = validEntry(p);
      e.features = { lam };
      e.vmcs.set('GUEST_CR3', e.vmcs.get('GUEST_CR3')! | bit(b));
      expectRule(e, 'guest.cr3.reserved-bits', b < p.maxPhysAddr || (lam && (b === 61 || b === 62)), `lam ${lam} bit ${b}`);
    }
  });
});

describe('guest.dr7.upper-bits', () => {
  each('%s: DR7 bits 63:32 are 0 with "load debug controls"', (_id, p) => {
    for (const b of [0, 10, 31, 32, 40, 63]) {
      const e = validEntry(p);
      e.vmcs.set('GUEST_DR7', 0x400n | bit(b));
      setEntry(e, ENTRY.mask.VM_ENTRY_LOAD_DEBUG_CONTROLS!, true);
      expectRule(e, 'guest.dr7.upper-bits', b < 32, `bit ${b}`);
      setEntry(e, ENTRY.mask.VM_ENTRY_LOAD_DEBUG_CONTROLS!, false);
      expectNotApplicable(e, 'guest.dr7.upper-bits');
    }
  });
});

function canonicalRule(id: string, field: string, prepare?: (e: FakeEntry) => void, mask = 0n) {
  describe(id, () => {
    each('%s: canonical boundary', (_id, p: TestProfile) => {
      for (const { value, ok } of canonicalSweep(p.linearAddressBits)) {
        const e = validEntry(p);
        prepare?.(e);
        e.vmcs.set(field, value & ~mask);
        expectRule(e, id, ok, `0x${value.toString(16)}`);
      }
    });
  });
}

canonicalRule('guest.sysenter-esp.canonical', 'GUEST_SYSENTER_ESP');
canonicalRule('guest.sysenter-eip.canonical', 'GUEST_SYSENTER_EIP');
canonicalRule('guest.bndcfgs.canonical', 'GUEST_BNDCFGS', (e) => setEntry(e, ENTRY.mask.VM_ENTRY_LOAD_BNDCFGS!, true), 0xfffn);
canonicalRule('guest.gdtr.base.canonical', 'GUEST_GDTR_BASE');
canonicalRule('guest.idtr.base.canonical', 'GUEST_IDTR_BASE');
canonicalRule('guest.rip.canonical', 'GUEST_RIP');

describe('guest.pat.memory-types', () => {
  each('%s: every byte of the guest PAT is 0, 1, 4, 5, 6 or 7', (_id, p) => {
    for (let t = 0n; t < 16n; t++) for (const shift of [0n, 24n, 56n]) {
      const e = validEntry(p);
      e.vmcs.set('GUEST_IA32_PAT', 0x0606_0606_0606_0606n & ~(0xffn << shift) | (t << shift));
      setEntry(e, ENTRY.mask.VM_ENTRY_LOAD_IA32_PAT!, true);
      expectRule(e, 'guest.pat.memory-types', [0n, 1n, 4n, 5n, 6n, 7n].includes(t), `type ${t} at ${shift}`);
    }
  });
});

describe('guest.efer.lma and guest.efer.lme', () => {
  each('%s: LMA = "IA-32e mode guest"; with CR0.PG, LME = LMA', (_id, p) => {
    for (const ia32e of [false, true]) for (const lma of [false, true]) for (const lme of [false, true]) {
      const make = () => {
        const e = validEntry(p);
        if (!ia32e) legacyGuest(e);
        setEntry(e, ENTRY.mask.VM_ENTRY_LOAD_IA32_EFER!, true);
        e.vmcs.set('GUEST_IA32_EFER', (lma ? EFER.mask.LMA : 0n) | (lme ? EFER.mask.LME : 0n));
        return e;
      };
      expectRule(make(), 'guest.efer.lma', lma === ia32e, `ia32e=${ia32e} lma=${lma}`);
      expectRule(make(), 'guest.efer.lme', lma === lme, `lma=${lma} lme=${lme}`);
    }
    const nopg = validEntry(p);
    legacyGuest(nopg);
    unrestricted(nopg);
    nopg.vmcs.set('GUEST_CR0', CR0.of('PE', 'NE'));
    setEntry(nopg, ENTRY.mask.VM_ENTRY_LOAD_IA32_EFER!, true);
    nopg.vmcs.set('GUEST_IA32_EFER', EFER.of('LME'));
    expectNotApplicable(nopg, 'guest.efer.lme');
  });
});

describe('guest.gdtr.limit and guest.idtr.limit', () => {
  each('%s: limits fit in 16 bits', (_id, p) => {
    for (const r of ['GDTR', 'IDTR']) for (let b = 0; b < 32; b++) {
      const e = validEntry(p);
      e.vmcs.set(`GUEST_${r}_LIMIT`, bit(b));
      expectRule(e, `guest.${r.toLowerCase()}.limit`, b < 16, `${r} bit ${b}`);
    }
  });
});

describe('guest.rip.upper-bits', () => {
  each('%s: RIP[63:32] = 0 unless IA-32e mode guest with CS.L', (_id, p) => {
    for (const ia32e of [false, true]) for (const l of [false, true]) for (const rip of [0xffff_ffffn, 0x1_0000_0000n]) {
      const e = validEntry(p);
      if (!ia32e) legacyGuest(e);
      e.vmcs.set('GUEST_CS_AR_BYTES', l ? 0xa09bn : 0xc09bn);
      e.vmcs.set('GUEST_RIP', rip);
      if (ia32e && l) expectNotApplicable(e, 'guest.rip.upper-bits');
      else expectRule(e, 'guest.rip.upper-bits', rip <= 0xffff_ffffn, `ia32e=${ia32e} l=${l} rip=${rip}`);
    }
  });
});

describe('guest.rflags.reserved-bits', () => {
  each('%s: bits 63:22, 15, 5, 3 are 0 and bit 1 is 1', (_id, p) => {
    for (let b = 0; b < 64; b++) {
      const e = validEntry(p);
      e.vmcs.set('GUEST_RFLAGS', 0x2n ^ bit(b));
      const ok = b !== 1 && b !== 3 && b !== 5 && b !== 15 && b < 22;
      expectRule(e, 'guest.rflags.reserved-bits', ok, `bit ${b}`);
    }
  });
});

describe('guest.rflags.vm', () => {
  each('%s: VM = 1 only for a legacy protected-mode guest', (_id, p) => {
    const cases: [boolean, boolean, boolean][] = [[true, true, false], [false, true, true], [false, false, false]];
    for (const [ia32e, pe, ok] of cases) {
      const e = validEntry(p);
      if (!ia32e) legacyGuest(e);
      if (!pe) { unrestricted(e); e.vmcs.set('GUEST_CR0', CR0.of('NE')); }
      e.vmcs.set('GUEST_RFLAGS', RFLAGS.of('FIXED', 'VM'));
      expectRule(e, 'guest.rflags.vm', ok, `ia32e=${ia32e} pe=${pe}`);
    }
  });
});

describe('guest.rflags.if-for-ext-intr', () => {
  each('%s: injecting an external interrupt needs IF = 1', (_id, p) => {
    for (const [type, iff, ok] of [[0n, false, false], [0n, true, true], [3n, false, true], [2n, false, true]] as const) {
      const e = validEntry(p);
      e.vmcs.set('VM_ENTRY_INTR_INFO_FIELD', (1n << 31n) | (type << 8n) | (type === 2n ? 2n : 0x30n));
      e.vmcs.set('GUEST_RFLAGS', iff ? 0x202n : 0x2n);
      if (type !== 0n) expectNotApplicable(e, 'guest.rflags.if-for-ext-intr');
      else expectRule(e, 'guest.rflags.if-for-ext-intr', ok, `if=${iff}`);
    }
  });
});


