import { describe, it, expect } from 'vitest';
import { LAB_BASE } from '../arch/lab.ts';
import { assemble } from './index.ts';
import { HAVE_NASM, nasm } from './testdata/nasm.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('assemble: result shape', () => {
  it('returns the image at LAB_BASE with symbols, local labels as global.local', () => {
    const r = assemble('start:\n.loop: nop\n  jmp .loop\nN equ 3\n');
    expect(r.ok).toBe(true);
    expect(r.origin).toBe(LAB_BASE);
    expect(hex(r.bytes)).toBe('90ebfd');
    expect(r.symbols).toEqual(new Map([['start', LAB_BASE], ['start.loop', LAB_BASE], ['N', 3n]]));
  });

  it('gives no bytes and no line map when there is an error', () => {
    const r = assemble('nop\nmov eax, nowhere\n');
    expect(r.ok).toBe(false);
    expect(r.bytes.length).toBe(0);
    expect(r.lineMap).toEqual([]);
    expect(r.diagnostics).toEqual([{ line: 2, col: 10, message: "symbol `nowhere' not defined", severity: 'error' }]);
  });

  it('reports each problem once, sorted by line', () => {
    const r = assemble('mov eax, x\nmov eax, x\nfoo\n');
    expect(r.diagnostics.map((d) => `${d.line}:${d.col}:${d.severity}`)).toEqual(['1:10:error', '2:10:error', '3:1:warning']);
  });
});

describe('the implied header and the directives that restate it', () => {
  it.each([
    ['bits 64\nnop', true], ['[bits 64]\nnop', true], ['use64\nnop', true], ['default rel\nnop', true],
    ['org 0xFFFF888000100000\nnop', true], ['org LAB_BASE\nnop', true], ['section .text\nnop', true],
    ['[section .text]\nnop', true], ['global start\nstart: nop', true], ['org 0x7c00\nnop', false],
    ['bits 16\nnop', true], ['bits 17\nnop', false], ['section .bss\nresb 1', false], ['extern foo', false], ['incbin "x"', false],
  ])('%j', (src, ok) => {
    expect(assemble(src).ok).toBe(ok);
  });

  it('`default abs` and `default rel` switch the addressing of plain labels, like NASM', () => {
    const src = 'x: dq 0\nmov rax, [x]\ndefault abs\nmov rax, [x]\nmov rax, [rel x]\ndefault rel\nmov rax, [x]';
    const r = assemble(src);
    expect(r.ok).toBe(true);
    if (HAVE_NASM) expect(hex(r.bytes)).toBe(hex(nasm(src).bytes));
    expect(hex(r.bytes.subarray(8, 15))).toBe('488b05f1ffffff');
  });
});

describe.runIf(HAVE_NASM)('small programs agree with NASM', () => {
  it.each([
    'fs mov eax, [rax]',
    'mov dword eax, 5',
    'x: times 3 jmp x\ntimes 2 dq $\ntimes 2 mov rax, [$]',
    'l: nop\nx equ l*2\ndq x\nmov rax, x\nmov rax, -l\ndq -l, $$-2*l',
    'l: mov rax, [rbx-l]\nmov rax, l*2',
    'dq 0 == ($ - $$*0), 1 != 1',
    'N equ 12\nl1:\nlea rax, [rax + 0]\nmov rax, ((1 << 47) << (l1 - l0))\ndq l0 + 0, 0\nmov edx, l0 + 0\nl0:',
    'jmp l0\nmov edx, l0\ncall l0\njmp l0\nlea rax, [l0]\nlea rax, [rax + rax*1 - 129]\ntimes 95 nop\nmov [r12 - 1], rax\nl0: jmp l0',
    'x equ y*2\ntimes x nop\ny equ 3',
    'times y-y+2 nop\ny equ 3',
    'g: .a: .a: nop',
    "db 'it', \"'s\", 0",
    'a: b: c: dq c - a',
    'align 16, int3\nalignb 8\ndb 1',
    'shl eax, fwd\nfwd equ 1\nadd rax, fwd2\nfwd2 equ 0x1000',
    'struc s, 8\n.a: resb 1\nendstruc\ndq s.a, s_size',
    'struc s\n.a: resd 1\nendstruc\nstruc t\n.x: resb s_size\n.y: resq 1\nendstruc\nistruc t\nat t.y, dq -1\niend\ndq t_size',
    'struc s\n.a: resb 1\nalign 4\nendstruc',
    'struc s\nnop\nendstruc',
    'struc s\n.a: resd 1\nendstruc\nistruc s\nat s.a, dq 1\niend',
    'db ?\ndw 1, ?, 2',
  ])('%s', (src) => {
    const ref = nasm(src);
    const ours = assemble(src);
    expect(ours.ok, JSON.stringify(ours.diagnostics)).toBe(ref.ok);
    expect(hex(ours.bytes)).toBe(hex(ref.bytes));
  });
});

describe('16- and 32-bit guest code beside the 64-bit host (issue 4)', () => {
  const bytesOf = (src: string): string => {
    const r = assemble(src);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return hex(r.bytes);
  };
  it('assembles the real-mode/v8086 guest of conformance/guest-modes.asm to the bytes NASM gave', () => {
    const src = ['bits 16', 'xor eax, eax', 'cpuid', 'mov [di], eax', 'mov [di+4], ebx', 'mov ax, cs', 'mov [di+8], ax',
      'mov eax, cr0', 'mov [di+12], eax', 'vmcall'].join('\n');
    expect(bytesOf(src)).toBe('6631c00fa266890566895d048cc88945080f20c06689450c0f01c1');
  });
  it('assembles the 32-bit guest to the bytes NASM gave, then returns to 64-bit code', () => {
    const src = ['bits 32', 'xor eax, eax', 'cpuid', 'mov [edi], eax', 'mov [edi+4], ebx', 'mov eax, 1', 'cpuid', 'mov [edi+8], eax',
      'mov dword [esi], 0x5a5a5a5a', 'mov eax, cr0', 'mov [edi+12], eax', 'mov eax, cr4', 'mov [edi+16], eax', 'vmcall', '[bits 64]', 'mov [rdi], rax'].join('\n');
    expect(bytesOf(src)).toBe('31c00fa28907895f04b8010000000fa28947 08c7065a5a5a5a0f20c089470c0f20e08947100f01c1488907'.replace(' ', ''));
  });
  it('the v8086 guest of conformance/guest-v86.asm', () => {
    expect(bytesOf('use16\nmov ax, 0x1234\nadd ax, 0x0101\nmov [0x80], ax\nint 0x21\nmov al, 0x5a\nout 0x80, al\nhlt\nuse64'))
      .toBe('b83412050101a38000cd21b05ae680f4');
  });
});

describe('a rel8-only branch just out of reach (LOOP, JCXZ)', () => {
  it('keeps its size through the passes and is refused as NASM refuses it, never "unable to find valid values"', () => {
    for (const [mn, n] of [['loope', 128], ['loop', 129], ['jcxz', 128], ['jecxz', 200]] as const) {
      const r = assemble(`bits 16\n${mn} fwd\ntimes ${n} nop\nfwd: nop`);
      expect(r.diagnostics.map((d) => `${d.line}: ${d.message}`), `${mn} ${n}`).toEqual(['2: short jump is out of range']);
    }
    const ok = assemble('bits 32\nloop fwd\ntimes 127 nop\nfwd: nop');
    expect(ok.ok).toBe(true);
  });
});
