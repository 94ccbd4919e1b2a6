// Rule tests for SDM §27.2.1.1 VM-Execution Control Fields: one describe per rule,
// starting from the valid VMCS of every profile, expectations from its capability MSRs.
import { describe, it } from 'vitest';
import { TEST_PROFILES } from '../testing/profiles.ts';
import type { TestProfile } from '../testing/profiles.ts';
import { validEntry } from '../testing/valid-vmcs.ts';
import type { FakeEntry } from '../testing/fake-context.ts';
import { addressSweep, allows1, allowsSecondary, cap } from '../testing/rules.ts';
import { expectNotApplicable, expectRule } from '../testing/expect-verdict.ts';
import { ENTRY, MSR, PIN, PROC, PROC2, EXIT, VMX_BASIC } from '../local-arch.ts';

const each = it.each(TEST_PROFILES.map((p) => [p.id, p] as const));
const bit = (n: number) => 1n << BigInt(n);

/** Allowed settings the way the SDM defines them: TRUE MSR when BASIC[55], else the plain one. */
function allowed(p: TestProfile, plain: number, trueMsr: number): { must: bigint; may: bigint } {
  const idx = VMX_BASIC.has(cap(p, MSR.IA32_VMX_BASIC), 'TRUE_CTLS') ? trueMsr : plain;
  const v = cap(p, idx);
  return { must: v & 0xffff_ffffn, may: v >> 32n };
}

/** Flips each bit of a 32-bit control field; the rule fails iff the result leaves the allowed settings. */
function sweepControlBits(p: TestProfile, field: string, id: string, a: { must: bigint; may: bigint }, prepare?: (e: FakeEntry) => void) {
  for (let b = 0; b < 32; b++) {
    const e = validEntry(p);
    prepare?.(e);
    const v = e.vmcs.get(field)! ^ bit(b);
    e.vmcs.set(field, v);
    const ok = (v & a.must) === a.must && (v & ~a.may) === 0n;
    expectRule(e, id, ok, `bit ${b}`);
  }
}

/** Turns on secondary control(s) `mask` (with "activate secondary controls"). */
function withSecondary(e: FakeEntry, mask: bigint) {
  e.vmcs.set('CPU_BASED_VM_EXEC_CONTROL', e.vmcs.get('CPU_BASED_VM_EXEC_CONTROL')! | PROC.mask.CPU_BASED_ACTIVATE_SECONDARY_CONTROLS!);
  e.vmcs.set('SECONDARY_VM_EXEC_CONTROL', (e.vmcs.get('SECONDARY_VM_EXEC_CONTROL') ?? 0n) | mask);
}

function orField(e: FakeEntry, field: string, mask: bigint) {
  e.vmcs.set(field, (e.vmcs.get(field) ?? 0n) | mask);
}

describe('ctrl.pin.allowed-settings', () => {
  each('%s: each bit flipped fails exactly when the capability MSR forbids it', (_id, p) => {
    sweepControlBits(p, 'PIN_BASED_VM_EXEC_CONTROL', 'ctrl.pin.allowed-settings', allowed(p, MSR.IA32_VMX_PINBASED_CTLS, MSR.IA32_VMX_TRUE_PINBASED_CTLS));
  });
});

describe('ctrl.proc.allowed-settings', () => {
  each('%s: each bit flipped fails exactly when the capability MSR forbids it (TRUE MSR when BASIC[55])', (_id, p) => {
    sweepControlBits(p, 'CPU_BASED_VM_EXEC_CONTROL', 'ctrl.proc.allowed-settings', allowed(p, MSR.IA32_VMX_PROCBASED_CTLS, MSR.IA32_VMX_TRUE_PROCBASED_CTLS));
  });
  each('%s: clearing CR3-load exiting is allowed only with TRUE controls', (_id, p) => {
    const e = validEntry(p);
    e.vmcs.set('CPU_BASED_VM_EXEC_CONTROL', e.vmcs.get('CPU_BASED_VM_EXEC_CONTROL')! & ~PROC.mask.CPU_BASED_CR3_LOAD_EXITING!);
    expectRule(e, 'ctrl.proc.allowed-settings', VMX_BASIC.has(cap(p, MSR.IA32_VMX_BASIC), 'TRUE_CTLS'));
  });
});

