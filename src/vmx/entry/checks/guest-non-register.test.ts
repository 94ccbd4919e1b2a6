// Rule tests for SDM §27.3.1.5 guest non-register state (activity, interruptibility,
// pending debug exceptions, VMCS link pointer) and §27.3.1.6 PDPTEs: one describe per rule.
import { describe, it } from 'vitest';
import { TEST_PROFILES } from '../testing/profiles.ts';
import { validEntry, VALID_LAYOUT } from '../testing/valid-vmcs.ts';
import type { FakeEntry } from '../testing/fake-context.ts';
import { addressSweep, cap } from '../testing/rules.ts';
import { expectNotApplicable, expectRule } from '../testing/expect-verdict.ts';
import { ENTRY, MSR, PIN, PROC, PROC2 } from '../local-arch.ts';
import { runEntryChecks } from '../runner.ts';
import { expect } from 'vitest';

const each = it.each(TEST_PROFILES.map((p) => [p.id, p] as const));
const bit = (n: number) => 1n << BigInt(n);
const ACT = 'GUEST_ACTIVITY_STATE';
const INT = 'GUEST_INTERRUPTIBILITY_INFO';
const PDE = 'GUEST_PENDING_DBG_EXCEPTIONS';
const event = (type: bigint, vector: bigint) => (1n << 31n) | (type << 8n) | vector;

function setEntry(e: FakeEntry, mask: bigint, on: boolean) {
  const v = e.vmcs.get('VM_ENTRY_CONTROLS')!;
  e.vmcs.set('VM_ENTRY_CONTROLS', on ? v | mask : v & ~mask);
}

describe('guest.activity.supported', () => {
  each('%s: active always; HLT, shutdown, wait-for-SIPI as IA32_VMX_MISC bits 6-8 say; 4+ never', (_id, p) => {
    const misc = cap(p, MSR.IA32_VMX_MISC);
    for (let a = 0n; a < 6n; a++) {
      const e = validEntry(p);
      e.vmcs.set(ACT, a);
      expectRule(e, 'guest.activity.supported', a === 0n || (a <= 3n && (misc & bit(5 + Number(a))) !== 0n), `state ${a}`);
    }
  });
  each('%s: an edited MISC without HLT support rejects HLT', (_id, p) => {
    const e = validEntry(p);
    e.msrs.set(MSR.IA32_VMX_MISC, cap(p, MSR.IA32_VMX_MISC) & ~bit(6));
    e.vmcs.set(ACT, 1n);
    expectRule(e, 'guest.activity.supported', false);
  });
});

describe('guest.activity.hlt-needs-cpl0', () => {
  each('%s: HLT only with SS.DPL 0', (_id, p) => {
    for (let dpl = 0n; dpl < 4n; dpl++) {
      const e = validEntry(p);
      e.vmcs.set(ACT, 1n);
      e.vmcs.set('GUEST_SS_AR_BYTES', 0xc093n | (dpl << 5n));
      expectRule(e, 'guest.activity.hlt-needs-cpl0', dpl === 0n, `dpl ${dpl}`);
    }
  });
});

describe('guest.activity.blocking-needs-active', () => {
  each('%s: STI or MOV-SS blocking only in the active state', (_id, p) => {
    for (let a = 0n; a < 4n; a++) for (const i of [0n, 1n, 2n, 4n, 8n]) {
      const e = validEntry(p);
      e.vmcs.set(ACT, a);
      e.vmcs.set(INT, i);
      expectRule(e, 'guest.activity.blocking-needs-active', a === 0n || (i & 3n) === 0n, `state ${a} int ${i}`);
    }
  });
});

describe('guest.activity.injection-allowed', () => {
  each('%s: HLT admits ext. interrupt, NMI, #DB, #MC, MTF; shutdown NMI and #MC; wait-for-SIPI nothing', (_id, p) => {
    const events: [bigint, bigint][] = [[0n, 0x20n], [2n, 2n], [3n, 1n], [3n, 18n], [3n, 13n], [3n, 6n], [4n, 0x80n], [6n, 3n], [7n, 0n]];
    for (let a = 0n; a < 4n; a++) for (const [t, v] of events) {
      const e = validEntry(p);
      e.vmcs.set(ACT, a);
      e.vmcs.set('VM_ENTRY_INTR_INFO_FIELD', event(t, v));
      const ok = a === 0n ? true
        : a === 1n ? t === 0n || t === 2n || (t === 3n && (v === 1n || v === 18n)) || (t === 7n && v === 0n)
        : a === 2n ? t === 2n || (t === 3n && v === 18n) : false;
      expectRule(e, 'guest.activity.injection-allowed', ok, `state ${a} type ${t} vector ${v}`);
    }
    expectNotApplicable(validEntry(p), 'guest.activity.injection-allowed');
  });
});

