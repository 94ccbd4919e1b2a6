// Exit qualification and VM-exit instruction-information for VM exits caused by VMX
// instructions (SDM Vol. 3C §28.2.1 "Basic VM-Exit Information" (displacement as qualification);
// §28.2.5 "Information for VM Exits Due to Instruction Execution", the tables "Format of the
// VM-Exit Instruction-Information Field as Used for INVEPT, INVPCID, and INVVPID", "... for
// VMCLEAR, VMPTRLD, VMPTRST, VMXON, XRSTORS, and XSAVES" and "... for VMREAD and VMWRITE").

import { bitfield } from '../../arch/bitfield.ts';
import { sdm } from '../../arch/sdm.ts';
import type { DecodedInstruction } from '../../x86/isa/decoded.ts';
import type { MemRef, Operand } from '../../x86/isa/operands.ts';
import { RegKind, regIndex, regKind } from '../../x86/isa/registers.ts';
import { segmentOf } from '../instructions/operands.ts';

/** The instruction-information layout shared by Tables 28-9, 28-13 and 28-14. */
export const INSN_INFO = bitfield({
  name: 'VM-exit instruction information',
  size: 32,
  sdm: sdm('3C', '28.2.5', 'Information for VM Exits Due to Instruction Execution'),
  fields: {
    SCALING: { bit: 0, width: 2, doc: 'Scaling of the index: 0 none, 1 ×2, 2 ×4, 3 ×8.' },
    REG1: { bit: 3, width: 4, doc: 'VMREAD/VMWRITE: the register operand when bit 10 is 1.' },
    ADDRESS_SIZE: { bit: 7, width: 3, doc: '0 16-bit, 1 32-bit, 2 64-bit.' },
    REG_OPERAND: { bit: 10, doc: 'VMREAD/VMWRITE: 1 when the r/m operand is a register.' },
    SEGMENT: { bit: 15, width: 3, doc: 'Segment register: 0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS.' },
    INDEX: { bit: 18, width: 4, doc: 'Index register.' },
    INDEX_INVALID: { bit: 22, doc: 'No index register.' },
    BASE: { bit: 23, width: 4, doc: 'Base register.' },
    BASE_INVALID: { bit: 27, doc: 'No base register.' },
    REG2: { bit: 28, width: 4, doc: 'INVEPT/INVVPID type register; VMREAD/VMWRITE encoding register.' },
  },
});

/**
 * The fields Tables 28-10 ("... for LIDT, LGDT, SIDT, or SGDT"), 28-11 ("... for LLDT, LTR,
 * SLDT, and STR") and 28-12 ("... for RDRAND, RDSEED, TPAUSE, and UMWAIT") add to that layout.
 */
export const INSN_INFO_EXTRA = bitfield({
  name: 'VM-exit instruction information (descriptor tables, RDRAND/RDSEED)',
  size: 32,
  sdm: sdm('3C', '28.2.5', 'Information for VM Exits Due to Instruction Execution'),
  fields: {
    OPERAND_SIZE: { bit: 11, width: 2, doc: 'RDRAND/RDSEED: 0 16-bit, 1 32-bit, 2 64-bit; LGDT..SIDT (bit 11 only): 0 16-bit, 1 32-bit.' },
    IDENTITY: { bit: 28, width: 2, doc: 'SGDT 0, SIDT 1, LGDT 2, LIDT 3; SLDT 0, STR 1, LLDT 2, LTR 3.' },
  },
});

/** What an instruction-caused exit records besides its reason. */
export interface InstructionExitInfo {
  readonly qualification: bigint;
  readonly info: bigint;
}

const SCALE_CODE = { 1: 0n, 2: 1n, 4: 2n, 8: 3n } as const;
const ADDR_SIZE_CODE = { 2: 0n, 4: 1n, 8: 2n } as const;

function isGpr(r: number): boolean {
  const k = regKind(r);
  return k === RegKind.GPR64 || k === RegKind.GPR32 || k === RegKind.GPR16;
}

