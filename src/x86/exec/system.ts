// System instructions: descriptor-table registers (LGDT LIDT SGDT SIDT SLDT STR LLDT LTR LAR
// LSL), flag instructions (CLC STC CMC CLD STD CLI STI), HLT, CLTS, INVLPG, INVD, WBINVD,
// INVPCID, CPUID, RDMSR, WRMSR, RDTSC, RDTSCP, RDPMC, XGETBV, XSETBV, SWAPGS, SYSCALL, SYSRET,
// software interrupts (INT n, INT3, INT1, UD2) and IRET (SDM Vol. 2, each instruction's
// "Operation" and "Protected Mode Exceptions" / "64-Bit Mode Exceptions").

import { ARB, C0, C4, EF, F, IOPL_SHIFT, TY } from '../archbits.ts';
import { effectiveAddress, memLinear, readGpr, readOp, writeGpr, writeOp, writeReg } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { STEP_HALTED } from '../step.ts';
import { cpuid } from '../cpuid.ts';
import { X86Fault, gp, ud, Vector } from '../fault.ts';
import { execIret } from '../interrupts.ts';
import { readMsr, writeMsr } from '../msr.ts';
import { K_REG, type Handler, type Prepared } from '../operand.ts';
import { ACC_READ, ACC_WRITE } from '../paging.ts';
import { execLldtSelector, execLtrSelector, larValue, lslValue, visibleDescriptor } from '../segmentation.ts';
import { SegIndex } from '../state.ts';
import { protectedVirtualInterruptFlag } from '../vme.ts';

const RAX = 0;
const RCX = 1;
const RDX = 2;
const RBX = 3;
const R11 = 11;
const TWO32 = 4294967296;

function requireCpl0(cpu: Cpu, what: string): void {
  if (cpu.state.cpl !== 0) throw gp(`${what} at CPL ${cpu.state.cpl} (privileged instruction)`);
}

function umipCheck(cpu: Cpu, what: string): void {
  if ((cpu.state.cr4 & C4.UMIP) !== 0 && cpu.state.cpl > 0) throw gp(`${what} at CPL ${cpu.state.cpl} with CR4.UMIP = 1`);
}

// ---- descriptor tables ------------------------------------------------------------------------

/** LGDT/LIDT: limit (2 bytes) then base (8 bytes in 64-bit mode, else 4 with 24 bits used at operand size 16). */
function loadTable(isIdt: boolean): Handler {
  return (cpu: Cpu, p: Prepared) => {
    requireCpl0(cpu, isIdt ? 'LIDT' : 'LGDT');
    const o = p.ops[0]!;
    const lin = memLinear(cpu, o, cpu.mode === 64 ? 10 : 6, ACC_READ);
    const limit = cpu.readLin(lin, 2);
    let base: number;
    if (cpu.mode === 64) {
      const lo = cpu.readLin(lin + 2, 8);
      base = (cpu.hi | 0) * TWO32 + lo;
      if (!cpu.isCanonical(base) || !Number.isSafeInteger(base)) throw gp(`${isIdt ? 'LIDT' : 'LGDT'} base is not canonical`);
    } else {
      base = cpu.readLin(lin + 2, 4);
      if (p.opSize === 2) base &= 0xffffff;
    }
    const s = cpu.state;
    if (isIdt) { s.idtrBase = base; s.idtrLimit = limit; }
    else { s.gdtrBase = base; s.gdtrLimit = limit; }
  };
}

function storeTable(isIdt: boolean): Handler {
  return (cpu: Cpu, p: Prepared) => {
    umipCheck(cpu, isIdt ? 'SIDT' : 'SGDT');
    const s = cpu.state;
    const base = isIdt ? s.idtrBase : s.gdtrBase;
    const limit = isIdt ? s.idtrLimit : s.gdtrLimit;
    const size = cpu.mode === 64 ? 10 : 6;
    const lin = memLinear(cpu, p.ops[0]!, size, ACC_WRITE);
    cpu.resolve(lin, size, ACC_WRITE);
    cpu.writeLin(lin, 2, limit, 0);
    if (cpu.mode === 64) cpu.writeLin(lin + 2, 8, base >>> 0, Math.floor(base / TWO32) >>> 0);
    else cpu.writeLin(lin + 2, 4, base >>> 0, 0);
  };
}