describe('guest.activity.sipi-with-smm-entry', () => {
  each('%s: no wait-for-SIPI with "entry to SMM"', (_id, p) => {
    for (let a = 0n; a < 4n; a++) {
      const e = validEntry(p);
      setEntry(e, ENTRY.mask.VM_ENTRY_SMM!, true);
      e.vmcs.set(ACT, a);
      expectRule(e, 'guest.activity.sipi-with-smm-entry', a !== 3n, `state ${a}`);
    }
  });
});

describe('guest.interruptibility.reserved-bits', () => {
  each('%s: bits 31:5 are 0', (_id, p) => {
    for (let b = 0; b < 32; b++) {
      const e = validEntry(p);
      e.vmcs.set(INT, bit(b));
      expectRule(e, 'guest.interruptibility.reserved-bits', b < 5, `bit ${b}`);
    }
  });
});

describe('guest.interruptibility.sti-and-mov-ss', () => {
  each('%s: not both STI and MOV-SS blocking', (_id, p) => {
    for (let i = 0n; i < 4n; i++) {
      const e = validEntry(p);
      e.vmcs.set(INT, i);
      expectRule(e, 'guest.interruptibility.sti-and-mov-ss', i !== 3n, `int ${i}`);
    }
  });
});

describe('guest.interruptibility.sti-needs-if', () => {
  each('%s: STI blocking needs RFLAGS.IF', (_id, p) => {
    for (const iff of [false, true]) {
      const e = validEntry(p);
      e.vmcs.set(INT, 1n);
      e.vmcs.set('GUEST_RFLAGS', iff ? 0x202n : 0x2n);
      expectRule(e, 'guest.interruptibility.sti-needs-if', iff);
    }
  });
});

describe('guest.interruptibility.ext-intr-injection and nmi-injection-mov-ss', () => {
  each('%s: an injected external interrupt needs no STI/MOV-SS blocking; an NMI no MOV-SS blocking', (_id, p) => {
    for (let i = 0n; i < 3n; i++) {
      const ext = validEntry(p);
      ext.vmcs.set(INT, i);
      ext.vmcs.set('VM_ENTRY_INTR_INFO_FIELD', event(0n, 0x20n));
      expectRule(ext, 'guest.interruptibility.ext-intr-injection', i === 0n, `ext int ${i}`);
      const nmi = validEntry(p);
      nmi.vmcs.set(INT, i);
      nmi.vmcs.set('VM_ENTRY_INTR_INFO_FIELD', event(2n, 2n));
      expectRule(nmi, 'guest.interruptibility.nmi-injection-mov-ss', i !== 2n, `nmi int ${i}`);
    }
  });
});

describe('guest.interruptibility.nmi-injection-sti', () => {
  each('%s: an injected NMI needs STI blocking 0; the failure gives exit qualification 3', (_id, p) => {
    for (const [type, sti, ok] of [[2n, true, false], [2n, false, true], [3n, true, true]] as const) {
      const e = validEntry(p);
      e.vmcs.set('GUEST_RFLAGS', 0x202n);
      e.vmcs.set(INT, sti ? 1n : 0n);
      e.vmcs.set('VM_ENTRY_INTR_INFO_FIELD', event(type, type === 2n ? 2n : 6n));
      if (!ok) expect(runEntryChecks(e.ctx).decision).toMatchObject({ kind: 'entry-failure', reason: 33, qualification: 3n });
      if (type !== 2n) expectNotApplicable(e, 'guest.interruptibility.nmi-injection-sti');
      else expectRule(e, 'guest.interruptibility.nmi-injection-sti', ok, `sti ${sti}`);
    }
  });
});

describe('guest.interruptibility.smi-outside-smm and smi-on-smm-entry', () => {
  each('%s: SMI blocking only in SMM; required with "entry to SMM"', (_id, p) => {
    const e = validEntry(p);
    e.vmcs.set(INT, 4n);
    expectRule(e, 'guest.interruptibility.smi-outside-smm', false);
    const s = validEntry(p);
    setEntry(s, ENTRY.mask.VM_ENTRY_SMM!, true);
    expectRule(s, 'guest.interruptibility.smi-on-smm-entry', false);
    s.vmcs.set(INT, 4n);
    expectRule(s, 'guest.interruptibility.smi-on-smm-entry', true);
    expectNotApplicable(validEntry(p), 'guest.interruptibility.smi-on-smm-entry');
  });
});

