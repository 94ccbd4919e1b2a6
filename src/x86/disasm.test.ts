import { describe, it, expect } from 'vitest';
import { decode } from './decode.ts';
import { disassemble } from './disasm.ts';

const AT = 0xffff888000100000n;

function dis(hex: string, opts: { mode?: 16 | 32 | 64; ripTarget?: boolean } = {}): string {
  const bytes = hex.split(/\s+/).map((h) => parseInt(h, 16));
  const at = opts.mode === undefined || opts.mode === 64 ? AT : 0x1000n;
  const r = decode((i) => bytes[i]!, opts.mode ?? 64, at);
  if (!r.ok) throw new Error(r.message);
  expect(r.insn.length).toBe(bytes.length);
  return disassemble(r.insn, at, { ripTarget: opts.ripTarget, mode: opts.mode });
}

describe('disassembly text (NASM spelling of Intel syntax)', () => {
  it('the VMX instructions as the event log shows them', () => {
    expect(dis('F3 0F C7 30')).toBe('vmxon [rax]');
    expect(dis('66 0F C7 33')).toBe('vmclear [rbx]');
    expect(dis('0F 78 C3')).toBe('vmread rbx, rax');
    expect(dis('0F 79 C3')).toBe('vmwrite rax, rbx');
    expect(dis('66 0F 38 80 03')).toBe('invept rax, [rbx]');
    expect(dis('0F 01 C2')).toBe('vmlaunch');
  });
  it('size keywords only where NASM needs them', () => {
    expect(dis('48 C7 00 01 00 00 00')).toBe('mov qword [rax], 0x1');
    expect(dis('48 89 18')).toBe('mov [rax], rbx');
    expect(dis('0F B6 03')).toBe('movzx eax, byte [rbx]');
    expect(dis('48 0F BF 03')).toBe('movsx rax, word [rbx]');
    expect(dis('D3 20')).toBe('shl dword [rax], cl');
    expect(dis('FF 30')).toBe('push qword [rax]');
    expect(dis('0F 01 10')).toBe('lgdt [rax]');
    expect(dis('0F 01 38')).toBe('invlpg [rax]');
    expect(dis('8C 18')).toBe('mov [rax], ds');
    expect(dis('0F 00 18')).toBe('ltr word [rax]');
  });
  it('addresses: segment inside the brackets, signed displacements, scale always written', () => {
    expect(dis('64 48 8B 04 25 28 00 00 00')).toBe('mov rax, [fs:0x28]');
    expect(dis('48 8B 44 24 F8')).toBe('mov rax, [rsp-0x8]');
    expect(dis('48 8B 04 C8')).toBe('mov rax, [rax+rcx*8]');
    expect(dis('48 8B 04 08')).toBe('mov rax, [rax+rcx*1]');
    expect(dis('48 8B 04 CD 00 10 00 00')).toBe('mov rax, [rcx*8+0x1000]');
    expect(dis('67 8B 00')).toBe('mov eax, [eax]');
  });
  it('RIP-relative operands, with the absolute address on request', () => {
    expect(dis('48 8B 05 10 00 00 00')).toBe('mov rax, [rip+0x10]');
    expect(dis('48 8B 05 10 00 00 00', { ripTarget: true })).toBe('mov rax, [rip+0x10] ; 0xffff888000100017');
    expect(dis('48 8D 05 F9 FF FF FF', { ripTarget: true })).toBe('lea rax, [rip-0x7] ; 0xffff888000100000');
  });
  it('immediates in hex at the operand size; shift by one as 1; push word', () => {
    expect(dis('48 83 C0 FF')).toBe('add rax, 0xffffffffffffffff');
    expect(dis('83 E8 01')).toBe('sub eax, 0x1');
    expect(dis('D1 E0')).toBe('shl eax, 1');
    expect(dis('C1 E0 01')).toBe('shl eax, 0x1');
    expect(dis('66 68 34 12')).toBe('push word 0x1234');
  });
  it('branches show their absolute target', () => {
    expect(dis('EB FE')).toBe('jmp 0xffff888000100000');
    expect(dis('75 10')).toBe('jne 0xffff888000100012');
    expect(dis('0F 8E 00 00 00 00')).toBe('jle 0xffff888000100006');
    expect(dis('67 E3 00')).toBe('jecxz 0xffff888000100003');
  });
  it('condition suffixes, lock and rep prefixes', () => {
    expect(dis('0F 97 C0')).toBe('seta al');
    expect(dis('48 0F 43 C1')).toBe('cmovae rax, rcx');
    expect(dis('F0 48 0F B3 03')).toBe('lock btr [rbx], rax');
    expect(dis('F3 48 A5')).toBe('rep movsq');
    expect(dis('F3 AA')).toBe('rep stosb');
    expect(dis('F3 A6')).toBe('repe cmpsb');
    expect(dis('F2 AE')).toBe('repne scasb');
    expect(dis('F3 90')).toBe('pause');
  });
  it('16-bit addressing has no scale', () => {
    expect(dis('8B 42 FE', { mode: 16 })).toBe('mov ax, [bp+si-0x2]');
  });
});

describe('string instructions', () => {
  it('a FS/GS source override is written as NASM prefix', () => {
    expect(dis('64 A4')).toBe('fs movsb');
    expect(dis('F3 65 48 AD')).toBe('rep gs lodsq');
    expect(dis('3E A4')).toBe('movsb');
  });
});

describe('operand sizes the text must spell out, by mode', () => {
  it('NASM o16/o32 and size keywords where no operand shows the size', () => {
    expect(dis('66 C3', { mode: 16 })).toBe('o32 ret');
    expect(dis('C3', { mode: 16 })).toBe('ret');
    expect(dis('66 0F A1', { mode: 16 })).toBe('o32 pop fs');
    expect(dis('66 6A 01', { mode: 16 })).toBe('push dword 0x1');
    expect(dis('6A 01', { mode: 32 })).toBe('push 0x1');
    expect(dis('66 6A 01', { mode: 32 })).toBe('push word 0x1');
    expect(dis('6A 01')).toBe('push 0x1');
    expect(dis('66 6A 01')).toBe('push word 0x1');
    expect(dis('C3')).toBe('ret');
  });
});
