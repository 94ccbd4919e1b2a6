// Rule tests for SDM §27.3.1.2 Checks on Guest Segment Registers: one describe per rule,
// sweeping types, DPL/RPL pairs, limits against G, and reserved bits, on every profile.
import { describe, it } from 'vitest';
import { TEST_PROFILES } from '../testing/profiles.ts';
import { validEntry } from '../testing/valid-vmcs.ts';
import type { FakeEntry } from '../testing/fake-context.ts';
import { canonicalSweep } from '../testing/rules.ts';
import { expectNotApplicable, expectRule } from '../testing/expect-verdict.ts';
import { AR, CR0, ENTRY, PROC, PROC2 } from '../local-arch.ts';
import type { TestProfile } from '../testing/profiles.ts';

const each = it.each(TEST_PROFILES.map((p) => [p.id, p] as const));
const bit = (n: number) => 1n << BigInt(n);
const DATA = ['CS', 'SS', 'DS', 'ES', 'FS', 'GS'] as const;
const OTHERS = ['DS', 'ES', 'FS', 'GS'] as const;
const UNUSABLE = 0x1_0000n;
const lc = (r: string) => r.toLowerCase();

function unrestricted(e: FakeEntry) {
  e.vmcs.set('CPU_BASED_VM_EXEC_CONTROL', e.vmcs.get('CPU_BASED_VM_EXEC_CONTROL')! | PROC.mask.CPU_BASED_ACTIVATE_SECONDARY_CONTROLS!);
  e.vmcs.set('SECONDARY_VM_EXEC_CONTROL', PROC2.mask.SECONDARY_EXEC_UNRESTRICTED_GUEST! | PROC2.mask.SECONDARY_EXEC_ENABLE_EPT!);
}

function legacyGuest(e: FakeEntry) {
  e.vmcs.set('VM_ENTRY_CONTROLS', e.vmcs.get('VM_ENTRY_CONTROLS')! & ~ENTRY.mask.VM_ENTRY_IA32E_MODE!);
  e.vmcs.set('GUEST_CS_AR_BYTES', 0xc09bn);
}

/** A virtual-8086 guest whose segments satisfy every virtual-8086 rule. */
function v86Entry(p: TestProfile): FakeEntry {
  const e = validEntry(p);
  legacyGuest(e);
  e.vmcs.set('GUEST_RFLAGS', 0x2_0002n);
  for (const r of DATA) {
    const sel = r === 'CS' ? 0x1000n : 0x2000n;
    e.vmcs.set(`GUEST_${r}_SELECTOR`, sel);
    e.vmcs.set(`GUEST_${r}_BASE`, sel << 4n);
    e.vmcs.set(`GUEST_${r}_LIMIT`, 0xffffn);
    e.vmcs.set(`GUEST_${r}_AR_BYTES`, 0xf3n);
  }
  return e;
}

const ar = (e: FakeEntry, r: string) => e.vmcs.get(`GUEST_${r}_AR_BYTES`)!;
const setAr = (e: FakeEntry, r: string, v: bigint) => e.vmcs.set(`GUEST_${r}_AR_BYTES`, v);

describe('guest.seg.tr.selector.ti and guest.seg.ldtr.selector.ti', () => {
  each('%s: TI = 1 fails for TR, and for LDTR only when usable', (_id, p) => {
    for (const ti of [false, true]) {
      const e = validEntry(p);
      e.vmcs.set('GUEST_TR_SELECTOR', 0x18n | (ti ? 4n : 0n));
      expectRule(e, 'guest.seg.tr.selector.ti', !ti);
      const l = validEntry(p);
      l.vmcs.set('GUEST_LDTR_SELECTOR', 0x28n | (ti ? 4n : 0n));
      expectNotApplicable(l, 'guest.seg.ldtr.selector.ti');
      setAr(l, 'LDTR', 0x82n);
      expectRule(l, 'guest.seg.ldtr.selector.ti', !ti);
    }
  });
});

describe('guest.seg.ss.selector.rpl', () => {
  each('%s: SS.RPL = CS.RPL, unless virtual-8086 or unrestricted guest', (_id, p) => {
    for (let ss = 0n; ss < 4n; ss++) for (let cs = 0n; cs < 4n; cs++) {
      const e = validEntry(p);
      e.vmcs.set('GUEST_SS_SELECTOR', 0x10n | ss);
      e.vmcs.set('GUEST_CS_SELECTOR', 0x08n | cs);
      expectRule(e, 'guest.seg.ss.selector.rpl', ss === cs, `ss ${ss} cs ${cs}`);
      unrestricted(e);
      expectNotApplicable(e, 'guest.seg.ss.selector.rpl');
    }
    expectNotApplicable(v86Entry(p), 'guest.seg.ss.selector.rpl');
  });
});