/** SLDT/STR: a register gets the selector zero-extended, memory 16 bits. */
function storeSelector(seg: number, what: string): Handler {
  return (cpu: Cpu, p: Prepared) => {
    if ((cpu.state.cr0 & C0.PE) === 0) throw ud(`${what} outside protected mode`);
    umipCheck(cpu, what);
    const o = p.ops[0]!;
    const sel = cpu.state.segSel[seg]!;
    if (o.k === K_REG) writeReg(cpu, o.rk, o.ri, sel, 0);
    else writeOp(cpu, o, 2, sel, 0);
  };
}

function execLtr(cpu: Cpu, p: Prepared): void {
  execLtrSelector(cpu, readOp(cpu, p.ops[0]!, 2) & 0xffff);
}

function execLldt(cpu: Cpu, p: Prepared): void {
  execLldtSelector(cpu, readOp(cpu, p.ops[0]!, 2) & 0xffff);
}

/** LAR/LSL: ZF = 1 and the destination written when the descriptor is visible, else ZF = 0. */
function larLsl(isLsl: boolean): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const d = p.ops[0]!;
    const sel = readOp(cpu, p.ops[1]!, 2) & 0xffff;
    const desc = visibleDescriptor(cpu, sel, isLsl);
    const s = cpu.state;
    if (desc === null) {
      s.rflags &= ~F.ZF;
      return;
    }
    s.rflags |= F.ZF;
    const v = isLsl ? lslValue(desc) : larValue(desc, d.size);
    writeReg(cpu, d.rk, d.ri, d.size === 2 ? v & 0xffff : v, 0);
  };
}

// ---- flags, halt, caches ----------------------------------------------------------------------

function setFlag(mask: number, mode: 'set' | 'clear' | 'toggle'): Handler {
  return (cpu: Cpu) => {
    const s = cpu.state;
    s.rflags = (mode === 'set' ? s.rflags | mask : mode === 'clear' ? s.rflags & ~mask : s.rflags ^ mask) >>> 0;
  };
}

/** CLI/STI: IF may change only when CPL <= IOPL, else VIF under CR4.PVI at CPL 3 (SDM Vol. 2A "CLI", Vol. 2B "STI"). */
function cliSti(set: boolean): Handler {
  return (cpu: Cpu) => {
    const s = cpu.state;
    const iopl = (s.rflags & F.IOPL) >>> IOPL_SHIFT;
    if ((s.cr0 & C0.PE) !== 0 && s.cpl > iopl) {
      // CR4.PVI at CPL 3: the virtual interrupt flag instead (vme.ts; SDM Vol. 3B §20.4).
      if (protectedVirtualInterruptFlag(cpu, set)) return;
      throw gp(`${set ? 'STI' : 'CLI'} at CPL ${s.cpl} > IOPL ${iopl}`);
    }
    if (set) {
      // STI's interrupt shadow: external interrupts stay blocked for one more instruction.
      if ((s.rflags & F.IF) === 0) s.shadowUntil = s.icount + 2;
      s.rflags |= F.IF;
    } else {
      s.rflags &= ~F.IF;
    }
  };
}

/** HLT: CPL 0 only; the processor enters the HLT state (SDM Vol. 2A "HLT"). */
function execHlt(cpu: Cpu): void {
  requireCpl0(cpu, 'HLT');
  cpu.state.activity = 'halted';
  cpu.stop = STEP_HALTED;
}

function execClts(cpu: Cpu): void {
  requireCpl0(cpu, 'CLTS');
  cpu.state.cr0 = (cpu.state.cr0 & ~C0.TS) >>> 0;
}

function privilegedNop(what: string): Handler {
  return (cpu: Cpu) => requireCpl0(cpu, what);
}

/** INVLPG: CPL 0; the operand's linear address is invalidated, never accessed (SDM Vol. 2A "INVLPG"). */
function execInvlpg(cpu: Cpu, p: Prepared): void {
  requireCpl0(cpu, 'INVLPG');
  const o = p.ops[0]!;
  const lo = effectiveAddress(cpu, o);
  let lin = (cpu.hi | 0) * TWO32 + lo;
  const seg = o.seg >= 0 ? o.seg : -1;
  if (cpu.mode === 64 && (seg === SegIndex.FS || seg === SegIndex.GS)) lin += cpu.state.segBase[seg]!;
  cpu.tlb.invalidate(lin);
  cpu.flushDecodeCache();
}

