// EPT end to end (STYLE rule 18e): ept.asm, a hypervisor that builds an identity-mapped EPT in
// its own memory, runs on the real assembler, executor and Machine on every profile, with one
// scenario edited in per test (an EPT entry changed before VMLAUNCH, the guest code, the EPTP's
// walk length, memory type or A/D bit). The handler logs each exit (reason, qualification,
// guest RIP, guest-physical and guest-linear address) to memory, where the tests read it back
// and compare it with SDM Vol. 3C §29.3 "EPT" and Table 28-7 "Exit Qualification for EPT
// Violations"; the Machine's vmexit/vmx events are checked beside it.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PHYS_OFFSET } from '../../arch/lab.ts';
import { PROFILES } from '../../arch/profiles/index.ts';
import { profileFeatures } from '../../arch/profiles/matrix.ts';
import { QUAL_EPT_VIOLATION } from '../../arch/vmx-info.ts';
import { VMX_EPT_VPID_CAP } from '../../arch/vmx-msrs.ts';
import { EPT_PTE, EPT_TABLE_ENTRY } from '../../arch/ept.ts';
import { EXIT_REASONS } from '../../arch/exit-reasons.ts';
import { runProgram } from './run-program.ts';

const SOURCE = readFileSync(new URL('ept.asm', import.meta.url), 'utf8');
const GOOD = 0x600dn;
const BAD = 0xbadn;
const reasonOf = (name: string): number => {
  const r = EXIT_REASONS.find((e) => e.name === name);
  if (!r) throw new Error(`no exit reason ${name}`);
  return r.reason;
};
const VMCALL = reasonOf('VMCALL');
const EPT_VIOLATION = reasonOf('EPT_VIOLATION');
const EPT_MISCONFIG = reasonOf('EPT_MISCONFIG');
const Q = QUAL_EPT_VIOLATION.mask;
const WB = 6n << 3n;

interface Scenario {
  readonly levels?: 4 | 5;
  readonly memoryType?: number;
  readonly ad?: boolean;
  readonly fixWithInvept?: boolean;
  /** Code run at the end of build_ept (e.g. `lea rdi, [page] / mov ebx, flags / call set_pte`). */
  readonly ept?: string;
  /** Guest code put before the default loop (it may end the run with `xor eax, eax / vmcall`). */
  readonly guest?: string;
}

interface LoggedExit {
  readonly reason: number;
  readonly qualification: bigint;
  readonly guestRip: bigint;
  readonly guestPhysical: bigint;
  readonly guestLinear: bigint;
  readonly rax: bigint;
}

function run(profile: string, sc: Scenario = {}) {
  const edit = (src: string): string => {
    let s = src;
    const define = (name: string, value: string | number | undefined) => {
      if (value !== undefined) s = s.replace(new RegExp(`%define ${name} .*`), `%define ${name} ${value}`);
    };
    define('EPT_LEVELS', sc.levels);
    define('EPTP_MT', sc.memoryType);
    define('EPTP_AD', sc.ad === undefined ? undefined : sc.ad ? 1 : 0);
    define('FIX_INVEPT', sc.fixWithInvept === undefined ? undefined : sc.fixWithInvept ? 1 : 0);
    if (sc.ept) s = s.replace('    ; @EPT\n', `${sc.ept}\n`);
    if (sc.guest) s = s.replace('    ; @GUEST\n', `${sc.guest}\n`);
    return s;
  };
  const r = runProgram(SOURCE, profile, undefined, edit, 200_000);
  expect(r.diagnostics).toEqual([]);
  const addr = (name: string): bigint => {
    const v = r.symbols.get(name);
    if (v === undefined) throw new Error(`no symbol ${name}`);
    return v;
  };
  const pa = (name: string): bigint => addr(name) - PHYS_OFFSET;
  const q = (name: string, i = 0): bigint => r.machine.memory.read64(Number(pa(name)) + 8 * i);
  const count = Number(q('exit_count'));
  const exits: LoggedExit[] = [];
  for (let i = 0; i < count && i < 32; i++) {
    const f = (k: number) => q('exit_log', i * 8 + k);
    exits.push({ reason: Number(f(0)), qualification: f(1), guestRip: f(2), guestPhysical: f(3), guestLinear: f(4), rax: f(6) });
  }
  const vmexits = r.machine.events.filter((e) => e.kind === 'vmexit');
  return {
    ...r, q, pa, addr, exits, reasons: exits.map((e) => e.reason), rbx: r.machine.cpu.getGpr64(3),
    greg: (i: number) => q('gregs', i), launchError: q('launch_error'), vmexits,
  };
}

