// VM exits end to end (STYLE rule 18e): exit-loop.asm, a hypervisor with an exit-handler loop,
// runs on the real assembler, executor and Machine on every profile where its controls exist,
// with the controls, the extra VMCS setup and the guest code of each scenario edited in. The
// handler logs each exit's information fields (SDM Vol. 3C §28.2) to memory, where the tests
// read them back and compare them with the SDM formats.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PHYS_OFFSET } from '../../arch/lab.ts';
import { PROFILES } from '../../arch/profiles/index.ts';
import { VMX_MISC } from '../../arch/vmx-msrs.ts';
import { allows } from '../../vmx/testing/exits.ts';
import { runProgram } from './run-program.ts';

const SOURCE = readFileSync(new URL('exit-loop.asm', import.meta.url), 'utf8');
const GOOD = 0x600dn;

interface Scenario {
  readonly pin?: string;
  readonly proc?: string;
  readonly proc2?: string;
  readonly exit?: string;
  /** Host code run after the bring-up, before VMLAUNCH (VMWRITEs: `mov ebx, v / mov eax, FIELD / call vmw`). */
  readonly setup?: string;
  /** Guest code; a VMCALL follows it. */
  readonly guest?: string;
  readonly faultSkip?: number;
}

/** One logged exit (the handler's exit_log entry). */
interface LoggedExit {
  readonly reason: bigint;
  readonly qualification: bigint;
  readonly length: bigint;
  readonly intrInfo: bigint;
  readonly intrError: bigint;
  readonly guestRip: bigint;
  readonly vectoring: bigint;
  readonly linear: bigint;
}

function run(profile: string, sc: Scenario = {}) {
  const edit = (src: string): string => {
    let s = src;
    const define = (name: string, value: string | undefined) => {
      if (value !== undefined) s = s.replace(new RegExp(`%define ${name} .*`), `%define ${name} ${value}`);
    };
    define('WANT_PIN', sc.pin);
    define('WANT_PROC', sc.proc);
    define('WANT_PROC2', sc.proc2);
    define('WANT_EXIT', sc.exit);
    if (sc.setup) s = s.replace('    ; @SETUP\n', `${sc.setup}\n`);
    if (sc.guest !== undefined) s = s.replace(/ {4}; @GUEST\n[^]*?\n {4}vmcall\n/, `${sc.guest}\n    vmcall\n`);
    if (sc.faultSkip !== undefined) s = s.replace('fault_skip: dq 2', `fault_skip: dq ${sc.faultSkip}`);
    return s;
  };
  const r = runProgram(SOURCE, profile, undefined, edit, 200_000);
  expect(r.diagnostics).toEqual([]);
  const sym = (name: string): number => {
    const v = r.symbols.get(name);
    if (v === undefined) throw new Error(`no symbol ${name}`);
    return Number(v - PHYS_OFFSET);
  };
  const q = (name: string, i = 0): bigint => r.machine.memory.read64(sym(name) + 8 * i);
  const count = Number(q('exit_count'));
  const exits: LoggedExit[] = [];
  for (let i = 0; i < count && i < 32; i++) {
    const f = (k: number) => q('exit_log', i * 8 + k);
    exits.push({ reason: f(0), qualification: f(1), length: f(2), intrInfo: f(3) & 0xffff_ffffn, intrError: f(4), guestRip: f(5), vectoring: f(6) & 0xffff_ffffn, linear: f(7) });
  }
  const guest = r.symbols.get('guest_code')!;
  return { ...r, q, exits, reasons: exits.map((e) => Number(e.reason)), guest, rbx: r.machine.cpu.getGpr64(3), greg: (i: number) => q('gregs', i) };
}

const on = (word: 'pin' | 'primary' | 'secondary', name: string) => PROFILES.filter((p) => allows(p, word, name)).map((p) => [p.id] as const);
const ALL = PROFILES.map((p) => [p.id] as const);

