// Data movement: MOV (general, segment, control and debug registers), MOVZX, MOVSX, MOVSXD,
// LEA, XCHG, CBW/CWDE/CDQE, CWD/CDQ/CQO, CMOVcc, SETcc, LAHF/SAHF, NOP/PAUSE
// (SDM Vol. 2A/2B, each instruction's "Operation").

import { F } from '../archbits.ts';
import { effectiveAddress, pairLinear, readGpr, readOp, readReg, rmwRead, rmwWrite, writeGpr, writeOp, writeReg } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { testCondition } from '../flags.ts';
import { RegKind, regIndex } from '../isa/registers.ts';
import { ACC_READ } from '../paging.ts';
import { SegIndex } from '../state.ts';
import { K_REG, type Handler, type Prepared } from '../operand.ts';
import { loadSegment } from '../segmentation.ts';
import { movFromCr, movFromDr, movToCr, movToDr } from './control.ts';

const TWO32 = 4294967296;

const RAX = 0;
const RDX = 2;

function execMov(cpu: Cpu, p: Prepared): void {
  const d = p.ops[0]!;
  const s = p.ops[1]!;
  if (d.k === K_REG) {
    if (d.rk === RegKind.CR) return movToCr(cpu, d.ri, s);
    if (d.rk === RegKind.DR) return movToDr(cpu, d.ri, s);
    if (d.rk === RegKind.SEG) {
      // MOV Sreg, r/m16 (SDM Vol. 2B "MOV—Move": loading CS is #UD).
      const sel = readOp(cpu, s, 2) & 0xffff;
      return loadSegment(cpu, d.ri, sel, 'mov');
    }
  }
  if (s.k === K_REG) {
    if (s.rk === RegKind.CR) return movFromCr(cpu, s.ri, d);
    if (s.rk === RegKind.DR) return movFromDr(cpu, s.ri, d);
    if (s.rk === RegKind.SEG) {
      // MOV r/m, Sreg: a register destination gets the selector zero-extended; memory gets 16 bits.
      const sel = cpu.state.segSel[s.ri]!;
      if (d.k === K_REG) writeReg(cpu, d.rk, d.ri, sel, 0);
      else writeOp(cpu, d, 2, sel, 0);
      return;
    }
  }
  const size = d.size;
  const lo = readOp(cpu, s, size);
  writeOp(cpu, d, size, lo, cpu.hi);
}

/** MOVZX / MOVSX / MOVSXD: extend the source to the destination size. */
function extend(signed: boolean): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const d = p.ops[0]!;
    const s = p.ops[1]!;
    const ss = s.size;
    let lo = readOp(cpu, s, ss);
    let hi = 0;
    if (signed) {
      const neg = ss === 1 ? (lo & 0x80) !== 0 : ss === 2 ? (lo & 0x8000) !== 0 : (lo & 0x80000000) !== 0;
      if (neg) {
        lo = (lo | (ss === 1 ? 0xffffff00 : ss === 2 ? 0xffff0000 : 0)) >>> 0;
        hi = 0xffffffff;
      }
    }
    const ds = d.size;
    writeReg(cpu, d.rk, d.ri, ds === 2 ? lo & 0xffff : lo, ds === 8 ? hi : 0);
  };
}

/** LEA: the effective address, truncated to the operand size (SDM Vol. 2A "LEA"). */
function execLea(cpu: Cpu, p: Prepared): void {
  const d = p.ops[0]!;
  const lo = effectiveAddress(cpu, p.ops[1]!);
  writeReg(cpu, d.rk, d.ri, d.size === 2 ? lo & 0xffff : lo, d.size === 8 ? cpu.hi : 0);
}

/** XCHG: swap (a memory operand is locked implicitly; atomicity is moot on one processor). */
function execXchg(cpu: Cpu, p: Prepared): void {
  const a = p.ops[0]!;
  const b = p.ops[1]!;
  const size = a.size;
  // The register operand is read first; the memory one (if any) is the RMW location.
  const [r, m] = a.k === K_REG ? [a, b] : [b, a];
  const rv = readReg(cpu, r.rk, r.ri);
  const rh = cpu.hi;
  const mv = rmwRead(cpu, m, size);
  const mh = cpu.hi;
  rmwWrite(cpu, m, size, rv, rh);
  writeReg(cpu, r.rk, r.ri, mv, mh);
}