const features = (id: string) => profileFeatures(PROFILES.find((p) => p.id === id)!);
const where = (pred: (id: string) => boolean) => PROFILES.filter((p) => pred(p.id)).map((p) => [p.id] as const);
const EPT = where((id) => features(id).ept);
const NO_EPT = where((id) => !features(id).ept);
const AD = where((id) => features(id).eptAccessedDirty);
const NO_AD = where((id) => features(id).ept && !features(id).eptAccessedDirty);
const FIVE = where((id) => features(id).ept5Level);
const NO_FIVE = where((id) => features(id).ept && !features(id).ept5Level);
const advancedInfo = (id: string) => VMX_EPT_VPID_CAP.has(PROFILES.find((p) => p.id === id)!.msrs[0x48c] ?? 0n, 'ADVANCED_EXIT_INFO');

/** The VMLAUNCH of a run failed with VMfailValid(error), in memory and in the Machine's events. */
function expectLaunchRefused(r: ReturnType<typeof run>, error: number): void {
  expect(r.rbx).toBe(BAD);
  expect(r.launchError).toBe(BigInt(error));
  expect(r.exits).toEqual([]);
  const launch = r.machine.events.filter((e) => e.kind === 'vmx' && (e.text ?? '').startsWith('vmlaunch'));
  expect(launch.map((e) => e.kind === 'vmx' && [e.result, e.error])).toEqual([['VMfailValid', error]]);
}

it('the profile matrix has EPT profiles with and without each feature this file tests', () => {
  expect(EPT.length).toBeGreaterThan(2);
  expect(NO_EPT.map(([id]) => id)).toEqual(['core2-conroe']);
  expect(FIVE.map(([id]) => id)).toEqual(['sapphire-rapids']);
  expect(AD.length).toBeGreaterThan(0);
  expect(NO_AD.length).toBeGreaterThan(0);
});

describe.each(NO_EPT)('no EPT on %s', (profile) => {
  it('"activate secondary controls" written where IA32_VMX_PROCBASED_CTLS forbids it: VMLAUNCH fails with error 7', () => {
    expectLaunchRefused(run(profile), 7);
  });
});