describe.each(ALL)('the exit-handler loop on %s', (profile) => {
  it('emulates CPUID: two exits (reason 10, length 2) resumed past the instruction, then the VMCALL', () => {
    const r = run(profile);
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([10, 10, 18]);
    expect(r.exits.slice(0, 2).map((e) => [e.length, e.qualification, e.intrInfo])).toEqual([[2n, 0n, 0n], [2n, 0n, 0n]]);
    expect([r.q('result', 0), r.q('result', 1), r.q('result', 2)]).toEqual([0x600d_0000n, 0x1111n, 0x600d_0001n]);
    const events = r.machine.events.filter((e) => e.kind === 'vmexit');
    expect(events.map((e) => (e.kind === 'vmexit' ? [e.reason, e.name, (e as { instruction?: string }).instruction] : []))).toEqual([[10, 'CPUID', 'cpuid'], [10, 'CPUID', 'cpuid'], [18, 'VMCALL', 'vmcall']]);
    expect(events.map((e) => (e.kind === 'vmexit' ? e.guestRip : 0n))).toEqual(r.exits.map((e) => e.guestRip));
  });

  it('MSR bitmaps: only the MSRs whose bit is set exit (high-read and low-write quarters), MSRs outside the ranges always exit', () => {
    const r = run(profile, {
      proc: 'CPU_BASED_USE_MSR_BITMAPS',
      setup: [
        '    mov rbx, PA(msr_bitmap)', '    mov eax, MSR_BITMAP', '    call vmw',
        '    or byte [msr_bitmap + 1024 + (0x80 >> 3)], 1 << (0x80 & 7)', // RDMSR of IA32_EFER (C0000080h) exits
        '    or byte [msr_bitmap + 2048 + (0x277 >> 3)], 1 << (0x277 & 7)', // WRMSR of IA32_PAT exits
      ].join('\n'),
      guest: [
        '    mov ecx, MSR_IA32_FEATURE_CONTROL', '    rdmsr', '    mov [result], rax',
        '    mov ecx, MSR_EFER', '    rdmsr', '    mov [result + 8], rax',
        '    mov ecx, MSR_IA32_CR_PAT', '    rdmsr', '    mov [result + 16], rax', '    mov eax, 0x06', '    xor edx, edx', '    wrmsr',
        '    mov ecx, 0x40000000', '    rdmsr', '    mov [result + 24], rax',
      ].join('\n'),
    });
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([31, 32, 31, 18]);
    expect(r.q('result', 0)).toBe(5n); // not intercepted: the real IA32_FEATURE_CONTROL
    expect(r.q('result', 1)).toBe(0xc000_0080n); // emulated: EAX = index
    expect(r.q('result', 3)).toBe(0x4000_0000n);
    expect([r.q('wrmsr_index'), r.q('wrmsr_value')]).toEqual([0x277n, 0x6n]);
    expect(r.exits.slice(0, 3).every((e) => e.length === 2n && e.qualification === 0n)).toBe(true);
  });

  it('I/O bitmaps: a port whose bit is set exits (also an access spanning bitmaps A and B); others do not, even with unconditional I/O exiting', () => {
    const r = run(profile, {
      proc: 'CPU_BASED_USE_IO_BITMAPS | CPU_BASED_UNCOND_IO_EXITING',
      setup: [
        '    mov rbx, PA(io_bitmap_a)', '    mov eax, IO_BITMAP_A', '    call vmw',
        '    mov rbx, PA(io_bitmap_b)', '    mov eax, IO_BITMAP_B', '    call vmw',
        '    or byte [io_bitmap_a + (0x60 >> 3)], 1 << (0x60 & 7)',
        '    or byte [io_bitmap_b + (0x0001 >> 3)], 1 << 1', // port 8001h
      ].join('\n'),
      guest: [
        '    in al, 0x61', '    in al, 0x60', '    mov [result], rax',
        '    mov dx, 0x7fff', '    mov eax, 0x12345678', '    out dx, eax',
        '    mov dx, 0x8004', '    out dx, al',
      ].join('\n'),
    });
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([30, 30, 18]);
    // Table 28-5: size-1, direction (1 = IN), string, REP, immediate, port in 31:16.
    expect(r.exits.slice(0, 2).map((e) => [e.qualification, e.length])).toEqual([[0x0060_0048n, 2n], [0x7fff_0003n, 1n]]);
    expect(r.q('result') & 0xffn).toBe(0xabn);
    expect(r.q('out_value') & 0xffff_ffffn).toBe(0x1234_5678n);
  });

  it('HLT exiting: HLT exits (reason 12) and the guest goes on; without it the guest halts in non-root operation', () => {
    const guest = '    hlt\n    mov qword [result], 1';
    const r = run(profile, { proc: 'CPU_BASED_HLT_EXITING', guest });
    expect(r.reasons).toEqual([12, 18]);
    expect(r.exits[0]).toMatchObject({ guestRip: r.guest, length: 1n, qualification: 0n });
    expect(r.q('result')).toBe(1n);
    const plain = run(profile, { guest });
    expect(plain.reasons).toEqual([]);
    expect(plain.machine.mode).toBe('non-root');
    expect(plain.machine.events.at(-1)).toMatchObject({ kind: 'stop', reason: 'halted' });
  });

  it('exception bitmap: #UD and #BP exit with their interruption information; #PF by the error-code mask/match rule', () => {
    const r = run(profile, {
      setup: '    mov ebx, (1 << 6) | (1 << 3) | (1 << 14)\n    mov eax, EXCEPTION_BITMAP\n    call vmw',
      guest: '    ud2\n    int3\n    mov ebx, 0x1000\n    mov eax, [rbx]\n    mov qword [result], 7',
      faultSkip: 2,
    });
    expect(r.reasons).toEqual([0, 0, 0, 18]);
    const [ud, bp, pf] = r.exits;
    // §25.9.2: valid, type 3 (hardware exception) for #UD, type 6 (software exception) for INT3.
    expect(ud).toMatchObject({ intrInfo: 0x8000_0306n, guestRip: r.guest, qualification: 0n });
    expect(bp).toMatchObject({ intrInfo: 0x8000_0603n, guestRip: r.guest + 2n, length: 1n });
    // #PF: error code valid (bit 11), code 0 (not present, read); the qualification is the linear
    // address that faulted (SDM Vol. 3C §28.2.1 "Basic VM-Exit Information").
    expect(pf).toMatchObject({ intrInfo: 0x8000_0b0en, intrError: 0n, vectoring: 0n, qualification: 0x1000n });
  });

  it('#PF with bit 14 set exits only when (error code & PFEC_MASK) = PFEC_MATCH; otherwise it is delivered to the guest', () => {
    const setup = (mask: number, match: number) => [
      '    mov ebx, 1 << 14', '    mov eax, EXCEPTION_BITMAP', '    call vmw',
      `    mov ebx, ${mask}`, '    mov eax, PAGE_FAULT_ERROR_CODE_MASK', '    call vmw',
      `    mov ebx, ${match}`, '    mov eax, PAGE_FAULT_ERROR_CODE_MATCH', '    call vmw',
    ].join('\n');
    const guest = '    mov ebx, 0x1000\n    mov rax, [rbx]';
    expect(run(profile, { setup: setup(2, 0), guest, faultSkip: 3 }).reasons).toEqual([0, 18]); // a read: W = 0 matches
    // Not intercepted: delivered through the guest IDT, whose gates are not present: #NP, #DF, triple fault.
    const missed = run(profile, { setup: setup(2, 2), guest, faultSkip: 3 });
    expect(missed.machine.events.filter((e) => e.kind === 'vmexit').map((e) => (e.kind === 'vmexit' ? e.reason : -1))).toEqual([2]);
  });

  it('an exception during the delivery of another records IDT-vectoring information', () => {
    // #UD is not intercepted; its delivery through the guest IDT (the kernel's, whose gates are
    // not set up) faults with #GP or #NP, which is intercepted, with the #UD as vectoring info.
    const r = run(profile, {
      setup: '    mov ebx, (1 << 11) | (1 << 13)\n    mov eax, EXCEPTION_BITMAP\n    call vmw',
      guest: '    ud2',
    });
    expect(r.exits[0]).toMatchObject({ reason: 0n, vectoring: 0x8000_0306n });
    expect([11n, 13n]).toContain(r.exits[0]!.intrInfo & 0xffn);
    expect(r.exits[0]!.intrInfo & 0x800n).toBe(0x800n);
  });

  it('CR0 and CR4 read shadows: the guest reads the shadow for owned bits; CLTS and a changing MOV to CR4 exit (reason 28)', () => {
    const r = run(profile, {
      setup: [
        '    mov ebx, X86_CR0_TS', '    mov eax, CR0_GUEST_HOST_MASK', '    call vmw', '    mov eax, CR0_READ_SHADOW', '    call vmw',
        '    mov ebx, X86_CR4_VMXE', '    mov eax, CR4_GUEST_HOST_MASK', '    call vmw', '    xor ebx, ebx', '    mov eax, CR4_READ_SHADOW', '    call vmw',
      ].join('\n'),
      guest: [
        '    mov rax, cr0', '    mov [result], rax', '    clts',
        '    mov rax, cr4', '    mov [result + 8], rax', '    mov cr4, rax', // VMXE as the shadow says (0): no exit, VMXE stays 1
        '    mov rcx, cr4', '    mov [result + 16], rcx',
        '    or rax, X86_CR4_VMXE', '    mov cr4, rax',
      ].join('\n'),
    });
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([28, 28, 18]);
    expect(r.q('result') & 8n).toBe(8n); // CR0.TS read from the shadow
    expect(r.q('result', 1) & 0x2000n).toBe(0n); // CR4.VMXE hidden
    expect(r.q('result', 2) & 0x2000n).toBe(0n);
    expect(r.exits.map((e) => e.qualification)).toEqual([0x20n, 0x4n, 0n]); // CLTS (type 2); MOV to CR4 from RAX
  });

  it('RDTSC: exits with RDTSC exiting (reason 16); otherwise the guest reads TSC + TSC offset', () => {
    const guest = '    rdtsc\n    shl rdx, 32\n    or rax, rdx\n    mov [result], rax';
    expect(run(profile, { proc: 'CPU_BASED_RDTSC_EXITING', guest }).reasons).toEqual([16, 18]);
    const r = run(profile, { proc: 'CPU_BASED_USE_TSC_OFFSETTING', guest, setup: '    mov rbx, 1 << 40\n    mov eax, TSC_OFFSET\n    call vmw' });
    expect(r.reasons).toEqual([18]);
    expect(r.q('result') >> 40n).toBe(1n);
    const plain = run(profile, { guest });
    expect(plain.q('result') >> 40n).toBe(0n);
  });

  it('MOV DR with MOV-DR exiting (reason 29, qualification of Table 28-4)', () => {
    const r = run(profile, { proc: 'CPU_BASED_MOV_DR_EXITING', guest: '    mov rax, dr7\n    mov dr0, rcx' });
    expect(r.reasons).toEqual([29, 29, 18]);
    expect(r.exits.map((e) => e.qualification)).toEqual([0x17n, 0x100n, 0n]);
  });

  it('interrupt-window exiting waits for RFLAGS.IF = 1 and the end of blocking by STI', () => {
    const r = run(profile, { proc: 'CPU_BASED_INTR_WINDOW_EXITING', guest: '    nop\n    sti\n    nop\n    nop\n    cli' });
    expect(r.reasons).toEqual([7, 18]);
    expect(r.exits[0]!.guestRip).toBe(r.guest + 3n); // after the NOP that STI's shadow covers
  });
});