describe('ctrl.proc2.allowed-settings', () => {
  each('%s: not checked while "activate secondary controls" is 0', (_id, p) => {
    const e = validEntry(p);
    e.vmcs.set('SECONDARY_VM_EXEC_CONTROL', 0xffff_ffffn);
    expectNotApplicable(e, 'ctrl.proc2.allowed-settings');
  });
  each('%s: each secondary bit fails exactly when IA32_VMX_PROCBASED_CTLS2 forbids it', (_id, p) => {
    if (!allows1(p, MSR.IA32_VMX_PROCBASED_CTLS, bit(31))) return;
    const a = { must: 0n, may: cap(p, MSR.IA32_VMX_PROCBASED_CTLS2) >> 32n };
    sweepControlBits(p, 'SECONDARY_VM_EXEC_CONTROL', 'ctrl.proc2.allowed-settings', a, (e) => withSecondary(e, 0n));
  });
});

describe('ctrl.proc3.allowed-settings', () => {
  each('%s: tertiary controls are checked against IA32_VMX_PROCBASED_CTLS3 only when activated', (_id, p) => {
    const e = validEntry(p);
    e.vmcs.set('TERTIARY_VM_EXEC_CONTROL', 1n);
    expectNotApplicable(e, 'ctrl.proc3.allowed-settings');
    orField(e, 'CPU_BASED_VM_EXEC_CONTROL', PROC.mask.CPU_BASED_ACTIVATE_TERTIARY_CONTROLS!);
    expectRule(e, 'ctrl.proc3.allowed-settings', (cap(p, MSR.IA32_VMX_PROCBASED_CTLS3) & 1n) === 1n);
  });
});

describe('ctrl.cr3-target-count', () => {
  each('%s: counts up to IA32_VMX_MISC[24:16] pass, above fail', (_id, p) => {
    const max = (cap(p, MSR.IA32_VMX_MISC) >> 16n) & 0x1ffn;
    for (const n of [0n, 1n, max - 1n, max, max + 1n, 0x100n, 0xffff_ffffn]) {
      const e = validEntry(p);
      e.vmcs.set('CR3_TARGET_COUNT', n);
      expectRule(e, 'ctrl.cr3-target-count', n <= max, `count ${n}`);
    }
  });
});

/** An address rule: not applicable until `enable` turns it on, then swept over the boundaries. */
function addressRule(id: string, field: string, alignBits: number, enable: (e: FakeEntry) => void, supported: (p: TestProfile) => boolean) {
  describe(id, () => {
    each('%s: not applicable while the feature is off', (_id, p) => {
      const e = validEntry(p);
      e.vmcs.set(field, 0xffff_ffff_ffff_ffffn);
      expectNotApplicable(e, id);
    });
    each(`%s: bits ${alignBits - 1}:0 zero and within MAXPHYADDR`, (_id, p) => {
      if (!supported(p)) return;
      for (const { value, ok } of addressSweep(p.maxPhysAddr, alignBits)) {
        const e = validEntry(p);
        enable(e);
        e.vmcs.set(field, value);
        expectRule(e, id, ok, `address 0x${value.toString(16)}`);
      }
    });
  });
}

const procCap = (mask: bigint) => (p: TestProfile) => allows1(p, MSR.IA32_VMX_PROCBASED_CTLS, mask);
const pinCap = (mask: bigint) => (p: TestProfile) => allows1(p, MSR.IA32_VMX_PINBASED_CTLS, mask);
const secCap = (mask: bigint) => (p: TestProfile) => allowsSecondary(p, mask);