describe('guest.interruptibility.nmi-blocking-virtual-nmi', () => {
  each('%s: with virtual NMIs, an injected NMI needs NMI blocking 0', (_id, p) => {
    for (const vnmi of [false, true]) for (const blocked of [false, true]) {
      const e = validEntry(p);
      if (vnmi) e.vmcs.set('PIN_BASED_VM_EXEC_CONTROL', e.vmcs.get('PIN_BASED_VM_EXEC_CONTROL')! | PIN.mask.PIN_BASED_VIRTUAL_NMIS! | PIN.mask.PIN_BASED_NMI_EXITING!);
      e.vmcs.set(INT, blocked ? 8n : 0n);
      e.vmcs.set('VM_ENTRY_INTR_INFO_FIELD', event(2n, 2n));
      if (!vnmi) expectNotApplicable(e, 'guest.interruptibility.nmi-blocking-virtual-nmi');
      else expectRule(e, 'guest.interruptibility.nmi-blocking-virtual-nmi', !blocked, `blocked ${blocked}`);
    }
  });
});

describe('guest.interruptibility.enclave', () => {
  each('%s: enclave interruption needs SGX and no MOV-SS blocking', (_id, p) => {
    for (const sgx of [false, true]) for (const movss of [false, true]) {
      const e = validEntry(p);
      e.features = { sgx };
      e.vmcs.set(INT, 0x10n | (movss ? 2n : 0n));
      expectRule(e, 'guest.interruptibility.enclave', sgx && !movss, `sgx ${sgx} movss ${movss}`);
    }
  });
});

describe('guest.pending-dbg.reserved-bits', () => {
  each('%s: bits 11:4, 13, 15, 63:17 are 0', (_id, p) => {
    for (let b = 0; b < 64; b++) {
      const e = validEntry(p);
      e.vmcs.set(PDE, bit(b));
      expectRule(e, 'guest.pending-dbg.reserved-bits', b < 4 || b === 12 || b === 14 || b === 16, `bit ${b}`);
    }
  });
});

describe('guest.pending-dbg.bs', () => {
  each('%s: with STI/MOV-SS blocking or HLT, BS = RFLAGS.TF && !DEBUGCTL.BTF', (_id, p) => {
    for (const [int, act] of [[1n, 0n], [2n, 0n], [0n, 1n]] as const) for (const tf of [false, true]) for (const btf of [false, true]) for (const bs of [false, true]) {
      const e = validEntry(p);
      e.vmcs.set(INT, int);
      e.vmcs.set(ACT, act);
      e.vmcs.set('GUEST_RFLAGS', 0x202n | (tf ? 0x100n : 0n));
      e.vmcs.set('GUEST_IA32_DEBUGCTL', btf ? 2n : 0n);
      e.vmcs.set(PDE, bs ? bit(14) : 0n);
      expectRule(e, 'guest.pending-dbg.bs', bs === (tf && !btf), `int ${int} act ${act} tf ${tf} btf ${btf} bs ${bs}`);
    }
    const free = validEntry(p);
    free.vmcs.set(PDE, bit(14));
    expectNotApplicable(free, 'guest.pending-dbg.bs');
  });
});

describe('guest.pending-dbg.rtm', () => {
  each('%s: RTM bit needs bit 12 only, CPU RTM support and no MOV-SS blocking', (_id, p) => {
    const cases: [bigint, boolean, bigint, boolean][] = [
      [bit(16) | bit(12), true, 0n, true], [bit(16), true, 0n, false], [bit(16) | bit(12) | 1n, true, 0n, false],
      [bit(16) | bit(12), false, 0n, false], [bit(16) | bit(12), true, 2n, false], [bit(16) | bit(12) | bit(14), true, 0n, false],
    ];
    for (const [v, rtm, int, ok] of cases) {
      const e = validEntry(p);
      e.features = { rtm };
      e.vmcs.set(PDE, v);
      e.vmcs.set(INT, int);
      expectRule(e, 'guest.pending-dbg.rtm', ok, `pde 0x${v.toString(16)} rtm ${rtm} int ${int}`);
    }
  });
});

describe('guest.link-pointer.address', () => {
  each('%s: FFFFFFFF_FFFFFFFFH or 4-KByte aligned within MAXPHYADDR', (_id, p) => {
    for (const { value, ok } of addressSweep(p.maxPhysAddr, 12)) {
      if (value === 0xffff_ffff_ffff_ffffn) continue;
      const e = validEntry(p);
      e.vmcs.set('VMCS_LINK_POINTER', value);
      expectRule(e, 'guest.link-pointer.address', ok, `0x${value.toString(16)}`);
    }
    expectNotApplicable(validEntry(p), 'guest.link-pointer.address');
  });
});

