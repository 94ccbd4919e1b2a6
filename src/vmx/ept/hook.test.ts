import { describe, expect, it } from 'vitest';
import { findProfile } from '../../arch/profiles/index.ts';
import { VmExitUnwind, type CpuHandle } from '../../x86/env.ts';
import { formatEptWalk } from './format.ts';
import { createEptHook, EXIT_EPT_MISCONFIG, EXIT_EPT_VIOLATION, type EptContext, type EptExit } from './hook.ts';
import { EptBuilder } from './testing.ts';
import { EptTranslationCache } from './tlb.ts';
import { eptWalk } from './walk.ts';

/** The part of a CpuHandle the hook uses: physical memory. */
function cpuOver(b: EptBuilder): CpuHandle {
  return {
    readPhys: (addr: number) => b.mem.readPhys64(addr),
    writePhys: (addr: number, _size: number, v: bigint) => b.mem.writePhys64(addr, v),
  } as unknown as CpuHandle;
}

function rig(caps = findProfile('skylake-client')!.msrs[0x48c]!) {
  const b = new EptBuilder(4).map(0x1000, 0x5_0000).map(0x2000, 0x6_0000, 0x5n | (6n << 3n));
  const exits: EptExit[] = [];
  let ctx: EptContext | undefined = { eptp: b.eptp(), vpid: 0, mbec: false };
  const hook = createEptHook({ cache: new EptTranslationCache(), caps, maxPhysAddr: 39 }, () => ctx, (_c, e) => exits.push(e));
  return { b, exits, hook, cpu: cpuOver(b), setCtx: (c: EptContext | undefined) => { ctx = c; } };
}

describe('the executor hook (VmxHooks.translateGuestPhysical)', () => {
  it('returns the host-physical address, or the address itself when EPT is not in use', () => {
    const { hook, cpu, setCtx } = rig();
    expect(hook(cpu, 0x1008, { read: true })).toBe(0x5_0008);
    setCtx(undefined);
    expect(hook(cpu, 0x1008, { read: true })).toBe(0x1008);
  });

  it('an EPT violation performs the exit (reason 48, GPA, linear address, qualification) and unwinds the instruction', () => {
    const { hook, cpu, exits } = rig();
    let thrown: unknown;
    try {
      hook(cpu, 0x2010, { write: true, linear: 0x40_2010, finalTranslation: true });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(VmExitUnwind);
    expect((thrown as VmExitUnwind).reason).toBe(EXIT_EPT_VIOLATION);
    expect(exits).toHaveLength(1);
    // write (bit 1); readable, executable (bits 3, 5); linear valid (7); final translation (8).
    expect(exits[0]).toMatchObject({ reason: 48, qualification: 0x1aan, guestPhysical: 0x2010, guestLinear: 0x40_2010 });
  });

  it('an exit carries its walk as text (for the vmexit report) and whether the access was an instruction fetch', () => {
    const { hook, cpu, exits, b } = rig();
    expect(() => hook(cpu, 0x2010, { fetch: true, linear: 0x40_2010, finalTranslation: true })).not.toThrow(); // 0x2000 is R+X
    expect(() => hook(cpu, 0x2010, { write: true, linear: 0x40_2010, finalTranslation: true })).toThrow(VmExitUnwind);
    expect(exits[0]!.fetch).toBe(false);
    expect(exits[0]!.eptWalk).toEqual(formatEptWalk(exits[0]!.result));
    expect(exits[0]!.eptWalk[0]).toContain('EPT violation');
    expect(exits[0]!.eptWalk).toHaveLength(1 + 4 + 1); // heading, PML4E..PTE, reason
    b.set(1, 0x1000, 0x2n | (6n << 3n)); // write without read: a misconfiguration
    expect(() => hook(cpu, 0x1000, { fetch: true, linear: 0x40_1000, finalTranslation: true })).toThrow(VmExitUnwind);
    expect(exits[1]).toMatchObject({ reason: EXIT_EPT_MISCONFIG, fetch: true });
    expect(exits[1]!.eptWalk[0]).toContain('EPT misconfiguration');
  });

  it('a guest paging-structure access reports bit 7 without bit 8; a PAE PDPTE load reports neither and no linear address', () => {
    const { hook, cpu, exits, b } = rig();
    b.set(1, 0x3000, 0n);
    expect(() => hook(cpu, 0x3000, { guestPaging: true, linear: 0x7000, finalTranslation: false })).toThrow(VmExitUnwind);
    expect(exits[0]!.qualification).toBe(0x81n);
    expect(() => hook(cpu, 0x3000, { guestPaging: true, pdpteLoad: true, linear: 0x7000 })).toThrow(VmExitUnwind);
    expect(exits[1]!.qualification).toBe(0x1n);
    expect(exits[1]!.guestLinear).toBeUndefined();
  });

  it('reports bits 9-11 from the guest rights only on a processor with advanced EPT-violation information (EPT_VPID_CAP[22])', () => {
    const rights = { user: true, writable: false, executeDisable: true };
    const access = { write: true, linear: 0x2000, finalTranslation: true, guestRights: rights };
    const arrow = rig(findProfile('arrow-lake')!.msrs[0x48c]!);
    expect(() => arrow.hook(arrow.cpu, 0x2000, access)).toThrow(VmExitUnwind);
    expect(arrow.exits[0]!.qualification).toBe(0xbaan);
    const sky = rig();
    expect(() => sky.hook(sky.cpu, 0x2000, access)).toThrow(VmExitUnwind);
    expect(sky.exits[0]!.qualification).toBe(0x1aan);
  });

  it('an EPT misconfiguration exits with reason 49 and the walk is printable level by level', () => {
    const { hook, cpu, exits, b } = rig();
    b.map(0x1000, 0x5_0000, 0x2n | (6n << 3n));
    expect(() => hook(cpu, 0x1000, { read: true })).toThrow(VmExitUnwind);
    expect(exits[0]).toMatchObject({ reason: EXIT_EPT_MISCONFIG, qualification: 0n, guestPhysical: 0x1000 });
    const text = formatEptWalk(exits[0]!.result);
    expect(text[0]).toContain('EPT misconfiguration');
    expect(text[4]).toContain('EPT PTE');
    expect(text[5]).toContain('write access without read access');
    expect(text[5]).toContain('§29.3.3.1');
    const ok = formatEptWalk(eptWalk(b.eptp(), 0x2000, { read: true }, b.mem, { caps: 0x0000_0f01_0633_4141n, maxPhysAddr: 39 }));
    expect(ok[0]).toContain('-> 0x60000 (4 KiB page)');
  });
});
