// Guest modes end to end (issue 4, "Guest modes"): lab-asm hypervisors run on the real
// assembler, executor and Machine. guest-v86.asm: a virtual-8086 guest under a 64-bit host,
// as seed 004 plans one, on every profile (it needs no secondary control: no unrestricted guest).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PHYS_OFFSET } from '../../arch/lab.ts';
import { PROFILES } from '../../arch/profiles/index.ts';
import { runProgram } from './run-program.ts';

const GOOD = 0x600dn;
const V86 = readFileSync(new URL('guest-v86.asm', import.meta.url), 'utf8');

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
