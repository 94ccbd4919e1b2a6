// Self-test of the instruction table (STYLE rule 2): ids unique, every row parses, no two
// decodable rows claim the same encoding in one mode, and spot checks against the SDM.
import { describe, expect, it } from 'vitest';
import type { InstructionForm } from './form.ts';
import { formId } from './form.ts';
import { parseOpcode, parseRow } from './opcode-syntax.ts';
import { FORMS, MNEMONICS, ROWS, formById, formsByOpcode, formsForMnemonic } from './table.ts';

/** Operand-size prefix states a form answers to: '-' none, '66', 'W' (REX.W). */
function oszStates(f: InstructionForm, mode: 32 | 64): string[] {
  if (f.rexW) return ['W'];
  const all = mode === 64 ? ['-', '66', 'W'] : ['-', '66'];
  if (f.osz === 'none') return all;
  if (f.osz === 'd64') return f.opSize === 2 ? ['66'] : mode === 64 ? ['-', 'W'] : ['-'];
  if (f.opSize === 2) return ['66'];
  if (f.opSize === 4) return ['-'];
  return mode === 64 ? ['-', 'W'] : all;
}

/** Address-size prefix states a form answers to: '-' none, '67' (only JCXZ/JECXZ/JRCXZ choose by it). */
function aszStates(f: InstructionForm, mode: 32 | 64): string[] {
  if (f.asz === 0) return ['-', '67'];
  const natural = mode === 64 ? 8 : 4;
  return [f.asz === natural ? '-' : '67'];
}

/** Every (mod, reg, rm) triple of ModRM a form accepts; one placeholder when it has no ModRM. */
function modrmKeys(f: InstructionForm): string[] {
  if (f.modrm === 'none') return ['-'];
  if (f.modrm === 'fixed') {
    const b = f.fixedModrm;
    return [`${b >> 6 === 3 ? 'reg' : 'mem'}:${(b >> 3) & 7}:${b & 7}`];
  }
  const mods = f.modKind === 'reg' ? ['reg'] : f.modKind === 'mem' ? ['mem'] : ['reg', 'mem'];
  const regs = f.modrm === 'digit' ? [f.digit] : [0, 1, 2, 3, 4, 5, 6, 7];
  const out: string[] = [];
  for (const m of mods) for (const r of regs) for (let rm = 0; rm < 8; rm++) out.push(`${m}:${r}:${rm}`);
  return out;
}

/** Overlaps the processor resolves by rule, with the rule. */
const KNOWN_OVERLAPS = new Set([
  // 90 without REX.B is NOP (SDM Vol. 2B §5.1 "XCHG": "XCHG (E)AX, (E)AX is an alias for NOP").
  'NOP/XCHG_AX_r16', 'NOP/XCHG_EAX_r32', 'NOP/XCHG_RAX_r64',
]);

