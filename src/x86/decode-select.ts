// Choosing the table row for the bytes at the cursor: opcode map and byte, mandatory
// prefix, ModRM.reg digit or fixed ModRM byte, ModRM.mod (register or memory), REX.W,
// effective operand size and processor mode. The opcode index is the table's own
// (`formsByOpcode`, built at its module load; STYLE rule 3). SDM Vol. 2A §2.1.2 "Opcodes", §2.2.1.1 "REX Prefixes",
// Vol. 1 §3.6 "Operand-Size and Address-Size Attributes" (Table 3-4) and §3.6.1 (64-bit mode).

import type { DecodeCursor } from './decode-cursor.ts';
import type { Prefixes } from './isa/decoded.ts';
import type { InstructionForm } from './isa/form.ts';
import type { OpSize } from './isa/operands.ts';
import { formsByOpcode } from './isa/table.ts';

/** The table's opcode index as a flat array (map * 256 + byte), filled once at load. */
const BY_OPCODE: readonly (readonly InstructionForm[])[] = Array.from({ length: 4 * 256 }, (_, k) => formsByOpcode(k >> 8, k & 0xff));
/** Whether an opcode's rows have a ModRM byte (all or none of them do: SDM Vol. 2D Appendix A opcode maps). */
const HAS_MODRM: readonly boolean[] = BY_OPCODE.map((rows) => rows.some((f) => f.modrm !== 'none'));

