// The pass logic on its own, with a stand-in encoder (nop, hlt, jmp, mov r32, imm).
import { describe, it, expect } from 'vitest';
import { LAB_BASE } from '../arch/lab.ts';
import { asmFake, errorsOf, hexOf } from './testing/harness.ts';

describe('multi-pass layout', () => {
  it('starts forward jumps short and grows only those that must', () => {
    const r = asmFake('jmp a\ntimes 120 nop\na: jmp b\ntimes 200 nop\nb: hlt');
    expect(r.ok).toBe(true);
    expect([r.bytes[0], r.bytes[1]]).toEqual([0xeb, 120]);
    expect(hexOf(r).slice(244, 254)).toBe('e9c8000000');
  });

  it('settles chains where growing one jump pushes another out of range', () => {
    const src = ['jmp end', ...Array.from({ length: 40 }, (_, i) => `j${i}: jmp end\ntimes 2 nop`), 'end: hlt'].join('\n');
    const r = asmFake(src);
    expect(r.ok).toBe(true);
    // Every jump whose target is in range is short, the others near, and each lands on `end`.
    const end = r.symbols.get('end')!;
    for (let i = 0; i < 40; i++) {
      const at = Number(r.symbols.get(`j${i}`)! - LAB_BASE);
      const short = r.bytes[at] === 0xeb;
      const next = BigInt(at + (short ? 2 : 5));
      const disp = short ? BigInt.asIntN(8, BigInt(r.bytes[at + 1]!)) : BigInt.asIntN(32, BigInt(new DataView(r.bytes.buffer).getUint32(at + 1, true)));
      expect(LAB_BASE + next + disp).toBe(end);
      expect(short).toBe(end - (LAB_BASE + BigInt(at) + 2n) <= 127n);
    }
  });

  it('lets an equ of a later value stand in as a placeholder within the pass (NASM)', () => {
    expect(hexOf(asmFake('x equ y\ntimes x nop\ny equ 3'))).toBe('909090');
    expect(errorsOf(asmFake('times y nop\ny equ 3'))).toEqual(['1:7 non-constant argument supplied to TIMES']);
  });

  it('resolves local labels against the last global label, not an equ', () => {
    const r = asmFake('g:\n.a: nop\nK equ 1\n.b: jmp .a\nh:\n.a: jmp g.b');
    expect(r.ok).toBe(true);
    expect([...r.symbols.keys()]).toEqual(['g', 'g.a', 'K', 'g.b', 'h', 'h.a']);
  });

  it('reports a label that never settles', () => {
    expect(errorsOf(asmFake('nop\nresb fwd - $$\nfwd:'))[0]).toMatch(/^3:1 unable to find valid values for all labels after 1000 passes/);
  });

  it('stops costly programs instead of hanging', () => {
    expect(errorsOf(asmFake('times 8000000 jmp $'))[0]).toContain('program too costly to assemble');
  });
});
