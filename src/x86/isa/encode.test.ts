// The encoder's NASM choices one by one (each expectation is what `nasm -f bin` 2.16
// writes; see docs/decisions/0001-nasm-encoding-choices.md). The corpus test
// (src/asm/corpus.golden.test.ts) checks thousands more against NASM itself.
import { describe, expect, it } from 'vitest';
import { encode } from './encode.ts';
import type { AsmOperand, EncodeRequest } from './operands.ts';
import { regByName } from './registers.ts';

const BASE = 0xffff888000100000n;
type Mem = Extract<AsmOperand, { kind: 'mem' }>;
type Imm = Extract<AsmOperand, { kind: 'imm' }>;

const r = (name: string): AsmOperand => ({ kind: 'reg', reg: regByName(name)! });
const i = (value: bigint | number, o: Partial<Imm> = {}): AsmOperand => ({ kind: 'imm', value: BigInt(value), known: true, reloc: false, ...o });
const m = (o: { base?: string; index?: string; scale?: 1 | 2 | 4 | 8; disp?: bigint | number } & Partial<Omit<Mem, 'base' | 'index' | 'disp'>>): AsmOperand => ({
  kind: 'mem', scale: 1, dispKnown: true, dispReloc: false, hasDisp: o.disp !== undefined, ripRelative: false, ...o,
  base: o.base ? regByName(o.base) : undefined, index: o.index ? regByName(o.index) : undefined, disp: BigInt(o.disp ?? 0),
});