/** CBW / CWDE / CDQE: sign-extend AL/AX/EAX into AX/EAX/RAX. */
function execCbw(cpu: Cpu, p: Prepared): void {
  const size = p.opSize;
  const half = size / 2;
  const v = readGpr(cpu, RAX, half);
  const neg = (v & (half === 1 ? 0x80 : half === 2 ? 0x8000 : 0x80000000)) !== 0;
  if (size === 2) writeGpr(cpu, RAX, 2, neg ? v | 0xff00 : v, 0);
  else if (size === 4) writeGpr(cpu, RAX, 4, neg ? (v | 0xffff0000) >>> 0 : v, 0);
  else writeGpr(cpu, RAX, 8, v, neg ? 0xffffffff : 0);
}

/** CWD / CDQ / CQO: fill DX/EDX/RDX with the sign of AX/EAX/RAX. */
function execCwd(cpu: Cpu, p: Prepared): void {
  const size = p.opSize;
  const v = readGpr(cpu, RAX, size);
  const sign = size === 8 ? cpu.hi & 0x80000000 : v & (size === 2 ? 0x8000 : 0x80000000);
  const fill = sign !== 0 ? 0xffffffff : 0;
  writeGpr(cpu, RDX, size, size === 2 ? fill & 0xffff : fill, fill);
}

/**
 * CMOVcc: the source is read (and may fault) whatever the condition; a 32-bit destination
 * is zero-extended even when the condition is false (SDM Vol. 2A "CMOVcc", Operation).
 */
function execCmov(cpu: Cpu, p: Prepared): void {
  const d = p.ops[0]!;
  const size = d.size;
  const lo = readOp(cpu, p.ops[1]!, size);
  const hi = cpu.hi;
  if (testCondition(cpu.state.rflags, p.cond)) writeReg(cpu, d.rk, d.ri, lo, hi);
  else if (size === 4) writeReg(cpu, d.rk, d.ri, readReg(cpu, d.rk, d.ri), 0);
}

function execSetcc(cpu: Cpu, p: Prepared): void {
  writeOp(cpu, p.ops[0]!, 1, testCondition(cpu.state.rflags, p.cond) ? 1 : 0, 0);
}

const LAHF_MASK = F.SF | F.ZF | F.AF | F.PF | F.CF;

/** LAHF: AH := SF:ZF:0:AF:0:PF:1:CF (SDM Vol. 2A "LAHF"; valid in 64-bit mode when CPUID.80000001H:ECX.LAHF-SAHF = 1). */
function execLahf(cpu: Cpu): void {
  writeReg(cpu, RegKind.GPR8H, 0, (cpu.state.rflags & LAHF_MASK) | F.FIXED, 0);
}

/** SAHF: SF ZF AF PF CF := AH (SDM Vol. 2B "SAHF"). */
function execSahf(cpu: Cpu): void {
  const ah = readReg(cpu, RegKind.GPR8H, 0);
  const s = cpu.state;
  s.rflags = (s.rflags & ~LAHF_MASK) | (ah & LAHF_MASK);
}

function execNop(): void {}

/**
 * XLATB: AL = [seg:rBX + AL] (SDM Vol. 2B "XLAT/XLATB"): rBX at the address size, AL
 * zero-extended, DS unless a segment prefix overrides it.
 */
function execXlat(cpu: Cpu, p: Prepared): void {
  const w = p.insn.addrSize;
  const lo = readGpr(cpu, 3, w);
  let hi = w === 8 ? cpu.hi : 0;
  let off = lo + readGpr(cpu, 0, 1);
  if (w === 2) off &= 0xffff;
  else if (w === 4) off %= TWO32;
  else if (off >= TWO32) { off -= TWO32; hi = (hi + 1) >>> 0; }
  const seg = p.insn.prefixes.seg;
  writeGpr(cpu, 0, 1, cpu.readLin(pairLinear(cpu, seg === null ? SegIndex.DS : regIndex(seg), off, hi, 1, ACC_READ), 1), 0);
}

export const MOV_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['xlatb', execXlat],
  ['mov', execMov], ['movzx', extend(false)], ['movsx', extend(true)], ['movsxd', extend(true)],
  ['lea', execLea], ['xchg', execXchg], ['cbw', execCbw], ['cwde', execCbw], ['cdqe', execCbw],
  ['cwd', execCwd], ['cdq', execCwd], ['cqo', execCwd], ['cmovcc', execCmov], ['setcc', execSetcc],
  ['lahf', execLahf], ['sahf', execSahf], ['nop', execNop], ['pause', execNop],
  ['lfence', execNop], ['mfence', execNop], ['sfence', execNop],
]);