describe.each(ALL)('instruction exits end to end on %s', (profile) => {
  const p = PROFILES.find((x) => x.id === profile)!;
  it('INVLPG (qualification: linear address), RDPMC, MWAIT, MONITOR, PAUSE exit with their controls; WBINVD and SGDT/STR where the secondary controls exist', () => {
    const withSecondary = allows(p, 'secondary', 'SECONDARY_EXEC_WBINVD_EXITING') && allows(p, 'secondary', 'SECONDARY_EXEC_DESC');
    const r = run(profile, {
      proc: 'CPU_BASED_INVLPG_EXITING | CPU_BASED_RDPMC_EXITING | CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING | CPU_BASED_PAUSE_EXITING' + (withSecondary ? ' | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS' : ''),
      proc2: withSecondary ? 'SECONDARY_EXEC_WBINVD_EXITING | SECONDARY_EXEC_DESC' : undefined,
      guest: [
        '    lea rax, [result]', '    invlpg [rax + 8]', '    xor ecx, ecx', '    rdpmc', '    mwait', '    monitor', '    pause',
        ...(withSecondary ? ['    wbinvd', '    sgdt [result + 16]', '    str ax'] : []),
      ].join('\n'),
    });
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([14, 15, 36, 39, 40, ...(withSecondary ? [54, 46, 47] : []), 18]);
    expect(r.exits[0]!.qualification).toBe(r.symbols.get('result')! + 8n);
    if (withSecondary) {
      // Table 28-10 for SGDT [rip + disp]: address size 64-bit (bits 9:7 = 2), segment DS (3), no index, no base;
      // the qualification is the displacement (RIP-relative: displacement + next RIP = the address).
      const sgdt = r.exits[6]!;
      expect(sgdt.qualification).toBe(r.symbols.get('result')! + 16n);
      expect(sgdt.length).toBe(7n);
      const str = r.exits[7]!;
      expect(str.length).toBe(4n);
    }
  });
});