addressRule('ctrl.io-bitmap-a.address', 'IO_BITMAP_A', 12, (e) => orField(e, 'CPU_BASED_VM_EXEC_CONTROL', PROC.mask.CPU_BASED_USE_IO_BITMAPS!), procCap(PROC.mask.CPU_BASED_USE_IO_BITMAPS!));
addressRule('ctrl.io-bitmap-b.address', 'IO_BITMAP_B', 12, (e) => orField(e, 'CPU_BASED_VM_EXEC_CONTROL', PROC.mask.CPU_BASED_USE_IO_BITMAPS!), procCap(PROC.mask.CPU_BASED_USE_IO_BITMAPS!));
addressRule('ctrl.msr-bitmap.address', 'MSR_BITMAP', 12, (e) => orField(e, 'CPU_BASED_VM_EXEC_CONTROL', PROC.mask.CPU_BASED_USE_MSR_BITMAPS!), procCap(PROC.mask.CPU_BASED_USE_MSR_BITMAPS!));
addressRule('ctrl.virtual-apic.address', 'VIRTUAL_APIC_PAGE_ADDR', 12, (e) => orField(e, 'CPU_BASED_VM_EXEC_CONTROL', PROC.mask.CPU_BASED_TPR_SHADOW!), procCap(PROC.mask.CPU_BASED_TPR_SHADOW!));
addressRule('ctrl.apic-access.address', 'APIC_ACCESS_ADDR', 12, (e) => withSecondary(e, PROC2.mask.SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES!), secCap(PROC2.mask.SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES!));
addressRule('ctrl.posted-intr.descriptor-address', 'POSTED_INTR_DESC_ADDR', 6, (e) => orField(e, 'PIN_BASED_VM_EXEC_CONTROL', PIN.mask.PIN_BASED_POSTED_INTR!), pinCap(PIN.mask.PIN_BASED_POSTED_INTR!));
addressRule('ctrl.pml.address', 'PML_ADDRESS', 12, (e) => withSecondary(e, PROC2.mask.SECONDARY_EXEC_ENABLE_PML!), secCap(PROC2.mask.SECONDARY_EXEC_ENABLE_PML!));
addressRule('ctrl.vmcs-shadowing.vmread-bitmap', 'VMREAD_BITMAP', 12, (e) => withSecondary(e, PROC2.mask.SECONDARY_EXEC_SHADOW_VMCS!), secCap(PROC2.mask.SECONDARY_EXEC_SHADOW_VMCS!));
addressRule('ctrl.vmcs-shadowing.vmwrite-bitmap', 'VMWRITE_BITMAP', 12, (e) => withSecondary(e, PROC2.mask.SECONDARY_EXEC_SHADOW_VMCS!), secCap(PROC2.mask.SECONDARY_EXEC_SHADOW_VMCS!));
addressRule('ctrl.ve-info.address', 'VE_INFORMATION_ADDRESS', 12, (e) => withSecondary(e, PROC2.mask.SECONDARY_EXEC_EPT_VIOLATION_VE!), secCap(PROC2.mask.SECONDARY_EXEC_EPT_VIOLATION_VE!));
addressRule('ctrl.vmfunc.eptp-list-address', 'EPTP_LIST_ADDRESS', 12, (e) => { withSecondary(e, PROC2.mask.SECONDARY_EXEC_ENABLE_VMFUNC!); e.vmcs.set('VM_FUNCTION_CONTROL', 1n); }, secCap(PROC2.mask.SECONDARY_EXEC_ENABLE_VMFUNC!));

describe('ctrl.tpr-threshold.reserved-bits', () => {
  each('%s: with TPR shadow and no virtual-interrupt delivery, bits 31:4 must be 0', (_id, p) => {
    for (let b = 0; b < 32; b++) {
      const e = validEntry(p);
      orField(e, 'CPU_BASED_VM_EXEC_CONTROL', PROC.mask.CPU_BASED_TPR_SHADOW!);
      e.vmcs.set('TPR_THRESHOLD', bit(b));
      expectRule(e, 'ctrl.tpr-threshold.reserved-bits', b < 4, `bit ${b}`);
    }
  });
  each('%s: not applicable with virtual-interrupt delivery', (_id, p) => {
    const e = validEntry(p);
    orField(e, 'CPU_BASED_VM_EXEC_CONTROL', PROC.mask.CPU_BASED_TPR_SHADOW!);
    withSecondary(e, PROC2.mask.SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY!);
    e.vmcs.set('TPR_THRESHOLD', 0xf0n);
    expectNotApplicable(e, 'ctrl.tpr-threshold.reserved-bits');
  });
});

