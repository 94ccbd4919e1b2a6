// MOV to and from CR0, CR2, CR3, CR4, CR8 and DR0-DR7, with the #GP/#UD rules of SDM Vol. 2B
// "MOV—Move to/from Control Registers" and "MOV—Move to/from Debug Registers", Vol. 3A §2.5
// "Control Registers" and §9.8.5 "Initializing IA-32e Mode". VMX-operation restrictions
// (fixed bits, clearing CR4.VMXE) are delegated to `env.vmx.checkCrWrite` (Vol. 3C §24.8).

import { CR4 } from '../../arch/cr.ts';
import { C0, C4, EF } from '../archbits.ts';
import { readOp, writeOp } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import type { CpuFeatures } from '../env.ts';
import { gp, ud } from '../fault.ts';
import type { Opnd } from '../operand.ts';
import { SegIndex } from '../state.ts';
import { ARB } from '../archbits.ts';

const TWO32 = 4294967296;

/** CR4 bits that exist only when the profile has the feature (SDM Vol. 3A §2.5, CPUID dependencies). */
const CR4_FEATURE_BITS: readonly [number, keyof CpuFeatures][] = [
  [C4.PSE, 'pse'], [C4.PAE, 'pae'], [C4.PGE, 'pge'], [C4.VMXE, 'vmx'], [C4.SMXE, 'smx'], [C4.PCIDE, 'pcid'],
  [C4.LA57, 'la57'], [C4.SMEP, 'smep'], [C4.SMAP, 'smap'], [C4.UMIP, 'umip'], [C4.FSGSBASE, 'fsgsbase'],
  [C4.OSXSAVE, 'xsave'], [C4.PKE, 'pku'],
];

/** CR4 bits the executor models at all (features without a model: KL, CET, PKS, UINTR, LAM, FRED stay reserved). */
const CR4_MODELLED = C4.VME | C4.PVI | C4.TSD | C4.DE | C4.PSE | C4.PAE | C4.MCE | C4.PGE | C4.PCE | C4.OSFXSR |
  C4.OSXMMEXCPT | C4.UMIP | C4.LA57 | C4.VMXE | C4.SMXE | C4.FSGSBASE | C4.PCIDE | C4.OSXSAVE | C4.SMEP | C4.SMAP | C4.PKE;

/** CR4 bits a MOV may set on this processor: modelled bits whose feature the profile has. */
export function cr4Allowed(f: CpuFeatures): number {
  let m = CR4_MODELLED;
  for (const [bit, feat] of CR4_FEATURE_BITS) if (!f[feat]) m &= ~bit;
  return m >>> 0;
}

function requireCpl0(cpu: Cpu, what: string): void {
  if (cpu.state.cpl !== 0) throw gp(`${what} at CPL ${cpu.state.cpl} (privileged instruction)`);
}

/** MOV CRn, r. */
export function movToCr(cpu: Cpu, cr: number, src: Opnd): void {
  requireCpl0(cpu, `MOV to CR${cr}`);
  const wide = cpu.mode === 64;
  const lo = readOp(cpu, src, wide ? 8 : 4);
  const hi = wide ? cpu.hi : 0;
  switch (cr) {
    case 0: return writeCr0(cpu, lo, hi);
    case 2: cpu.state.cr2 = wide ? (hi | 0) * TWO32 + lo : lo; return;
    case 3: return writeCr3(cpu, lo, hi);
    case 4: return writeCr4(cpu, lo, hi);
    case 8:
      if (hi !== 0 || (lo & ~0xf) !== 0) throw gp('MOV to CR8 sets a reserved bit (only bits 3:0 exist)');
      cpu.state.cr8 = lo;
      return;
    default: throw ud(`CR${cr} does not exist`);
  }
}

