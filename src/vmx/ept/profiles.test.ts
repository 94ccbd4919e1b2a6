// The EPT walk on every CPU profile: what each processor's IA32_VMX_EPT_VPID_CAP allows
// (large pages, 5-level walks, execute-only entries) decides the outcome.

import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../arch/profiles/index.ts';
import { VMX_EPT_VPID_CAP } from '../../arch/vmx-msrs.ts';
import { EptBuilder, RWX_WB } from './testing.ts';
import { eptWalk, eptWalkLevels } from './walk.ts';

describe.each(PROFILES.map((p) => [p.id, p] as const))('EPT on %s', (_id, p) => {
  const caps = p.msrs[0x48c];
  if (caps === undefined) {
    it('has no IA32_VMX_EPT_VPID_CAP: no page-walk length is supported', () => {
      expect(eptWalkLevels(0x1en, 0n)).toBeUndefined();
      expect(eptWalkLevels(0x26n, 0n)).toBeUndefined();
    });
    return;
  }
  const has = (f: Parameters<typeof VMX_EPT_VPID_CAP.has>[1]): boolean => VMX_EPT_VPID_CAP.has(caps, f);
  const opts = { caps, maxPhysAddr: p.maxPhysAddr };

  it('translates a 4 KiB page with a 4-level walk', () => {
    const b = new EptBuilder(4).map(0x1000, 0x3000);
    expect(eptWalk(b.eptp(), 0x1001, { read: true }, b.mem, opts)).toMatchObject({ ok: true, hpa: 0x3001 });
  });

  it(`2 MiB pages ${has('PAGE_2MB') ? 'translate' : 'are misconfigurations'} (EPT_VPID_CAP[16])`, () => {
    const b = new EptBuilder(4).map(0x20_0000, 0x40_0000, RWX_WB, 2);
    const r = eptWalk(b.eptp(), 0x20_0000, { read: true }, b.mem, opts);
    expect(r.ok ? 'ok' : r.kind).toBe(has('PAGE_2MB') ? 'ok' : 'misconfig');
  });

  it(`1 GiB pages ${has('PAGE_1GB') ? 'translate' : 'are misconfigurations'} (EPT_VPID_CAP[17])`, () => {
    const b = new EptBuilder(4).map(0x4000_0000, 0x4000_0000, RWX_WB, 3);
    const r = eptWalk(b.eptp(), 0x4000_0000, { read: true }, b.mem, opts);
    expect(r.ok ? 'ok' : r.kind).toBe(has('PAGE_1GB') ? 'ok' : 'misconfig');
  });

  it(`5-level walks are ${has('PAGE_WALK_5') ? '' : 'not '}supported (EPT_VPID_CAP[7])`, () => {
    const b = new EptBuilder(5).map(0x1000, 0x3000);
    expect(eptWalkLevels(b.eptp(), caps)).toBe(has('PAGE_WALK_5') ? 5 : undefined);
    if (has('PAGE_WALK_5')) expect(eptWalk(b.eptp(), 0x1000, { read: true }, b.mem, opts)).toMatchObject({ ok: true, hpa: 0x3000 });
  });

  it(`execute-only entries ${has('EXECUTE_ONLY') ? 'translate fetches' : 'are misconfigurations'} (EPT_VPID_CAP[0])`, () => {
    const b = new EptBuilder(4).map(0x1000, 0x3000, 0x4n | (6n << 3n));
    const r = eptWalk(b.eptp(), 0x1000, { fetch: true }, b.mem, opts);
    expect(r.ok ? 'ok' : r.kind).toBe(has('EXECUTE_ONLY') ? 'ok' : 'misconfig');
  });

  it(`an address bit at MAXPHYADDR (${p.maxPhysAddr}) is reserved`, () => {
    const b = new EptBuilder(4).map(0x1000, 2 ** p.maxPhysAddr);
    const r = eptWalk(b.eptp(), 0x1000, { read: true }, b.mem, opts);
    expect(r.ok ? 'ok' : r.kind).toBe('misconfig');
    const fine = new EptBuilder(4).map(0x1000, 2 ** (p.maxPhysAddr - 1));
    expect(eptWalk(fine.eptp(), 0x1000, { read: true }, fine.mem, opts).ok).toBe(true);
  });
});
