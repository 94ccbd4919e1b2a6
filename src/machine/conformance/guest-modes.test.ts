// Guest modes end to end (issue 4, "Guest modes"): lab-asm hypervisors run on the real
// assembler, executor and Machine. guest-v86.asm: a virtual-8086 guest under a 64-bit host,
// as seed 004 plans one, on every profile (it needs no secondary control: no unrestricted guest).
// guest-modes.asm: 32-bit protected-mode guests with 32-bit and PAE paging (every profile), and
// unpaged 32-bit and real-mode guests under "unrestricted guest" on EPT (the profiles that have it).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PHYS_OFFSET } from '../../arch/lab.ts';
import { PROFILES } from '../../arch/profiles/index.ts';
import { allows } from '../../vmx/testing/exits.ts';
import { runProgram } from './run-program.ts';

const GOOD = 0x600dn;
const V86 = readFileSync(new URL('guest-v86.asm', import.meta.url), 'utf8');
const MODES = readFileSync(new URL('guest-modes.asm', import.meta.url), 'utf8');
const withMode = (mode: number) => (s: string) => s.replace('%define GUEST_MODE 1', `%define GUEST_MODE ${mode}`);
const UNRESTRICTED = PROFILES.filter((p) => allows(p, 'secondary', 'SECONDARY_EXEC_UNRESTRICTED_GUEST'));
const RESTRICTED = PROFILES.filter((p) => !UNRESTRICTED.includes(p));

/** #GP as the exit interruption information reports it: valid, hardware exception, error code valid, vector 13 (SDM Vol. 3C §28.2.2). */
const GP_INFO = 0x8000_0b0dn;

function run(text: string, profile: string, edit?: (s: string) => string) {
  const r = runProgram(text, profile, undefined, edit, 200_000);
  expect(r.diagnostics).toEqual([]);
  const sym = (name: string): number => {
    const v = r.symbols.get(name);
    if (v === undefined) throw new Error(`no symbol ${name}`);
    return Number(v - PHYS_OFFSET);
  };
  const q = (name: string, i = 0): bigint => r.machine.memory.read64(sym(name) + 8 * i);
  const count = Number(q('exit_count'));
  const exits = Array.from({ length: Math.min(count, 16) }, (_, i) => {
    const f = (k: number) => q('exit_log', i * 8 + k);
    return { reason: Number(f(0)), intrInfo: f(3) & 0xffff_ffffn, intrError: f(4), guestRip: f(5) };
  });
  return { ...r, sym, q, exits, rbx: r.machine.cpu.getGpr64(3) };
}

describe.each(PROFILES.map((p) => [p.id] as const))('a virtual-8086 guest (guest-v86.asm) on %s', (profile) => {
  it('runs 16-bit code at CPL 3 with sel << 4 segments; INT 21h, OUT and HLT exit as #GP(0) through the exception bitmap; the monitor emulates them', () => {
    const r = run(V86, profile);
    expect(r.rbx).toBe(GOOD);
    // INT 21h at IP 9, OUT at IP 0Dh, HLT at IP 0Fh: three exits, reason 0, #GP with error code 0.
    expect(r.exits).toEqual([9n, 0xdn, 0xfn].map((ip) => ({ reason: 0, intrInfo: GP_INFO, intrError: 0n, guestRip: ip })));
    expect(r.machine.memory.read16(r.sym('v86_area') + 0x280)).toBe(0x1335); // DS:0080h = 0x1234 + 0x0101
    expect([r.q('int_vector'), r.q('out_port'), r.q('out_value')]).toEqual([0x21n, 0x80n, 0x5an]);
    const events = r.machine.events.filter((e) => e.kind === 'vmexit');
    expect(events.map((e) => (e.kind === 'vmexit' ? e.reason : -1))).toEqual([0, 0, 0]);
  });

  it('with IOPL 3 the INT 21h is no longer sensitive: it is delivered through the guest IDT, and its #GP (IDT limit) exits instead', () => {
    // IDTR limit 0x3ff covers vector 21h, whose gate (zeros) is not a valid gate: #GP(21h * 8 + 2).
    const r = run(V86, profile, (s) => s.replace('%define GUEST_RFLAGS_VALUE 0x20002', '%define GUEST_RFLAGS_VALUE 0x23002'));
    expect(r.rbx).toBe(GOOD);
    expect(r.exits[0]).toEqual({ reason: 0, intrInfo: GP_INFO, intrError: BigInt(0x21 * 8 + 2), guestRip: 9n });
  });
});