describe('guest.link-pointer.revision', () => {
  each('%s: the referenced VMCS holds the revision id, with bit 31 = "VMCS shadowing"', (_id, p) => {
    const rev = cap(p, MSR.IA32_VMX_BASIC) & 0x7fff_ffffn;
    const shadowOk = ((cap(p, MSR.IA32_VMX_PROCBASED_CTLS2) >> 32n) & PROC2.mask.SECONDARY_EXEC_SHADOW_VMCS!) !== 0n;
    for (const shadow of shadowOk ? [false, true] : [false]) for (const [word, wantShadow] of [[rev, false], [rev | 0x8000_0000n, true], [rev + 1n, undefined]] as const) {
      const e = validEntry(p);
      if (shadow) {
        e.vmcs.set('CPU_BASED_VM_EXEC_CONTROL', e.vmcs.get('CPU_BASED_VM_EXEC_CONTROL')! | PROC.mask.CPU_BASED_ACTIVATE_SECONDARY_CONTROLS!);
        e.vmcs.set('SECONDARY_VM_EXEC_CONTROL', PROC2.mask.SECONDARY_EXEC_SHADOW_VMCS!);
      }
      e.vmcs.set('VMCS_LINK_POINTER', 0x80_0000n);
      e.write(0x80_0000n, 4, word);
      expectRule(e, 'guest.link-pointer.revision', wantShadow === shadow, `shadow ${shadow} word 0x${word.toString(16)}`);
    }
  });
});

describe('guest.link-pointer.not-current', () => {
  each('%s: the link pointer is not the current VMCS; failures give exit qualification 4', (_id, p) => {
    const e = validEntry(p);
    e.vmcs.set('VMCS_LINK_POINTER', VALID_LAYOUT.currentVmcs);
    e.write(VALID_LAYOUT.currentVmcs, 4, cap(p, MSR.IA32_VMX_BASIC) & 0x7fff_ffffn);
    const r = runEntryChecks(e.ctx);
    expect(r.decision).toMatchObject({ kind: 'entry-failure', reason: 33, qualification: 4n });
    expectRule(e, 'guest.link-pointer.not-current', false);
  });
});

/** A 32-bit PAE-paging guest (CR0.PG, CR4.PAE, not IA-32e mode). */
function paeGuest(e: FakeEntry) {
  setEntry(e, ENTRY.mask.VM_ENTRY_IA32E_MODE!, false);
  e.vmcs.set('GUEST_CS_AR_BYTES', 0xc09bn);
  e.vmcs.set('GUEST_CR3', 0x9000_0000n);
}

describe('guest.pdpte*.reserved-bits', () => {
  each('%s: a present PDPTE read from guest CR3 sets no bit 2:1, 8:5 or 63:MAXPHYADDR (qualification 2)', (_id, p) => {
    for (const n of [0, 1, 2, 3]) for (let b = 1; b < 64; b++) {
      const e = validEntry(p);
      paeGuest(e);
      for (let i = 0; i < 4; i++) e.write(0x9000_0000n + BigInt(8 * i), 8, 0x5000_0001n);
      e.write(0x9000_0000n + BigInt(8 * n), 8, 0x5000_0001n | bit(b));
      const reserved = (b >= 1 && b <= 2) || (b >= 5 && b <= 8) || b >= p.maxPhysAddr;
      expectRule(e, `guest.pdpte${n}.reserved-bits`, !reserved, `pdpte ${n} bit ${b}`);
      if (reserved && n === 0) expect(runEntryChecks(e.ctx).decision).toMatchObject({ kind: 'entry-failure', reason: 33, qualification: 2n });
    }
  });
  each('%s: a PDPTE that is not present is not checked; neither is a non-PAE guest', (_id, p) => {
    const e = validEntry(p);
    paeGuest(e);
    e.write(0x9000_0000n, 8, 0xffff_ffff_ffff_fffen);
    expectRule(e, 'guest.pdpte0.reserved-bits', true);
    const long = validEntry(p);
    expectNotApplicable(long, 'guest.pdpte0.reserved-bits');
  });
  each('%s: with EPT the GUEST_PDPTRn fields are checked instead of memory', (_id, p) => {
    const e = validEntry(p);
    paeGuest(e);
    e.vmcs.set('CPU_BASED_VM_EXEC_CONTROL', e.vmcs.get('CPU_BASED_VM_EXEC_CONTROL')! | PROC.mask.CPU_BASED_ACTIVATE_SECONDARY_CONTROLS!);
    e.vmcs.set('SECONDARY_VM_EXEC_CONTROL', PROC2.mask.SECONDARY_EXEC_ENABLE_EPT!);
    e.write(0x9000_0000n, 8, 0x7n);
    e.vmcs.set('GUEST_PDPTR2', 0x1001n | bit(7));
    expectRule(e, 'guest.pdpte0.reserved-bits', true);
    expectRule(e, 'guest.pdpte2.reserved-bits', false);
  });
});
