import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { decode } from './decode.ts';
import { disassemble } from './disasm.ts';
import type { DecodeResult } from './isa/decoded.ts';
import type { MemRef } from './isa/operands.ts';
import { regByName, regName, regSize as regSizeOf } from './isa/registers.ts';
import { FORMS } from './isa/table.ts';
import { sampleEncodings } from '../testing/objdump.ts';

const FIXTURES = new URL('./isa/testdata/decode64.txt', import.meta.url);
const ADDRESS = 0x1000n;

interface Fixture { line: number; bytes: number[]; id: string; text: string }

function readFixtures(): Fixture[] {
  const out: Fixture[] = [];
  readFileSync(FIXTURES, 'utf8').split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [bytes, id, text] = line.split('|').map((s) => s.trim());
    out.push({ line: i + 1, bytes: bytes!.split(/\s+/).map((h) => parseInt(h, 16)), id: id!, text: text ?? '' });
  });
  return out;
}

/** A fetcher over exactly these bytes: reading past them is a decoder bug (over-read). */
function strictFetch(bytes: readonly number[]) {
  return (i: number): number => {
    if (i < 0 || i >= bytes.length) throw new Error(`decoder read byte ${i} of a ${bytes.length}-byte sequence`);
    return bytes[i]!;
  };
}

const dec = (hex: string, mode: 16 | 32 | 64 = 64, address = ADDRESS): DecodeResult => {
  const bytes = hex.split(/\s+/).filter(Boolean).map((h) => parseInt(h, 16));
  return decode(strictFetch(bytes), mode, address);
};
const ok = (r: DecodeResult) => {
  if (!r.ok) throw new Error(`expected an instruction, got ${r.reason}: ${r.message}`);
  return r.insn;
};
const text = (hex: string, mode: 16 | 32 | 64 = 64) => disassemble(ok(dec(hex, mode)), ADDRESS);

