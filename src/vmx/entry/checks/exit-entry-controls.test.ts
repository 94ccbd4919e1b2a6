// Rule tests for SDM §27.2.1.2 VM-Exit Control Fields and §27.2.1.3 VM-Entry Control
// Fields (including event injection): one describe per rule, on every profile.
import { describe, it } from 'vitest';
import { TEST_PROFILES } from '../testing/profiles.ts';
import type { TestProfile } from '../testing/profiles.ts';
import { validEntry } from '../testing/valid-vmcs.ts';
import type { FakeEntry } from '../testing/fake-context.ts';
import { allows1, cap } from '../testing/rules.ts';
import { expectNotApplicable, expectRule } from '../testing/expect-verdict.ts';
import { CR0, ENTRY, EXIT, MSR, PIN, PROC, PROC2, VMX_BASIC } from '../local-arch.ts';

const each = it.each(TEST_PROFILES.map((p) => [p.id, p] as const));
const bit = (n: number) => 1n << BigInt(n);

function allowed(p: TestProfile, plain: number, trueMsr: number): { must: bigint; may: bigint } {
  const idx = VMX_BASIC.has(cap(p, MSR.IA32_VMX_BASIC), 'TRUE_CTLS') ? trueMsr : plain;
  return { must: cap(p, idx) & 0xffff_ffffn, may: cap(p, idx) >> 32n };
}

function sweepBits(p: TestProfile, field: string, id: string, a: { must: bigint; may: bigint }) {
  for (let b = 0; b < 32; b++) {
    const e = validEntry(p);
    const v = e.vmcs.get(field)! ^ bit(b);
    e.vmcs.set(field, v);
    expectRule(e, id, (v & a.must) === a.must && (v & ~a.may) === 0n, `bit ${b}`);
  }
}

describe('ctrl.exit.allowed-settings', () => {
  each('%s: each bit flipped fails exactly when IA32_VMX_[TRUE_]EXIT_CTLS forbids it', (_id, p) => {
    sweepBits(p, 'VM_EXIT_CONTROLS', 'ctrl.exit.allowed-settings', allowed(p, MSR.IA32_VMX_EXIT_CTLS, MSR.IA32_VMX_TRUE_EXIT_CTLS));
  });
});

describe('ctrl.exit2.allowed-settings', () => {
  each('%s: checked against IA32_VMX_EXIT_CTLS2 only when exit bit 31 is 1', (_id, p) => {
    const e = validEntry(p);
    e.vmcs.set('SECONDARY_VM_EXIT_CONTROLS', 1n);
    expectNotApplicable(e, 'ctrl.exit2.allowed-settings');
    e.vmcs.set('VM_EXIT_CONTROLS', e.vmcs.get('VM_EXIT_CONTROLS')! | EXIT.mask.VM_EXIT_ACTIVATE_SECONDARY_CONTROLS!);
    expectRule(e, 'ctrl.exit2.allowed-settings', (cap(p, MSR.IA32_VMX_EXIT_CTLS2) & 1n) !== 0n);
  });
});

describe('ctrl.exit.save-preemption-timer', () => {
  each('%s: "save VMX-preemption timer value" needs "activate VMX-preemption timer"', (_id, p) => {
    for (const timer of [false, true]) for (const save of [false, true]) {
      const e = validEntry(p);
      const pin = e.vmcs.get('PIN_BASED_VM_EXEC_CONTROL')!;
      e.vmcs.set('PIN_BASED_VM_EXEC_CONTROL', timer ? pin | PIN.mask.PIN_BASED_VMX_PREEMPTION_TIMER! : pin);
      const ex = e.vmcs.get('VM_EXIT_CONTROLS')!;
      e.vmcs.set('VM_EXIT_CONTROLS', save ? ex | EXIT.mask.VM_EXIT_SAVE_VMX_PREEMPTION_TIMER! : ex);
      expectRule(e, 'ctrl.exit.save-preemption-timer', timer || !save, `timer=${timer} save=${save}`);
    }
  });
});