describe('virtual-8086 rules: guest.seg.*.base.v86, guest.seg.*.limit.v86, guest.seg.*.access-rights.v86', () => {
  each('%s: base = selector * 16, limit FFFFH, access rights F3H; none apply outside virtual-8086 mode', (_id, p) => {
    for (const r of DATA) {
      const id = (k: string) => `guest.seg.${lc(r)}.${k}.v86`;
      const base = v86Entry(p);
      expectRule(base, id('base'), true);
      base.vmcs.set(`GUEST_${r}_BASE`, base.vmcs.get(`GUEST_${r}_BASE`)! + 1n);
      expectRule(base, id('base'), false);
      for (const [l, ok] of [[0xffffn, true], [0xfffen, false], [0x1_ffffn, false], [0xffff_ffffn, false]] as const) {
        const e = v86Entry(p);
        e.vmcs.set(`GUEST_${r}_LIMIT`, l);
        expectRule(e, id('limit'), ok, `${r} limit ${l}`);
      }
      for (let b = 0; b < 32; b++) {
        const e = v86Entry(p);
        setAr(e, r, 0xf3n ^ bit(b));
        expectRule(e, id('access-rights'), false, `${r} bit ${b}`);
      }
      const prot = validEntry(p);
      for (const k of ['base', 'limit', 'access-rights']) expectNotApplicable(prot, id(k));
    }
  });
});

describe('guest base canonical rules (TR, FS, GS, usable LDTR)', () => {
  each('%s: canonical boundary', (_id, p) => {
    for (const r of ['TR', 'FS', 'GS', 'LDTR']) for (const { value, ok } of canonicalSweep(p.linearAddressBits)) {
      const e = validEntry(p);
      if (r === 'LDTR') {
        e.vmcs.set('GUEST_LDTR_BASE', value);
        expectNotApplicable(e, 'guest.seg.ldtr.base.canonical');
        setAr(e, 'LDTR', 0x82n);
      }
      e.vmcs.set(`GUEST_${r}_BASE`, value);
      expectRule(e, `guest.seg.${lc(r)}.base.canonical`, ok, `${r} 0x${value.toString(16)}`);
    }
  });
});

describe('guest base upper-bit rules (CS; usable SS, DS, ES)', () => {
  each('%s: bits 63:32 are 0', (_id, p) => {
    for (const r of ['CS', 'SS', 'DS', 'ES']) for (const [b, ok] of [[0xffff_f000n, true], [0x1_0000_0000n, false], [0xffff_8000_0000_0000n, false]] as const) {
      const e = validEntry(p);
      e.vmcs.set(`GUEST_${r}_BASE`, b);
      expectRule(e, `guest.seg.${lc(r)}.base.upper`, ok, `${r} 0x${b.toString(16)}`);
      if (r !== 'CS') {
        setAr(e, r, UNUSABLE);
        e.vmcs.set(`GUEST_${r}_BASE`, b);
        expectNotApplicable(e, `guest.seg.${lc(r)}.base.upper`);
      }
    }
  });
});

describe('guest.seg.cs.access-rights.type', () => {
  each('%s: 9, 11, 13, 15; also 3 with unrestricted guest', (_id, p) => {
    for (let t = 0n; t < 16n; t++) for (const ug of [false, true]) {
      const e = validEntry(p);
      if (ug) unrestricted(e);
      setAr(e, 'CS', AR.set(ar(e, 'CS'), 'TYPE', t));
      expectRule(e, 'guest.seg.cs.access-rights.type', [9n, 11n, 13n, 15n].includes(t) || (ug && t === 3n), `type ${t} ug ${ug}`);
    }
  });
});

describe('guest.seg.ss.access-rights.type', () => {
  each('%s: a usable SS has type 3 or 7', (_id, p) => {
    for (let t = 0n; t < 16n; t++) {
      const e = validEntry(p);
      setAr(e, 'SS', AR.set(ar(e, 'SS'), 'TYPE', t));
      expectRule(e, 'guest.seg.ss.access-rights.type', t === 3n || t === 7n, `type ${t}`);
      setAr(e, 'SS', AR.set(ar(e, 'SS'), 'TYPE', t) | UNUSABLE);
      expectNotApplicable(e, 'guest.seg.ss.access-rights.type');
    }
  });
});

describe('guest.seg.{ds,es,fs,gs}.access-rights.type', () => {
  each('%s: usable data segments are accessed; code segments readable', (_id, p) => {
    for (const r of OTHERS) for (let t = 0n; t < 16n; t++) {
      const e = validEntry(p);
      setAr(e, r, AR.set(ar(e, r), 'TYPE', t));
      const ok = (t & 1n) === 1n && ((t & 8n) === 0n || (t & 2n) !== 0n);
      expectRule(e, `guest.seg.${lc(r)}.access-rights.type`, ok, `${r} type ${t}`);
    }
  });
});

