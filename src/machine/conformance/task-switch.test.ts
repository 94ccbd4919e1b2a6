// A task switch in VMX non-root operation, end to end (issue 4; SDM Vol. 3C §26.1.2, Table
// 28-2): guest-modes.asm's 32-bit paged guest (mode 1), its first instruction replaced by a far
// JMP to a TSS or a far CALL through a task gate, assembled by lab-asm and run on the Machine.
// The executor makes the checks before the switch, the VT-x model exits with reason 9, and the
// host's exit handler reads the exit information with VMREAD into its log.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PHYS_OFFSET } from '../../arch/lab.ts';
import { PROFILES } from '../../arch/profiles/index.ts';
import { runProgram } from './run-program.ts';

const MODES = readFileSync(new URL('guest-modes.asm', import.meta.url), 'utf8');

/** The guest's GDT: null, flat code 08h, flat data 10h, busy TSS 18h (its TR), available TSS 20h, task gate 28h -> 20h. */
const GDT = 'tsw_gdt: dq 0, 0x00cf9b000000ffff, 0x00cf93000000ffff, 0x00008b0030000067, 0x0000890030000067, 0x0000850000200000';

function withFarBranch(bytes: string) {
  return (s: string): string => {
    const first = 'db 0x31, 0xc0                       ; xor eax, eax';
    const gdtr = '    xor ebx, ebx\n    mov eax, GUEST_GDTR_BASE';
    if (!s.includes(first) || !s.includes(gdtr) || !s.includes('result: times 8 dq 0')) throw new Error('guest-modes.asm changed: update task-switch.test.ts');
    return s.replace(first, `db ${bytes}`)
      .replace(gdtr, '    mov rbx, PA(tsw_gdt)\n    mov eax, GUEST_GDTR_BASE')
      .replace('result: times 8 dq 0', `result: times 8 dq 0\n${GDT}`);
  };
}

function firstExit(bytes: string, profile: string, more: (s: string) => string = (s) => s) {
  const r = runProgram(MODES, profile, undefined, (s) => more(withFarBranch(bytes)(s)), 200_000);
  expect(r.diagnostics).toEqual([]);
  const sym = (name: string): number => Number(r.symbols.get(name)! - PHYS_OFFSET);
  const log = (k: number): bigint => r.machine.memory.read64(sym('exit_log') + 8 * k);
  return {
    count: r.machine.memory.read64(sym('exit_count')),
    reason: log(0), qualification: log(1), length: log(2), intrInfo: log(3) & 0xffff_ffffn, intrError: log(4), guestRip: log(5), vectoring: log(6),
    guest32: BigInt(sym('guest32')),
    events: r.machine.events.filter((e) => e.kind === 'vmexit').map((e) => (e.kind === 'vmexit' ? e.reason : -1)),
  };
}

describe.each([PROFILES[0]!, PROFILES[PROFILES.length - 1]!].map((p) => [p.id] as const))('a 32-bit guest\'s task switch on %s', (profile) => {
  it('JMP 20h:0 (an available TSS) exits with reason 9, qualification 8000_0020h (JMP), length 7, guest RIP at the JMP', () => {
    const e = firstExit('0xea, 0, 0, 0, 0, 0x20, 0x00', profile);
    expect([e.count, e.reason, e.qualification, e.length, e.guestRip, e.vectoring]).toEqual([1n, 9n, 0x8000_0020n, 7n, e.guest32, 0n]);
    expect(e.events).toEqual([9]);
  });

  it('CALL 28h:0 through a task gate exits with the gate\'s TSS selector and source 0 (CALL)', () => {
    const e = firstExit('0x9a, 0, 0, 0, 0, 0x28, 0x00', profile);
    expect([e.reason, e.qualification, e.length]).toEqual([9n, 0x20n, 7n]);
  });

  it('JMP to the busy TSS 18h is #GP(18h) in the guest, checked before any task-switch exit (exit 0 through the exception bitmap)', () => {
    const bitmap = (s: string) => s.replace('    ; @SETUP', '    mov ebx, 1 << 13\n    mov eax, EXCEPTION_BITMAP\n    call vmw\n    ; @SETUP');
    const e = firstExit('0xea, 0, 0, 0, 0, 0x18, 0x00', profile, bitmap);
    expect([e.reason, e.intrInfo, e.intrError, e.guestRip]).toEqual([0n, 0x8000_0b0dn, 0x18n, e.guest32]);
    expect(e.events).toEqual([0]);
  });
});
