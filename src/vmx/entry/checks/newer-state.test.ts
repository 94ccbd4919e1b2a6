// Rule tests for the newer §27.2.2 / §27.3.1.1 rules: CET, PKRS, UINV, IA32_RTIT_CTL and
// IA32_LBR_CTL, on every profile (whether or not it allows the controls: the rules are
// evaluated for the explanation either way).
import { describe, it } from 'vitest';
import { TEST_PROFILES } from '../testing/profiles.ts';
import { validEntry } from '../testing/valid-vmcs.ts';
import type { FakeEntry } from '../testing/fake-context.ts';
import { TEST_LBR_CTL_RESERVED, TEST_RTIT_CTL_RESERVED } from '../testing/fake-context.ts';
import { canonicalSweep } from '../testing/rules.ts';
import { expectNotApplicable, expectRule } from '../testing/expect-verdict.ts';
import { CR0, CR4, ENTRY, EXIT } from '../local-arch.ts';

const each = it.each(TEST_PROFILES.map((p) => [p.id, p] as const));
const bit = (n: number) => 1n << BigInt(n);

function orCtl(e: FakeEntry, field: 'VM_EXIT_CONTROLS' | 'VM_ENTRY_CONTROLS', mask: bigint, on = true) {
  const v = e.vmcs.get(field)!;
  e.vmcs.set(field, on ? v | mask : v & ~mask);
}

const SIDES = [
  { side: 'host', ctl: 'VM_EXIT_CONTROLS', cet: EXIT.mask.VM_EXIT_LOAD_CET_STATE!, pkrs: EXIT.mask.VM_EXIT_LOAD_IA32_PKRS!, wide: EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE!, P: 'HOST' },
  { side: 'guest', ctl: 'VM_ENTRY_CONTROLS', cet: ENTRY.mask.VM_ENTRY_LOAD_CET_STATE!, pkrs: ENTRY.mask.VM_ENTRY_LOAD_IA32_PKRS!, wide: ENTRY.mask.VM_ENTRY_IA32E_MODE!, P: 'GUEST' },
] as const;

describe('host.cr4.cet-needs-wp and guest.cr4.cet-needs-wp', () => {
  each('%s: CR4.CET needs CR0.WP', (_id, p) => {
    for (const s of SIDES) for (const wp of [false, true]) {
      const e = validEntry(p);
      e.vmcs.set(`${s.P}_CR4`, CR4.set(e.vmcs.get(`${s.P}_CR4`)!, 'CET', true));
      e.vmcs.set(`${s.P}_CR0`, CR0.set(e.vmcs.get(`${s.P}_CR0`)!, 'WP', wp));
      expectRule(e, `${s.side}.cr4.cet-needs-wp`, wp, `${s.side} wp ${wp}`);
    }
    expectNotApplicable(validEntry(p), 'host.cr4.cet-needs-wp');
  });
});

describe('*.s-cet.valid', () => {
  each('%s: IA32_S_CET bits 9:6 reserved; SUPPRESS and TRACKER not both', (_id, p) => {
    for (const s of SIDES) for (let b = 0; b < 12; b++) {
      const e = validEntry(p);
      e.vmcs.set(`${s.P}_S_CET`, bit(b));
      expectNotApplicable(e, `${s.side}.s-cet.valid`);
      orCtl(e, s.ctl, s.cet);
      expectRule(e, `${s.side}.s-cet.valid`, b < 6 || b > 9, `${s.side} bit ${b}`);
    }
    for (const s of SIDES) {
      const e = validEntry(p);
      orCtl(e, s.ctl, s.cet);
      e.vmcs.set(`${s.P}_S_CET`, 0xc00n);
      expectRule(e, `${s.side}.s-cet.valid`, false, 'bits 10 and 11');
    }
  });
});

describe('*.s-cet.address and *.ssp.address', () => {
  each('%s: canonical on a 64-bit side, 32-bit otherwise', (_id, p) => {
    for (const s of SIDES) for (const k of ['S_CET', 'SSP']) {
      const reg = k === 'S_CET' ? 's-cet' : 'ssp';
      const id = `${s.side}.${reg}.address`;
      for (const { value, ok } of canonicalSweep(p.linearAddressBits)) {
        const e = validEntry(p);
        orCtl(e, s.ctl, s.cet);
        e.vmcs.set(`${s.P}_${k}`, value & ~3n);
        expectRule(e, id, ok, `${k} 0x${value.toString(16)}`);
      }
      // A 32-bit side: the host's CET addresses and the guest SSP must fit in 32 bits; the
      // guest IA32_S_CET only has to be canonical (§27.3.1.1).
      const only32 = s.side === 'host' || k === 'SSP';
      for (const [v, ok] of [[0xffff_fff0n, true], [0x1_0000_0000n, !only32]] as const) {
        const e = validEntry(p);
        orCtl(e, s.ctl, s.cet);
        orCtl(e, s.ctl, s.wide, false);
        e.vmcs.set(`${s.P}_${k}`, v);
        expectRule(e, id, ok, `32-bit ${k} 0x${v.toString(16)}`);
      }
    }
  });
});