describe('ctrl.tpr-threshold.vtpr', () => {
  each('%s: TPR threshold[3:0] must not exceed VTPR[7:4] (VTPR at virtual-APIC page + 0x80)', (_id, p) => {
    for (const [threshold, vtpr] of [[0n, 0n], [3n, 0x30n], [4n, 0x3fn], [15n, 0xf0n], [1n, 0x0fn]] as const) {
      const e = validEntry(p);
      orField(e, 'CPU_BASED_VM_EXEC_CONTROL', PROC.mask.CPU_BASED_TPR_SHADOW!);
      e.vmcs.set('VIRTUAL_APIC_PAGE_ADDR', 0x60_0000n);
      e.write(0x60_0080n, 1, vtpr);
      e.vmcs.set('TPR_THRESHOLD', threshold);
      expectRule(e, 'ctrl.tpr-threshold.vtpr', threshold <= vtpr >> 4n, `threshold ${threshold} vtpr ${vtpr}`);
    }
  });
  each('%s: not applicable with "virtualize APIC accesses"', (_id, p) => {
    const e = validEntry(p);
    orField(e, 'CPU_BASED_VM_EXEC_CONTROL', PROC.mask.CPU_BASED_TPR_SHADOW!);
    withSecondary(e, PROC2.mask.SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES!);
    e.vmcs.set('TPR_THRESHOLD', 15n);
    expectNotApplicable(e, 'ctrl.tpr-threshold.vtpr');
  });
});

/** A dependency rule "A => B" over control bits: the four combinations. */
function implication(id: string, setA: (e: FakeEntry, on: boolean) => void, setB: (e: FakeEntry, on: boolean) => void) {
  describe(id, () => {
    each('%s: fails only when the first is 1 and the second 0', (_id, p) => {
      for (const a of [false, true]) for (const b of [false, true]) {
        const e = validEntry(p);
        setA(e, a);
        setB(e, b);
        expectRule(e, id, !a || b, `a=${a} b=${b}`);
      }
    });
  });
}

const setBit = (field: string, mask: bigint, secondary = false) => (e: FakeEntry, on: boolean) => {
  if (secondary) withSecondary(e, 0n);
  const v = e.vmcs.get(field) ?? 0n;
  e.vmcs.set(field, on ? v | mask : v & ~mask);
};
const PINF = 'PIN_BASED_VM_EXEC_CONTROL';
const PROCF = 'CPU_BASED_VM_EXEC_CONTROL';
const SECF = 'SECONDARY_VM_EXEC_CONTROL';
const notBit = (f: (e: FakeEntry, on: boolean) => void) => (e: FakeEntry, on: boolean) => f(e, !on);

