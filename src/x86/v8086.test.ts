// Virtual-8086 mode rules, one test each (SDM Vol. 3B ch. 20 "8086 Emulation"). The machine is
// the 64-bit test rig switched to protected mode without paging, RFLAGS.VM = 1.
import { describe, expect, it } from 'vitest';
import { ARB, C0, C4, F, IOPL_SHIFT } from './archbits.ts';
import { X86Fault } from './fault.ts';
import { deliverException } from './interrupts.ts';
import { SegIndex } from './state.ts';
import { makeRig, reg, run1, setReg, T, type TestRig } from './testing.ts';
import { V8086_AR, loadV8086Segment } from './v8086.ts';

const CS_SEL = 0x100; // base 0x1000
const SS_SEL = 0x200; // base 0x2000
const DS_SEL = 0x300; // base 0x3000
const HANDLER = 0x40000;
const ESP0 = 0x70000;

/** Virtual-8086 mode at CS:IP = 0100:0010, SS:SP = 0200:FFE0, DS = ES = FS = GS = 0300, with `iopl`. */
function toV86(rig: TestRig, iopl: number): void {
  const s = rig.cpu.state;
  // 32-bit ring-0 code at 0x48 for the handlers; the rig's TSS gives SS0:ESP0 = 0x10:0x70000.
  rig.mem.write64(T.GDT + 0x48, 0xffffn | (0x9bn << 40n) | (0xfn << 48n) | (0xcn << 52n));
  s.gdtrLimit = 0x4f;
  rig.mem.write32(T.TSS + 4, ESP0);
  rig.mem.write32(T.TSS + 8, T.DS);
  s.cr0 = (C0.PE | C0.ET | C0.NE) >>> 0;
  s.cr4 = 0;
  s.efer = 0;
  s.rflags = (F.FIXED | F.VM | (iopl << IOPL_SHIFT)) >>> 0;
  loadV8086Segment(rig.cpu, SegIndex.CS, CS_SEL);
  loadV8086Segment(rig.cpu, SegIndex.SS, SS_SEL);
  for (const seg of [SegIndex.DS, SegIndex.ES, SegIndex.FS, SegIndex.GS]) loadV8086Segment(rig.cpu, seg, DS_SEL);
  s.rip = 0x10;
  setReg(rig, 4, 0xffe0n);
  rig.cpu.stateChanged();
}

/** Runs one instruction written at CS:IP and returns the fault it raised, or null. */
function tryRun(rig: TestRig, bytes: string): X86Fault | null {
  const s = rig.cpu.state;
  const at = s.segBase[SegIndex.CS]! + s.rip;
  bytes.trim().split(/\s+/).forEach((b, i) => rig.mem.write8(at + i, parseInt(b, 16)));
  rig.cpu.flushDecodeCache();
  try {
    rig.cpu.step();
  } catch (e) {
    if (e instanceof X86Fault) return e;
    throw e;
  }
  return null;
}

/** An 8-byte 32-bit gate (type 0xE interrupt, 0xF trap) to sel:HANDLER with the given DPL. */
function gate(rig: TestRig, vector: number, dpl: number, type = 0xe, sel = 0x48): void {
  const lo = BigInt(HANDLER & 0xffff) | (BigInt(sel) << 16n);
  const hi = BigInt(0x80 | (dpl << 5) | type) << 8n | (BigInt(HANDLER >>> 16) << 16n);
  rig.mem.write64(T.IDT + vector * 8, lo | (hi << 32n));
}

