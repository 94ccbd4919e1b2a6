// The x86 decoder: bytes -> DecodedInstruction, driven entirely by the instruction
// table (src/x86/isa/table.ts; STYLE rule 3: no opcode list of its own). The table is
// indexed once at its module load by opcode map and byte; decoding a cold instruction
// scans the few rows of its opcode with numeric checks only.
// SDM Vol. 2A chapter 2 "Instruction Format" (§2.1 legacy format, §2.2 IA-32e mode).
//
// Where the SDM leaves a choice, or processors differ, the decoder does this:
//  - Prefixes: any order and number up to 15 bytes; the last of each group counts. In
//    64-bit mode the ES/CS/SS/DS overrides are ignored and leave an earlier FS/GS in force
//    (iced, Bochs). A REX byte counts only directly before the opcode; of several, the last.
//  - Mandatory prefixes: the last F2/F3, then 66, select the row when the opcode has one for
//    them; in the 0F maps an F2/F3 with no row of its own makes the opcode undefined when
//    the opcode has other mandatory-prefix rows (66 F3 0F 38 80 is not INVEPT), and is
//    otherwise ignored (F3 0F BC runs as BSF on a processor without BMI1).
//  - 66 on instructions without operand size, and F2/F3 on non-string instructions, are
//    ignored (the SDM calls the latter reserved; processors ignore them).
//  - Intel, not AMD: 66 is ignored on near relative branches in 64-bit mode.
//  - MOV CR/DR ignore ModRM.mod and 66; SETcc ignores ModRM.reg (decode-select.ts).
//  - #UD from the decoder ('invalid'): LOCK outside its read-modify-write list or without a
//    memory destination, MOV to CS, CR1/CR5-7/CR9-15, DR8-15, segment register 6/7, a
//    register where the form needs memory (LEA, VMXON...) and any byte pattern no row
//    claims. 'unsupported': an opcode byte with no row at all (also #UD for the executor,
//    but the message says the lab does not model it). 'too-long': #GP(0).
//  - `opSize` of a form without operand size (VMXON, LGDT, INT3) is the mode's default.
//  - 16/32-bit modes read the same rows: a `d64` row whose 64 bits are only that default
//    (near branches, PUSH imm32, RET) works at the mode's operand size, except where a
//    16-bit size would shrink its 4-byte immediate (rel16/imm16 forms are not in the table).

import { DecodeCursor } from './decode-cursor.ts';
import { scanPrefixes } from './decode-prefixes.ts';
import { decodeMem, gpr, sreg } from './decode-modrm.ts';
import { modIgnored, pickForm, type Pick } from './decode-select.ts';
import { isLockable } from './decode-lock.ts';
import type { ByteFetcher, DecodeResult, DecodedInstruction, Prefixes } from './isa/decoded.ts';
import type { InstructionForm, OperandSpec } from './isa/form.ts';
import type { MemRef, OpSize, Operand } from './isa/operands.ts';
import { RegKind, SEG, makeReg } from './isa/registers.ts';

/**
 * Decodes one instruction. `fetch(i)` returns the instruction's i-th byte (it may
 * throw an X86Fault, e.g. #PF on a fetch, which propagates). `address` is the linear
 * address of the first byte, used for the absolute targets of relative branches
 * (SDM Vol. 2A §3.2 "JMP": target = next RIP + displacement, truncated to the operand size).
 * Never fetches more than 15 bytes: a longer instruction is `too-long` (#GP(0), SDM Vol. 2A §2.1).
 */
export function decode(fetch: ByteFetcher, mode: 16 | 32 | 64, address = 0n): DecodeResult {
  const cur = new DecodeCursor(fetch);
  const prefixes = scanPrefixes(cur, mode);
  const pick = pickForm(cur, prefixes, mode);
  if (cur.overflow) return tooLong();
  if (pick.form === null) {
    return { ok: false, reason: pick.reason, message: pick.message, length: cur.pos };
  }
  const insn = buildInstruction(cur, pick, prefixes, mode, address);
  if (cur.overflow) return tooLong();
  if (typeof insn === 'string') return { ok: false, reason: 'invalid', message: insn, length: cur.pos };
  if (prefixes.lock && !isLockable(insn)) {
    // SDM Vol. 2A §3.2 "LOCK": #UD unless the instruction is one of the listed
    // read-modify-write forms with a memory destination.
    return { ok: false, reason: 'invalid', message: `lock prefix on ${insn.mnemonic} (not a locked read-modify-write of memory)`, length: insn.length };
  }
  return { ok: true, insn };
}

function tooLong(): DecodeResult {
  return { ok: false, reason: 'too-long', message: 'instruction longer than 15 bytes', length: 15 };
}

const CR_VALID = 0b1_0001_1101; // CR0, CR2, CR3, CR4, CR8 (SDM Vol. 2B "MOV—Move to/from Control Registers": others #UD)