implication('ctrl.pin.virtual-nmis-needs-nmi-exiting', setBit(PINF, PIN.mask.PIN_BASED_VIRTUAL_NMIS!), setBit(PINF, PIN.mask.PIN_BASED_NMI_EXITING!));
implication('ctrl.proc.nmi-window-needs-virtual-nmis', setBit(PROCF, PROC.mask.CPU_BASED_NMI_WINDOW_EXITING!), setBit(PINF, PIN.mask.PIN_BASED_VIRTUAL_NMIS!));
implication('ctrl.proc2.x2apic-excludes-apic-access', setBit(SECF, PROC2.mask.SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE!, true), notBit(setBit(SECF, PROC2.mask.SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES!, true)));
implication('ctrl.proc2.vid-needs-ext-intr-exiting', setBit(SECF, PROC2.mask.SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY!, true), setBit(PINF, PIN.mask.PIN_BASED_EXT_INTR_MASK!));
implication('ctrl.pml.needs-ept', setBit(SECF, PROC2.mask.SECONDARY_EXEC_ENABLE_PML!, true), setBit(SECF, PROC2.mask.SECONDARY_EXEC_ENABLE_EPT!, true));
implication('ctrl.proc2.unrestricted-needs-ept', setBit(SECF, PROC2.mask.SECONDARY_EXEC_UNRESTRICTED_GUEST!, true), setBit(SECF, PROC2.mask.SECONDARY_EXEC_ENABLE_EPT!, true));
implication('ctrl.proc2.mbec-needs-ept', setBit(SECF, PROC2.mask.SECONDARY_EXEC_MODE_BASED_EPT_EXEC!, true), setBit(SECF, PROC2.mask.SECONDARY_EXEC_ENABLE_EPT!, true));
implication('ctrl.posted-intr.needs-vid', setBit(PINF, PIN.mask.PIN_BASED_POSTED_INTR!), setBit(SECF, PROC2.mask.SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY!, true));
implication('ctrl.posted-intr.needs-ack-on-exit', setBit(PINF, PIN.mask.PIN_BASED_POSTED_INTR!), setBit('VM_EXIT_CONTROLS', EXIT.mask.VM_EXIT_ACK_INTR_ON_EXIT!));
implication('ctrl.vmfunc.eptp-switching-needs-ept', (e, on) => { withSecondary(e, PROC2.mask.SECONDARY_EXEC_ENABLE_VMFUNC!); e.vmcs.set('VM_FUNCTION_CONTROL', on ? 1n : 0n); }, setBit(SECF, PROC2.mask.SECONDARY_EXEC_ENABLE_EPT!, true));

describe('ctrl.proc2.apic-virt-needs-tpr-shadow', () => {
  each('%s: each of x2APIC mode, APIC-register virtualization, VID needs "use TPR shadow"', (_id, p) => {
    for (const m of [PROC2.mask.SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE!, PROC2.mask.SECONDARY_EXEC_APIC_REGISTER_VIRT!, PROC2.mask.SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY!]) {
      for (const tpr of [false, true]) {
        const e = validEntry(p);
        withSecondary(e, m);
        setBit(PROCF, PROC.mask.CPU_BASED_TPR_SHADOW!)(e, tpr);
        if (tpr) expectNotApplicable(e, 'ctrl.proc2.apic-virt-needs-tpr-shadow');
        else expectRule(e, 'ctrl.proc2.apic-virt-needs-tpr-shadow', false);
      }
    }
  });
  each('%s: secondary bits count as 0 while "activate secondary controls" is 0', (_id, p) => {
    const e = validEntry(p);
    e.vmcs.set(SECF, PROC2.mask.SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY!);
    expectRule(e, 'ctrl.proc2.apic-virt-needs-tpr-shadow', true);
  });
});

describe('ctrl.posted-intr.vector', () => {
  each('%s: the notification vector is 0-255', (_id, p) => {
    for (const [v, ok] of [[0n, true], [0xffn, true], [0x100n, false], [0xff00n, false], [0x8000n, false]] as const) {
      const e = validEntry(p);
      orField(e, PINF, PIN.mask.PIN_BASED_POSTED_INTR!);
      e.vmcs.set('POSTED_INTR_NV', v);
      expectRule(e, 'ctrl.posted-intr.vector', ok, `vector ${v}`);
    }
  });
});

describe('ctrl.vpid.nonzero', () => {
  each('%s: VPID 0 fails only with "enable VPID"', (_id, p) => {
    for (const [vpid, ok] of [[0n, false], [1n, true], [0xffffn, true]] as const) {
      const e = validEntry(p);
      withSecondary(e, PROC2.mask.SECONDARY_EXEC_ENABLE_VPID!);
      e.vmcs.set('VIRTUAL_PROCESSOR_ID', vpid);
      expectRule(e, 'ctrl.vpid.nonzero', ok, `vpid ${vpid}`);
    }
    const off = validEntry(p);
    expectNotApplicable(off, 'ctrl.vpid.nonzero');
  });
});

/** An EPTP with EPT on: memory type WB (or UC), 4 levels, at 0x70_0000. */
function withEpt(e: FakeEntry, eptp: bigint) {
  withSecondary(e, PROC2.mask.SECONDARY_EXEC_ENABLE_EPT!);
  e.vmcs.set('EPT_POINTER', eptp);
}