describe('virtual-8086 mode: addressing and privilege (SDM Vol. 3B §20.1.1, §20.2.4)', () => {
  it('runs 16-bit code at CPL 3 whatever the CS selector\'s RPL; segment loads give base = sel * 16, limit 0xFFFF, AR 0xF3', () => {
    const rig = makeRig();
    toV86(rig, 0);
    expect(rig.cpu.state.cpl).toBe(3);
    expect(rig.cpu.mode).toBe(16);
    expect(tryRun(rig, 'b8 34 12')).toBeNull(); // mov ax, 0x1234
    expect(reg(rig, 0) & 0xffffn).toBe(0x1234n);
    expect(tryRun(rig, 'b8 00 50')).toBeNull(); // mov ax, 0x5000
    expect(tryRun(rig, '8e d8')).toBeNull(); // mov ds, ax
    const s = rig.cpu.state;
    expect([s.segSel[SegIndex.DS], s.segBase[SegIndex.DS], s.segLimit[SegIndex.DS], s.segAr[SegIndex.DS]]).toEqual([0x5000, 0x50000, 0xffff, 0xf3]);
    expect(V8086_AR).toBe(0xf3);
    rig.mem.write16(0x50010, 0xbeef);
    expect(tryRun(rig, '8b 1e 10 00')).toBeNull(); // mov bx, [0x10]
    expect(reg(rig, 3) & 0xffffn).toBe(0xbeefn);
    expect(tryRun(rig, 'a3 fe ff')).toBeNull(); // mov [0xfffe], ax (moffs16, NASM's form)
    expect(rig.mem.read16(0x5fffe)).toBe(0x5000);
    expect(tryRun(rig, 'a0 11 00')).toBeNull(); // mov al, [0x11] (moffs8)
    expect(reg(rig, 0) & 0xffffn).toBe(0x50ben);
    expect(tryRun(rig, '53')).toBeNull(); // push bx
    expect(rig.mem.read16(0x2000 + 0xffde)).toBe(0xbeef);
    // An access beyond the 64-KiB limit: #GP(0) (or #SS for the stack), as in real mode.
    expect(tryRun(rig, '66 8b 1e ff ff')?.vector).toBe(13); // mov ebx, [0xffff] crosses the limit
  });

  it('near CALL/JMP/Jcc rel16 (what NASM writes for `bits 16` code) push a 2-byte IP and wrap at 64 KiB; RET pops it', () => {
    const rig = makeRig();
    toV86(rig, 0);
    const s = rig.cpu.state;
    expect(tryRun(rig, 'e8 00 01')).toBeNull(); // call 0x113 (IP 0x10 + 3 + 0x100)
    expect([s.rip, reg(rig, 4), rig.mem.read16(0x2000 + 0xffde)]).toEqual([0x113, 0xffden, 0x13]);
    expect(tryRun(rig, 'c3')).toBeNull(); // ret
    expect([s.rip, reg(rig, 4)]).toEqual([0x13, 0xffe0n]);
    expect(tryRun(rig, 'e9 f0 ff')).toBeNull(); // jmp -0x10: 0x16 - 0x10
    expect(s.rip).toBe(0x6);
    s.rflags |= F.ZF;
    expect(tryRun(rig, '0f 84 f6 ff')).toBeNull(); // je -0xa from 0x0a: IP 0
    expect(s.rip).toBe(0);
    expect(tryRun(rig, 'e9 ed ff')).toBeNull(); // jmp -0x13 from 3: wraps below 0 to 0xfff0
    expect(s.rip).toBe(0xfff0);
  });

  it('PUSH DS / POP ES (16-bit, NASM 1E / 07) copy a segment, with base = selector * 16', () => {
    const rig = makeRig();
    toV86(rig, 0);
    const s = rig.cpu.state;
    loadV8086Segment(rig.cpu, SegIndex.DS, 0x1234);
    expect(tryRun(rig, '1e')).toBeNull();
    expect([reg(rig, 4), rig.mem.read16(0x2000 + 0xffde)]).toEqual([0xffden, 0x1234]);
    expect(tryRun(rig, '07')).toBeNull();
    expect([reg(rig, 4), s.segSel[SegIndex.ES], s.segBase[SegIndex.ES], s.segAr[SegIndex.ES]]).toEqual([0xffe0n, 0x1234, 0x12340, 0xf3]);
    expect(tryRun(rig, '0f a8')).toBeNull(); // push gs
    expect(rig.mem.read16(0x2000 + 0xffde)).toBe(DS_SEL);
  });

  it('privileged instructions raise #GP(0) at CPL 3 (§20.2.7)', () => {
    for (const [name, bytes] of [['hlt', 'f4'], ['mov cr0, eax', '0f 22 c0'], ['clts', '0f 06'], ['wrmsr', '0f 30'], ['rdmsr', '0f 32'], ['lidt [0]', '0f 01 1e 00 00']] as const) {
      const rig = makeRig();
      toV86(rig, 3);
      const f = tryRun(rig, bytes);
      expect({ name, vector: f?.vector, code: f?.errorCode }).toEqual({ name, vector: 13, code: 0 });
      expect(rig.cpu.state.rip).toBe(0x10);
    }
  });

  it('instructions not recognized in virtual-8086 mode raise #UD (Vol. 2, each one\'s exceptions)', () => {
    for (const [name, bytes] of [['lar', '0f 02 c0'], ['lsl', '0f 03 c0'], ['sldt', '0f 00 c0'], ['str', '0f 00 c8'], ['lldt', '0f 00 d0'], ['ltr', '0f 00 d8'], ['arpl', '63 c0']] as const) {
      const rig = makeRig();
      toV86(rig, 3);
      expect({ name, vector: tryRun(rig, bytes)?.vector }).toEqual({ name, vector: 6 });
    }
  });
});