/** INVPCID: types 0-3 invalidate (the lab's TLB is flushed entirely) (SDM Vol. 2A "INVPCID"). */
function execInvpcid(cpu: Cpu, p: Prepared): void {
  requireCpl0(cpu, 'INVPCID');
  const type = readOp(cpu, p.ops[0]!, 8);
  if (cpu.hi !== 0 || type > 3) throw gp(`INVPCID type ${type} is not supported`);
  const lin = memLinear(cpu, p.ops[1]!, 16, ACC_READ);
  const pcid = cpu.readLin(lin, 8);
  if (pcid > 0xfff || cpu.hi !== 0) throw gp('INVPCID descriptor bits 63:12 must be zero');
  cpu.flushTlb();
}

// ---- identification, MSRs, counters -------------------------------------------------------------

function execCpuid(cpu: Cpu): void {
  const r = cpuid(cpu.env.config, cpu.state, readGpr(cpu, RAX, 4), readGpr(cpu, RCX, 4));
  writeGpr(cpu, RAX, 4, r.eax >>> 0, 0);
  writeGpr(cpu, RBX, 4, r.ebx >>> 0, 0);
  writeGpr(cpu, RCX, 4, r.ecx >>> 0, 0);
  writeGpr(cpu, RDX, 4, r.edx >>> 0, 0);
}

function execRdmsr(cpu: Cpu): void {
  requireCpl0(cpu, 'RDMSR');
  const v = readMsr(cpu, readGpr(cpu, RCX, 4));
  writeGpr(cpu, RAX, 4, Number(v & 0xffffffffn), 0);
  writeGpr(cpu, RDX, 4, Number(v >> 32n), 0);
}

function execWrmsr(cpu: Cpu): void {
  requireCpl0(cpu, 'WRMSR');
  const v = (BigInt(readGpr(cpu, RDX, 4)) << 32n) | BigInt(readGpr(cpu, RAX, 4));
  writeMsr(cpu, readGpr(cpu, RCX, 4), v);
}

function tsc(cpu: Cpu): bigint {
  return BigInt.asUintN(64, cpu.state.tscOffset + BigInt(cpu.state.icount));
}

/** RDTSC: #GP(0) at CPL > 0 with CR4.TSD (SDM Vol. 2B "RDTSC"). The TSC advances by one per instruction. */
function execRdtsc(cpu: Cpu): void {
  if ((cpu.state.cr4 & C4.TSD) !== 0 && cpu.state.cpl > 0) throw gp('RDTSC at CPL > 0 with CR4.TSD = 1');
  const t = tsc(cpu);
  writeGpr(cpu, RAX, 4, Number(t & 0xffffffffn), 0);
  writeGpr(cpu, RDX, 4, Number(t >> 32n), 0);
}

function execRdtscp(cpu: Cpu): void {
  if (!cpu.env.config.features.rdtscp) throw ud('RDTSCP is not supported by this processor (CPUID.80000001H:EDX.RDTSCP = 0)');
  execRdtsc(cpu);
  writeGpr(cpu, RCX, 4, Number(readMsr(cpu, 0xc0000103) & 0xffffffffn), 0);
}

/** RDPMC: no counters are modelled; a valid index at an allowed CPL reads 0 (SDM Vol. 2B "RDPMC"). */
function execRdpmc(cpu: Cpu): void {
  if ((cpu.state.cr4 & C4.PCE) === 0 && cpu.state.cpl > 0) throw gp('RDPMC at CPL > 0 with CR4.PCE = 0');
  const idx = readGpr(cpu, RCX, 4);
  if ((idx & 0x3fffffff) > 3) throw gp(`RDPMC counter ${idx} does not exist`);
  writeGpr(cpu, RAX, 4, 0, 0);
  writeGpr(cpu, RDX, 4, 0, 0);
}

/** XCR0 bits the lab's processor supports: x87, SSE, AVX (SDM Vol. 1 §13.3). */
const XCR0_SUPPORTED = 0x7;

