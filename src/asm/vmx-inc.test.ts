import { describe, it, expect } from 'vitest';
import { LAB_BASE, PHYS_OFFSET, predefinedSymbols } from '../arch/index.ts';
import { assemble } from './index.ts';
import { predefinedMap, vmxInc } from './vmx-inc.ts';
import { HAVE_NASM, nasm } from './testdata/nasm.ts';

describe('vmx.inc', () => {
  const text = vmxInc();

  it('begins with exactly the implied header', () => {
    expect(text.split('\n').slice(0, 3)).toEqual(['bits 64', 'default rel', 'org 0xFFFF888000100000']);
    expect(LAB_BASE).toBe(0xffff888000100000n);
  });

  it('defines every predefined symbol once, and PA(x)', () => {
    const names = [...text.matchAll(/^(\S+) equ /gm)].map((m) => m[1]);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(names)).toEqual(new Set(predefinedSymbols().map((s) => s.name)));
    expect(text).toContain('%define PA(x) ((x) - PHYS_OFFSET)');
    expect(predefinedMap().get('PHYS_OFFSET')).toBe(PHYS_OFFSET);
  });

  it('gives lab-asm programs the same values as the table (dq NAME for every symbol)', () => {
    const syms = [...predefinedMap()];
    const r = assemble(syms.map(([n]) => `dq ${n}`).join('\n'));
    expect(r.ok).toBe(true);
    const view = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    syms.forEach(([name, v], i) => expect([name, view.getBigUint64(i * 8, true)]).toEqual([name, BigInt.asUintN(64, v)]));
  });

  it.runIf(HAVE_NASM)('assembles with real NASM, to nothing, and every symbol has the same value there', () => {
    expect(nasm('').ok).toBe(true);
    expect(nasm('').bytes.length).toBe(0);
    const src = [...predefinedMap()].map(([n]) => `dq ${n}`).join('\n') + '\nlbl: dq PA(lbl), PA(LAB_BASE)';
    const ref = nasm(src);
    expect(ref.ok, ref.messages.join('\n')).toBe(true);
    expect(Buffer.from(assemble(src).bytes).equals(Buffer.from(ref.bytes))).toBe(true);
  });
});