describe('guest.ssp.address follows CS.L like RIP', () => {
  each('%s: in an IA-32e mode guest with CS.L = 0 the SSP must fit in 32 bits', (_id, p) => {
    for (const [l, v, ok] of [[true, 0x1_0000_0000n, true], [false, 0x1_0000_0000n, false], [false, 0xffff_fff0n, true]] as const) {
      const e = validEntry(p);
      orCtl(e, 'VM_ENTRY_CONTROLS', ENTRY.mask.VM_ENTRY_LOAD_CET_STATE!);
      e.vmcs.set('GUEST_CS_AR_BYTES', l ? 0xa09bn : 0xc09bn);
      e.vmcs.set('GUEST_SSP', v);
      expectRule(e, 'guest.ssp.address', ok, `L ${l} ssp 0x${v.toString(16)}`);
    }
  });
});

describe('*.ssp.alignment and *.intr-ssp-table.canonical', () => {
  each('%s: SSP bits 1:0 are 0; the interrupt-SSP-table address is canonical', (_id, p) => {
    for (const s of SIDES) {
      for (let low = 0n; low < 4n; low++) {
        const e = validEntry(p);
        orCtl(e, s.ctl, s.cet);
        e.vmcs.set(`${s.P}_SSP`, 0x1000n | low);
        expectRule(e, `${s.side}.ssp.alignment`, low === 0n, `low ${low}`);
      }
      for (const { value, ok } of canonicalSweep(p.linearAddressBits)) {
        const e = validEntry(p);
        orCtl(e, s.ctl, s.cet);
        e.vmcs.set(`${s.P}_INTR_SSP_TABLE`, value);
        expectRule(e, `${s.side}.intr-ssp-table.canonical`, ok, `0x${value.toString(16)}`);
      }
    }
  });
});

describe('*.pkrs.upper-bits', () => {
  each('%s: IA32_PKRS bits 63:32 are 0 when loaded', (_id, p) => {
    for (const s of SIDES) for (const b of [0, 31, 32, 63]) {
      const e = validEntry(p);
      e.vmcs.set(`${s.P}_IA32_PKRS`, bit(b));
      expectNotApplicable(e, `${s.side}.pkrs.upper-bits`);
      orCtl(e, s.ctl, s.pkrs);
      expectRule(e, `${s.side}.pkrs.upper-bits`, b < 32, `bit ${b}`);
    }
  });
});

describe('guest.uinv.vector', () => {
  each('%s: UINV in 0-255', (_id, p) => {
    for (const [v, ok] of [[0n, true], [0xecn, true], [0x100n, false], [0xff00n, false]] as const) {
      const e = validEntry(p);
      orCtl(e, 'VM_ENTRY_CONTROLS', ENTRY.mask.VM_ENTRY_LOAD_UINV!);
      e.vmcs.set('GUEST_UINV', v);
      expectRule(e, 'guest.uinv.vector', ok, `uinv ${v}`);
    }
  });
});

describe('guest.rtit-ctl.reserved-bits and guest.lbr-ctl.reserved-bits', () => {
  each('%s: reserved bits of the MSR are 0 when the control loads it', (_id, p) => {
    for (const [id, field, ctl, reserved] of [
      ['guest.rtit-ctl.reserved-bits', 'GUEST_IA32_RTIT_CTL', ENTRY.mask.VM_ENTRY_LOAD_IA32_RTIT_CTL!, TEST_RTIT_CTL_RESERVED],
      ['guest.lbr-ctl.reserved-bits', 'GUEST_IA32_LBR_CTL', ENTRY.mask.VM_ENTRY_LOAD_IA32_LBR_CTL!, TEST_LBR_CTL_RESERVED],
    ] as const) for (let b = 0; b < 64; b++) {
      const e = validEntry(p);
      e.vmcs.set(field, bit(b));
      expectNotApplicable(e, id);
      orCtl(e, 'VM_ENTRY_CONTROLS', ctl);
      expectRule(e, id, (bit(b) & reserved) === 0n, `${field} bit ${b}`);
    }
  });
});