describe.each(ALL)('event injection and the exception bitmap on %s', (profile) => {
  it('the injected event is not subject to the exception bitmap; a fault delivering it carries it as IDT-vectoring information', () => {
    const r = run(profile, {
      setup: [
        '    mov ebx, (1 << 6) | (1 << 11) | (1 << 13)', '    mov eax, EXCEPTION_BITMAP', '    call vmw',
        '    mov ebx, 0x80000306', '    mov eax, VM_ENTRY_INTR_INFO_FIELD', '    call vmw',
      ].join('\n'),
    });
    expect(r.exits[0]).toMatchObject({ reason: 0n, vectoring: 0x8000_0306n, guestRip: r.guest });
    expect([11n, 13n]).toContain(r.exits[0]!.intrInfo & 0xffn);
  });

  it('an injected software interrupt (type 4) returns past the VM-entry instruction length; its delivery fault records it and that length', () => {
    const r = run(profile, {
      setup: [
        '    mov ebx, (1 << 11) | (1 << 13)', '    mov eax, EXCEPTION_BITMAP', '    call vmw',
        '    mov ebx, 0x80000480', '    mov eax, VM_ENTRY_INTR_INFO_FIELD', '    call vmw', // INT 80h
        '    mov ebx, 2', '    mov eax, VM_ENTRY_INSTRUCTION_LEN', '    call vmw',
      ].join('\n'),
    });
    expect(r.exits[0]).toMatchObject({ reason: 0n, vectoring: 0x8000_0480n, length: 2n });
  });
});