/** The MSR-area rule of §27.2.1.2/§27.2.1.3 for one count/address pair. */
function msrAreaRule(id: string, countField: string, addrField: string) {
  describe(id, () => {
    each('%s: not applicable with a zero count', (_id, p) => {
      const e = validEntry(p);
      e.vmcs.set(addrField, 0xffff_ffff_ffff_ffffn);
      expectNotApplicable(e, id);
    });
    each('%s: 16-byte aligned, and the last byte (addr + 16 * count - 1) within MAXPHYADDR', (_id, p) => {
      const top = 1n << BigInt(p.maxPhysAddr);
      const cases: [bigint, bigint, boolean][] = [
        [1n, 0x1000n, true], [1n, 0x1010n, true], [4n, 0x1008n, false], [1n, 0x1001n, false], [1n, 0x1004n, false],
        [1n, top - 16n, true], [2n, top - 16n, false], [1n, top, false], [0x100n, top - 0x1000n, true], [0x101n, top - 0x1000n, false],
        [1n, 1n << 63n, false], [0xffff_ffffn, 0x1000n, p.maxPhysAddr > 36], [1n, 0xffff_ffff_ffff_fff0n, false],
      ];
      for (const [count, addr, ok] of cases) {
        const e = validEntry(p);
        e.vmcs.set(countField, count);
        e.vmcs.set(addrField, addr);
        expectRule(e, id, ok, `count ${count} addr 0x${addr.toString(16)}`);
      }
    });
  });
}

msrAreaRule('ctrl.exit.msr-store.address', 'VM_EXIT_MSR_STORE_COUNT', 'VM_EXIT_MSR_STORE_ADDR');
msrAreaRule('ctrl.exit.msr-load.address', 'VM_EXIT_MSR_LOAD_COUNT', 'VM_EXIT_MSR_LOAD_ADDR');
msrAreaRule('ctrl.entry.msr-load.address', 'VM_ENTRY_MSR_LOAD_COUNT', 'VM_ENTRY_MSR_LOAD_ADDR');

describe('ctrl.entry.allowed-settings', () => {
  each('%s: each bit flipped fails exactly when IA32_VMX_[TRUE_]ENTRY_CTLS forbids it', (_id, p) => {
    sweepBits(p, 'VM_ENTRY_CONTROLS', 'ctrl.entry.allowed-settings', allowed(p, MSR.IA32_VMX_ENTRY_CTLS, MSR.IA32_VMX_TRUE_ENTRY_CTLS));
  });
});

const VALID = 1n << 31n;
const info = (type: bigint, vector: bigint, errorCode = false) => VALID | (type << 8n) | vector | (errorCode ? 1n << 11n : 0n);

function inject(e: FakeEntry, v: bigint, errorCode = 0n, len = 0n) {
  e.vmcs.set('VM_ENTRY_INTR_INFO_FIELD', v);
  e.vmcs.set('VM_ENTRY_EXCEPTION_ERROR_CODE', errorCode);
  e.vmcs.set('VM_ENTRY_INSTRUCTION_LEN', len);
}

const EVENT_RULES = ['ctrl.entry.event.type', 'ctrl.entry.event.vector', 'ctrl.entry.event.error-code-bit', 'ctrl.entry.event.reserved-bits', 'ctrl.entry.event.instruction-length'];

describe('event injection rules without a valid event', () => {
  each('%s: nothing is checked while the valid bit is 0', (_id, p) => {
    const e = validEntry(p);
    inject(e, 0x7fff_ffffn, 0xffff_ffffn, 99n);
    for (const id of [...EVENT_RULES, 'ctrl.entry.event.error-code']) expectNotApplicable(e, id);
  });
});

