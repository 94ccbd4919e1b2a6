// Rule tests for SDM §27.2.2 host control registers and MSRs, §27.2.3 host segment and
// descriptor-table registers, and §27.2.4 address-space size: one describe per rule.
import { describe, it } from 'vitest';
import { TEST_PROFILES } from '../testing/profiles.ts';
import { validEntry } from '../testing/valid-vmcs.ts';
import type { FakeEntry } from '../testing/fake-context.ts';
import { cap, canonicalSweep } from '../testing/rules.ts';
import { expectNotApplicable, expectRule } from '../testing/expect-verdict.ts';
import { TEST_PERF_GLOBAL_CTRL_RESERVED } from '../testing/fake-context.ts';
import { CR4, EFER, ENTRY, EXIT, MSR } from '../local-arch.ts';
import { EFER_INTEL_RESERVED } from '../../../arch/efer.ts';

const each = it.each(TEST_PROFILES.map((p) => [p.id, p] as const));
const bit = (n: number) => 1n << BigInt(n);
const NW_CD = bit(29) | bit(30);

function setExit(e: FakeEntry, mask: bigint, on: boolean) {
  const v = e.vmcs.get('VM_EXIT_CONTROLS')!;
  e.vmcs.set('VM_EXIT_CONTROLS', on ? v | mask : v & ~mask);
}

function fixedBitsRule(id: string, field: string, f0: number, f1: number, exempt: bigint) {
  describe(id, () => {
    each('%s: each bit flipped fails exactly when FIXED0/FIXED1 forbid it', (_id, p) => {
      const fixed0 = cap(p, f0) & ~exempt;
      const fixed1 = cap(p, f1) | exempt;
      for (let b = 0; b < 64; b++) {
        const e = validEntry(p);
        const v = e.vmcs.get(field)! ^ bit(b);
        e.vmcs.set(field, v);
        expectRule(e, id, (v & fixed0) === fixed0 && (v & ~fixed1) === 0n, `bit ${b}`);
      }
    });
  });
}

fixedBitsRule('host.cr0.fixed-bits', 'HOST_CR0', MSR.IA32_VMX_CR0_FIXED0, MSR.IA32_VMX_CR0_FIXED1, NW_CD);
fixedBitsRule('host.cr4.fixed-bits', 'HOST_CR4', MSR.IA32_VMX_CR4_FIXED0, MSR.IA32_VMX_CR4_FIXED1, 0n);

describe('host.cr0.fixed-bits NW and CD', () => {
  each('%s: CD and NW are never checked', (_id, p) => {
    const e = validEntry(p);
    e.vmcs.set('HOST_CR0', e.vmcs.get('HOST_CR0')! | NW_CD);
    expectRule(e, 'host.cr0.fixed-bits', true);
  });
});

describe('host.cr3.reserved-bits', () => {
  each('%s: bits from MAXPHYADDR up (including 63) are 0; LAM allows 62:61', (_id, p) => {
    for (const lam of [false, true]) for (let b = 0; b < 64; b++) {
      const e = validEntry(p);
      e.features = { lam };
      e.vmcs.set('HOST_CR3', e.vmcs.get('HOST_CR3')! | bit(b));
      expectRule(e, 'host.cr3.reserved-bits', b < p.maxPhysAddr || (lam && (b === 61 || b === 62)), `lam ${lam} bit ${b}`);
    }
  });
});

function canonicalRule(id: string, field: string) {
  describe(id, () => {
    each('%s: canonical boundary', (_id, p) => {
      for (const { value, ok } of canonicalSweep(p.linearAddressBits)) {
        const e = validEntry(p);
        e.vmcs.set(field, value);
        expectRule(e, id, ok, `0x${value.toString(16)}`);
      }
    });
  });
}

canonicalRule('host.sysenter-esp.canonical', 'HOST_IA32_SYSENTER_ESP');
canonicalRule('host.sysenter-eip.canonical', 'HOST_IA32_SYSENTER_EIP');
for (const r of ['FS', 'GS', 'GDTR', 'IDTR', 'TR']) canonicalRule(`host.base.${r.toLowerCase()}.canonical`, `HOST_${r}_BASE`);