function buildInstruction(
  cur: DecodeCursor, pick: Pick, prefixes: Prefixes, mode: 16 | 32 | 64, address: bigint,
): DecodedInstruction | string {
  const f = pick.form!;
  const rex = prefixes.rex;
  const modrm = pick.modrm;
  const addrSize: 2 | 4 | 8 = mode === 64 ? (prefixes.addrsize ? 4 : 8) : (mode === 32) !== prefixes.addrsize ? 4 : 2;
  const opSize = pick.opSize;
  // ModRM memory operand first: SIB and displacement precede any immediate in the bytes.
  let mem: MemRef | null = null;
  if (modrm >= 0 && modrm < 0xc0 && f.modrm !== 'fixed' && !modIgnored(f)) {
    const spec = f.operands.find((o) => o.loc === 'rm');
    mem = decodeMem(cur, modrm, rex, addrSize, prefixes.seg, spec ? spec.memSize : 0, mode);
  }
  const operands: Operand[] = [];
  let relIndex = -1;
  let relDisp = 0n;
  for (const spec of f.operands) {
    let op: Operand | string;
    switch (spec.loc) {
      case 'rm':
        op = mem ?? regOperand(spec, (modrm & 7) | ((rex & 1) << 3), rex);
        break;
      case 'reg':
        op = regOperand(spec, ((modrm >> 3) & 7) | ((rex & 4) << 1), rex);
        break;
      case 'opreg':
        op = regOperand(spec, (pick.opcode & 7) | ((rex & 1) << 3), rex);
        break;
      case 'implicit':
        op = spec.one ? { kind: 'imm', value: 1n, size: 1 } : { kind: 'reg', reg: spec.fixed! };
        break;
      case 'imm':
        op = immOperand(cur, spec, f, opSize);
        break;
      case 'rel':
        relIndex = operands.length;
        relDisp = cur.signed(spec.immSize as 1 | 2 | 4);
        op = { kind: 'rel', target: 0n, size: spec.immSize as 1 | 2 | 4 };
        break;
      case 'moffs':
        // SDM Vol. 2B "MOV": moffs is an address-size offset with no ModRM (A0-A3).
        op = { kind: 'mem', size: spec.memSize, seg: prefixes.seg, base: null, index: null, scale: 1, disp: cur.signed(addrSize), addrSize };
        break;
    }
    if (typeof op === 'string') return op;
    operands.push(op);
  }
  const length = cur.pos;
  if (relIndex >= 0) {
    const bits = mode === 64 ? (opSize === 2 ? 16 : 64) : opSize * 8;
    operands[relIndex] = { kind: 'rel', target: BigInt.asUintN(bits, address + BigInt(length) + relDisp), size: (operands[relIndex] as { size: 1 | 2 | 4 }).size };
  }
  if (f.cc) return { id: f.id, mnemonic: f.mnemonic, cond: pick.opcode - f.opcode, operands, opSize, addrSize, length, prefixes };
  return { id: f.id, mnemonic: f.mnemonic, operands, opSize, addrSize, length, prefixes };
}

/** A register operand, or the reason the field names no register the instruction may use (#UD). */
function regOperand(spec: OperandSpec, index: number, rex: number): Operand | string {
  switch (spec.regClass) {
    case 'gpr':
      return { kind: 'reg', reg: gpr(spec.regSize as 1 | 2 | 4 | 8, index, rex) };
    case 'seg': {
      const r = sreg(index & 7);
      if (r === undefined) return `segment register ${index & 7} does not exist`;
      // SDM Vol. 2B "MOV": "Attempting to use the MOV instruction to load the CS register results in #UD".
      if (r === SEG.CS && spec.access === 'w') return 'MOV cannot load CS';
      return { kind: 'reg', reg: r };
    }
    case 'cr':
      return (CR_VALID >> index) & 1 ? { kind: 'reg', reg: makeReg(RegKind.CR, index) } : `CR${index} does not exist`;
    case 'dr':
      // DR8-DR15 do not exist: REX.R with MOV DRn is #UD (SDM Vol. 2B "MOV—Move to/from Debug Registers").
      return index < 8 ? { kind: 'reg', reg: makeReg(RegKind.DR, index) } : `DR${index} does not exist`;
    case 'none':
      return `${spec.token} is not a register operand`;
  }
}

/**
 * Immediate operand. Sign-extended to the operand size when the form says so, and for
 * every imm32 of a 64-bit operation (SDM Vol. 2A §2.2.1.5 "Immediates": "immediate
 * operands ... are sign-extended to 64 bits"); otherwise zero-extended at its own size.
 */
function immOperand(cur: DecodeCursor, spec: OperandSpec, f: InstructionForm, opSize: OpSize): Operand {
  const n = spec.immSize as 1 | 2 | 4 | 8;
  if ((f.sx || (n === 4 && opSize === 8)) && n < opSize) {
    return { kind: 'imm', value: BigInt.asUintN(opSize * 8, cur.signed(n)), size: opSize };
  }
  return { kind: 'imm', value: cur.unsigned(n), size: n };
}