describe('ctrl.entry.event.type', () => {
  each('%s: type 1 is reserved; type 7 needs "monitor trap flag" support', (_id, p) => {
    const mtf = allows1(p, MSR.IA32_VMX_PROCBASED_CTLS, PROC.mask.CPU_BASED_MONITOR_TRAP_FLAG!);
    for (let t = 0n; t < 8n; t++) {
      const e = validEntry(p);
      inject(e, info(t, t === 2n ? 2n : 0n));
      expectRule(e, 'ctrl.entry.event.type', t !== 1n && (t !== 7n || mtf), `type ${t}`);
    }
  });
});

describe('ctrl.entry.event.vector', () => {
  each('%s: NMI vector 2, hardware exception vector <= 31, other event vector 0', (_id, p) => {
    for (let t = 0n; t < 8n; t++) for (const v of [0n, 1n, 2n, 31n, 32n, 255n]) {
      const e = validEntry(p);
      inject(e, info(t, v));
      const ok = t === 2n ? v === 2n : t === 3n ? v <= 31n : t === 7n ? v === 0n : true;
      expectRule(e, 'ctrl.entry.event.vector', ok, `type ${t} vector ${v}`);
    }
  });
});

describe('ctrl.entry.event.error-code-bit', () => {
  const WITH_CODE = new Set([8n, 10n, 11n, 12n, 13n, 14n, 17n]);
  each('%s: deliver-error-code iff protected-mode hardware exception with an error code', (_id, p) => {
    const skip = VMX_BASIC.has(cap(p, MSR.IA32_VMX_BASIC), 'NO_HW_ERROR_CODE_CC');
    for (const t of [0n, 2n, 3n, 4n, 6n]) for (let v = 0n; v < 32n; v++) for (const ec of [false, true]) {
      if (t === 2n && v !== 2n) continue;
      const e = validEntry(p);
      inject(e, info(t, v, ec));
      if (skip) { expectNotApplicable(e, 'ctrl.entry.event.error-code-bit'); continue; }
      expectRule(e, 'ctrl.entry.event.error-code-bit', ec === (t === 3n && WITH_CODE.has(v)), `type ${t} vector ${v} ec ${ec}`);
    }
  });
  each('%s: a real-mode unrestricted guest (CR0.PE = 0) gets no error code', (_id, p) => {
    if (!allows1(p, MSR.IA32_VMX_PROCBASED_CTLS2, PROC2.mask.SECONDARY_EXEC_UNRESTRICTED_GUEST!)) return;
    if (VMX_BASIC.has(cap(p, MSR.IA32_VMX_BASIC), 'NO_HW_ERROR_CODE_CC')) return;
    for (const ec of [false, true]) {
      const e = validEntry(p);
      e.vmcs.set('CPU_BASED_VM_EXEC_CONTROL', e.vmcs.get('CPU_BASED_VM_EXEC_CONTROL')! | PROC.mask.CPU_BASED_ACTIVATE_SECONDARY_CONTROLS!);
      e.vmcs.set('SECONDARY_VM_EXEC_CONTROL', PROC2.mask.SECONDARY_EXEC_UNRESTRICTED_GUEST! | PROC2.mask.SECONDARY_EXEC_ENABLE_EPT!);
      e.vmcs.set('GUEST_CR0', CR0.of('ET', 'NE'));
      inject(e, info(3n, 13n, ec));
      expectRule(e, 'ctrl.entry.event.error-code-bit', !ec, `ec ${ec}`);
    }
  });
  each('%s: IA32_VMX_BASIC[56] lifts the rule', (_id, p) => {
    const e = validEntry(p);
    e.msrs.set(MSR.IA32_VMX_BASIC, cap(p, MSR.IA32_VMX_BASIC) | bit(56));
    inject(e, info(3n, 13n, false));
    expectNotApplicable(e, 'ctrl.entry.event.error-code-bit');
  });
});