describe('ctrl.eptp.memory-type', () => {
  each('%s: only UC (cap bit 8) and WB (cap bit 14) are accepted', (_id, p) => {
    const ept = cap(p, MSR.IA32_VMX_EPT_VPID_CAP);
    for (let t = 0n; t < 8n; t++) {
      const e = validEntry(p);
      withEpt(e, 0x70_0000n | (3n << 3n) | t);
      const ok = (t === 0n && (ept & bit(8)) !== 0n) || (t === 6n && (ept & bit(14)) !== 0n);
      expectRule(e, 'ctrl.eptp.memory-type', ok, `type ${t}`);
    }
  });
});

describe('ctrl.eptp.walk-length', () => {
  each('%s: page-walk length 4 (and 5 when cap bit 7) only', (_id, p) => {
    const ept = cap(p, MSR.IA32_VMX_EPT_VPID_CAP);
    for (let l = 0n; l < 8n; l++) {
      const e = validEntry(p);
      withEpt(e, 0x70_0006n | (l << 3n));
      const ok = (l === 3n && (ept & bit(6)) !== 0n) || (l === 4n && (ept & bit(7)) !== 0n);
      expectRule(e, 'ctrl.eptp.walk-length', ok, `length-1 ${l}`);
    }
  });
});

describe('ctrl.eptp.accessed-dirty', () => {
  each('%s: bit 6 only with EPT A/D support (cap bit 21)', (_id, p) => {
    const e = validEntry(p);
    withEpt(e, 0x70_001en | bit(6));
    expectRule(e, 'ctrl.eptp.accessed-dirty', (cap(p, MSR.IA32_VMX_EPT_VPID_CAP) & bit(21)) !== 0n);
  });
});

describe('ctrl.eptp.reserved-bits', () => {
  each('%s: bits 11:7 and bits from MAXPHYADDR up are reserved', (_id, p) => {
    for (let b = 7; b < 64; b++) {
      const e = validEntry(p);
      withEpt(e, 0x70_001en | bit(b));
      expectRule(e, 'ctrl.eptp.reserved-bits', b >= 12 && b < p.maxPhysAddr, `bit ${b}`);
    }
  });
});

describe('ctrl.vmfunc.allowed-settings', () => {
  each('%s: VM-function controls within IA32_VMX_VMFUNC', (_id, p) => {
    for (let b = 0; b < 64; b += 7) {
      const e = validEntry(p);
      withSecondary(e, PROC2.mask.SECONDARY_EXEC_ENABLE_VMFUNC!);
      e.vmcs.set('VM_FUNCTION_CONTROL', bit(b));
      expectRule(e, 'ctrl.vmfunc.allowed-settings', (cap(p, MSR.IA32_VMX_VMFUNC) & bit(b)) !== 0n, `bit ${b}`);
    }
  });
});

describe('ctrl.proc2.pt-gpa-needs-ept-and-rtit', () => {
  each('%s: "Intel PT uses guest-physical addresses" needs EPT, load and clear IA32_RTIT_CTL', (_id, p) => {
    for (let m = 0; m < 8; m++) {
      const e = validEntry(p);
      withSecondary(e, PROC2.mask.SECONDARY_EXEC_PT_USE_GPA! | (m & 1 ? PROC2.mask.SECONDARY_EXEC_ENABLE_EPT! : 0n));
      if (m & 2) orField(e, 'VM_ENTRY_CONTROLS', ENTRY.mask.VM_ENTRY_LOAD_IA32_RTIT_CTL!);
      if (m & 4) orField(e, 'VM_EXIT_CONTROLS', EXIT.mask.VM_EXIT_CLEAR_IA32_RTIT_CTL!);
      expectRule(e, 'ctrl.proc2.pt-gpa-needs-ept-and-rtit', m === 7, `combination ${m}`);
    }
    expectNotApplicable(validEntry(p), 'ctrl.proc2.pt-gpa-needs-ept-and-rtit');
  });
});