function execXgetbv(cpu: Cpu): void {
  if ((cpu.state.cr4 & C4.OSXSAVE) === 0) throw ud('XGETBV with CR4.OSXSAVE = 0');
  const idx = readGpr(cpu, RCX, 4);
  if (idx !== 0) throw gp(`XGETBV of XCR${idx}, which does not exist`);
  writeGpr(cpu, RAX, 4, cpu.state.xcr0 >>> 0, 0);
  writeGpr(cpu, RDX, 4, 0, 0);
}

/** XSETBV: CPL 0, XCR0 only, bit 0 set, AVX needs SSE, no unsupported bit (SDM Vol. 2C "XSETBV"). */
function execXsetbv(cpu: Cpu): void {
  if ((cpu.state.cr4 & C4.OSXSAVE) === 0) throw ud('XSETBV with CR4.OSXSAVE = 0');
  requireCpl0(cpu, 'XSETBV');
  const idx = readGpr(cpu, RCX, 4);
  if (idx !== 0) throw gp(`XSETBV of XCR${idx}, which does not exist`);
  const lo = readGpr(cpu, RAX, 4);
  const hi = readGpr(cpu, RDX, 4);
  if (hi !== 0 || (lo & ~XCR0_SUPPORTED) !== 0) throw gp('XSETBV sets an XCR0 bit this processor does not support');
  if ((lo & 1) === 0) throw gp('XSETBV clears XCR0 bit 0 (x87)');
  if ((lo & 4) !== 0 && (lo & 2) === 0) throw gp('XSETBV sets XCR0.AVX without XCR0.SSE');
  cpu.state.xcr0 = lo;
}

/** SWAPGS: 64-bit mode, CPL 0; exchanges GS.base and IA32_KERNEL_GS_BASE (SDM Vol. 2B "SWAPGS"). */
function execSwapgs(cpu: Cpu): void {
  if (cpu.mode !== 64) throw ud('SWAPGS outside 64-bit mode');
  requireCpl0(cpu, 'SWAPGS');
  const s = cpu.state;
  const t = s.segBase[SegIndex.GS]!;
  s.segBase[SegIndex.GS] = s.kernelGsBase;
  s.kernelGsBase = t;
}

/** SYSCALL (SDM Vol. 2B "SYSCALL"): flat CPL-0 segments from IA32_STAR[47:32], RIP from IA32_LSTAR. */
function execSyscall(cpu: Cpu): void {
  const s = cpu.state;
  if (cpu.mode !== 64 || (s.efer & EF.SCE) === 0) throw ud('SYSCALL needs 64-bit mode and IA32_EFER.SCE = 1');
  const star = s.msrs.get(0xc0000081) ?? 0n;
  const lstar = Number(BigInt.asIntN(64, s.msrs.get(0xc0000082) ?? 0n));
  const fmask = Number((s.msrs.get(0xc0000084) ?? 0n) & 0xffffffffn);
  const next = cpu.next;
  writeGpr(cpu, RCX, 8, next >>> 0, Math.floor(next / TWO32) >>> 0);
  writeGpr(cpu, R11, 8, s.rflags & ~F.RF, 0);
  const sel = Number((star >> 32n) & 0xffffn);
  flatSegments(cpu, sel & 0xfffc, sel + 8, 0, true);
  s.rflags = ((s.rflags & ~fmask & ~F.RF) | F.FIXED) >>> 0;
  cpu.next = lstar;
}

/** SYSRET (SDM Vol. 2B "SYSRET"): back to CPL 3 with IA32_STAR[63:48] selectors. */
function execSysret(cpu: Cpu, p: Prepared): void {
  const s = cpu.state;
  if (cpu.mode !== 64 || (s.efer & EF.SCE) === 0) throw ud('SYSRET needs 64-bit mode and IA32_EFER.SCE = 1');
  requireCpl0(cpu, 'SYSRET');
  const to64 = p.opSize === 8;
  const rcx = readGpr(cpu, RCX, 8);
  const target = to64 ? (cpu.hi | 0) * TWO32 + rcx : rcx;
  if (to64 && !cpu.isCanonical(target)) throw gp('SYSRET to a non-canonical RCX');
  const star = s.msrs.get(0xc0000081) ?? 0n;
  const base = Number((star >> 48n) & 0xffffn);
  const r11 = readGpr(cpu, R11, 4);
  s.rflags = (((r11 & F.DEFINED) & ~(F.RF | F.VM)) | F.FIXED) >>> 0;
  flatSegments(cpu, to64 ? base + 16 : base, base + 8, 3, to64);
  cpu.next = target;
}

