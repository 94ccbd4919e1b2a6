import { describe, it, expect } from 'vitest';
import { DecodeCursor } from './decode-cursor.ts';
import { decodeMem, gpr } from './decode-modrm.ts';
import { scanPrefixes } from './decode-prefixes.ts';
import { regName, SEG } from './isa/registers.ts';
import type { MemRef } from './isa/operands.ts';
import { FORMS } from './isa/table.ts';

const cursor = (bytes: number[]) => new DecodeCursor((i) => {
  if (i >= bytes.length) throw new Error(`read past the test bytes at ${i}`);
  return bytes[i]!;
});

/** Decodes modrm + rest and renders the address as text, with the number of bytes consumed. */
function mem(bytes: number[], opts: { rex?: number; addr?: 2 | 4 | 8; mode?: 16 | 32 | 64 } = {}): string {
  const cur = cursor(bytes);
  const modrm = cur.u8();
  const m: MemRef = decodeMem(cur, modrm, opts.rex ?? 0, opts.addr ?? 8, null, 8, opts.mode ?? 64);
  const parts: string[] = [];
  if (m.base !== null) parts.push(regName(m.base));
  if (m.index !== null) parts.push(`${regName(m.index)}*${m.scale}`);
  if (m.disp !== 0n || parts.length === 0) parts.push(m.disp < 0n ? `-0x${(-m.disp).toString(16)}` : `0x${m.disp.toString(16)}`);
  return `[${parts.join('+').replace('+-', '-')}]/${cur.pos}`;
}

describe('ModRM and SIB, 64-bit addressing (SDM Vol. 2A §2.1.5, §2.2.1)', () => {
  it('register-indirect and displacements', () => {
    expect(mem([0x00])).toBe('[rax]/1');
    expect(mem([0x41, 0x10])).toBe('[rcx+0x10]/2');
    expect(mem([0x41, 0xf0])).toBe('[rcx-0x10]/2');
    expect(mem([0x82, 0x78, 0x56, 0x34, 0x12])).toBe('[rdx+0x12345678]/5');
    expect(mem([0x82, 0x00, 0x00, 0x00, 0x80])).toBe('[rdx-0x80000000]/5');
  });
  it('rsp and r12 as base need a SIB byte', () => {
    expect(mem([0x04, 0x24])).toBe('[rsp]/2');
    expect(mem([0x04, 0x24], { rex: 0x41 })).toBe('[r12]/2');
    expect(mem([0x44, 0x24, 0x08], { rex: 0x41 })).toBe('[r12+0x8]/3');
  });
  it('mod 00 r/m 101 is RIP-relative, for rbp and r13 alike', () => {
    expect(mem([0x05, 0x10, 0, 0, 0])).toBe('[rip+0x10]/5');
    expect(mem([0x05, 0x10, 0, 0, 0], { rex: 0x41 })).toBe('[rip+0x10]/5');
    expect(mem([0x45, 0x00])).toBe('[rbp]/2');
    expect(mem([0x45, 0x00], { rex: 0x41 })).toBe('[r13]/2');
  });
  it('mod 00 r/m 101 is plain disp32 outside 64-bit mode', () => {
    expect(mem([0x05, 0x10, 0, 0, 0], { addr: 4, mode: 32 })).toBe('[0x10]/5');
  });
  it('SIB: index 100 is no index unless REX.X; base 101 with mod 00 is disp32 without base', () => {
    expect(mem([0x04, 0x98])).toBe('[rax+rbx*4]/2');
    expect(mem([0x04, 0x20])).toBe('[rax]/2');
    expect(mem([0x04, 0x20], { rex: 0x42 })).toBe('[rax+r12*1]/2');
    expect(mem([0x04, 0xe5, 0x00, 0x10, 0, 0])).toBe('[0x1000]/6');
    expect(mem([0x04, 0xed, 0x00, 0x10, 0, 0], { rex: 0x43 })).toBe('[r13*8+0x1000]/6');
    expect(mem([0x44, 0x25, 0x7f])).toBe('[rbp+0x7f]/3');
    expect(mem([0x44, 0x25, 0x7f], { rex: 0x41 })).toBe('[r13+0x7f]/3');
    expect(mem([0x04, 0x5f], { rex: 0x43 })).toBe('[r15+r11*2]/2');
  });
  it('32-bit addressing under 0x67 uses 32-bit registers; RIP-relative stays (EIP)', () => {
    expect(mem([0x04, 0x98], { addr: 4 })).toBe('[eax+ebx*4]/2');
    expect(mem([0x00], { addr: 4, rex: 0x41 })).toBe('[r8d]/1');
    expect(mem([0x05, 0x10, 0, 0, 0], { addr: 4 })).toBe('[rip+0x10]/5');
  });
});

