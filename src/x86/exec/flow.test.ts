import { describe, expect, it } from 'vitest';
import { F } from '../archbits.ts';
import { X86Fault } from '../fault.ts';
import { makeRig, reg, run1, runSeq, setReg, T } from '../testing.ts';

const RAX = 0;
const RCX = 1;
const RBX = 3;
const RSP = 4;
const RBP = 5;
const RSI = 6;
const RDI = 7;

function fault(f: () => unknown): X86Fault {
  try {
    f();
  } catch (e) {
    if (e instanceof X86Fault) return e;
    throw e;
  }
  throw new Error('expected an X86Fault');
}

describe('moves and extensions', () => {
  it('movzx, movsx, movsxd, cdqe, cqo, cbw', () => {
    const r = makeRig();
    setReg(r, RBX, 0xffff_ff80n);
    run1(r, '0f b6 c3'); // movzx eax, bl
    expect(reg(r, RAX)).toBe(0x80n);
    run1(r, '48 0f be c3'); // movsx rax, bl
    expect(reg(r, RAX)).toBe(0xffff_ffff_ffff_ff80n);
    run1(r, '48 63 c3'); // movsxd rax, ebx
    expect(reg(r, RAX)).toBe(0xffff_ffff_ffff_ff80n);
    setReg(r, RAX, 0x8000_0000n);
    run1(r, '48 98'); // cdqe
    expect(reg(r, RAX)).toBe(0xffff_ffff_8000_0000n);
    run1(r, '48 99'); // cqo
    expect(reg(r, 2)).toBe(0xffff_ffff_ffff_ffffn);
    setReg(r, RAX, 0x1234_0080n);
    run1(r, '66 98'); // cbw
    expect(reg(r, RAX)).toBe(0x1234_ff80n);
  });
  it('lea computes without memory access and truncates to the operand size', () => {
    const r = makeRig();
    setReg(r, RBX, 0xffff_ffff_ffff_fff0n);
    setReg(r, RCX, 2n);
    run1(r, '48 8d 44 8b 10'); // lea rax, [rbx+rcx*4+0x10]
    expect(reg(r, RAX)).toBe(8n);
    run1(r, '8d 44 8b 10'); // lea eax, [rbx+rcx*4+0x10]
    expect(reg(r, RAX)).toBe(8n);
  });
  it('RIP-relative loads are relative to the next instruction', () => {
    const r = makeRig();
    r.mem.write32(T.CODE + 7 + 0x100, 0xcafe);
    run1(r, '48 8b 05 00 01 00 00'); // mov rax, [rip+0x100]
    expect(reg(r, RAX)).toBe(0xcafen);
  });
  it('cmovcc zero-extends a 32-bit destination even when false; setcc', () => {
    const r = makeRig();
    setReg(r, RAX, 0xffff_ffff_0000_0001n);
    setReg(r, RBX, 7n);
    r.cpu.state.rflags &= ~F.ZF;
    run1(r, '0f 44 c3'); // cmove eax, ebx (false)
    expect(reg(r, RAX)).toBe(1n);
    r.cpu.state.rflags |= F.ZF;
    run1(r, '0f 44 c3');
    expect(reg(r, RAX)).toBe(7n);
    run1(r, '0f 94 c0'); // sete al
    expect(reg(r, RAX)).toBe(1n);
  });
  it('xchg and lahf/sahf', () => {
    const r = makeRig();
    setReg(r, RAX, 1n);
    setReg(r, RBX, 2n);
    run1(r, '48 93');
    expect([reg(r, RAX), reg(r, RBX)]).toEqual([2n, 1n]);
    r.cpu.state.rflags = F.FIXED | F.CF | F.ZF | F.OF;
    run1(r, '9f'); // lahf
    expect((reg(r, RAX) >> 8n) & 0xffn).toBe(BigInt(F.CF | F.ZF | F.FIXED));
    setReg(r, RAX, BigInt(F.SF) << 8n);
    run1(r, '9e'); // sahf
    expect(r.cpu.state.rflags).toBe(F.FIXED | F.SF | F.OF);
  });
  it('a non-canonical data address is #GP(0); a non-canonical stack address is #SS(0)', () => {
    const r = makeRig();
    setReg(r, RBX, 0x8000_0000_0000_0000n);
    const g = fault(() => run1(r, '48 8b 03'));
    expect([g.vector, g.errorCode]).toEqual([13, 0]);
    setReg(r, RBP, 0x0000_8000_0000_0000n);
    const s = fault(() => run1(r, '48 8b 45 00')); // mov rax, [rbp+0]
    expect([s.vector, s.errorCode]).toEqual([12, 0]);
  });
});