function enc(mnemonic: string, operands: AsmOperand[], extra: Partial<EncodeRequest> = {}): string {
  const res = encode({ mnemonic, prefixes: [], operands, address: BASE, bits: 64, ...extra });
  if (!res.ok) return `error: ${res.message}`;
  return Array.from(res.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

describe('encode: immediates as NASM -Ox sizes them', () => {
  it('prefers the sign-extended imm8 form, then the accumulator form', () => {
    expect(enc('add', [r('rax'), i(1)])).toBe('48 83 c0 01');
    expect(enc('add', [r('rax'), i(0x100)])).toBe('48 05 00 01 00 00');
    expect(enc('add', [r('ax'), i(1)])).toBe('66 83 c0 01');
    expect(enc('add', [r('al'), i(1)])).toBe('04 01');
    expect(enc('add', [r('rbx'), i(0x80)])).toBe('48 81 c3 80 00 00 00');
    // NASM checks the low 32 bits: 0xffffffff is -1 as a dword.
    expect(enc('add', [r('rax'), i(0xffffffff)])).toBe('48 83 c0 ff');
    expect(enc('add', [r('ax'), i(0xff80)])).toBe('66 83 c0 80');
  });

  it('shrinks MOV r64, imm to MOV r32 or C7 only for plain numbers', () => {
    expect(enc('mov', [r('rax'), i(1)])).toBe('b8 01 00 00 00');
    expect(enc('mov', [r('rax'), i(0x80000000)])).toBe('b8 00 00 00 80');
    expect(enc('mov', [r('r9'), i(5)])).toBe('41 b9 05 00 00 00');
    expect(enc('mov', [r('rax'), i(-1)])).toBe('48 c7 c0 ff ff ff ff');
    expect(enc('mov', [r('rax'), i(0x100000000n)])).toBe('48 b8 00 00 00 00 01 00 00 00');
    expect(enc('mov', [r('rax'), i(BASE, { reloc: true })])).toBe('48 b8 00 00 10 00 80 88 ff ff');
    expect(enc('mov', [r('rax'), i(1, { size: 4 })])).toBe('48 c7 c0 01 00 00 00');
    expect(enc('mov', [r('rax'), i(1, { size: 8, strict: true })])).toBe('48 b8 01 00 00 00 00 00 00 00');
  });

  it('never shrinks relocatable or still-unknown values', () => {
    expect(enc('add', [r('rax'), i(8, { reloc: true })])).toBe('48 05 08 00 00 00');
    expect(enc('push', [i(8, { reloc: true })])).toBe('68 08 00 00 00');
    expect(enc('add', [r('rax'), i(0, { known: false })])).toBe('48 05 00 00 00 00');
    expect(enc('mov', [r('rcx'), i(0, { known: false })])).toHaveLength('48 b9 00 00 00 00 00 00 00 00'.length);
    expect(enc('shl', [r('rax'), i(1, { known: false })])).toBe('48 c1 e0 01');
  });

  it('sizes PUSH immediates and honours size keywords', () => {
    expect(enc('push', [i(1)])).toBe('6a 01');
    expect(enc('push', [i(0x80)])).toBe('68 80 00 00 00');
    expect(enc('push', [i(0xffffffff)])).toBe('6a ff');
    expect(enc('push', [i(0x1234, { size: 2 })])).toBe('66 68 34 12');
    expect(enc('push', [i(-1, { size: 2 })])).toBe('66 6a ff');
    expect(enc('push', [i(1, { size: 4 })])).toBe('6a 01');
    expect(enc('push', [i(1, { size: 4, strict: true })])).toBe('68 01 00 00 00');
    expect(enc('add', [r('eax'), i(3, { size: 4, strict: true })])).toBe('05 03 00 00 00');
    expect(enc('shl', [r('eax'), i(1, { size: 1 })])).toBe('c1 e0 01');
    expect(enc('shl', [r('eax'), i(1)])).toBe('d1 e0');
    expect(enc('imul', [r('rax'), i(5)])).toBe('48 6b c0 05');
    expect(enc('lea', [r('rax'), i(5)])).toBe('48 8d 04 25 05 00 00 00');
    expect(enc('lea', [r('rax'), i(BASE + 7n, { reloc: true })])).toBe('48 8d 05 00 00 00 00');
    expect(enc('imul', [r('rax'), i(3, { size: 4 })])).toBe('48 69 c0 03 00 00 00');
    expect(enc('add', [r('rax'), i(3, { size: 4 })])).toBe('error: mismatch in operand sizes');
    expect(enc('add', [r('rax'), i(1, { size: 1, strict: true })])).toBe('48 83 c0 01');
    expect(enc('mov', [r('rax'), i(1, { size: 1 })])).toBe('error: mismatch in operand sizes');
  });
});

describe('encode: memory operands', () => {
  it('handles the rbp/r13 and rsp/r12 special cases', () => {
    expect(enc('mov', [m({ base: 'rbp' }), r('al')])).toBe('88 45 00');
    expect(enc('mov', [m({ base: 'r13' }), r('al')])).toBe('41 88 45 00');
    expect(enc('mov', [m({ base: 'rsp' }), r('al')])).toBe('88 04 24');
    expect(enc('mov', [m({ base: 'r12' }), r('al')])).toBe('41 88 04 24');
  });

  it('splits index-only addresses unless nosplit, and swaps an rsp index', () => {
    expect(enc('mov', [m({ index: 'rax', scale: 2 }), r('al')])).toBe('88 04 00');
    expect(enc('mov', [m({ index: 'rax', scale: 1 }), r('al')])).toBe('88 00');
    expect(enc('mov', [m({ index: 'rax', scale: 2, nosplit: true }), r('al')])).toBe('88 04 45 00 00 00 00');
    expect(enc('mov', [m({ index: 'rax', scale: 4 }), r('al')])).toBe('88 04 85 00 00 00 00');
    expect(enc('mov', [r('al'), m({ base: 'rax', index: 'rsp' })])).toBe('8a 04 04');
    expect(enc('mov', [r('al'), m({ base: 'rbp', index: 'rax' })])).toBe('8a 44 05 00');
    expect(enc('mov', [r('al'), m({ base: 'rax', index: 'rsp', scale: 2 })])).toBe('error: invalid 64-bit effective address');
  });

  it('chooses disp8 or disp32 as NASM does', () => {
    expect(enc('mov', [r('al'), m({ base: 'rax', disp: 0 })])).toBe('8a 00');
    expect(enc('mov', [r('al'), m({ base: 'rax', disp: 127 })])).toBe('8a 40 7f');
    expect(enc('mov', [r('al'), m({ base: 'rax', disp: 128 })])).toBe('8a 80 80 00 00 00');
    expect(enc('mov', [r('al'), m({ base: 'rax', disp: -128 })])).toBe('8a 40 80');
    expect(enc('mov', [r('al'), m({ base: 'rax', disp: 1, dispReloc: true })])).toBe('8a 80 01 00 00 00');
    expect(enc('mov', [r('al'), m({ base: 'rax', disp: 1, dispKnown: false })])).toBe('8a 80 01 00 00 00');
    expect(enc('mov', [r('al'), m({ base: 'rax', disp: 0, dispSize: 4 })])).toBe('8a 80 00 00 00 00');
    expect(enc('mov', [r('al'), m({ base: 'rax', disp: 1, dispSize: 1 })])).toBe('8a 40 01');
  });

  it('encodes RIP-relative, absolute, 32-bit and segment forms', () => {
    expect(enc('mov', [m({ disp: BASE + 0x40n, ripRelative: true }), r('al')])).toBe('88 05 3a 00 00 00');
    expect(enc('lea', [r('rax'), m({ disp: BASE, ripRelative: true })])).toBe('48 8d 05 f9 ff ff ff');
    expect(enc('mov', [r('al'), m({ disp: 0x1000 })])).toBe('8a 04 25 00 10 00 00');
    expect(enc('mov', [r('al'), m({ base: 'eax' })])).toBe('67 8a 00');
    expect(enc('mov', [r('al'), m({ base: 'rax' })], { prefixes: ['a32'] })).toBe('error: impossible combination of address sizes');
    expect(enc('mov', [r('al'), m({ base: 'rax', seg: regByName('fs') })])).toBe('64 8a 00');
    expect(enc('add', [m({ base: 'eax', size: 2, seg: regByName('fs') }), i(1)], { prefixes: ['lock'] })).toBe('f0 64 66 67 83 00 01');
  });
});

describe('encode: branches', () => {
  it('picks rel8 when it reaches, rel32 otherwise, and obeys short/near', () => {
    expect(enc('jmp', [i(BASE, { reloc: true })])).toBe('eb fe');
    expect(enc('jmp', [i(BASE)])).toBe('e9 fb ff ff ff');
    expect(enc('jmp', [i(BASE + 2n)], { branch: 'short' })).toBe('eb 00');
    expect(enc('loop', [i(BASE + 2n)])).toBe('e2 00');
    expect(enc('loop', [i(0x80)])).toBe('e2 7e');
    expect(enc('jmp', [i(BASE + 7n, { reloc: true, size: 8 })])).toBe('e9 02 00 00 00');
    expect(enc('je', [i(BASE + 7n, { reloc: true, size: 8 })])).toBe('error: mismatch in operand sizes');
    expect(enc('jmp', [i(BASE + 7n, { reloc: true, size: 2 })])).toBe('error: instruction not supported in 64-bit mode');
    expect(enc('ret', [i(8)], { branch: 'near' })).toBe('error: mismatch in operand sizes');
    expect(enc('jne', [i(BASE + 0x81n, { reloc: true })])).toBe('75 7f');
    expect(enc('jne', [i(BASE + 0x82n, { reloc: true })])).toBe('0f 85 7c 00 00 00');
    expect(enc('jmp', [i(BASE)], { branch: 'near' })).toBe('e9 fb ff ff ff');
    expect(enc('jmp', [i(BASE + 200n, { reloc: true })], { branch: 'short' })).toBe('error: short jump is out of range');
    expect(enc('call', [i(BASE)])).toBe('e8 fb ff ff ff');
    // A target not known yet starts short, as NASM's optimiser does in its first pass.
    expect(enc('je', [i(0, { known: false })])).toHaveLength(5);
    expect(enc('loop', [i(BASE + 1000n, { reloc: true })])).toBe('error: short jump is out of range');
    expect(enc('loop', [i(BASE)], { branch: 'short' })).toBe('error: mismatch in operand sizes');
    expect(enc('jmp', [i(BASE)], { branch: 'short', prefixes: ['a32'] })).toBe('67 eb fd');
  });
});

describe('encode: register quirks and refusals', () => {
  it('adds REX for spl..dil and refuses ah with REX', () => {
    expect(enc('mov', [r('spl'), i(1)])).toBe('40 b4 01');
    expect(enc('mov', [r('sil'), r('al')])).toBe('40 88 c6');
    expect(enc('mov', [r('ah'), r('bl')])).toBe('88 dc');
    expect(enc('mov', [r('ah'), r('sil')])).toBe('error: cannot use high byte register in rex instruction');
    expect(enc('mov', [r('ah'), m({ base: 'r8' })])).toBe('error: cannot use high byte register in rex instruction');
  });

  it('follows NASM on TEST and XCHG operand order', () => {
    expect(enc('test', [r('rbx'), m({ base: 'rax' })])).toBe('48 85 18');
    expect(enc('test', [r('rax'), r('rbx')])).toBe('48 85 d8');
    expect(enc('xchg', [r('rax'), r('rbx')])).toBe('48 93');
    expect(enc('xchg', [r('rbx'), r('rax')])).toBe('48 93');
    expect(enc('xchg', [r('eax'), r('eax')])).toBe('87 c0');
    expect(enc('xchg', [r('rax'), r('rax')])).toBe('48 90');
    expect(enc('xchg', [r('al'), r('bl')])).toBe('86 c3');
  });

  it('reports size errors in NASM words', () => {
    expect(enc('add', [m({ base: 'rax' }), i(1)])).toBe('error: operation size not specified');
    expect(enc('push', [m({ base: 'rax' })])).toBe('error: operation size not specified');
    expect(enc('movzx', [r('eax'), m({ base: 'rax' })])).toBe('error: operation size not specified');
    expect(enc('add', [m({ base: 'rax' }), i(1, { size: 8 })])).toBe('error: operation size not specified');
    expect(enc('add', [m({ base: 'rax' }), i(1, { size: 2 })])).toBe('66 83 00 01');
    expect(enc('or', [m({ base: 'rbp' }), i(1, { size: 1, strict: true })])).toBe('80 4d 00 01');
    expect(enc('sub', [m({ base: 'rax' }), i(1, { size: 4, strict: true })])).toBe('81 28 01 00 00 00');
    expect(enc('shl', [m({ base: 'rax' }), i(1, { size: 1 })])).toBe('error: operation size not specified');
    expect(enc('add', [m({ base: 'rax', size: 8 }), r('ebx')])).toBe('error: mismatch in operand sizes');
    expect(enc('vmxon', [m({ base: 'rax', size: 8 })])).toBe('error: mismatch in operand sizes');
    expect(enc('mov', [r('rax'), r('ebx')])).toBe('error: invalid combination of opcode and operands');
    expect(enc('push', [r('eax')])).toBe('error: instruction not supported in 64-bit mode');
    expect(enc('mov', [r('cr0'), r('eax')])).toBe('error: instruction not supported in 64-bit mode');
    expect(enc('frobnicate', [])).toBe("error: unknown instruction 'frobnicate'");
  });
});

describe('encode: system and VMX instructions (TOOLCHAIN.md reference encodings)', () => {
  it('matches the reference bytes', () => {
    expect(enc('vmxon', [m({ base: 'rax' })])).toBe('f3 0f c7 30');
    expect(enc('vmclear', [m({ base: 'rax' })])).toBe('66 0f c7 30');
    expect(enc('vmptrld', [m({ base: 'rax' })])).toBe('0f c7 30');
    expect(enc('vmptrst', [m({ base: 'rax' })])).toBe('0f c7 38');
    expect(enc('vmwrite', [r('rax'), r('rbx')])).toBe('0f 79 c3');
    expect(enc('vmread', [r('rbx'), r('rax')])).toBe('0f 78 c3');
    expect(enc('vmlaunch', [])).toBe('0f 01 c2');
    expect(enc('vmresume', [])).toBe('0f 01 c3');
    expect(enc('vmxoff', [])).toBe('0f 01 c4');
    expect(enc('vmcall', [])).toBe('0f 01 c1');
    expect(enc('vmfunc', [])).toBe('0f 01 d4');
    expect(enc('invept', [r('rax'), m({ base: 'rbx' })])).toBe('66 0f 38 80 03');
    expect(enc('invvpid', [r('rax'), m({ base: 'rbx' })])).toBe('66 0f 38 81 03');
    expect(enc('invpcid', [r('rax'), m({ base: 'rbx' })])).toBe('66 48 0f 38 82 03');
    expect(enc('mov', [r('cr8'), r('rax')])).toBe('44 0f 22 c0');
    expect(enc('mov', [r('rax'), r('ds')])).toBe('8c d8');
    expect(enc('mov', [r('ds'), m({ base: 'rax' })])).toBe('8e 18');
    expect(enc('mov', [r('ds'), m({ base: 'rax', size: 8 })])).toBe('48 8e 18');
    expect(enc('nop', [m({ base: 'rax', size: 8 })])).toBe('48 0f 1f 00');
    expect(enc('sldt', [r('rax')])).toBe('0f 00 c0');
    expect(enc('str', [r('rax')])).toBe('48 0f 00 c8');
    expect(enc('stosq', [], { prefixes: ['rep'] })).toBe('f3 48 ab');
    expect(enc('sysret', [], { prefixes: ['o64'] })).toBe('48 0f 07');
    expect(enc('add', [r('ax'), i(1)], { prefixes: ['o64'] })).toBe('48 83 c0 01');
    expect(enc('push', [r('ax')], { prefixes: ['o32'] })).toBe('50');
    expect(enc('push', [r('rax')], { prefixes: ['o64'] })).toBe('50');
    expect(enc('jrcxz', [i(BASE, { reloc: true })], { prefixes: ['o64'] })).toBe('e3 fe');
    expect(enc('mov', [r('r9'), r('cs')], { prefixes: ['o64'] })).toBe('41 8c c9');
    expect(enc('mov', [r('eax'), r('ds')], { prefixes: ['o64'] })).toBe('48 8c d8');
    expect(enc('jne', [i(BASE, { reloc: true })], { prefixes: ['o64'] })).toBe('48 75 fd');
    expect(enc('setz', [r('al')], { prefixes: ['o16'] })).toBe('66 0f 94 c0');
    expect(enc('ret', [], { prefixes: ['repnz'] })).toBe('error: repnz prefix is not allowed');
    expect(enc('jmp', [i(BASE, { reloc: true })], { prefixes: ['repne'] })).toBe('f2 eb fd');
    expect(enc('ret', [], { prefixes: ['rep'] })).toBe('f3 c3');
    expect(enc('mov', [r('eax'), m({ base: 'rax' })], { prefixes: ['fs'] })).toBe('64 8b 00');
    expect(enc('add', [m({ base: 'rax' }), r('eax')], { prefixes: ['fs', 'lock'] })).toBe('f0 64 01 00');
    expect(enc('mov', [r('eax'), m({ base: 'rax', seg: regByName('gs') })], { prefixes: ['fs'] })).toBe('error: instruction has conflicting segment overrides');
    expect(enc('ret', [], { prefixes: ['bnd'] })).toBe('f2 c3');
    expect(enc('ud2', [], { prefixes: ['bnd'] })).toBe('error: bnd prefix is not allowed');
    expect(enc('jmp', [i(BASE, { reloc: true })], { prefixes: ['bnd'] })).toBe('eb fe');
    expect(enc('add', [m({ base: 'rax' }), r('eax')], { prefixes: ['xacquire', 'lock'] })).toBe('f2 f0 01 00');
    expect(enc('movsb', [], { prefixes: ['o16', 'o64'] })).toBe('error: instruction has conflicting prefixes');
    expect(enc('pushf', [])).toBe('9c');
    expect(enc('iret', [])).toBe('cf');
  });
});

describe('encode: 16- and 32-bit code (each expectation from nasm -f bin 2.16.01)', () => {
  const b16 = { bits: 16 as const, address: 0x1000n };
  const b32 = { bits: 32 as const, address: 0x1000n };
  it('puts 66 and 67 where the size differs from the mode\'s', () => {
    expect(enc('mov', [r('ax'), r('bx')], b32)).toBe('66 89 d8');
    expect(enc('mov', [r('eax'), r('ebx')], b16)).toBe('66 89 d8');
    expect(enc('mov', [r('ax'), r('bx')], b16)).toBe('89 d8');
    expect(enc('mov', [r('eax'), m({ base: 'bx' })], b32)).toBe('67 8b 07');
    expect(enc('mov', [r('eax'), m({ base: 'ebx' })], b16)).toBe('66 67 8b 03');
    expect(enc('inc', [r('eax')], b32)).toBe('40');
    expect(enc('inc', [r('eax')], b16)).toBe('66 40');
    expect(enc('nop', [], { ...b16, prefixes: ['o32'] })).toBe('66 90');
    expect(enc('nop', [], { ...b16, prefixes: ['a32'] })).toBe('67 90');
    expect(enc('vmread', [r('eax'), r('ebx')], b16)).toBe('0f 78 d8');
  });
  it('encodes 16-bit addresses as NASM', () => {
    expect(enc('mov', [r('ax'), m({ base: 'bp' })], b16)).toBe('8b 46 00');
    expect(enc('mov', [r('ax'), m({ base: 'bp', index: 'si' })], b16)).toBe('8b 02');
    expect(enc('mov', [r('ax'), m({ base: 'bx', index: 'si', disp: 0x1234 })], b16)).toBe('8b 80 34 12');
    expect(enc('mov', [r('ax'), m({ base: 'di', disp: -3 })], b16)).toBe('8b 45 fd');
    expect(enc('mov', [r('cx'), m({ disp: 0x10 })], b16)).toBe('8b 0e 10 00');
    expect(enc('mov', [r('ax'), m({ disp: 0x10 })], b16)).toBe('a1 10 00');
    expect(enc('mov', [r('eax'), m({ disp: 0x10 })], b32)).toBe('a1 10 00 00 00');
    expect(enc('mov', [r('ecx'), m({ disp: 0x10 })], b32)).toBe('8b 0d 10 00 00 00');
    expect(enc('mov', [r('ax'), m({ base: 'bx', index: 'bp' })], b16)).toBe('error: invalid 16-bit effective address');
  });
  it('sizes pushes and branches by mode', () => {
    expect(enc('push', [i(0x1234)], b16)).toBe('68 34 12');
    expect(enc('push', [i(0x1234)], b32)).toBe('68 34 12 00 00');
    expect(enc('push', [i(1, { size: 2 })], b32)).toBe('66 6a 01');
    expect(enc('jmp', [i(0x1200n, { reloc: true })], { ...b16, branch: 'near' })).toBe('e9 fd 01');
    expect(enc('jne', [i(0x1200n, { reloc: true })], { ...b16, branch: 'near' })).toBe('0f 85 fc 01');
    expect(enc('iret', [], b16)).toBe('cf');
    expect(enc('iret', [], b32)).toBe('cf');
    expect(enc('iretd', [], b16)).toBe('66 cf');
    expect(enc('iretw', [], b32)).toBe('66 cf');
    expect(enc('jmp', [m({ base: 'bx' })], b16)).toBe('ff 27');
    expect(enc('jmp', [m({ base: 'bx' })], b32)).toBe('67 ff 27');
    expect(enc('call', [r('ax')], b32)).toBe('66 ff d0');
    expect(enc('push', [i(5, { size: 4 })], b16)).toBe('66 6a 05');
    expect(enc('leave', [], b16)).toBe('c9');
    expect(enc('syscall', [], b32)).toBe('0f 05');
  });
  it('refuses what 64-bit mode alone has, with NASM\'s messages', () => {
    expect(enc('movsxd', [r('rax'), r('eax')], b32)).toBe('error: instruction not supported in 32-bit mode');
    expect(enc('swapgs', [], b16)).toBe('error: instruction not supported in 16-bit mode');
    expect(enc('mov', [r('r8d'), r('eax')], b32)).toBe('error: invalid operands in non-64-bit mode');
    expect(enc('mov', [r('al'), r('spl')], b16)).toBe('error: invalid operands in non-64-bit mode');
    expect(enc('vmlaunch', [], b16)).toBe('0f 01 c2');
  });
});