describe.each(ALL)('MSR areas of a VM exit on %s', (profile) => {
  it('the VM-exit MSR-store area receives the guest value; the VM-exit MSR-load area restores the host value', () => {
    const r = run(profile, {
      proc: 'CPU_BASED_USE_MSR_BITMAPS',
      setup: [
        '    mov rbx, PA(msr_bitmap)', '    mov eax, MSR_BITMAP', '    call vmw',
        '    mov ecx, MSR_STAR', '    mov eax, 0x1111', '    xor edx, edx', '    wrmsr',          // host value
        '    mov dword [msr_areas], MSR_STAR', '    mov qword [msr_areas + 24], 0x1111', '    mov dword [msr_areas + 16], MSR_STAR',
        '    mov rbx, PA(msr_areas)', '    mov eax, VM_EXIT_MSR_STORE_ADDR', '    call vmw',
        '    mov ebx, 1', '    mov eax, VM_EXIT_MSR_STORE_COUNT', '    call vmw',
        '    mov rbx, PA(msr_areas) + 16', '    mov eax, VM_EXIT_MSR_LOAD_ADDR', '    call vmw',
        '    mov ebx, 1', '    mov eax, VM_EXIT_MSR_LOAD_COUNT', '    call vmw',
      ].join('\n'),
      guest: '    mov ecx, MSR_STAR\n    mov eax, 0x2222\n    xor edx, edx\n    wrmsr',
    });
    expect(r.reasons).toEqual([18]);
    expect(r.q('msr_areas', 1)).toBe(0x2222n); // stored guest value (bits 127:64 of entry 0)
    expect(r.machine.cpu.msrs.get(0xc000_0081)).toBe(0x1111n); // host value loaded back
  });
});

