// CR4.VME in a virtual-8086 guest, end to end (issue 4; SDM Vol. 3B §20.3.3.5, Table 20-2):
// guest-v86.asm with CR4.VME = 1 in the guest. Its TSS (limit 67h, I/O map base 68h) puts the
// interrupt redirection bitmap at 48h-67h, all clear, so the guest's INT 21h no longer raises
// #GP(0) at IOPL 0: it is redirected to the 8086 handler its IVT names (method 6), which writes
// a byte and returns with a virtualised 16-bit IRET. Only the OUT and the HLT still exit.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PHYS_OFFSET } from '../../arch/lab.ts';
import { PROFILES } from '../../arch/profiles/index.ts';
import { runProgram } from './run-program.ts';

const V86 = readFileSync(new URL('guest-v86.asm', import.meta.url), 'utf8');
const GP_INFO = 0x8000_0b0dn;

function withVme(s: string): string {
  const cr4 = 'mov ebx, X86_CR4_VMXE               ; IA32_VMX_CR4_FIXED0; no PAE: 32-bit paging';
  const ivt = 'v86_area:\n    times 0x100 db 0';
  const hlt = '    db 0xf4                             ; hlt                   #GP(0): CPL 3\n';
  if (!s.includes(cr4) || !s.includes(ivt) || !s.includes(hlt)) throw new Error('guest-v86.asm changed: update v86-vme.test.ts');
  return s.replace(cr4, 'mov ebx, X86_CR4_VMXE | X86_CR4_VME')
    // IVT entry 21h (linear 84h) = 0010:0030, the handler below.
    .replace(ivt, 'v86_area:\n    times 0x84 db 0\n    dw 0x0030, 0x0010\n    times 0x100 - 0x88 db 0')
    // At CS:0030h: mov byte [0x90], 0x77; iret.
    .replace(hlt, `${hlt}    times 0x30 - ($ - v86_code) db 0\n    db 0xc6, 0x06, 0x90, 0x00, 0x77\n    db 0xcf\n`);
}

describe.each([PROFILES[0]!, PROFILES[PROFILES.length - 1]!].map((p) => [p.id] as const))('a virtual-8086 guest with CR4.VME on %s', (profile) => {
  it('INT 21h goes to the guest\'s own 8086 handler through the redirection bitmap; no VM exit for it', () => {
    const r = runProgram(V86, profile, undefined, withVme, 200_000);
    expect(r.diagnostics).toEqual([]);
    const sym = (name: string): number => Number(r.symbols.get(name)! - PHYS_OFFSET);
    const q = (name: string, i = 0): bigint => r.machine.memory.read64(sym(name) + 8 * i);
    const exits = Array.from({ length: Number(q('exit_count')) }, (_, i) => ({ reason: q('exit_log', i * 8), intrInfo: q('exit_log', i * 8 + 3) & 0xffff_ffffn, guestRip: q('exit_log', i * 8 + 5) }));
    expect(r.machine.cpu.getGpr64(3)).toBe(0x600dn);
    // OUT 80h at IP 0Dh and HLT at IP 0Fh exit as #GP(0); the INT 21h at IP 09h does not.
    expect(exits).toEqual([0xdn, 0xfn].map((ip) => ({ reason: 0n, intrInfo: GP_INFO, guestRip: ip })));
    expect(q('int_vector')).toBe(0n);
    expect(r.machine.memory.read8(sym('v86_area') + 0x290)).toBe(0x77); // DS:0090h, written by the handler
    expect(r.machine.memory.read16(sym('v86_area') + 0x280)).toBe(0x1335);
  });
});