/** A one-bit access-rights rule: S must be 1 (code/data) or P must be 1. */
function requiredBitRule(k: 's' | 'p', field: 'S' | 'P') {
  describe(`guest.seg.*.access-rights.${k}`, () => {
    each(`%s: ${field} = 1 for CS and usable SS, DS, ES, FS, GS`, (_id, p) => {
      for (const r of DATA) for (const on of [false, true]) {
        const e = validEntry(p);
        setAr(e, r, AR.set(ar(e, r), field, on));
        expectRule(e, `guest.seg.${lc(r)}.access-rights.${k}`, on, `${r} ${field}=${on}`);
        if (r !== 'CS') {
          setAr(e, r, AR.set(ar(e, r), field, on) | UNUSABLE);
          expectNotApplicable(e, `guest.seg.${lc(r)}.access-rights.${k}`);
        }
      }
    });
  });
}
requiredBitRule('s', 'S');
requiredBitRule('p', 'P');

describe('guest.seg.cs.access-rights.dpl', () => {
  each('%s: type 3 DPL 0; 9/11 DPL = SS.DPL; 13/15 DPL <= SS.DPL', (_id, p) => {
    for (const t of [3n, 9n, 11n, 13n, 15n]) for (let dpl = 0n; dpl < 4n; dpl++) for (let ss = 0n; ss < 4n; ss++) {
      const e = validEntry(p);
      setAr(e, 'CS', AR.set(AR.set(ar(e, 'CS'), 'TYPE', t), 'DPL', dpl));
      setAr(e, 'SS', AR.set(ar(e, 'SS'), 'DPL', ss));
      const ok = t === 3n ? dpl === 0n : t <= 11n ? dpl === ss : dpl <= ss;
      expectRule(e, 'guest.seg.cs.access-rights.dpl', ok, `type ${t} dpl ${dpl} ss ${ss}`);
    }
  });
});

describe('guest.seg.ss.access-rights.dpl', () => {
  each('%s: DPL = RPL without unrestricted guest; 0 when CS type is 3 or CR0.PE is 0', (_id, p) => {
    for (let dpl = 0n; dpl < 4n; dpl++) for (let rpl = 0n; rpl < 4n; rpl++) {
      const e = validEntry(p);
      e.vmcs.set('GUEST_SS_SELECTOR', 0x10n | rpl);
      setAr(e, 'SS', AR.set(ar(e, 'SS'), 'DPL', dpl));
      expectRule(e, 'guest.seg.ss.access-rights.dpl', dpl === rpl, `dpl ${dpl} rpl ${rpl}`);
    }
    for (let dpl = 0n; dpl < 4n; dpl++) for (const realMode of [false, true]) {
      const e = validEntry(p);
      unrestricted(e);
      e.vmcs.set('GUEST_SS_SELECTOR', 0x13n);
      setAr(e, 'SS', AR.set(ar(e, 'SS'), 'DPL', dpl));
      if (realMode) e.vmcs.set('GUEST_CR0', CR0.of('NE'));
      expectRule(e, 'guest.seg.ss.access-rights.dpl', !realMode || dpl === 0n, `ug dpl ${dpl} real ${realMode}`);
      const t3 = validEntry(p);
      unrestricted(t3);
      setAr(t3, 'CS', AR.set(ar(t3, 'CS'), 'TYPE', 3n));
      setAr(t3, 'SS', AR.set(ar(t3, 'SS'), 'DPL', dpl));
      expectRule(t3, 'guest.seg.ss.access-rights.dpl', dpl === 0n, `cs type 3 ss dpl ${dpl}`);
    }
  });
});

describe('guest.seg.{ds,es,fs,gs}.access-rights.dpl', () => {
  each('%s: usable, type 0-11, no unrestricted guest: DPL >= RPL', (_id, p) => {
    for (const r of OTHERS) for (const t of [1n, 3n, 11n, 15n]) for (let dpl = 0n; dpl < 4n; dpl++) for (const rpl of [0n, 3n]) {
      const e = validEntry(p);
      e.vmcs.set(`GUEST_${r}_SELECTOR`, 0x10n | rpl);
      setAr(e, r, AR.set(AR.set(ar(e, r), 'TYPE', t), 'DPL', dpl));
      const id = `guest.seg.${lc(r)}.access-rights.dpl`;
      if (t > 11n) expectNotApplicable(e, id);
      else expectRule(e, id, dpl >= rpl, `${r} type ${t} dpl ${dpl} rpl ${rpl}`);
      unrestricted(e);
      expectNotApplicable(e, id);
    }
  });
});