/** The decoder's choice: a row (or why none), with the ModRM byte read (-1 if none). */
export interface Pick {
  readonly form: InstructionForm | null;
  readonly opcode: number;
  readonly modrm: number;
  readonly opSize: OpSize;
  readonly reason: 'invalid' | 'unsupported';
  readonly message: string;
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
const MAP_TEXT = ['', '0F ', '0F 38 ', '0F 3A '];

/**
 * Reads the opcode (and the ModRM byte when the opcode's rows have one) and picks the
 * row. 66/F2/F3 act as mandatory prefixes when the opcode has a row for them (the last of
 * F2/F3 first, then 66); otherwise they keep their ordinary meaning.
 */
export function pickForm(cur: DecodeCursor, p: Prefixes, mode: 16 | 32 | 64): Pick {
  let map = 0;
  let opcode = cur.u8();
  if (opcode === 0x0f) {
    map = 1;
    opcode = cur.u8();
    if (opcode === 0x38 || opcode === 0x3a) {
      map = opcode === 0x38 ? 2 : 3;
      opcode = cur.u8();
    }
  }
  const rows = BY_OPCODE[map * 256 + opcode]!;
  if (rows.length === 0) {
    return { form: null, opcode, modrm: -1, opSize: 4, reason: 'unsupported', message: `opcode ${MAP_TEXT[map]}${hex2(opcode)} is not in the instruction table` };
  }
  const modrm = HAS_MODRM[map * 256 + opcode] ? cur.u8() : -1;
  const rep = p.rep === 'rep' ? 0xf3 : p.rep === 'repne' ? 0xf2 : 0;
  // In the 0F maps an F2/F3 prefix is part of the opcode when the opcode has any
  // mandatory-prefix row: 66 F3 0F 38 80 is not INVEPT (SDM Vol. 2A §2.1.2 "Opcodes":
  // mandatory prefixes; the last F2/F3 takes precedence over 66). In the one-byte map
  // they stay REP prefixes where no row claims them (F2 90 is a NOP, F3 90 PAUSE).
  const strict = rep !== 0 && map !== 0 && hasMandatoryRow(rows);
  // JCXZ / JECXZ / JRCXZ: one opcode, the row chosen by the address size (SDM Vol. 2A §3.2 "Jcc").
  const asz = mode === 64 ? (p.addrsize ? 4 : 8) : (mode === 32) !== p.addrsize ? 4 : 2;
  // Candidate mandatory prefixes in order of precedence: last F2/F3, then 66, then none.
  for (let t = 0; t < 3; t++) {
    const mandatory = t === 0 ? rep : t === 1 ? (p.opsize && !strict ? 0x66 : -1) : strict ? -1 : 0;
    if (mandatory < 0 || (mandatory === 0 && t === 0)) continue;
    const opsizeFree = p.opsize && mandatory !== 0x66;
    let best: InstructionForm | null = null;
    let bestRank = -1;
    let bestSize: OpSize = 4;
    for (const f of rows) {
      if (f.mandatory !== mandatory) continue;
      if (mandatory === 0 && f.np && (p.opsize || p.rep !== null)) continue;
      if (!(mode === 64 ? f.modes.m64 : mode === 32 ? f.modes.m32 : f.modes.m16)) continue;
      if (!modrmFits(f, modrm)) continue;
      if (f.rexW && (p.rex & 8) === 0) continue;
      if (f.asz !== 0 && f.asz !== asz) continue;
      const size = effectiveSize(f, mode, opsizeFree, (p.rex & 8) !== 0);
      if (f.osz !== 'none' && f.opSize !== size && !modeSized(f, mode, size)) continue;
      // 90 is NOP, not XCHG eAX with itself, while 41 90 is XCHG r8, rAX (SDM Vol. 2B
      // "NOP", "XCHG"): a +r row naming register 0 without REX.B ranks below an exact row.
      const rank = !f.plusReg ? 1 : opcode === f.opcode && (p.rex & 1) === 0 ? 0 : 2;
      if (rank <= bestRank) continue;
      best = f;
      bestRank = rank;
      bestSize = f.opSize === 0 || (mode !== 64 && f.opSize !== size) ? size : f.opSize;
    }
    if (best !== null) return { form: best, opcode, modrm, opSize: bestSize, reason: 'invalid', message: '' };
  }
  const modText = modrm < 0 ? '' : ` (ModRM ${hex2(modrm)})`;
  return { form: null, opcode, modrm, opSize: 4, reason: 'invalid', message: `no valid form of ${MAP_TEXT[map]}${hex2(opcode)}${modText} with these prefixes in ${mode}-bit mode` };
}

/**
 * Outside 64-bit mode a `d64` row whose 64-bit size comes only from that default (no
 * general-register operand: JMP rel32, PUSH imm32, RET) works at the mode's operand size
 * (SDM Vol. 1 §3.6 Table 3-3), as long as its 4-byte immediate or displacement is still
 * 4 bytes there: with a 16-bit operand size they shrink to 2 (rel16, imm16), which the
 * table does not describe, so those stay undecoded rather than misread.
 */
function modeSized(f: InstructionForm, mode: 16 | 32 | 64, size: OpSize): boolean {
  if (mode === 64 || f.osz !== 'd64' || f.opSize !== 8 || f.operands.some((o) => o.regClass === 'gpr' && o.regSize > 0)) return false;
  return size === 4 || !f.operands.some((o) => (o.loc === 'imm' || o.loc === 'rel') && o.immSize === 4);
}

const MANDATORY_CACHE = new WeakMap<readonly InstructionForm[], boolean>();

/** Whether any row of an opcode has a mandatory prefix (cached per opcode's row list). */
function hasMandatoryRow(rows: readonly InstructionForm[]): boolean {
  let v = MANDATORY_CACHE.get(rows);
  if (v === undefined) {
    v = rows.some((f) => f.mandatory !== 0);
    MANDATORY_CACHE.set(rows, v);
  }
  return v;
}

function modrmFits(f: InstructionForm, modrm: number): boolean {
  switch (f.modrm) {
    case 'none': return true;
    case 'fixed': return modrm === f.fixedModrm;
    // SETcc: the SDM gives no /digit (the table writes /0 for the assembler); processors
    // ignore ModRM.reg (SDM Vol. 2B §4.3 "SETcc"; objdump and Bochs decode any value).
    case 'digit': if (((modrm >> 3) & 7) !== f.digit && !f.cc) return false; break;
    case 'r': break;
  }
  if (f.modKind === 'mem') return modrm < 0xc0;
  if (f.modKind === 'reg') return modrm >= 0xc0 || modIgnored(f);
  return true;
}

/**
 * MOV to/from CRn and DRn: "The two bits in the mod field are ignored" and the operand
 * is always a register (SDM Vol. 2B §4.3 "MOV—Move to/from Control Registers", "MOV—Move
 * to/from Debug Registers"). A property of the CR/DR operand class, so no opcode list.
 */
export function modIgnored(f: InstructionForm): boolean {
  return f.operands.some((o) => o.regClass === 'cr' || o.regClass === 'dr');
}

/**
 * Forms whose operand size is fixed at 64 bits in 64-bit mode, 66 ignored: MOV CRn/DRn
 * ("the 66H prefix is ignored", same SDM sections) and near relative branches (SDM
 * Vol. 2A §3.2 "JMP", "Jcc", "CALL": operand size fixed at 64 bits in 64-bit mode;
 * Implementation choice: Intel's behaviour, as iced's default decoder; AMD processors,
 * and objdump, honour 66 on near branches as a 16-bit operand size).
 */
function forced64(f: InstructionForm): boolean {
  return modIgnored(f) || (f.osz === 'd64' && f.operands.some((o) => o.loc === 'rel'));
}

/**
 * Effective operand size (SDM Vol. 1 §3.6.1 "Operand Size and Address Size in 64-Bit
 * Mode", Table 3-4): REX.W gives 64, else 66 gives 16, else 32; `d64` rows default to 64
 * and 66 gives 16. Outside 64-bit mode 66 toggles the mode's default (16 <-> 32).
 */
function effectiveSize(f: InstructionForm, mode: 16 | 32 | 64, opsize: boolean, w: boolean): OpSize {
  if (mode === 64) {
    if (w || forced64(f)) return 8;
    if (opsize) return 2;
    return f.osz === 'd64' ? 8 : 4;
  }
  return (mode === 32) !== opsize ? 4 : 2;
}
