import { describe, expect, it } from 'vitest';
import { ARB, C0, C4, F } from './archbits.ts';
import { X86Fault } from './fault.ts';
import { hexBytes, makeRig, reg, run1, setReg, T, type TestRig } from './testing.ts';
import { SegIndex } from './state.ts';

const RAX = 0;
const RBX = 3;

function caught(f: () => unknown): X86Fault {
  try {
    f();
  } catch (e) {
    if (e instanceof X86Fault) return e;
    throw e;
  }
  throw new Error('expected an X86Fault');
}

function put(rig: TestRig, at: number, bytes: string): void {
  hexBytes(bytes).forEach((b, i) => rig.mem.write8(at + i, b));
}

describe('stepping', () => {
  it('self-modifying code: a store into a cached instruction is seen on the next fetch', () => {
    const rig = makeRig();
    // loop: mov eax, 1 ; mov byte [rbx], 2 (patches the immediate) ; jmp loop
    put(rig, T.CODE, 'b8 01 00 00 00  c6 03 02  eb f6');
    setReg(rig, RBX, BigInt(T.CODE + 1));
    rig.cpu.flushDecodeCache();
    rig.cpu.step();
    expect(reg(rig, RAX)).toBe(1n);
    rig.cpu.step();
    rig.cpu.step();
    rig.cpu.step();
    expect(reg(rig, RAX)).toBe(2n);
  });
  it('a fault leaves RIP and the retired-instruction count unchanged', () => {
    const rig = makeRig();
    const n = rig.cpu.state.icount;
    expect(caught(() => run1(rig, '0f 0b')).vector).toBe(6);
    expect(rig.cpu.state.rip).toBe(T.CODE);
    expect(rig.cpu.state.icount).toBe(n);
  });
  it('an instruction longer than 15 bytes is #GP(0)', () => {
    const rig = makeRig();
    const f = caught(() => run1(rig, '66 66 66 66 66 66 66 66 66 66 66 66 66 66 48 01 c0'));
    expect([f.vector, f.errorCode]).toEqual([13, 0]);
  });
  it('a non-canonical RIP is #GP(0) on fetch', () => {
    const rig = makeRig();
    rig.cpu.state.rip = 2 ** 47;
    expect(caught(() => rig.cpu.step()).vector).toBe(13);
  });
  it('TF: a single-step #DB trap after the instruction, with the next RIP', () => {
    const rig = makeRig();
    rig.cpu.state.rflags |= F.TF;
    const f = caught(() => run1(rig, '48 ff c0'));
    expect([f.vector, f.kind, f.nextRip]).toEqual([1, 'trap', T.CODE + 3]);
    expect(reg(rig, RAX)).toBe(1n);
    expect(rig.cpu.state.rip).toBe(T.CODE + 3);
  });
  it('alignment check only at CPL 3 with CR0.AM and RFLAGS.AC', () => {
    const rig = makeRig();
    setReg(rig, RBX, 0x20001n);
    run1(rig, '8b 03'); // CPL 0: no check
    const s = rig.cpu.state;
    s.cr0 |= C0.AM;
    s.rflags |= F.AC;
    s.segSel[SegIndex.CS] = T.CS3;
    s.segAr[SegIndex.CS] |= 3 << ARB.DPL_SHIFT;
    rig.cpu.stateChanged();
    const f = caught(() => run1(rig, '8b 03'));
    expect([f.vector, f.errorCode]).toEqual([17, 0]);
    setReg(rig, RBX, 0x20004n);
    run1(rig, '8b 03');
  });
  it('clone() makes an independent snapshot', () => {
    const rig = makeRig();
    const snap = rig.cpu.state.clone();
    run1(rig, '48 ff c0');
    expect(rig.cpu.state.getGpr64(0)).toBe(1n);
    expect(snap.getGpr64(0)).toBe(0n);
    rig.cpu.state.copyFrom(snap);
    rig.cpu.stateChanged();
    expect(rig.cpu.state.rip).toBe(T.CODE);
  });
});