describe.each(ALL)('changed instruction behaviour (§26.3) on %s', (profile) => {
  it('MOV to CR0 keeps the bits the host owns: a guest may clear CR0.NE as the shadow shows it, without a #GP or an exit', () => {
    const r = run(profile, {
      setup: '    mov ebx, X86_CR0_NE\n    mov eax, CR0_GUEST_HOST_MASK\n    call vmw\n    xor ebx, ebx\n    mov eax, CR0_READ_SHADOW\n    call vmw',
      guest: '    mov rax, cr0\n    mov [result], rax\n    mov cr0, rax\n    mov rax, cr0\n    mov [result + 8], rax',
    });
    expect(r.reasons).toEqual([18]);
    expect([r.q('result') & 0x20n, r.q('result', 1) & 0x20n]).toEqual([0n, 0n]);
    expect(r.machine.events.some((e) => e.kind === 'fault')).toBe(false);
  });

  it('RDMSR of IA32_TIME_STAMP_COUNTER returns TSC + TSC offset', () => {
    const r = run(profile, {
      proc: 'CPU_BASED_USE_TSC_OFFSETTING | CPU_BASED_USE_MSR_BITMAPS',
      setup: '    mov rbx, PA(msr_bitmap)\n    mov eax, MSR_BITMAP\n    call vmw\n    mov rbx, 3 << 40\n    mov eax, TSC_OFFSET\n    call vmw',
      guest: '    mov ecx, MSR_IA32_TSC\n    rdmsr\n    shl rdx, 32\n    or rax, rdx\n    mov [result], rax',
    });
    expect(r.reasons).toEqual([18]);
    expect(r.q('result') >> 40n).toBe(3n);
  });
});

describe.each(on('secondary', 'SECONDARY_EXEC_TSC_SCALING'))('TSC scaling on %s', (profile) => {
  it('RDTSC returns TSC × multiplier / 2^48 + offset', () => {
    const r = run(profile, {
      proc: 'CPU_BASED_USE_TSC_OFFSETTING | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS',
      proc2: 'SECONDARY_EXEC_TSC_SCALING',
      setup: '    mov rbx, 1 << 52\n    mov eax, TSC_MULTIPLIER\n    call vmw', // x16
      guest: '    rdtsc\n    shl rdx, 32\n    or rax, rdx\n    mov [result], rax\n    rdtsc\n    shl rdx, 32\n    or rax, rdx\n    mov [result + 8], rax',
    });
    expect(r.reasons).toEqual([18]);
    // Four instructions (four TSC ticks) apart, scaled by 16.
    expect(r.q('result', 1) - r.q('result')).toBe(64n);
    expect(r.q('result') % 16n).toBe(0n);
  });
});