/** Memory-operand part of the information field, and the displacement qualification. */
function memoryInfo(mem: MemRef, nextRip: number): InstructionExitInfo {
  let info = INSN_INFO.set(0n, 'SCALING', SCALE_CODE[mem.scale]);
  info = INSN_INFO.set(info, 'ADDRESS_SIZE', ADDR_SIZE_CODE[mem.addrSize]);
  info = INSN_INFO.set(info, 'SEGMENT', BigInt(segmentOf(mem)));
  if (mem.index !== null && isGpr(mem.index)) info = INSN_INFO.set(info, 'INDEX', BigInt(regIndex(mem.index)));
  else info = INSN_INFO.set(info, 'INDEX_INVALID', true);
  const ripRelative = mem.base !== null && regKind(mem.base) === RegKind.RIP;
  if (mem.base !== null && isGpr(mem.base)) info = INSN_INFO.set(info, 'BASE', BigInt(regIndex(mem.base)));
  else info = INSN_INFO.set(info, 'BASE_INVALID', true);
  // RIP-relative addressing reports displacement + RIP of the next instruction (§28.2.1).
  const disp = ripRelative ? mem.disp + BigInt(nextRip) : mem.disp;
  return { qualification: BigInt.asUintN(64, disp), info };
}

function regOf(op: Operand | undefined): bigint {
  return op?.kind === 'reg' ? BigInt(regIndex(op.reg)) : 0n;
}

/** Qualification and instruction information for a VM exit caused by `insn` (0 for the others). */
export function instructionExitInfo(insn: DecodedInstruction, nextRip: number): InstructionExitInfo {
  const [a, b] = insn.operands;
  switch (insn.mnemonic) {
    case 'vmxon':
    case 'vmclear':
    case 'vmptrld':
    case 'vmptrst':
      return a?.kind === 'mem' ? memoryInfo(a, nextRip) : { qualification: 0n, info: 0n };
    case 'invept':
    case 'invvpid':
    case 'invpcid': {
      const m = b?.kind === 'mem' ? memoryInfo(b, nextRip) : { qualification: 0n, info: 0n };
      return { qualification: m.qualification, info: INSN_INFO.set(m.info, 'REG2', regOf(a)) };
    }
    case 'vmread':
    case 'vmwrite': {
      // VMREAD r/m, r: r/m is operand 0; VMWRITE r, r/m: r/m is operand 1.
      const [rm, reg] = insn.mnemonic === 'vmread' ? [a, b] : [b, a];
      const m = rm?.kind === 'mem'
        ? memoryInfo(rm, nextRip)
        : { qualification: 0n, info: INSN_INFO.set(INSN_INFO.set(0n, 'REG_OPERAND', true), 'REG1', regOf(rm)) };
      return { qualification: m.qualification, info: INSN_INFO.set(m.info, 'REG2', regOf(reg)) };
    }
    case 'rdrand':
    case 'rdseed': {
      const info = INSN_INFO.set(0n, 'REG1', regOf(a));
      return { qualification: 0n, info: INSN_INFO_EXTRA.set(info, 'OPERAND_SIZE', insn.opSize === 2 ? 0n : insn.opSize === 4 ? 1n : 2n) };
    }
    case 'sgdt': case 'sidt': case 'lgdt': case 'lidt':
    case 'sldt': case 'str': case 'lldt': case 'ltr': {
      const identity = BigInt(DESCRIPTOR_IDENTITY[insn.mnemonic] ?? 0);
      let m = a?.kind === 'mem'
        ? memoryInfo(a, nextRip)
        : { qualification: 0n, info: INSN_INFO.set(INSN_INFO.set(0n, 'REG_OPERAND', true), 'REG1', regOf(a)) };
      let info = INSN_INFO_EXTRA.set(m.info, 'IDENTITY', identity);
      if (identity <= 3n && ['sgdt', 'sidt', 'lgdt', 'lidt'].includes(insn.mnemonic)) info = INSN_INFO_EXTRA.set(info, 'OPERAND_SIZE', insn.opSize === 2 ? 0n : 1n);
      m = { qualification: m.qualification, info };
      return m;
    }
    default:
      return { qualification: 0n, info: 0n };
  }
}

const DESCRIPTOR_IDENTITY: Readonly<Record<string, number>> = { sgdt: 0, sidt: 1, lgdt: 2, lidt: 3, sldt: 0, str: 1, lldt: 2, ltr: 3 };