describe('stack', () => {
  it('push/pop, push imm8 sign-extended, push rsp pushes the old value', () => {
    const r = makeRig();
    setReg(r, RAX, 0x1122_3344_5566_7788n);
    run1(r, '50');
    expect(reg(r, RSP)).toBe(BigInt(T.STACK_TOP - 8));
    run1(r, '5b');
    expect(reg(r, RBX)).toBe(0x1122_3344_5566_7788n);
    run1(r, '6a ff');
    expect(r.mem.read64(T.STACK_TOP - 8)).toBe(0xffff_ffff_ffff_ffffn);
    run1(r, '54'); // push rsp
    expect(r.mem.read64(T.STACK_TOP - 16)).toBe(BigInt(T.STACK_TOP - 8));
  });
  it('pop [rsp] uses RSP after the increment', () => {
    const r = makeRig();
    setReg(r, RAX, 0xabcdn);
    run1(r, '50'); // push rax
    run1(r, '6a 00'); // push 0
    run1(r, '8f 04 24'); // pop qword [rsp]
    expect(reg(r, RSP)).toBe(BigInt(T.STACK_TOP - 8));
    expect(r.mem.read64(T.STACK_TOP - 8)).toBe(0n);
  });
  it('pushfq clears RF/VM in the image; popfq keeps IOPL at CPL 3 and the fixed bit', () => {
    const r = makeRig();
    r.cpu.state.rflags = F.FIXED | F.CF | F.RF;
    run1(r, '9c');
    expect(r.mem.read64(T.STACK_TOP - 8)).toBe(BigInt(F.FIXED | F.CF));
    r.mem.write64(T.STACK_TOP - 8, BigInt(F.IOPL | F.ZF | F.DF));
    run1(r, '9d');
    expect(r.cpu.state.rflags).toBe(F.FIXED | F.IOPL | F.ZF | F.DF);
  });
  it('leave', () => {
    const r = makeRig();
    r.mem.write64(0x70000, 0x1234n);
    setReg(r, RBP, 0x70000n);
    run1(r, 'c9');
    expect(reg(r, RBP)).toBe(0x1234n);
    expect(reg(r, RSP)).toBe(0x70008n);
  });
  it('enter: level 0 and a nested level copies the outer frame pointers (SDM Vol. 2A "ENTER")', () => {
    const r = makeRig();
    setReg(r, RBP, 0x1111n);
    run1(r, 'c8 20 00 00'); // enter 0x20, 0
    const top = BigInt(T.STACK_TOP);
    expect(r.mem.read64(T.STACK_TOP - 8)).toBe(0x1111n);
    expect(reg(r, RBP)).toBe(top - 8n);
    expect(reg(r, RSP)).toBe(top - 8n - 0x20n);
    // Level 2: push RBP, copy one frame pointer from [RBP - 8], push the new frame pointer.
    const r2 = makeRig();
    r2.mem.write64(0x60000 - 8, 0xaaaan);
    setReg(r2, RBP, 0x60000n);
    run1(r2, 'c8 10 00 02'); // enter 0x10, 2
    expect(r2.mem.read64(T.STACK_TOP - 8)).toBe(0x60000n);
    expect(r2.mem.read64(T.STACK_TOP - 16)).toBe(0xaaaan);
    expect(r2.mem.read64(T.STACK_TOP - 24)).toBe(top - 8n);
    expect(reg(r2, RBP)).toBe(top - 8n);
    expect(reg(r2, RSP)).toBe(top - 24n - 0x10n);
    // 66 C9 in 64-bit mode: LEAVE with a 16-bit operand size pops BP only.
    setReg(r2, RBP, 0x70000n);
    r2.mem.write16(0x70000, 0xbeef);
    r2.cpu.state.rip = T.CODE;
    run1(r2, '66 c9');
    expect(reg(r2, RBP)).toBe(0x7beefn);
    expect(reg(r2, RSP)).toBe(0x70002n);
  });
  it('66 C3 in 64-bit mode pops a 16-bit return address (o16 ret)', () => {
    const r = makeRig();
    r.mem.write16(T.STACK_TOP - 2, 0x1234);
    setReg(r, RSP, BigInt(T.STACK_TOP - 2));
    run1(r, '66 c2 04 00'); // o16 ret 4
    expect(r.cpu.state.rip).toBe(0x1234);
    expect(reg(r, RSP)).toBe(BigInt(T.STACK_TOP + 4));
  });
  it('xlatb reads [rbx + al]; a segment prefix overrides DS', () => {
    const r = makeRig();
    r.mem.write8(0x9005, 0x77);
    setReg(r, RBX, 0x9000n);
    setReg(r, RAX, 0x1205n);
    run1(r, 'd7');
    expect(reg(r, RAX)).toBe(0x1277n);
    r.cpu.state.segBase[4] = 0x100; // FS base
    r.mem.write8(0x9105, 0x55);
    setReg(r, RAX, 0x05n);
    r.cpu.state.rip = T.CODE;
    run1(r, '64 d7'); // fs xlatb
    expect(reg(r, RAX)).toBe(0x55n);
  });
});