describe('host.perf-global-ctrl.reserved-bits', () => {
  each('%s: with "load IA32_PERF_GLOBAL_CTRL", reserved bits of the MSR are 0', (_id, p) => {
    for (let b = 0; b < 64; b += 3) {
      const e = validEntry(p);
      e.vmcs.set('HOST_IA32_PERF_GLOBAL_CTRL', bit(b));
      expectNotApplicable(e, 'host.perf-global-ctrl.reserved-bits');
      setExit(e, EXIT.mask.VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL!, true);
      expectRule(e, 'host.perf-global-ctrl.reserved-bits', (bit(b) & TEST_PERF_GLOBAL_CTRL_RESERVED) === 0n, `bit ${b}`);
    }
  });
});

/** PAT values: each byte one of 0, 1, 4, 5, 6, 7. */
const PAT_CASES: [bigint, boolean][] = [
  [0x0007_0406_0007_0406n, true], [0n, true], [0x0707_0707_0707_0707n, true], [0x0101_0505_0404_0606n, true],
  [2n, false], [3n, false], [8n, false], [0x0200_0000_0000_0000n, false], [0xff00n, false], [0x0300_0000n, false],
];

describe('host.pat.memory-types', () => {
  each('%s: with "load IA32_PAT", every byte is a valid memory type', (_id, p) => {
    for (const [v, ok] of PAT_CASES) {
      const e = validEntry(p);
      e.vmcs.set('HOST_IA32_PAT', v);
      expectNotApplicable(e, 'host.pat.memory-types');
      setExit(e, EXIT.mask.VM_EXIT_LOAD_IA32_PAT!, true);
      expectRule(e, 'host.pat.memory-types', ok, `0x${v.toString(16)}`);
    }
  });
});

describe('host.efer.reserved-bits', () => {
  each('%s: with "load IA32_EFER", reserved EFER bits are 0', (_id, p) => {
    for (let b = 0; b < 64; b++) {
      const e = validEntry(p);
      setExit(e, EXIT.mask.VM_EXIT_LOAD_IA32_EFER!, true);
      e.vmcs.set('HOST_IA32_EFER', EFER.of('LME', 'LMA') | bit(b));
      expectRule(e, 'host.efer.reserved-bits', (bit(b) & EFER_INTEL_RESERVED) === 0n, `bit ${b}`);
    }
  });
});

describe('host.efer.lma-lme', () => {
  each('%s: LMA and LME both equal "host address-space size"', (_id, p) => {
    for (const as of [false, true]) for (const lma of [false, true]) for (const lme of [false, true]) {
      const e = validEntry(p);
      setExit(e, EXIT.mask.VM_EXIT_LOAD_IA32_EFER!, true);
      setExit(e, EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE!, as);
      e.vmcs.set('HOST_IA32_EFER', (lma ? EFER.mask.LMA : 0n) | (lme ? EFER.mask.LME : 0n));
      expectRule(e, 'host.efer.lma-lme', lma === as && lme === as, `as=${as} lma=${lma} lme=${lme}`);
    }
  });
});