/** Writes CR0 after the checks of SDM Vol. 2B "MOV—Move to/from Control Registers". */
export function writeCr0(cpu: Cpu, lo: number, hi: number): void {
  const s = cpu.state;
  if (hi !== 0) throw gp('MOV to CR0 sets a bit in 63:32 (reserved)');
  const v = ((lo & C0.DEFINED) | C0.ET) >>> 0;
  if ((v & C0.PG) !== 0 && (v & C0.PE) === 0) throw gp('CR0.PG = 1 requires CR0.PE = 1');
  if ((v & C0.NW) !== 0 && (v & C0.CD) === 0) throw gp('CR0.NW = 1 requires CR0.CD = 1');
  const enablingPaging = (v & C0.PG) !== 0 && (s.cr0 & C0.PG) === 0;
  if (cpu.mode === 64 && (v & C0.PG) === 0) throw gp('clearing CR0.PG in 64-bit mode (leave IA-32e mode from compatibility mode)');
  if (enablingPaging && (s.efer & EF.LME) !== 0) {
    if ((s.cr4 & C4.PAE) === 0) throw gp('enabling paging with IA32_EFER.LME = 1 requires CR4.PAE = 1');
    if ((s.segAr[SegIndex.CS]! & ARB.L) !== 0) throw gp('enabling IA-32e mode with CS.L = 1');
  }
  if ((v & C0.PG) === 0 && (s.cr4 & C4.PCIDE) !== 0) throw gp('clearing CR0.PG with CR4.PCIDE = 1');
  if (enablingPaging && (s.efer & EF.LME) === 0 && (s.cr4 & C4.PAE) !== 0) checkPdptes(cpu, s.cr3);
  cpu.env.vmx?.checkCrWrite?.(cpu, 0, v);
  const changed = (s.cr0 ^ v) >>> 0;
  s.cr0 = v;
  if ((v & C0.PG) !== 0 && (s.efer & EF.LME) !== 0) s.efer |= EF.LMA;
  else s.efer &= ~EF.LMA;
  if ((changed & (C0.PG | C0.WP | C0.PE)) !== 0) cpu.flushTlb();
  cpu.refreshMode();
}

/** Writes CR3: in IA-32e mode bits 63:MAXPHYADDR are reserved (bit 63 is the PCID no-flush hint). */
export function writeCr3(cpu: Cpu, lo: number, hi: number): void {
  const s = cpu.state;
  if ((s.efer & EF.LMA) !== 0) {
    const pcide = (s.cr4 & C4.PCIDE) !== 0;
    const h = pcide ? hi & 0x7fffffff : hi;
    const maxPhys = cpu.env.config.maxPhysAddr;
    if (maxPhys < 64 && h >>> Math.max(0, maxPhys - 32) !== 0) {
      throw gp(`CR3 sets a bit at or above MAXPHYADDR (${maxPhys})`);
    }
    s.cr3 = h * TWO32 + lo;
  } else {
    if ((s.cr0 & C0.PG) !== 0 && (s.cr4 & C4.PAE) !== 0) checkPdptes(cpu, lo);
    s.cr3 = lo;
  }
  cpu.flushTlb();
}

/** PDPTE bits reserved when P = 1, besides 63:MAXPHYADDR: 2:1 and 8:5 (SDM Vol. 3A §4.4.1 "PDPTE Registers"). */
const PDPTE_RESERVED_LOW = 0x1e6;

/**
 * PAE paging loads the four PDPTEs when CR3 is written or paging bits change; a present PDPTE
 * with a reserved bit set makes the MOV raise #GP(0) (SDM Vol. 3A §4.4.1 "PDPTE Registers").
 * Implementation choice: the walk re-reads the PDPTEs from memory instead of keeping them in
 * registers (they differ only if software changes them without reloading CR3).
 */
function checkPdptes(cpu: Cpu, cr3: number): void {
  const base = (cr3 & 0xffffffe0) >>> 0;
  const maxPhys = cpu.env.config.maxPhysAddr;
  for (let i = 0; i < 4; i++) {
    const gpa = base + i * 8;
    const e = cpu.readPhys(cpu.ept === null ? gpa : cpu.ept(gpa, { read: true, pdpteLoad: true }), 8);
    if ((e & 1n) === 0n) continue;
    if ((e & BigInt(PDPTE_RESERVED_LOW)) !== 0n || e >> BigInt(maxPhys) !== 0n) {
      throw gp(`PAE paging: PDPTE ${i} at 0x${(base + i * 8).toString(16)} is present with a reserved bit set`);
    }
  }
}