describe.each(EPT)('EPT on %s', (profile) => {
  it('identity map (4-KiB and 2-MiB pages): the guest loop runs, one exit (VMCALL), A/D flags untouched without EPTP[6]', () => {
    const r = run(profile);
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([VMCALL]);
    expect(r.greg(13)).toBe(6048n); // 3 * (0 + 1 + ... + 63)
    expect(r.greg(14)).toBe(6048n); // written to and read back from the 2-MiB page at 3 MiB
    expect(r.machine.memory.read64(0x300000)).toBe(6048n);
    expect(r.vmexits.map((e) => e.kind === 'vmexit' && e.reason)).toEqual([VMCALL]);
    for (let i = 0; i < 7; i++) expect(EPT_PTE.has(r.q('ad_seen', i), 'A')).toBe(false);
  });

  it('a 4-KiB page without execute access: the jump into it is an EPT violation (fetch); the handler fixes the entry, INVEPT, VMRESUME', () => {
    const r = run(profile, {
      ept: '    lea rdi, [nx_page]\n    mov ebx, 3 | EPT_WB\n    call set_pte',
      guest: '    lea rax, [nx_page]\n    jmp rax',
    });
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([EPT_VIOLATION, VMCALL]);
    const v = r.exits[0]!;
    const nx = r.addr('nx_page');
    expect(v.guestPhysical).toBe(r.pa('nx_page'));
    expect(v.guestLinear).toBe(nx);
    expect(v.guestRip).toBe(nx);
    // Table 28-7: an instruction fetch; the entries allowed read and write, not execute; the
    // guest-linear address is valid and this was its final translation.
    const low = v.qualification & 0x1ffn;
    expect(low).toBe(Q.FETCH | Q.READABLE | Q.WRITABLE | Q.LINEAR_VALID | Q.FINAL_TRANSLATION);
    const adv = v.qualification & (Q.USER_LINEAR | Q.WRITABLE_LINEAR | Q.XD_LINEAR);
    if (advancedInfo(profile)) expect(adv).toBe(Q.WRITABLE_LINEAR); // the direct map: supervisor, writable, executable
    else expect(adv).toBe(0n);
    expect(r.greg(12)).toBe(0x77n); // the guest ran the page after the fix
    expect(r.exits[1]!.guestRip).toBeGreaterThan(nx);
    const pte = r.machine.memory.read64(Number(r.pa('ept_pt') + (r.pa('nx_page') >> 12n) * 8n));
    expect(pte).toBe(r.pa('nx_page') | 7n | WB);
    // the Machine's event for the violation
    const ev = r.vmexits[0]!;
    expect(ev.kind === 'vmexit' && [ev.reason, ev.qualification, ev.guestRip]).toEqual([EPT_VIOLATION, v.qualification, nx]);
    // A failed fetch has no instruction of its own (the jmp before it is not the cause), and the
    // event carries the walk, one line per level down to the PTE that lacks execute access.
    expect(ev.kind === 'vmexit' && ev.instruction).toBeUndefined();
    const walk = ev.kind === 'vmexit' ? ev.eptWalk ?? [] : [];
    expect(walk[0]).toMatch(/EPT walk of guest-physical 0x[0-9a-f]+ .* EPT violation/);
    expect(walk.slice(1, 5).map((l) => l.trim().split(/\s+/)[1])).toEqual(['PML4E', 'PDPTE', 'PDE', 'PTE']);
    expect(walk[4]).toMatch(/R W X = 011b/);
    expect(walk[5]).toMatch(/instruction fetch.*execute/);
    expect(r.machine.events.some((e) => e.kind === 'vmx' && (e.text ?? '').startsWith('invept') && e.result === 'VMsucceed')).toBe(true);
  });

  it('the violation itself drops what was cached for the page: the fix works without INVEPT too (SDM Vol. 3C §29.4.3.1)', () => {
    const r = run(profile, {
      fixWithInvept: false,
      ept: '    lea rdi, [nx_page]\n    mov ebx, 3 | EPT_WB\n    call set_pte',
      guest: '    lea rax, [nx_page]\n    mov rbx, [rax]\n    jmp rax', // read first: a read mapping is cached
    });
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([EPT_VIOLATION, VMCALL]);
    expect(r.greg(12)).toBe(0x77n);
  });

  it('the guest\'s own page-table reads go through the EPT: a not-present PML4 page is a violation on the guest paging access (bit 7 without bit 8)', () => {
    const r = run(profile, { ept: '    mov rdi, PHYS_OFFSET + 0x10000      ; the guest\'s PML4 (its CR3)\n    xor ebx, ebx\n    call set_pte' });
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([EPT_VIOLATION, VMCALL]);
    const v = r.exits[0]!;
    const guest = r.addr('guest_code');
    // the first fetch at guest_code walks the guest's paging: PML4 entry 273 (the direct map) at 0x10000 + 273 * 8
    expect(v.guestPhysical).toBe(0x10000n + 273n * 8n);
    expect(v.qualification).toBe(Q.READ | Q.LINEAR_VALID);
    expect(v.guestLinear).toBe(guest);
    expect(v.guestRip).toBe(guest);
    expect(r.greg(13)).toBe(6048n);
  });

  it('a write-only EPT entry is a misconfiguration (exit 49, no qualification, GUEST_PHYSICAL_ADDRESS = the page)', () => {
    const r = run(profile, {
      ept: '    lea rdi, [misconfig_page]\n    mov ebx, 2 | EPT_WB\n    call set_pte',
      guest: '    lea rdi, [misconfig_page]\n    mov r8, [rdi]\n    xor eax, eax\n    vmcall',
    });
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([EPT_MISCONFIG, VMCALL]);
    expect(r.exits[0]!.qualification).toBe(0n);
    expect(r.exits[0]!.guestPhysical).toBe(r.pa('misconfig_page'));
    expect(r.greg(8)).toBe(0x4242n); // the read retried after the fix
  });

  describe.each([[2, 'single-context'], [3, 'all-context']] as const)('stale translation, then INVEPT %s', (command, name) => {
    it(`an entry repointed without INVEPT keeps the old page; after INVEPT ${name} the new one`, () => {
      const r = run(profile, {
        guest: [
          '    lea rdi, [stale_a]',
          '    mov r8, [rdi]                      ; caches the translation of stale_a',
          '    mov eax, 1',
          '    vmcall                             ; the host repoints the entry to stale_b, no INVEPT',
          '    mov r9, [rdi]',
          `    mov eax, ${command}`,
          '    vmcall                             ; INVEPT',
          '    mov r10, [rdi]',
          '    xor eax, eax',
          '    vmcall',
        ].join('\n'),
      });
      expect(r.rbx).toBe(GOOD);
      expect(r.reasons).toEqual([VMCALL, VMCALL, VMCALL]);
      expect([r.greg(8), r.greg(9), r.greg(10)]).toEqual([0xaaaan, 0xaaaan, 0xbbbbn]);
      const pte = r.machine.memory.read64(Number(r.pa('ept_pt') + (r.pa('stale_a') >> 12n) * 8n));
      expect(pte & ~0xfffn).toBe(r.pa('stale_b'));
    });
  });

  it('a memory type the processor does not report for the EPTP (WT = 4): VMLAUNCH fails with error 7', () => {
    expectLaunchRefused(run(profile, { memoryType: 4 }), 7);
  });
});