describe('virtual-8086 mode: IOPL-sensitive instructions (SDM Vol. 3B §20.2.7)', () => {
  const SENSITIVE = [['cli', 'fa'], ['sti', 'fb'], ['pushf', '9c'], ['pushfd', '66 9c'], ['popf', '9d'], ['popfd', '66 9d'], ['int 0x21', 'cd 21'], ['iret', 'cf'], ['iretd', '66 cf']] as const;

  it('each raises #GP(0) when IOPL < 3, leaving IP and SP as they were', () => {
    for (const iopl of [0, 1, 2]) {
      for (const [name, bytes] of SENSITIVE) {
        const rig = makeRig();
        toV86(rig, iopl);
        const f = tryRun(rig, bytes);
        expect({ name, iopl, vector: f?.vector, code: f?.errorCode, kind: f?.kind }).toEqual({ name, iopl, vector: 13, code: 0, kind: 'fault' });
        expect(rig.cpu.state.rip).toBe(0x10);
        expect(reg(rig, 4)).toBe(0xffe0n);
      }
    }
  });

  it('INT3 is not IOPL-sensitive: a software exception, vector 3', () => {
    const rig = makeRig();
    toV86(rig, 0);
    const f = tryRun(rig, 'cc');
    expect([f?.vector, f?.kind]).toEqual([3, 'software']);
  });

  it('at IOPL 3: CLI/STI change IF, PUSHF pushes FLAGS, POPF cannot change IOPL, IRET pops IP, CS, FLAGS', () => {
    const rig = makeRig();
    toV86(rig, 3);
    const s = rig.cpu.state;
    expect(tryRun(rig, 'fb')).toBeNull();
    expect(s.rflags & F.IF).toBe(F.IF);
    expect(tryRun(rig, 'fa')).toBeNull();
    expect(s.rflags & F.IF).toBe(0);
    expect(tryRun(rig, '66 9c')).toBeNull(); // pushfd: VM and RF read as 0 in the image
    expect(rig.mem.read32(0x2000 + 0xffdc)).toBe((F.FIXED | (3 << IOPL_SHIFT)) >>> 0);
    rig.mem.write16(0x2000 + 0xffdc, F.FIXED | F.IF | F.CF); // IOPL 0 in the image
    expect(tryRun(rig, '9d')).toBeNull(); // popf (16-bit)
    expect((s.rflags & F.IOPL) >>> IOPL_SHIFT).toBe(3);
    expect(s.rflags & (F.IF | F.CF | F.VM)).toBe(F.IF | F.CF | F.VM);
    // IRET frame at SS:SP: IP 0x0020, CS 0x0400, FLAGS with IOPL 0 and ZF.
    const sp = Number(reg(rig, 4) & 0xffffn) - 6;
    setReg(rig, 4, BigInt(sp));
    rig.mem.write16(0x2000 + sp, 0x20);
    rig.mem.write16(0x2000 + sp + 2, 0x400);
    rig.mem.write16(0x2000 + sp + 4, F.FIXED | F.ZF);
    expect(tryRun(rig, 'cf')).toBeNull();
    expect([s.rip, s.segBase[SegIndex.CS], s.segAr[SegIndex.CS], rig.cpu.state.cpl]).toEqual([0x20, 0x4000, 0xf3, 3]);
    expect((s.rflags & F.IOPL) >>> IOPL_SHIFT).toBe(3);
    expect(s.rflags & (F.ZF | F.IF | F.VM)).toBe(F.ZF | F.VM);
  });
});