/** Loads the fixed flat CS/SS that SYSCALL/SYSRET set up (not read from the GDT). */
function flatSegments(cpu: Cpu, csSel: number, ssSel: number, cpl: number, long: boolean): void {
  const s = cpu.state;
  s.segSel[SegIndex.CS] = (csSel & 0xfffc) | cpl;
  s.segBase[SegIndex.CS] = 0;
  s.segLimit[SegIndex.CS] = 0xffffffff;
  s.segAr[SegIndex.CS] = TY.CODE | TY.WR | TY.A | ARB.S | (cpl << ARB.DPL_SHIFT) | ARB.P | (long ? ARB.L : ARB.DB) | ARB.G;
  s.segSel[SegIndex.SS] = (ssSel & 0xfffc) | cpl;
  s.segBase[SegIndex.SS] = 0;
  s.segLimit[SegIndex.SS] = 0xffffffff;
  s.segAr[SegIndex.SS] = TY.WR | TY.A | ARB.S | (cpl << ARB.DPL_SHIFT) | ARB.P | ARB.DB | ARB.G;
  cpu.refreshMode();
}

// ---- software interrupts ----------------------------------------------------------------------

function execInt(cpu: Cpu, p: Prepared): void {
  const v = p.ops[0]!.lo & 0xff;
  throw new X86Fault(v, undefined, `INT ${v}`, 'software', cpu.next);
}

function execInt3(cpu: Cpu): void {
  throw new X86Fault(Vector.BP, undefined, 'INT3 breakpoint', 'software', cpu.next);
}

function execInt1(cpu: Cpu): void {
  throw new X86Fault(Vector.DB, undefined, 'INT1 (ICEBP) debug trap', 'trap', cpu.next);
}

function execUd2(): void {
  throw ud('UD2 raises #UD by definition');
}

function execIretOp(cpu: Cpu, p: Prepared): void {
  execIret(cpu, p.opSize);
}

function unsupported(what: string): Handler {
  return () => {
    throw ud(`${what} is not supported by this processor`);
  };
}

function execGetsec(cpu: Cpu): void {
  if ((cpu.state.cr4 & C4.SMXE) === 0) throw ud('GETSEC with CR4.SMXE = 0');
  throw ud('GETSEC leaves are not modelled by the lab');
}

export const SYSTEM_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['lgdt', loadTable(false)], ['lidt', loadTable(true)], ['sgdt', storeTable(false)], ['sidt', storeTable(true)],
  ['sldt', storeSelector(SegIndex.LDTR, 'SLDT')], ['str', storeSelector(SegIndex.TR, 'STR')],
  ['ltr', execLtr], ['lldt', execLldt], ['lar', larLsl(false)], ['lsl', larLsl(true)],
  ['clc', setFlag(F.CF, 'clear')], ['stc', setFlag(F.CF, 'set')], ['cmc', setFlag(F.CF, 'toggle')],
  ['cld', setFlag(F.DF, 'clear')], ['std', setFlag(F.DF, 'set')], ['cli', cliSti(false)], ['sti', cliSti(true)],
  ['hlt', execHlt], ['clts', execClts], ['invd', privilegedNop('INVD')], ['wbinvd', privilegedNop('WBINVD')],
  ['invlpg', execInvlpg], ['invpcid', execInvpcid],
  ['cpuid', execCpuid], ['rdmsr', execRdmsr], ['wrmsr', execWrmsr], ['rdtsc', execRdtsc], ['rdtscp', execRdtscp],
  ['rdpmc', execRdpmc], ['xgetbv', execXgetbv], ['xsetbv', execXsetbv], ['swapgs', execSwapgs],
  ['syscall', execSyscall], ['sysret', execSysret], ['sysretq', execSysret],
  ['int', execInt], ['int3', execInt3], ['int1', execInt1], ['ud2', execUd2],
  ['iretw', execIretOp], ['iretd', execIretOp], ['iretq', execIretOp],
  ['monitor', unsupported('MONITOR')], ['mwait', unsupported('MWAIT')], ['rsm', unsupported('RSM outside SMM')],
  ['getsec', execGetsec],
]);