describe.each(AD)('EPT accessed and dirty flags on %s (EPTP[6] = 1)', (profile) => {
  it('A in every entry used, D only in the leaves written; read back by the host', () => {
    const r = run(profile, {
      ad: true,
      guest: [
        '    lea rdi, [ad_written]',
        '    mov qword [rdi], 5',
        '    lea rdi, [ad_read]',
        '    mov r8, [rdi]',
        '    mov rdi, PHYS_OFFSET + 0x300000',
        '    mov r9, [rdi]',
        '    xor eax, eax',
        '    vmcall',
      ].join('\n'),
    });
    expect(r.rbx).toBe(GOOD);
    expect(r.greg(8)).toBe(0x1234n);
    const seen = [0, 1, 2, 3, 4, 5, 6].map((i) => r.q('ad_seen', i));
    const [written, read, untouched, pd0, pdpt0, pml40, pd1] = seen as [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    expect([EPT_PTE.has(written, 'A'), EPT_PTE.has(written, 'D')]).toEqual([true, true]);
    expect([EPT_PTE.has(read, 'A'), EPT_PTE.has(read, 'D')]).toEqual([true, false]);
    expect([EPT_PTE.has(untouched, 'A'), EPT_PTE.has(untouched, 'D')]).toEqual([false, false]);
    for (const t of [pd0, pdpt0, pml40]) expect(EPT_TABLE_ENTRY.has(t, 'A')).toBe(true);
    expect([EPT_PTE.has(pd1, 'A'), EPT_PTE.has(pd1, 'D')]).toEqual([true, false]); // the 2-MiB page, read only
  });
});

describe.each(NO_AD)('no EPT A/D flags on %s', (profile) => {
  it('EPTP[6] = 1 without IA32_VMX_EPT_VPID_CAP[21]: VMLAUNCH fails with error 7', () => {
    expectLaunchRefused(run(profile, { ad: true }), 7);
  });
});

describe.each(FIVE)('5-level EPT on %s', (profile) => {
  it('PML5 -> PML4 -> PDPT -> PD -> PT: the guest loop runs, and the walk went through the PML5 table', () => {
    const r = run(profile, { levels: 5, ad: true });
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([VMCALL]);
    expect(r.greg(13)).toBe(6048n);
    const pml5 = r.q('ept_pml5');
    expect(pml5 & ~0xfffn).toBe(r.pa('ept_pml4'));
    expect(EPT_TABLE_ENTRY.has(pml5, 'A')).toBe(true); // EPTP[6]: the walk set A in the PML5E it used
  });
});

describe.each(NO_FIVE)('no 5-level EPT on %s', (profile) => {
  it('EPTP[5:3] = 4 without IA32_VMX_EPT_VPID_CAP[7]: VMLAUNCH fails with error 7', () => {
    expectLaunchRefused(run(profile, { levels: 5 }), 7);
  });
});