describe('the one-entry data TLBs never outlive a permission change', () => {
  it('a supervisor page written at CPL 0 faults when read at CPL 3 after IRETQ; SMAP follows RFLAGS.AC', () => {
    const rig = makeRig();
    rig.mem.write64(T.PD + 8, 0x200000n | 0x83n); // [2 MiB, 4 MiB): supervisor, writable
    rig.cpu.flushTlb();
    rig.cpu.writeLin(0x200000, 4, 1, 0);
    expect(rig.cpu.readLin(0x200000, 4)).toBe(1);
    const s = rig.cpu.state;
    s.segSel[SegIndex.CS] = T.CS3;
    s.segAr[SegIndex.CS] |= 3 << ARB.DPL_SHIFT;
    rig.cpu.refreshMode();
    expect(caught(() => rig.cpu.readLin(0x200000, 4)).vector).toBe(14);
    const r2 = makeRig();
    r2.cpu.state.cr4 |= C4.SMAP;
    r2.cpu.state.rflags |= F.AC;
    r2.cpu.flushTlb();
    expect(r2.cpu.readLin(0x1000, 4)).toBe(r2.mem.read32(0x1000)); // user page (U/S = 1), AC = 1: allowed
    r2.cpu.state.rflags &= ~F.AC;
    expect(caught(() => r2.cpu.readLin(0x1000, 4)).vector).toBe(14);
  });
});

describe('interrupt shadow encoding (state.shadowUntil)', () => {
  it('STI: blocking by STI right after it, none after the next instruction; MOV SS: blocking by MOV SS right after it', () => {
    const rig = makeRig();
    const s = rig.cpu.state;
    run1(rig, 'fb'); // sti (IF was 0)
    expect(s.shadowUntil).toBe(s.icount + 1);
    run1(rig, '90');
    expect(s.shadowUntil === s.icount || s.shadowUntil === s.icount + 1).toBe(false);
    setReg(rig, RAX, BigInt(T.DS));
    run1(rig, '8e d0'); // mov ss, ax
    expect(s.shadowUntil).toBe(s.icount);
    run1(rig, '90');
    expect(s.shadowUntil === s.icount || s.shadowUntil === s.icount + 1).toBe(false);
  });
});

describe('decode cache and the page walker\'s A/D writes (decisions 0041, 0074)', () => {
  it('an accessed-flag write into a page that holds cached decodes drops them: the new bytes run', () => {
    const rig = makeRig();
    // The PD page (T.PD) maps 1 GiB with 2-MiB pages; entry 482 (at T.PD + 0xF10) is also code:
    // 81 00 00 00 00 00 is `add dword [rax], 0`, and as a PDE a present, supervisor, read-only
    // 2-MiB page at physical 0 whose A flag is clear.
    const pde = T.PD + 482 * 8;
    [0x81, 0, 0, 0, 0, 0, 0, 0].forEach((b, i) => rig.mem.write8(pde + i, b));
    [0x8b, 0x03].forEach((b, i) => rig.mem.write8(T.CODE + i, b)); // mov eax, [rbx]
    rig.cpu.flushDecodeCache();
    setReg(rig, 0, 0x9000n);
    rig.cpu.state.rip = pde;
    rig.cpu.step(); // add dword [rax], 0: decoded and cached
    expect(rig.cpu.state.rip).toBe(pde + 6);
    setReg(rig, 3, 482n * 0x200000n);
    rig.cpu.state.rip = T.CODE;
    rig.cpu.step(); // the walk for [rbx] sets the A flag of entry 482: its first byte becomes A1
    expect(rig.mem.read8(pde)).toBe(0xa1);
    rig.cpu.state.rip = pde;
    // A1 (MOV EAX, moffs) has no row in 64-bit mode: #UD, not the stale ADD.
    expect(() => rig.cpu.step()).toThrow(/invalid opcode/);
  });
});