const CR0_PG_NE_ET_PE = 0x8000_0031n;

// The oldest and the newest profile: the rules do not depend on VMX capabilities.
describe.each([PROFILES[0]!, PROFILES[PROFILES.length - 1]!].map((p) => [p.id] as const))('a virtual-8086 guest\'s I/O through its TSS permission bitmap on %s', (profile) => {
  const edit = (iopl: number, denied: number, proc: string) => (s: string) => s
    .replace('%define GUEST_RFLAGS_VALUE 0x20002', `%define GUEST_RFLAGS_VALUE ${0x20002 | (iopl << 12)}`)
    .replace('%define TSS_LIMIT 0x67', '%define TSS_LIMIT 0x88')
    .replace('%define PORT80_DENIED 1', `%define PORT80_DENIED ${denied}`)
    .replace('%define WANT_PROC 0', `%define WANT_PROC ${proc}`);

  it('IOPL 0, port allowed by the bitmap, no I/O exiting: the OUT runs in the guest (I/O is not IOPL-sensitive, §20.2.8.1)', () => {
    const r = run(V86, profile, edit(0, 0, '0'));
    expect(r.rbx).toBe(GOOD);
    expect(r.exits.map((e) => e.guestRip)).toEqual([9n, 0xfn]); // INT 21h and HLT only
    expect(r.q('out_port')).toBe(0n);
  });

  // In virtual-8086 mode the TSS bitmap, not IOPL, decides whether I/O may run; a port it allows
  // is then subject to I/O exiting, and a #GP it raises has priority over the exit (§26.1.1).
  it('IOPL 0, port allowed by the bitmap, unconditional I/O exiting: the OUT exits (reason 30)', () => {
    const r = run(V86, profile, edit(0, 0, 'CPU_BASED_UNCOND_IO_EXITING'));
    expect(r.rbx).toBe(GOOD);
    expect(r.exits.map((e) => e.reason)).toEqual([0, 30, 0]);
  });

  it('IOPL 3, port denied by the bitmap, unconditional I/O exiting: #GP(0) wins over the I/O exit (§26.1.1)', () => {
    const r = run(V86, profile, edit(3, 1, 'CPU_BASED_UNCOND_IO_EXITING'));
    expect(r.rbx).toBe(GOOD);
    expect(r.exits.map((e) => [e.reason, e.intrError, e.guestRip])).toEqual([[0, BigInt(0x21 * 8 + 2), 9n], [0, 0n, 0xdn], [0, 0n, 0xfn]]);
  });
});

describe.each(PROFILES.map((p) => [p.id] as const))('32-bit protected-mode guests with paging (guest-modes.asm) on %s', (profile) => {
  for (const [mode, name, cr4, alias] of [[1, '32-bit paging', 0x2010n, 0xffc0_0000], [2, 'PAE paging', 0x2020n, 0xffe0_0000]] as const) {
    it(`${name}: CPUID exits twice (reason 10, length 2) and is emulated; the guest sees its CR0/CR4 and writes through a paging alias; VMCALL ends it`, () => {
      const r = run(MODES, profile, withMode(mode));
      expect(r.rbx).toBe(GOOD);
      expect(r.machine.cpu.cr0 >>> 0).toBe(0x8001_0033); // HOST_CR0 again after the exits
      expect(r.exits.map((e) => e.reason)).toEqual([10, 10, 18]);
      const code = Number(r.symbols.get('guest32')! - PHYS_OFFSET);
      expect(r.exits.map((e) => e.guestRip)).toEqual([code + 2, code + 0xe, code + 0x25].map(BigInt));
      const res = r.sym('result');
      expect([0, 4, 8].map((o) => r.machine.memory.read32(res + o))).toEqual([0x600d_0000, 0x1111, 0x600d_0001]);
      expect(BigInt(r.machine.memory.read32(res + 12))).toBe(CR0_PG_NE_ET_PE);
      expect(BigInt(r.machine.memory.read32(res + 16))).toBe(cr4);
      // The store through the alias (linear FFC00000h / FFE00000h + the offset in the frame)
      // reached result + 20h: the guest's paging translated it.
      expect(r.machine.memory.read32(res + 0x20)).toBe(0x5a5a_5a5a);
      expect(r.exits[0]!.intrInfo).toBe(0n);
      expect(alias % (mode === 1 ? 0x40_0000 : 0x20_0000)).toBe(0);
    });
  }
});