describe.each(on('secondary', 'SECONDARY_EXEC_PAUSE_LOOP_EXITING'))('PAUSE-loop exiting on %s', (profile) => {
  it('a PAUSE loop longer than PLE_Window exits (reason 40); PAUSEs further apart than PLE_Gap do not', () => {
    const setup = (gap: number, window: number) =>
      `    mov ebx, ${gap}\n    mov eax, PLE_GAP\n    call vmw\n    mov ebx, ${window}\n    mov eax, PLE_WINDOW\n    call vmw`;
    const loop = (spacing: number) => `    mov ecx, 40\n.l:\n    pause\n${'    nop\n'.repeat(spacing)}    dec ecx\n    jnz .l`;
    const tight = run(profile, { proc: 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS', proc2: 'SECONDARY_EXEC_PAUSE_LOOP_EXITING', setup: setup(8, 50), guest: loop(0) });
    // 40 turns of 3 instructions: the window of 50 ticks is passed twice (the host's handler
    // runs longer than the gap, so each exit starts a new loop).
    expect(tight.reasons).toEqual([40, 40, 18]);
    expect(tight.exits[0]!.guestRip).toBe(tight.symbols.get('guest_code.l'));
    const sparse = run(profile, { proc: 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS', proc2: 'SECONDARY_EXEC_PAUSE_LOOP_EXITING', setup: setup(8, 50), guest: loop(10) });
    expect(sparse.reasons).toEqual([18]);
  });
});

describe.each(on('primary', 'CPU_BASED_TPR_SHADOW'))('the TPR shadow on %s', (profile) => {
  it('MOV from/to CR8 use the virtual TPR; lowering it below the TPR threshold exits after the instruction (reason 43)', () => {
    const r = run(profile, {
      proc: 'CPU_BASED_TPR_SHADOW',
      setup: [
        '    mov dword [vapic_page + 0x80], 0x80', // VTPR = 8
        '    mov rbx, PA(vapic_page)', '    mov eax, VIRTUAL_APIC_PAGE_ADDR', '    call vmw',
        '    mov ebx, 5', '    mov eax, TPR_THRESHOLD', '    call vmw',
      ].join('\n'),
      guest: [
        '    mov rax, cr8', '    mov [result], rax',
        '    mov ecx, 6', '    mov cr8, rcx', '    mov rax, cr8', '    mov [result + 8], rax',
        '    mov ecx, 3', '    mov cr8, rcx', '.after:', '    mov rax, cr8', '    mov [result + 16], rax',
      ].join('\n'),
    });
    expect(r.rbx).toBe(GOOD);
    expect(r.reasons).toEqual([43, 18]);
    expect([r.q('result'), r.q('result', 1), r.q('result', 2)]).toEqual([8n, 6n, 3n]);
    expect(r.exits[0]!.guestRip).toBe(r.symbols.get('guest_code.after'));
    expect(r.q('vapic_page', 0x80 / 8) & 0xffff_ffffn).toBe(0x30n);
  });
});

describe.each(on('primary', 'CPU_BASED_MONITOR_TRAP_FLAG'))('the monitor trap flag on %s', (profile) => {
  it('injecting a pending MTF VM exit (type 7) exits before the first guest instruction', () => {
    const r = run(profile, {
      proc: 'CPU_BASED_MONITOR_TRAP_FLAG',
      setup: '    mov ebx, 0x80000700\n    mov eax, VM_ENTRY_INTR_INFO_FIELD\n    call vmw',
      guest: '    nop',
    });
    expect(r.reasons.slice(0, 2)).toEqual([37, 37]);
    expect(r.exits.slice(0, 2).map((e) => e.guestRip - r.guest)).toEqual([0n, 1n]);
  });

  it('exits (reason 37) after each guest instruction, at the next one', () => {
    const r = run(profile, { proc: 'CPU_BASED_MONITOR_TRAP_FLAG', guest: '    nop\n    nop\n    xor eax, eax' });
    expect(r.reasons).toEqual([37, 37, 37, 18]);
    expect(r.exits.slice(0, 3).map((e) => e.guestRip - r.guest)).toEqual([1n, 2n, 4n]);
  });
});

describe.each(on('pin', 'PIN_BASED_VMX_PREEMPTION_TIMER'))('the VMX-preemption timer on %s', (profile) => {
  const p = PROFILES.find((x) => x.id === profile)!;
  const rate = VMX_MISC.get(p.msrs[0x485] ?? 0n, 'PREEMPTION_TIMER_RATE');
  it('a value of 0 exits (reason 52) before the first guest instruction', () => {
    const r = run(profile, { pin: 'PIN_BASED_VMX_PREEMPTION_TIMER', setup: '    xor ebx, ebx\n    mov eax, VMX_PREEMPTION_TIMER_VALUE\n    call vmw' });
    expect(r.reasons[0]).toBe(52);
    expect(r.exits[0]!.guestRip).toBe(r.guest);
  });
  it(`counts down once per 2^${rate} TSC ticks (IA32_VMX_MISC[4:0]) of the lab's TSC`, () => {
    const r = run(profile, {
      pin: 'PIN_BASED_VMX_PREEMPTION_TIMER',
      setup: '    mov ebx, 3\n    mov eax, VMX_PREEMPTION_TIMER_VALUE\n    call vmw',
      guest: '    xor r8d, r8d\n.spin:\n    inc r8\n    cmp r8, 100000\n    jb .spin',
    });
    expect(r.reasons[0]).toBe(52);
    // The lab's TSC ticks once per instruction; the loop retires 3 per turn.
    const period = 1n << rate;
    const ran = r.greg(8) * 3n;
    expect(ran).toBeGreaterThanOrEqual(2n * period - 3n);
    expect(ran).toBeLessThanOrEqual(3n * period + 3n);
  });
});

describe.each(on('pin', 'PIN_BASED_VIRTUAL_NMIS'))('NMI-window exiting on %s', (profile) => {
  it('exits (reason 8) at once when there is no virtual-NMI blocking', () => {
    const r = run(profile, { pin: 'PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS', proc: 'CPU_BASED_NMI_WINDOW_EXITING' });
    expect(r.reasons[0]).toBe(8);
    expect(r.exits[0]!.guestRip).toBe(r.guest);
  });
});