describe('virtual-8086 mode: I/O through the TSS permission bitmap (SDM Vol. 3B §20.2.8.1)', () => {
  function withBitmap(iopl: number): TestRig {
    const rig = makeRig();
    toV86(rig, iopl);
    rig.mem.write16(T.TSS + 102, 0x68); // I/O map base
    rig.mem.write8(T.TSS + 0x68 + (0x80 >>> 3), 1); // port 0x80 denied, 0x81.. allowed
    return rig;
  }

  it('the bitmap decides even at IOPL 3: a denied port raises #GP(0)', () => {
    const rig = withBitmap(3);
    expect([tryRun(rig, 'e6 80')?.vector, rig.io.outs.length]).toEqual([13, 0]); // out 0x80, al
  });

  it('a port the bitmap allows runs at IOPL 0 (I/O is not IOPL-sensitive)', () => {
    const rig = withBitmap(0);
    expect(tryRun(rig, 'e6 81')).toBeNull(); // out 0x81, al
    expect(rig.io.outs).toEqual([[0x81, 1, 0]]);
  });

  it('a word access needs both ports allowed', () => {
    const rig = withBitmap(0);
    setReg(rig, 2, 0x7fn);
    expect(tryRun(rig, 'ef')?.vector).toBe(13); // out dx, ax covers 0x7f and 0x80
  });
});

describe('virtual-8086 mode: delivery to a ring-0 handler and IRET back (SDM Vol. 3B §20.3.1.1)', () => {
  it('an exception switches to SS0:ESP0, pushes GS FS DS ES SS ESP EFLAGS CS EIP and the error code, clears VM, nulls the data segments', () => {
    const rig = makeRig();
    toV86(rig, 0);
    gate(rig, 13, 0);
    const f = tryRun(rig, 'fa'); // cli at IOPL 0: #GP(0)
    expect(deliverException(rig.cpu, f!)).toEqual({ kind: 'delivered', vector: 13 });
    const s = rig.cpu.state;
    expect([s.cpl, rig.cpu.mode, s.rip, s.rflags & F.VM]).toEqual([0, 32, HANDLER, 0]);
    expect(Number(reg(rig, 4))).toBe(ESP0 - 40);
    const frame = Array.from({ length: 10 }, (_, i) => rig.mem.read32(ESP0 - 40 + i * 4));
    expect(frame.slice(0, 3)).toEqual([0, 0x10, CS_SEL]); // error code, EIP, CS
    expect(frame[3]! & F.VM).toBe(F.VM); // EFLAGS image
    expect(frame.slice(4)).toEqual([0xffe0, SS_SEL, DS_SEL, DS_SEL, DS_SEL, DS_SEL]); // ESP, SS, ES, DS, FS, GS
    for (const seg of [SegIndex.DS, SegIndex.ES, SegIndex.FS, SegIndex.GS]) {
      expect([s.segSel[seg], s.segAr[seg]! & ARB.UNUSABLE]).toEqual([0, ARB.UNUSABLE]);
    }
  });

  it('INT3 through a DPL-3 gate reaches the handler; IRETD at CPL 0 returns to virtual-8086 mode with every segment reloaded', () => {
    const rig = makeRig();
    toV86(rig, 0);
    gate(rig, 3, 3, 0xf);
    const f = tryRun(rig, 'cc');
    expect(deliverException(rig.cpu, f!)).toEqual({ kind: 'delivered', vector: 3 });
    expect(Number(reg(rig, 4))).toBe(ESP0 - 36);
    rig.mem.write32(ESP0 - 36 + 32, 0x0700); // GS image: the handler changes it
    rig.mem.write8(HANDLER, 0xcf); // iretd (32-bit code)
    rig.cpu.flushDecodeCache();
    rig.cpu.step();
    const s = rig.cpu.state;
    expect([s.cpl, rig.cpu.mode, s.rip, s.rflags & F.VM, reg(rig, 4)]).toEqual([3, 16, 0x11, F.VM, 0xffe0n]);
    expect([s.segBase[SegIndex.CS], s.segBase[SegIndex.SS], s.segBase[SegIndex.DS], s.segBase[SegIndex.GS]]).toEqual([0x1000, 0x2000, 0x3000, 0x7000]);
    expect(s.segAr[SegIndex.SS]).toBe(0xf3);
    expect(s.segLimit[SegIndex.GS]).toBe(0xffff);
  });

  it('a handler segment that is not nonconforming DPL 0 raises #GP(selector) instead', () => {
    const rig = makeRig();
    toV86(rig, 0);
    rig.mem.write64(T.GDT + 0x50, 0xffffn | (0x9fn << 40n) | (0xfn << 48n) | (0xcn << 52n)); // conforming
    rig.cpu.state.gdtrLimit = 0x57;
    gate(rig, 3, 3, 0xe, 0x50);
    gate(rig, 13, 0);
    const f = tryRun(rig, 'cc');
    expect(deliverException(rig.cpu, f!)).toEqual({ kind: 'delivered', vector: 13 });
    expect(rig.mem.read32(ESP0 - 40)).toBe(0x50); // the #GP's error code: the selector
  });
});