describe.each(PROFILES.map((p) => [p.id] as const))('a PAE guest whose PDPTEs are not valid on %s', (profile) => {
  it('a PDPTE with P = 1 and reserved bit 2 (U/S has no meaning there) fails the VM entry: reason 33 (SDM Vol. 3C §27.3.1.6)', () => {
    const r = run(MODES, profile, (s) => withMode(2)(s).replace('    or eax, 1\n    xor ecx, ecx\n.pdpt:', '    or eax, 1 | 4\n    xor ecx, ecx\n.pdpt:'));
    expect(r.rbx).toBe(0xbadn);
    expect(r.exits.map((e) => e.reason)).toEqual([0x8000_0021]);
  });
});

describe.each(UNRESTRICTED.map((p) => [p.id] as const))('guests under "unrestricted guest" on EPT (guest-modes.asm) on %s', (profile) => {
  /** The guest's stores at guest-physical 1000h = low_area + 1000h. */
  const stored = (r: ReturnType<typeof run>, off: number) => r.machine.memory.read32(r.sym('low_area') + 0x1000 + off);

  it('32-bit protected mode without paging (CR0.PG = 0): CPUID exits and is emulated, VMCALL ends it', () => {
    const r = run(MODES, profile, withMode(3));
    expect(r.rbx).toBe(GOOD);
    expect(r.exits.map((e) => [e.reason, e.guestRip])).toEqual([[10, 0x102n], [10, 0x10en], [18, 0x125n]]);
    expect([0, 4, 8, 12, 16].map((o) => stored(r, o))).toEqual([0x600d_0000, 0x1111, 0x600d_0001, 0x31, 0x2000]);
    expect(stored(r, 0x20)).toBe(0x5a5a_5a5a);
  });

  // The host gets PE and PG back from HOST_CR0 after an exit from a guest that ran with them clear
  // (§28.5.1; src/vmx/transition/load-host.ts): the real-mode run's handler can VMREAD at once.
  it('after an exit from the unpaged guest the host runs with HOST_CR0 (PG = PE = 1) (SDM Vol. 3C §28.5.1)', () => {
    const r = run(MODES, profile, withMode(3));
    expect(r.rbx).toBe(GOOD);
    expect((r.machine.cpu.cr0 & 0x8000_0001) >>> 0).toBe(0x8000_0001);
  });

  it('real-address mode (CR0.PE = 0): 16-bit code at CS = 0010h (base 100h) exits on CPUID and VMCALL', () => {
    const r = run(MODES, profile, withMode(4));
    expect(r.rbx).toBe(GOOD);
    expect(r.exits.map((e) => [e.reason, e.guestRip])).toEqual([[10, 3n], [18, 0x18n]]);
    expect([0, 4].map((o) => stored(r, o))).toEqual([0x600d_0000, 0x1111]);
    expect(stored(r, 8) & 0xffff).toBe(0x10); // MOV AX, CS
    expect(stored(r, 12)).toBe(0x30); // CR0: NE, ET; PE = PG = 0
  });
});

describe.each(RESTRICTED.map((p) => [p.id] as const))('a real-mode guest without "unrestricted guest" on %s', (profile) => {
  it('VM entry fails on the guest state (CR0.PE = 0 against IA32_VMX_CR0_FIXED0): exit reason 33 with bit 31 set', () => {
    const r = run(MODES, profile, withMode(4));
    expect(r.rbx).toBe(0xbadn);
    expect(r.exits.map((e) => e.reason)).toEqual([0x8000_0021]);
  });
});