function reservedRule(k: string, bits: number[]) {
  describe(`guest.seg.*.access-rights.${k}`, () => {
    each(`%s: reserved bits are 0 (CS, usable others, TR, usable LDTR)`, (_id, p) => {
      for (const r of [...DATA, 'TR', 'LDTR']) for (const b of bits) {
        const e = validEntry(p);
        if (r === 'LDTR') setAr(e, 'LDTR', 0x82n);
        setAr(e, r, ar(e, r) | bit(b));
        expectRule(e, `guest.seg.${lc(r)}.access-rights.${k}`, false, `${r} bit ${b}`);
      }
      const e = validEntry(p);
      expectNotApplicable(e, `guest.seg.ldtr.access-rights.${k}`);
    });
  });
}
reservedRule('reserved-11-8', [8, 9, 10, 11]);
reservedRule('reserved-31-17', [17, 20, 24, 31]);

describe('guest.seg.cs.access-rights.db', () => {
  each('%s: L and D/B not both 1 in an IA-32e mode guest', (_id, p) => {
    for (const l of [false, true]) for (const db of [false, true]) {
      const e = validEntry(p);
      setAr(e, 'CS', AR.set(AR.set(ar(e, 'CS'), 'L', l), 'DB', db));
      expectRule(e, 'guest.seg.cs.access-rights.db', !(l && db), `l ${l} db ${db}`);
    }
    const legacy = validEntry(p);
    legacyGuest(legacy);
    expectNotApplicable(legacy, 'guest.seg.cs.access-rights.db');
  });
});

describe('guest.seg.*.access-rights.g', () => {
  const limits = [0n, 0xfffn, 0xfffffn, 0x10_0000n, 0x10_0fffn, 0xfff_ffffn, 0xffff_ffffn, 0xffff_effen, 0xffen];
  each('%s: limit[11:0] != FFFH => G = 0; limit[31:20] != 0 => G = 1', (_id, p) => {
    for (const r of [...DATA, 'TR', 'LDTR']) for (const l of limits) for (const g of [false, true]) {
      const e = validEntry(p);
      if (r === 'LDTR') setAr(e, 'LDTR', 0x82n);
      e.vmcs.set(`GUEST_${r}_LIMIT`, l);
      setAr(e, r, AR.set(ar(e, r), 'G', g));
      const ok = !((l & 0xfffn) !== 0xfffn && g) && !((l >> 20n) !== 0n && !g);
      expectRule(e, `guest.seg.${lc(r)}.access-rights.g`, ok, `${r} limit ${l} g ${g}`);
    }
  });
});

describe('guest.seg.tr.access-rights.*', () => {
  each('%s: TR is a usable, present, busy TSS (11; also 3 outside IA-32e mode) with S = 0', (_id, p) => {
    for (let t = 0n; t < 16n; t++) for (const ia32e of [false, true]) {
      const e = validEntry(p);
      if (!ia32e) legacyGuest(e);
      setAr(e, 'TR', AR.set(ar(e, 'TR'), 'TYPE', t));
      expectRule(e, 'guest.seg.tr.access-rights.type', t === 11n || (!ia32e && t === 3n), `type ${t} ia32e ${ia32e}`);
    }
    const s = validEntry(p); setAr(s, 'TR', AR.set(ar(s, 'TR'), 'S', true));
    expectRule(s, 'guest.seg.tr.access-rights.s', false);
    const pr = validEntry(p); setAr(pr, 'TR', AR.set(ar(pr, 'TR'), 'P', false));
    expectRule(pr, 'guest.seg.tr.access-rights.p', false);
    const u = validEntry(p); setAr(u, 'TR', ar(u, 'TR') | UNUSABLE);
    expectRule(u, 'guest.seg.tr.access-rights.unusable', false);
  });
});

describe('guest.seg.ldtr.access-rights.*', () => {
  each('%s: a usable LDTR is a present LDT (type 2) with S = 0; an unusable one is not checked', (_id, p) => {
    for (let t = 0n; t < 16n; t++) {
      const e = validEntry(p);
      setAr(e, 'LDTR', AR.set(0x82n, 'TYPE', t));
      expectRule(e, 'guest.seg.ldtr.access-rights.type', t === 2n, `type ${t}`);
    }
    const s = validEntry(p); setAr(s, 'LDTR', AR.set(0x82n, 'S', true));
    expectRule(s, 'guest.seg.ldtr.access-rights.s', false);
    const pr = validEntry(p); setAr(pr, 'LDTR', AR.set(0x82n, 'P', false));
    expectRule(pr, 'guest.seg.ldtr.access-rights.p', false);
    const u = validEntry(p); setAr(u, 'LDTR', UNUSABLE | 0xffn);
    for (const k of ['type', 's', 'p', 'g']) expectNotApplicable(u, `guest.seg.ldtr.access-rights.${k}`);
  });
});