describe('branches', () => {
  it('call rel32 / ret imm16 / jmp rel8 / jne', () => {
    const r = makeRig();
    run1(r, 'e8 10 00 00 00'); // call +0x10
    expect(r.cpu.state.rip).toBe(T.CODE + 5 + 0x10);
    expect(r.mem.read64(T.STACK_TOP - 8)).toBe(BigInt(T.CODE + 5));
    run1(r, 'c2 08 00'); // ret 8
    expect(r.cpu.state.rip).toBe(T.CODE + 5);
    expect(reg(r, RSP)).toBe(BigInt(T.STACK_TOP + 8));
    run1(r, 'eb fe'); // jmp $
    expect(r.cpu.state.rip).toBe(T.CODE + 5);
    r.cpu.state.rflags |= F.ZF;
    run1(r, '75 10'); // jne (not taken)
    expect(r.cpu.state.rip).toBe(T.CODE + 7);
  });
  it('jmp to a non-canonical target faults at the jump', () => {
    const r = makeRig();
    setReg(r, RAX, 0x0000_8000_0000_0000n);
    const f = fault(() => run1(r, 'ff e0'));
    expect([f.vector, f.errorCode]).toEqual([13, 0]);
    expect(r.cpu.state.rip).toBe(T.CODE);
  });
  it('loop counts RCX down', () => {
    const r = makeRig();
    setReg(r, RCX, 5n);
    setReg(r, RAX, 0n);
    runSeq(r, ['48 ff c0', 'e2 fb']); // inc rax; loop -5
    expect(reg(r, RAX)).toBe(5n);
    expect(reg(r, RCX)).toBe(0n);
  });
});

describe('string instructions', () => {
  it('rep movsb copies and advances; rep stosq fills; DF reverses', () => {
    const r = makeRig();
    for (let i = 0; i < 16; i++) r.mem.write8(0x30000 + i, i + 1);
    setReg(r, RSI, 0x30000n);
    setReg(r, RDI, 0x31000n);
    setReg(r, RCX, 16n);
    run1(r, 'f3 a4');
    expect(r.mem.read8(0x3100f)).toBe(16);
    expect([reg(r, RSI), reg(r, RDI), reg(r, RCX)]).toEqual([0x30010n, 0x31010n, 0n]);
    setReg(r, RAX, 0x0102_0304_0506_0708n);
    setReg(r, RCX, 2n);
    r.cpu.state.rflags |= F.DF;
    run1(r, 'f3 48 ab');
    expect(r.mem.read64(0x31008)).toBe(0x0102_0304_0506_0708n);
    expect(reg(r, RDI)).toBe(0x31000n);
  });
  it('repne scasb stops at the match; repe cmpsb stops at the difference', () => {
    const r = makeRig();
    const text = 'hello\0';
    for (let i = 0; i < text.length; i++) r.mem.write8(0x30000 + i, text.charCodeAt(i));
    setReg(r, RDI, 0x30000n);
    setReg(r, RAX, 0n);
    setReg(r, RCX, 100n);
    run1(r, 'f2 ae');
    expect(reg(r, RCX)).toBe(94n);
    expect(r.cpu.state.rflags & F.ZF).toBe(F.ZF);
    for (let i = 0; i < text.length; i++) r.mem.write8(0x31000 + i, 'help!'.charCodeAt(i) || 0);
    setReg(r, RSI, 0x30000n);
    setReg(r, RDI, 0x31000n);
    setReg(r, RCX, 5n);
    run1(r, 'f3 a6');
    expect(reg(r, RCX)).toBe(1n);
    expect(reg(r, RSI)).toBe(0x30004n);
    expect(r.cpu.state.rflags & F.ZF).toBe(0);
  });
  it('a long rep runs in bounded batches and re-executes itself', () => {
    const r = makeRig();
    setReg(r, RDI, 0x100000n);
    setReg(r, RCX, 10000n);
    run1(r, 'f3 aa');
    expect(r.cpu.state.rip).toBe(T.CODE);
    expect(reg(r, RCX)).toBe(10000n - 4096n);
    r.cpu.step();
    r.cpu.step();
    expect(reg(r, RCX)).toBe(0n);
    expect(r.cpu.state.rip).toBe(T.CODE + 2);
  });
});