/** Virtual-8086 mode with CR4.VME = 1 and a 32-byte interrupt redirection bitmap below the I/O map base. */
function toVme(rig: TestRig, iopl: number, redirect: readonly number[] = []): void {
  toV86(rig, iopl);
  rig.cpu.state.cr4 = C4.VME;
  rig.mem.write16(T.TSS + 0x66, 0x88); // I/O map base: the redirection bitmap is at 0x68-0x87
  for (let i = 0; i < 32; i++) rig.mem.write8(T.TSS + 0x68 + i, 0xff);
  for (const n of redirect) rig.mem.write8(T.TSS + 0x68 + (n >> 3), rig.mem.read8(T.TSS + 0x68 + (n >> 3)) & ~(1 << (n & 7)));
}

const stackAt = (rig: TestRig, off: number): number => rig.mem.read16(0x2000 + ((Number(reg(rig, 4)) + off) & 0xffff));

describe('virtual-8086 mode extensions, CR4.VME (SDM Vol. 3B §20.3)', () => {
  it('CLI/STI at IOPL < 3 clear and set VIF, not IF; STI with VIP = 1 is #GP(0)', () => {
    const rig = makeRig();
    toVme(rig, 0);
    const s = rig.cpu.state;
    s.rflags |= F.IF | F.VIF;
    expect(tryRun(rig, 'fa')).toBeNull();
    expect(s.rflags & (F.IF | F.VIF)).toBe(F.IF);
    expect(tryRun(rig, 'fb')).toBeNull();
    expect(s.rflags & F.VIF).toBe(F.VIF);
    s.rflags = (s.rflags & ~F.VIF) | F.VIP;
    const ip = s.rip;
    expect(tryRun(rig, 'fb')).toMatchObject({ vector: 13, errorCode: 0 });
    expect(s.rip).toBe(ip);
    expect(s.rflags & F.VIF).toBe(0);
  });
  it('PUSHF pushes IF from VIF and IOPL as 3; PUSHFD stays IOPL-sensitive', () => {
    const rig = makeRig();
    toVme(rig, 0);
    const s = rig.cpu.state;
    s.rflags = (s.rflags | F.VIF) & ~F.IF;
    expect(tryRun(rig, '9c')).toBeNull();
    const image = stackAt(rig, 0);
    expect(image & F.IF).toBe(F.IF);
    expect((image & F.IOPL) >>> IOPL_SHIFT).toBe(3);
    expect(tryRun(rig, '66 9c')).toMatchObject({ vector: 13 });
  });
  it('POPF loads VIF from the image\'s IF (IF and IOPL unchanged); #GP(0) if it would set IF with VIP = 1, or set TF', () => {
    const rig = makeRig();
    toVme(rig, 1);
    const s = rig.cpu.state;
    s.rflags &= ~(F.IF | F.VIF);
    rig.mem.write16(0x2000 + 0xffe0, F.IF | F.CF | (3 << IOPL_SHIFT));
    expect(tryRun(rig, '9d')).toBeNull();
    expect(s.rflags & (F.IF | F.VIF | F.CF)).toBe(F.VIF | F.CF);
    expect((s.rflags & F.IOPL) >>> IOPL_SHIFT).toBe(1);
    expect(reg(rig, 4)).toBe(0xffe2n);
    setReg(rig, 4, 0xffe0n);
    s.rflags |= F.VIP;
    expect(tryRun(rig, '9d')).toMatchObject({ vector: 13 });
    expect(reg(rig, 4)).toBe(0xffe0n);
    s.rflags &= ~F.VIP;
    rig.mem.write16(0x2000 + 0xffe0, F.TF);
    expect(tryRun(rig, '9d')).toMatchObject({ vector: 13 });
  });
  it('IRET (16-bit) pops IP, CS, FLAGS with the same VIF rule', () => {
    const rig = makeRig();
    toVme(rig, 0);
    const s = rig.cpu.state;
    rig.mem.write16(0x2000 + 0xffe0, 0x0020);
    rig.mem.write16(0x2000 + 0xffe2, 0x0150);
    rig.mem.write16(0x2000 + 0xffe4, F.IF);
    expect(tryRun(rig, 'cf')).toBeNull();
    expect([s.segSel[SegIndex.CS], s.rip, s.rflags & (F.IF | F.VIF)]).toEqual([0x150, 0x20, F.VIF]);
    expect(reg(rig, 4)).toBe(0xffe6n);
  });
  it('INT n with its redirection bit clear goes to the 8086 handler from the IVT (method 6 at IOPL < 3: FLAGS image with IF = VIF, VIF and TF cleared)', () => {
    const rig = makeRig();
    toVme(rig, 0, [0x21]);
    const s = rig.cpu.state;
    rig.mem.write16(0x21 * 4, 0x0400);
    rig.mem.write16(0x21 * 4 + 2, 0x0060);
    s.rflags |= F.VIF | F.IF;
    expect(tryRun(rig, 'cd 21')).toBeNull();
    expect([s.segSel[SegIndex.CS], s.segBase[SegIndex.CS], s.rip]).toEqual([0x60, 0x600, 0x400]);
    expect([stackAt(rig, 0), stackAt(rig, 2)]).toEqual([0x12, CS_SEL]);
    expect(stackAt(rig, 4) & (F.IF | F.IOPL)).toBe(F.IF | F.IOPL);
    expect(s.rflags & (F.VIF | F.IF)).toBe(F.IF);
  });
  it('INT n at IOPL 3 with the bit clear clears IF (method 5); with the bit set: protected-mode handler at IOPL 3, #GP(0) below', () => {
    const rig = makeRig();
    toVme(rig, 3, [0x10]);
    const s = rig.cpu.state;
    rig.mem.write16(0x10 * 4, 0x0100);
    rig.mem.write16(0x10 * 4 + 2, 0x0070);
    s.rflags |= F.IF;
    expect(tryRun(rig, 'cd 10')).toBeNull();
    expect([s.segSel[SegIndex.CS], s.rip, s.rflags & F.IF]).toEqual([0x70, 0x100, 0]);
    const rig2 = makeRig();
    toVme(rig2, 3);
    expect(tryRun(rig2, 'cd 30')).toMatchObject({ vector: 0x30, kind: 'software' });
    const rig3 = makeRig();
    toVme(rig3, 2);
    expect(tryRun(rig3, 'cd 30')).toMatchObject({ vector: 13, errorCode: 0 });
  });
});