describe('decode64.txt fixtures', () => {
  const fixtures = readFixtures();
  it('has a fixture for every decodable 64-bit row of the table', () => {
    const covered = new Set(fixtures.map((f) => f.id));
    // For a new table row, the message proposes fixture lines (check them against objdump).
    const missing = FORMS.filter((f) => !f.row.asmOnly && f.modes.m64 && !covered.has(f.id)).flatMap((f) =>
      sampleEncodings(f, 2).map((bytes) => {
        const r = decode((i) => bytes[i] ?? 0x90, 64, ADDRESS);
        const hexText = bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
        return r.ok ? `${hexText} | ${r.insn.id} | ${disassemble(r.insn, ADDRESS)}` : `${f.id}: ${hexText} does not decode (${r.message})`;
      }));
    expect(missing).toEqual([]);
    expect(fixtures.length).toBeGreaterThan(1000);
  });
  it('decodes every line to its form, length and text (or refuses it for its reason)', () => {
    const wrong: string[] = [];
    for (const f of fixtures) {
      const where = `line ${f.line} (${f.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')})`;
      let r: DecodeResult;
      try {
        r = decode(strictFetch(f.bytes), 64, ADDRESS);
      } catch (e) {
        wrong.push(`${where}: ${(e as Error).message}`);
        continue;
      }
      if (f.id.startsWith('!')) {
        if (r.ok) wrong.push(`${where}: expected ${f.id}, decoded ${r.insn.id} '${disassemble(r.insn, ADDRESS)}'`);
        else if (`!${r.reason}` !== f.id) wrong.push(`${where}: expected ${f.id}, got ${r.reason} (${r.message})`);
        continue;
      }
      if (!r.ok) { wrong.push(`${where}: ${r.reason}: ${r.message}`); continue; }
      const got = `${r.insn.id} | ${disassemble(r.insn, ADDRESS)} | ${r.insn.length}`;
      const want = `${f.id} | ${f.text} | ${f.bytes.length}`;
      if (got !== want) wrong.push(`${where}: got '${got}', want '${want}'`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('operands in detail (SDM Vol. 2A chapter 2)', () => {
  it('ModRM memory operand: base, index, scale, displacement, size, segment, address size', () => {
    const m = ok(dec('65 4B 8B 84 ED 80 FF FF FF')).operands[1] as MemRef;
    expect(m).toEqual({ kind: 'mem', size: 8, seg: regByName('gs'), base: regByName('r13'), index: regByName('r13'), scale: 8, disp: -0x80n, addrSize: 8 });
  });
  it('RIP-relative: base RIP, displacement relative to the next instruction', () => {
    const m = ok(dec('48 8B 05 F0 FF FF FF')).operands[1] as MemRef;
    expect(regName(m.base!)).toBe('rip');
    expect(m.disp).toBe(-0x10n);
    expect(m.index).toBeNull();
  });
  it('immediates: sign-extended to the operand size where the form says so, else zero-extended at their size', () => {
    expect(ok(dec('48 83 C0 FF')).operands[1]).toEqual({ kind: 'imm', value: 0xffffffffffffffffn, size: 8 });
    expect(ok(dec('48 C7 C0 00 00 00 80')).operands[1]).toEqual({ kind: 'imm', value: 0xffffffff80000000n, size: 8 });
    expect(ok(dec('48 05 FF FF FF 7F')).operands[1]).toEqual({ kind: 'imm', value: 0x7fffffffn, size: 8 });
    expect(ok(dec('66 83 C0 80')).operands[1]).toEqual({ kind: 'imm', value: 0xff80n, size: 2 });
    expect(ok(dec('C1 E0 FF')).operands[1]).toEqual({ kind: 'imm', value: 0xffn, size: 1 });
    expect(ok(dec('C2 FF FF')).operands[0]).toEqual({ kind: 'imm', value: 0xffffn, size: 2 });
    expect(ok(dec('6A 80')).operands[0]).toEqual({ kind: 'imm', value: 0xffffffffffffff80n, size: 8 });
  });
  it('branch targets are absolute and wrap at 64 bits', () => {
    expect(ok(dec('EB FE', 64, 0x1000n)).operands[0]).toEqual({ kind: 'rel', target: 0x1000n, size: 1 });
    expect(ok(dec('E9 F1 FF FF FF', 64, 5n)).operands[0]).toEqual({ kind: 'rel', target: 0xfffffffffffffffbn, size: 4 });
    expect(ok(dec('EB 10', 64, 0xfffffffffffffff0n)).operands[0]).toEqual({ kind: 'rel', target: 0x2n, size: 1 });
  });
  it('condition codes of the cc families', () => {
    expect([0x70, 0x74, 0x75, 0x7c, 0x7f].map((op) => ok(dec(`${op.toString(16)} 00`)).cond)).toEqual([0, 4, 5, 12, 15]);
    expect(ok(dec('0F 9D C0')).cond).toBe(13);
    expect(ok(dec('0F 4E C1')).cond).toBe(14);
    expect(ok(dec('0F 4E C1')).mnemonic).toBe('cmovcc');
  });
  it('operand and address sizes, prefixes record', () => {
    const i = ok(dec('F0 66 67 41 01 00'));
    expect([i.opSize, i.addrSize, i.length]).toEqual([2, 4, 6]);
    expect(i.prefixes).toEqual({ lock: true, rep: null, seg: null, opsize: true, addrsize: true, rex: 0x41 });
    expect(ok(dec('50')).opSize).toBe(8);
    expect(ok(dec('66 50')).opSize).toBe(2);
    expect(ok(dec('48 99')).id).toBe('CQO');
  });
});

describe('limits and faults', () => {
  it('never fetches a 16th byte: a 16-byte instruction is too-long (#GP(0))', () => {
    const bytes = [...Array(15).fill(0x66), 0x90];
    const r = decode(strictFetch(bytes.slice(0, 15)), 64);
    expect(r).toMatchObject({ ok: false, reason: 'too-long', length: 15 });
  });
  it('a fault thrown by the fetcher (e.g. #PF on the second page) propagates', () => {
    const fault = new Error('#PF');
    expect(() => decode((i) => { if (i >= 2) throw fault; return [0x48, 0x8b][i]!; }, 64)).toThrow(fault);
  });
  it('unsupported opcodes and invalid forms carry the length read and a message', () => {
    expect(dec('0F 0F')).toMatchObject({ ok: false, reason: 'unsupported', length: 2 });
    const r = dec('0F 20 C8');
    expect(r).toMatchObject({ ok: false, reason: 'invalid', length: 3 });
    expect(r.ok ? '' : r.message).toMatch(/CR1/);
  });
});

describe('32-bit and 16-bit modes (guests; SDM Vol. 1 §3.6 operand and address size)', () => {
  it('32-bit: 40-4F are INC/DEC, not REX; 66 selects 16 bits; 67 selects 16-bit addressing', () => {
    expect(text('40', 32)).toBe('inc eax');
    expect(text('66 48', 32)).toBe('dec ax');
    expect(text('8B 05 10 00 00 00', 32)).toBe('mov eax, [0x10]');
    expect(text('67 8B 07', 32)).toBe('mov eax, [bx]');
    expect(text('8B 44 24 04', 32)).toBe('mov eax, [esp+0x4]');
    expect(text('0F 20 C0', 32)).toBe('mov eax, cr0');
    expect(text('0F 78 C3', 32)).toBe('vmread ebx, eax');
    expect(text('36 8B 00', 32)).toBe('mov eax, [ss:eax]');
  });
  it('16-bit: 66 selects 32 bits; ModRM uses the base/index pairs of Table 2-1', () => {
    expect(text('8B 07', 16)).toBe('mov ax, [bx]');
    expect(text('66 8B 07', 16)).toBe('mov eax, [bx]');
    expect(text('8B 42 FE', 16)).toBe('mov ax, [bp+si-0x2]');
    expect(text('8B 06 34 12', 16)).toBe('mov ax, [0x1234]');
    expect(text('67 8B 04 24', 16)).toBe('mov ax, [esp]');
    expect(ok(dec('8B 07', 16)).addrSize).toBe(2);
  });
  it('near branches work at the mode\'s operand size; targets wrap at it (SDM Vol. 2A §3.2 "JMP")', () => {
    expect(ok(dec('EB 80', 32, 0x10n)).operands[0]).toEqual({ kind: 'rel', target: 0xffffff92n, size: 1 });
    expect(ok(dec('E9 00 00 00 00', 32, 0x10n)).operands[0]).toEqual({ kind: 'rel', target: 0x15n, size: 4 });
    expect(ok(dec('EB 80', 16, 0x10n)).operands[0]).toEqual({ kind: 'rel', target: 0xff92n, size: 1 });
    expect(ok(dec('E8 00 00 00 00', 32)).opSize).toBe(4);
    expect(ok(dec('C3', 16)).opSize).toBe(2);
    expect(ok(dec('68 78 56 34 12', 32)).operands[0]).toEqual({ kind: 'imm', value: 0x12345678n, size: 4 });
    // rel16 branches (16-bit operand size): IP wraps at 64 KiB.
    expect(ok(dec('E9 00 00', 16, 0xfffen)).operands[0]).toEqual({ kind: 'rel', target: 0x1n, size: 2 });
    expect(ok(dec('66 E8 00 00', 32, 0x10n)).operands[0]).toEqual({ kind: 'rel', target: 0x14n, size: 2 });
    expect(disassemble(ok(dec('66 E9 00 10', 32)), ADDRESS, { mode: 32 })).toBe('o16 jmp 0x2004');
  });
  it('64-bit-only rows are refused outside 64-bit mode', () => {
    expect(dec('0F 05', 32)).toMatchObject({ ok: false });
    expect(dec('0F 01 F8', 32)).toMatchObject({ ok: false });
  });
});

describe('fetching', () => {
  it('fetches each byte of the instruction exactly once, in order', () => {
    const bytes = [0xf0, 0x66, 0x48, 0x81, 0x84, 0xac, 0x78, 0x56, 0x34, 0x12, 0xff, 0xff, 0xff, 0xff];
    const seen: number[] = [];
    const r = decode((i) => { seen.push(i); return bytes[i]!; }, 64);
    expect(r.ok).toBe(true);
    expect(seen).toEqual(bytes.map((_, i) => i));
  });
});

describe('robustness on arbitrary bytes (fast-check, fixed seed)', () => {
  it('never throws, never reads past byte 14, and what decodes also disassembles', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 15, maxLength: 15 }), fc.constantFrom(16, 32, 64), (bytes, mode) => {
        let maxRead = -1;
        const r = decode((i) => { maxRead = Math.max(maxRead, i); return bytes[i]!; }, mode as 16 | 32 | 64, 0x1000n);
        expect(maxRead).toBeLessThan(15);
        if (r.ok) {
          expect(r.insn.length).toBeGreaterThan(0);
          expect(r.insn.length).toBe(maxRead + 1);
          expect(disassemble(r.insn, 0x1000n, { mode: mode as 16 | 32 | 64 })).toMatch(/^[a-z]/);
        } else {
          expect(r.length).toBeLessThanOrEqual(15);
        }
      }),
      { seed: 20261121, numRuns: 20000 },
    );
  });
});

describe('the operands the executor receives match the form (every row, several encodings)', () => {
  it('kinds, register sizes, memory sizes and immediate sizes follow the operand specs', () => {
    const wrong: string[] = [];
    for (const f of FORMS) {
      if (f.row.asmOnly || !f.modes.m64) continue;
      for (const bytes of sampleEncodings(f, 6)) {
        const r = decode((i) => bytes[i] ?? 0x90, 64, ADDRESS);
        if (!r.ok || r.insn.id !== f.id) continue;
        const { insn } = r;
        if (insn.operands.length !== f.operands.length) { wrong.push(`${f.id}: ${insn.operands.length} operands`); continue; }
        f.operands.forEach((spec, i) => {
          const op = insn.operands[i]!;
          const where = `${f.id} operand ${i} (${spec.token})`;
          if (spec.loc === 'rel') { if (op.kind !== 'rel' || op.size !== spec.immSize) wrong.push(where); return; }
          if (spec.loc === 'imm') {
            const size = f.sx || (spec.immSize === 4 && insn.opSize === 8) ? insn.opSize : spec.immSize;
            if (op.kind !== 'imm' || op.size !== size || op.value >= 1n << BigInt(8 * size)) wrong.push(`${where}: ${JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
            return;
          }
          if (op.kind === 'mem') { if (!spec.mem || op.size !== spec.memSize) wrong.push(`${where}: memory of ${op.size}`); return; }
          if (op.kind === 'reg') {
            if (spec.regClass === 'gpr' && spec.regSize !== 0 && regSizeOf(op.reg) !== spec.regSize) wrong.push(`${where}: ${regName(op.reg)}`);
            if (spec.fixed !== undefined && op.reg !== spec.fixed) wrong.push(`${where}: ${regName(op.reg)}`);
            return;
          }
          if (!spec.one) wrong.push(`${where}: ${op.kind}`);
        });
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });
});