/** Writes CR4 after the checks of SDM Vol. 2B "MOV—Move to/from Control Registers". */
export function writeCr4(cpu: Cpu, lo: number, hi: number): void {
  const s = cpu.state;
  const allowed = cr4Allowed(cpu.env.config.features);
  if (hi !== 0 || (lo & ~allowed) !== 0) {
    const bad = BigInt(hi) << 32n | BigInt(lo & ~allowed);
    const names = CR4.list.filter((f) => (f.mask & bad) !== 0n).map((f) => f.name);
    throw gp(`MOV to CR4 sets a bit this processor does not support${names.length ? ` (${names.join(', ')})` : ''}`);
  }
  const v = lo >>> 0;
  const lma = (s.efer & EF.LMA) !== 0;
  if (lma && (v & C4.PAE) === 0) throw gp('clearing CR4.PAE while IA-32e mode is active');
  if (lma && ((v ^ s.cr4) & C4.LA57) !== 0) throw gp('changing CR4.LA57 while IA-32e mode is active');
  if ((v & C4.PCIDE) !== 0 && (s.cr4 & C4.PCIDE) === 0) {
    if (!lma) throw gp('setting CR4.PCIDE outside IA-32e mode');
    if (s.cr3 % 4096 !== 0) throw gp('setting CR4.PCIDE with CR3[11:0] != 0');
  }
  const pagingBits = C4.PAE | C4.PSE | C4.PGE | C4.SMEP;
  if ((s.cr0 & C0.PG) !== 0 && !lma && (v & C4.PAE) !== 0 && ((v ^ s.cr4) & pagingBits) !== 0) checkPdptes(cpu, s.cr3);
  cpu.env.vmx?.checkCrWrite?.(cpu, 4, v);
  s.cr4 = v;
  cpu.flushTlb();
  cpu.refreshMode();
}

/** MOV r, CRn. */
export function movFromCr(cpu: Cpu, cr: number, dst: Opnd): void {
  requireCpl0(cpu, `MOV from CR${cr}`);
  const s = cpu.state;
  let v: number;
  switch (cr) {
    case 0: v = s.cr0; break;
    case 2: v = s.cr2; break;
    case 3: v = s.cr3; break;
    case 4: v = s.cr4; break;
    case 8: v = s.cr8; break;
    default: throw ud(`CR${cr} does not exist`);
  }
  const size = cpu.mode === 64 ? 8 : 4;
  writeOp(cpu, dst, size, v >>> 0, size === 8 ? Math.floor(v / TWO32) >>> 0 : 0);
}

// Debug-register fixed bits (SDM Vol. 3B §18.2.3 "Debug Status Register (DR6)" and §18.2.4
// "Debug Control Register (DR7)"): DR6 reads with bits 31:16 and 11:4 set; DR7 with bit 10 set
// and bits 15:14, 12:11 clear. The arch tables have no debug-register bitfield yet.
const DR6_FIXED1 = 0xffff0ff0;
const DR7_FIXED1 = 0x400;
const DR7_FIXED0 = 0xd800;

function drIndex(cpu: Cpu, n: number): number {
  if (n === 4 || n === 5) {
    if ((cpu.state.cr4 & C4.DE) !== 0) throw ud(`DR${n} referenced with CR4.DE = 1`);
    return n + 2;
  }
  return n;
}

/** MOV DRn, r. */
export function movToDr(cpu: Cpu, n: number, src: Opnd): void {
  requireCpl0(cpu, `MOV to DR${n}`);
  const i = drIndex(cpu, n);
  const wide = cpu.mode === 64;
  const lo = readOp(cpu, src, wide ? 8 : 4);
  const hi = wide ? cpu.hi : 0;
  if ((i === 6 || i === 7) && hi !== 0) throw gp(`MOV to DR${n} sets a bit in 63:32`);
  let v = (BigInt(hi) << 32n) | BigInt(lo);
  if (i === 6) v = BigInt((lo | DR6_FIXED1) >>> 0);
  if (i === 7) v = BigInt(((lo | DR7_FIXED1) & ~DR7_FIXED0) >>> 0);
  cpu.state.dr[i] = v;
}

/** MOV r, DRn. */
export function movFromDr(cpu: Cpu, n: number, dst: Opnd): void {
  requireCpl0(cpu, `MOV from DR${n}`);
  const i = drIndex(cpu, n);
  const v = cpu.state.dr[i]!;
  const size = cpu.mode === 64 ? 8 : 4;
  writeOp(cpu, dst, size, Number(v & 0xffffffffn), size === 8 ? Number(v >> 32n) : 0);
}