describe('protected-mode virtual interrupts, CR4.PVI (SDM Vol. 3B §20.4)', () => {
  it('at CPL 3 with IOPL < 3, CLI/STI work on VIF; STI with VIP = 1 is #GP(0); without PVI both are #GP(0)', () => {
    const rig = makeRig();
    const s = rig.cpu.state;
    s.segSel[SegIndex.CS] = T.CS3;
    s.segAr[SegIndex.CS] = s.segAr[SegIndex.CS]! | (3 << ARB.DPL_SHIFT);
    s.segSel[SegIndex.SS] = T.DS3;
    rig.cpu.stateChanged();
    s.rflags = (F.FIXED | F.IF | F.VIF) >>> 0;
    expect(tryRun(rig, 'fa')).toMatchObject({ vector: 13 });
    s.cr4 |= C4.PVI;
    s.rip = T.CODE;
    expect(tryRun(rig, 'fa')).toBeNull();
    expect(s.rflags & (F.IF | F.VIF)).toBe(F.IF);
    expect(tryRun(rig, 'fb')).toBeNull();
    expect(s.rflags & F.VIF).toBe(F.VIF);
    s.rflags = (s.rflags & ~F.VIF) | F.VIP;
    expect(tryRun(rig, 'fb')).toMatchObject({ vector: 13 });
  });
});