describe('host.seg.*.selector.rpl-ti', () => {
  each('%s: RPL and TI of every host selector are 0', (_id, p) => {
    for (const r of ['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'TR']) for (let low = 0n; low < 8n; low++) {
      const e = validEntry(p);
      e.vmcs.set(`HOST_${r}_SELECTOR`, 0x40n | low);
      expectRule(e, `host.seg.${r.toLowerCase()}.selector.rpl-ti`, low === 0n, `${r} low bits ${low}`);
    }
  });
});

describe('host.seg.cs.selector.nonzero and host.seg.tr.selector.nonzero', () => {
  each('%s: CS and TR selectors are not 0; the others may be', (_id, p) => {
    for (const r of ['CS', 'TR']) {
      const e = validEntry(p);
      e.vmcs.set(`HOST_${r}_SELECTOR`, 0n);
      expectRule(e, `host.seg.${r.toLowerCase()}.selector.nonzero`, false);
    }
    const ok = validEntry(p);
    for (const r of ['DS', 'ES', 'FS', 'GS', 'SS']) ok.vmcs.set(`HOST_${r}_SELECTOR`, 0n);
    expectRule(ok, 'host.seg.ss.selector.nonzero', true);
  });
});

describe('host.seg.ss.selector.nonzero', () => {
  each('%s: SS may be 0 only for a 64-bit host', (_id, p) => {
    for (const as of [false, true]) for (const ss of [0n, 0x10n]) {
      const e = validEntry(p);
      setExit(e, EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE!, as);
      e.vmcs.set('HOST_SS_SELECTOR', ss);
      if (as) expectNotApplicable(e, 'host.seg.ss.selector.nonzero');
      else expectRule(e, 'host.seg.ss.selector.nonzero', ss !== 0n, `ss ${ss}`);
    }
  });
});

describe('§27.2.4 address-space size', () => {
  const legacyCpu = (e: FakeEntry) => { e.cpu = { ...e.cpu, efer: EFER.of('SCE', 'NXE') }; };
  const setEntry = (e: FakeEntry, on: boolean) => {
    const v = e.vmcs.get('VM_ENTRY_CONTROLS')!;
    e.vmcs.set('VM_ENTRY_CONTROLS', on ? v | ENTRY.mask.VM_ENTRY_IA32E_MODE! : v & ~ENTRY.mask.VM_ENTRY_IA32E_MODE!);
  };

  describe('host.addr-space.ia32e-guest-outside-ia32e and host.addr-space.host-outside-ia32e', () => {
    each('%s: outside IA-32e mode both controls must be 0; not applicable inside', (_id, p) => {
      for (const g of [false, true]) for (const h of [false, true]) {
        const e = validEntry(p);
        legacyCpu(e);
        setEntry(e, g);
        setExit(e, EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE!, h);
        expectRule(e, 'host.addr-space.ia32e-guest-outside-ia32e', !g);
        expectRule(e, 'host.addr-space.host-outside-ia32e', !h);
      }
      const in64 = validEntry(p);
      expectNotApplicable(in64, 'host.addr-space.ia32e-guest-outside-ia32e');
      expectNotApplicable(in64, 'host.addr-space.host-outside-ia32e');
    });
  });

  describe('host.addr-space.host-in-ia32e', () => {
    each('%s: in IA-32e mode "host address-space size" must be 1', (_id, p) => {
      for (const h of [false, true]) {
        const e = validEntry(p);
        setExit(e, EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE!, h);
        expectRule(e, 'host.addr-space.host-in-ia32e', h);
      }
    });
  });

  describe('host.addr-space.legacy-host.*', () => {
    each('%s: a 32-bit host has no IA-32e guest, no CR4.PCIDE, and a 32-bit RIP', (_id, p) => {
      for (const g of [false, true]) {
        const e = validEntry(p);
        setExit(e, EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE!, false);
        setEntry(e, g);
        expectRule(e, 'host.addr-space.legacy-host.ia32e-guest', !g);
      }
      for (const pcide of [false, true]) {
        const e = validEntry(p);
        setExit(e, EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE!, false);
        e.vmcs.set('HOST_CR4', CR4.set(e.vmcs.get('HOST_CR4')!, 'PCIDE', pcide));
        expectRule(e, 'host.addr-space.legacy-host.cr4-pcide', !pcide);
      }
      for (const [rip, ok] of [[0x10_0000n, true], [0xffff_ffffn, true], [0x1_0000_0000n, false], [0xffff_8880_0010_0000n, false]] as const) {
        const e = validEntry(p);
        setExit(e, EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE!, false);
        e.vmcs.set('HOST_RIP', rip);
        expectRule(e, 'host.addr-space.legacy-host.rip', ok, `rip 0x${rip.toString(16)}`);
      }
      const e64 = validEntry(p);
      for (const id of ['host.addr-space.legacy-host.ia32e-guest', 'host.addr-space.legacy-host.cr4-pcide', 'host.addr-space.legacy-host.rip']) expectNotApplicable(e64, id);
    });
  });

  describe('host.addr-space.64bit-host.*', () => {
    each('%s: a 64-bit host has CR4.PAE and a canonical RIP', (_id, p) => {
      for (const pae of [false, true]) {
        const e = validEntry(p);
        e.vmcs.set('HOST_CR4', CR4.set(e.vmcs.get('HOST_CR4')!, 'PAE', pae));
        expectRule(e, 'host.addr-space.64bit-host.cr4-pae', pae);
      }
      for (const { value, ok } of canonicalSweep(p.linearAddressBits)) {
        const e = validEntry(p);
        e.vmcs.set('HOST_RIP', value);
        expectRule(e, 'host.addr-space.64bit-host.rip', ok, `rip 0x${value.toString(16)}`);
      }
    });
  });
});