describe('instruction table', () => {
  it('has unique ids and every row parses', () => {
    const ids = new Set<string>();
    for (const r of ROWS) {
      expect(ids.has(r.id), r.id).toBe(false);
      ids.add(r.id);
      expect(() => parseRow(r)).not.toThrow();
    }
    expect(FORMS.length).toBe(ROWS.length);
    expect(FORMS.length).toBeGreaterThan(500);
    expect(MNEMONICS.length).toBeGreaterThan(140);
  });

  it('has no two decodable rows on the same encoding in one mode', () => {
    for (const mode of [32, 64] as const) {
      const seen = new Map<string, string>();
      for (const f of FORMS) {
        if (f.row.asmOnly || !(mode === 64 ? f.modes.m64 : f.modes.m32)) continue;
        const pfx = f.mandatory ? f.mandatory.toString(16) : '-';
        const span = f.plusReg ? 8 : f.cc ? 16 : 1;
        for (let k = 0; k < span; k++) {
          for (const o of oszStates(f, mode)) {
            for (const m of modrmKeys(f).flatMap((x) => aszStates(f, mode).map((a) => `${x}:${a}`))) {
              const key = `${f.map}:${f.opcode + k}:${pfx}:${o}:${m}`;
              const other = seen.get(key);
              if (other !== undefined && !KNOWN_OVERLAPS.has(`${other}/${f.id}`) && !KNOWN_OVERLAPS.has(`${f.id}/${other}`)) {
                throw new Error(`mode ${mode}: ${other} and ${f.id} both claim ${key}`);
              }
              seen.set(key, other ?? f.id);
            }
          }
        }
      }
    }
  });

  it('every access list and immediate agrees with the operands', () => {
    for (const f of FORMS) {
      if (f.row.access) expect(f.row.access.length, f.id).toBe(f.operands.length);
      const imm = f.operands.reduce((s, o) => s + (o.loc === 'imm' || o.loc === 'rel' ? o.immSize : 0), 0);
      expect(imm, f.id).toBe(f.immBytes);
      if (f.sx) expect(f.operands.some((o) => o.loc === 'imm' && o.immSize < f.opSize), f.id).toBe(true);
    }
  });

  it('parses SDM opcode notation', () => {
    expect(parseOpcode('REX.W + 83 /0 ib')).toMatchObject({ rexW: true, opcode: 0x83, modrm: 'digit', digit: 0, immBytes: 1 });
    expect(parseOpcode('F3 0F C7 /6')).toMatchObject({ mandatory: 0xf3, map: 1, opcode: 0xc7, digit: 6 });
    expect(parseOpcode('66 0F 38 80 /r')).toMatchObject({ mandatory: 0x66, map: 2, opcode: 0x80, modrm: 'r' });
    expect(parseOpcode('0F 01 C2')).toMatchObject({ map: 1, opcode: 0x01, modrm: 'fixed', fixedModrm: 0xc2 });
    expect(parseOpcode('REX.W B8+rd io')).toMatchObject({ plusReg: true, opcode: 0xb8, immBytes: 8 });
    expect(parseOpcode('0F 80+cc cd')).toMatchObject({ cc: true, map: 1, opcode: 0x80, immBytes: 4 });
    expect(() => parseOpcode('0F /r')).toThrow();
    expect(() => parseRow({ id: 'X', op: '01 /r id', ins: 'ADD r/m32, r32' })).toThrow(/immediate/);
    expect(formId('MOV r64, CRn')).toBe('MOV_r64_cr');
    expect(formId('LGDT m16&64')).toBe('LGDT_m1664');
  });

  it('holds the VMX set as TOOLCHAIN.md gives its encodings', () => {
    const f = (id: string) => formById(id)!;
    expect(f('VMXON_m64')).toMatchObject({ mandatory: 0xf3, map: 1, opcode: 0xc7, digit: 6, modKind: 'mem' });
    expect(f('VMCLEAR_m64')).toMatchObject({ mandatory: 0x66, digit: 6 });
    expect(f('VMPTRLD_m64')).toMatchObject({ mandatory: 0, np: true, digit: 6 });
    expect(f('VMPTRST_m64')).toMatchObject({ digit: 7 });
    expect(f('VMLAUNCH')).toMatchObject({ map: 1, opcode: 1, fixedModrm: 0xc2 });
    expect(f('VMFUNC')).toMatchObject({ fixedModrm: 0xd4 });
    expect(f('INVEPT_r64_m128')).toMatchObject({ mandatory: 0x66, map: 2, opcode: 0x80 });
    expect(f('VMREAD_rm64_r64').operands.map((o) => o.loc)).toEqual(['rm', 'reg']);
    expect(f('VMWRITE_r64_rm64').operands.map((o) => o.loc)).toEqual(['reg', 'rm']);
  });

  it('indexes by opcode and by mnemonic with condition aliases', () => {
    expect(formsByOpcode(0, 0x75).map((x) => x.id)).toEqual(['Jcc_rel8']);
    expect(formsByOpcode(0, 0x41).map((x) => x.id)).toEqual(['INC_r16', 'INC_r32']);
    expect(formsByOpcode(1, 0x20).map((x) => x.id)).toContain('MOV_r64_cr');
    expect(formsForMnemonic('jne')).toMatchObject({ cond: 5 });
    expect(formsForMnemonic('jnz')).toMatchObject({ cond: 5 });
    expect(formsForMnemonic('setnae')).toMatchObject({ cond: 2 });
    expect(formsForMnemonic('cmovg')!.forms.map((x) => x.id)).toContain('CMOVcc_r64_rm64');
    expect(formsForMnemonic('jmp')!.cond).toBeUndefined();
    expect(formsForMnemonic('jxx')).toBeUndefined();
    expect(formsForMnemonic('ADD')!.forms.length).toBe(20); // with the 16/32-bit-only 82 alias of 80
  });

  it('derives operand sizes and modes', () => {
    expect(formById('PUSH_r64')).toMatchObject({ opSize: 8, osz: 'd64', modes: { m64: true, m32: false } });
    expect(formById('PUSH_r32')).toMatchObject({ opSize: 4, modes: { m64: false, m32: true } });
    expect(formById('PUSH_imm16')).toMatchObject({ opSize: 2 });
    expect(formById('ADD_rm16_imm8')).toMatchObject({ opSize: 2, sx: true });
    expect(formById('LGDT_m1664')).toMatchObject({ opSize: 0, osz: 'none' });
    expect(formById('MOVSW')).toMatchObject({ opSize: 2 });
    expect(formById('SHL_rm8_1')!.operands[1].one).toBe(true);
    expect(formById('JECXZ_rel8')).toMatchObject({ asz: 4, modes: { m16: true, m32: true, m64: true } });
    expect(formById('JMP_ptr1632')!.operands.map((o) => [o.token, o.immSize])).toEqual([['ptr16:32', 4], ['ptr16:sel', 2]]);
    expect(formById('JMP_ptr1632')).toMatchObject({ immBytes: 6, opSize: 4, modes: { m64: false } });
    expect(formById('LSS_r64_m1664')).toMatchObject({ rexW: true, modKind: 'mem', opSize: 8 });
    expect(formById('LES_r32_m1632')!.operands[1]).toMatchObject({ memSize: 6 });
    expect(formById('BOUND_r32_m3232')!.operands[1]).toMatchObject({ memSize: 8 });
  });

  it('has no row for the legacy one-byte opcodes in 64-bit mode (#UD, or VEX/EVEX/MOVSXD there)', () => {
    for (const op of [0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x62, 0xc4, 0xc5, 0xd4, 0xd5, 0xd6, 0xea, 0x9a]) {
      expect(formsByOpcode(0, op).filter((f) => f.modes.m64 && !f.row.asmOnly).map((f) => f.id), op.toString(16)).toEqual([]);
    }
  });
});