describe('ModRM, 16-bit addressing (SDM Vol. 2A Table 2-1)', () => {
  const m16 = (b: number[]) => mem(b, { addr: 2, mode: 16 });
  it('base/index pairs', () => {
    expect(m16([0x00])).toBe('[bx+si*1]/1');
    expect(m16([0x03])).toBe('[bp+di*1]/1');
    expect(m16([0x04])).toBe('[si]/1');
    expect(m16([0x07])).toBe('[bx]/1');
  });
  it('mod 00 r/m 110 is disp16 alone; bp needs a displacement', () => {
    expect(m16([0x06, 0x34, 0x12])).toBe('[0x1234]/3');
    expect(m16([0x46, 0x00])).toBe('[bp]/2');
    expect(m16([0x86, 0xff, 0xff])).toBe('[bp-0x1]/3');
    expect(m16([0x40, 0x80])).toBe('[bx+si*1-0x80]/2');
  });
});

describe('byte registers with and without REX (SDM Vol. 2A Table 2-5)', () => {
  it('4-7 are ah..bh without REX and spl..dil with any REX', () => {
    expect([4, 5, 6, 7].map((i) => regName(gpr(1, i, 0)))).toEqual(['ah', 'ch', 'dh', 'bh']);
    expect([4, 5, 6, 7].map((i) => regName(gpr(1, i, 0x40)))).toEqual(['spl', 'bpl', 'sil', 'dil']);
    expect(regName(gpr(1, 12, 0x44))).toBe('r12b');
    expect(regName(gpr(8, 13, 0x41))).toBe('r13');
  });
});

describe('prefix scanning (SDM Vol. 2A §2.1.1, §2.2.1)', () => {
  const scan = (bytes: number[], mode: 16 | 32 | 64 = 64) => {
    const cur = cursor(bytes);
    const p = scanPrefixes(cur, mode);
    return { ...p, at: cur.pos };
  };
  it('legacy prefixes in any order; REX must be last', () => {
    expect(scan([0x66, 0xf3, 0x48, 0x01])).toMatchObject({ opsize: true, rep: 'rep', rex: 0x48, at: 3 });
    expect(scan([0x48, 0x66, 0x01])).toMatchObject({ opsize: true, rex: 0, at: 2 });
    expect(scan([0x41, 0x48, 0x01])).toMatchObject({ rex: 0x48, at: 2 });
  });
  it('the last of F2/F3 wins; lock and 67 are recorded', () => {
    expect(scan([0xf3, 0xf2, 0x90])).toMatchObject({ rep: 'repne' });
    expect(scan([0xf2, 0xf3, 0x90])).toMatchObject({ rep: 'rep' });
    expect(scan([0xf0, 0x67, 0x01])).toMatchObject({ lock: true, addrsize: true, at: 2 });
  });
  it('last segment override wins; ES/CS/SS/DS are ignored in 64-bit mode', () => {
    expect(scan([0x64, 0x65, 0x8b])).toMatchObject({ seg: SEG.GS });
    expect(scan([0x64, 0x3e, 0x8b])).toMatchObject({ seg: SEG.FS });
    expect(scan([0x2e, 0x8b])).toMatchObject({ seg: null });
    expect(scan([0x64, 0x2e, 0x8b], 32)).toMatchObject({ seg: SEG.CS });
  });
  it('40-4F are opcodes, not REX, outside 64-bit mode', () => {
    expect(scan([0x66, 0x48], 32)).toMatchObject({ rex: 0, opsize: true, at: 1 });
  });
  it('stops at 15 bytes without fetching byte 16', () => {
    const cur = cursor(Array(15).fill(0x66));
    scanPrefixes(cur, 64);
    expect(cur.overflow).toBe(true);
    expect(cur.pos).toBe(15);
  });
});


describe('the table as the decoder reads it', () => {
  it('the rows of one opcode agree on having a ModRM byte', () => {
    const byOpcode = new Map<number, Set<boolean>>();
    for (const f of FORMS) {
      if (f.row.asmOnly) continue;
      const span = f.plusReg ? 8 : f.cc ? 16 : 1;
      for (let k = 0; k < span; k++) {
        const key = f.map * 256 + f.opcode + k;
        if (!byOpcode.has(key)) byOpcode.set(key, new Set());
        byOpcode.get(key)!.add(f.modrm !== 'none');
      }
    }
    const mixed = [...byOpcode].filter(([, v]) => v.size > 1).map(([k]) => k.toString(16));
    expect(mixed).toEqual([]);
  });
});