describe('ctrl.entry.event.reserved-bits', () => {
  each('%s: bits 30:12 are reserved', (_id, p) => {
    for (let b = 0; b < 31; b++) {
      const e = validEntry(p);
      inject(e, info(0n, 0x20n) | bit(b));
      expectRule(e, 'ctrl.entry.event.reserved-bits', b < 12, `bit ${b}`);
    }
  });
});

describe('ctrl.entry.event.reserved-bits with FRED', () => {
  each('%s: bit 13 (nested exception) is allowed only when IA32_VMX_BASIC[58] reports it', (_id, p) => {
    for (const fred of [false, true]) {
      const e = validEntry(p);
      const basic = cap(p, MSR.IA32_VMX_BASIC);
      e.msrs.set(MSR.IA32_VMX_BASIC, fred ? basic | bit(58) : basic & ~bit(58));
      inject(e, info(3n, 13n, true) | bit(13));
      expectRule(e, 'ctrl.entry.event.reserved-bits', fred, `fred ${fred}`);
    }
  });
});

describe('ctrl.entry.event.error-code', () => {
  each('%s: bits 31:16 of the error code are 0 (bit 15 may be set: SDM erratum, decision 0004)', (_id, p) => {
    for (let b = 0; b < 32; b++) {
      const e = validEntry(p);
      inject(e, info(3n, 13n, true), bit(b));
      expectRule(e, 'ctrl.entry.event.error-code', b < 16, `bit ${b}`);
    }
    const e = validEntry(p);
    inject(e, info(3n, 6n, false), 0xffff_0000n);
    expectNotApplicable(e, 'ctrl.entry.event.error-code');
  });
});

describe('ctrl.entry.event.instruction-length', () => {
  each('%s: software events need length 1-15; 0 only with IA32_VMX_MISC[30]', (_id, p) => {
    const zeroOk = (cap(p, MSR.IA32_VMX_MISC) & bit(30)) !== 0n;
    for (const t of [4n, 5n, 6n]) for (const len of [0n, 1n, 15n, 16n, 0xffff_ffffn]) {
      const e = validEntry(p);
      inject(e, info(t, 3n), 0n, len);
      expectRule(e, 'ctrl.entry.event.instruction-length', len <= 15n && (len !== 0n || zeroOk), `type ${t} len ${len}`);
    }
    const hw = validEntry(p);
    inject(hw, info(3n, 6n), 0n, 99n);
    expectNotApplicable(hw, 'ctrl.entry.event.instruction-length');
  });
});

describe('ctrl.entry.smm-outside-smm', () => {
  each('%s: "entry to SMM" and "deactivate dual-monitor treatment" are 0 outside SMM', (_id, p) => {
    for (const m of [0n, ENTRY.mask.VM_ENTRY_SMM!, ENTRY.mask.VM_ENTRY_DEACT_DUAL_MONITOR!]) {
      const e = validEntry(p);
      e.vmcs.set('VM_ENTRY_CONTROLS', e.vmcs.get('VM_ENTRY_CONTROLS')! | m);
      expectRule(e, 'ctrl.entry.smm-outside-smm', m === 0n);
      e.cpu = { ...e.cpu, inSmm: true };
      expectNotApplicable(e, 'ctrl.entry.smm-outside-smm');
    }
  });
});

describe('ctrl.entry.smm-and-dual-monitor', () => {
  each('%s: the two SMM controls are not both 1', (_id, p) => {
    for (const a of [false, true]) for (const b of [false, true]) {
      const e = validEntry(p);
      let v = e.vmcs.get('VM_ENTRY_CONTROLS')!;
      if (a) v |= ENTRY.mask.VM_ENTRY_SMM!;
      if (b) v |= ENTRY.mask.VM_ENTRY_DEACT_DUAL_MONITOR!;
      e.vmcs.set('VM_ENTRY_CONTROLS', v);
      expectRule(e, 'ctrl.entry.smm-and-dual-monitor', !(a && b));
    }
  });
});
