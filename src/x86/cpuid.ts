// CPUID (SDM Vol. 2A "CPUID—CPU Identification"): leaf 0 (vendor, highest leaf), leaf 1
// (signature, feature flags with VMX when the profile has it), leaf 7.0 (structured extended
// features), 0x80000000-0x80000004 (extended leaves, brand string) and 0x80000008 (MAXPHYADDR
// and linear-address width). A profile's raw leaves are used when the configuration has them;
// otherwise the leaves are built from the feature set. Bits that mirror live state (OSXSAVE,
// OSPKE) are computed from CR4 at each execution.

import { CPUID, type CpuidBit } from '../arch/cpuid.ts';
import { C4 } from './archbits.ts';
import type { CpuConfig, CpuFeatures, CpuidRegs } from './env.ts';
import type { CpuState } from './state.ts';

type Regs = { eax: number; ebx: number; ecx: number; edx: number };

const MAX_BASIC = 0xd;
const MAX_EXTENDED = 0x80000008;

/** Feature -> CPUID bit (the bits a profile's feature set decides). */
const FEATURE_BITS: readonly [keyof CpuFeatures, CpuidBit][] = [
  ['vmx', CPUID.VMX], ['smx', CPUID.SMX], ['pae', CPUID.PAE], ['pse', CPUID.PSE], ['pge', CPUID.PGE],
  ['nx', CPUID.NX], ['pcid', CPUID.PCID], ['la57', CPUID.LA57], ['smep', CPUID.SMEP], ['smap', CPUID.SMAP],
  ['umip', CPUID.UMIP], ['fsgsbase', CPUID.FSGSBASE], ['xsave', CPUID.XSAVE], ['rdtscp', CPUID.RDTSCP],
  ['page1gb', CPUID.GBPAGES], ['pku', CPUID.PKU],
];

/** Bits every lab processor reports (what it implements regardless of profile). */
const ALWAYS: readonly CpuidBit[] = [
  CPUID.FPU, CPUID.DE, CPUID.TSC, CPUID.MSR, CPUID.CX8, CPUID.APIC, CPUID.SEP, CPUID.CMOV, CPUID.PAT,
  CPUID.FXSR, CPUID.XMM, CPUID.XMM2, CPUID.LAHF_LM, CPUID.SYSCALL, CPUID.LM,
];

function setBit(r: Regs, bit: CpuidBit, on: boolean): void {
  const m = (1 << bit.bit) >>> 0;
  r[bit.reg] = on ? (r[bit.reg] | m) >>> 0 : (r[bit.reg] & ~m) >>> 0;
}

function ascii4(s: string, at: number): number {
  let v = 0;
  for (let i = 3; i >= 0; i--) v = (v << 8) | (s.charCodeAt(at + i) & 0xff || 0);
  return v >>> 0;
}

/** The synthesized leaf when the profile has no raw data for it. */
function synthesize(cfg: CpuConfig, leaf: number, subleaf: number): Regs {
  const r: Regs = { eax: 0, ebx: 0, ecx: 0, edx: 0 };
  const bits = [...ALWAYS, ...FEATURE_BITS.filter(([f]) => cfg.features[f]).map(([, b]) => b)];
  const mine = (l: number, s: number) => bits.filter((b) => b.leaf === l && b.subleaf === s);
  switch (leaf) {
    case 0: {
      const v = cfg.vendor.padEnd(12, ' ');
      return { eax: MAX_BASIC, ebx: ascii4(v, 0), edx: ascii4(v, 4), ecx: ascii4(v, 8) };
    }
    case 1:
      r.eax = cfg.signature;
      break;
    case 7:
      if (subleaf !== 0) return r;
      break;
    case 0x80000000:
      return { eax: MAX_EXTENDED, ebx: 0, ecx: 0, edx: 0 };
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const b = cfg.brand.padEnd(48, '\0');
      const at = (leaf - 0x80000002) * 16;
      return { eax: ascii4(b, at), ebx: ascii4(b, at + 4), ecx: ascii4(b, at + 8), edx: ascii4(b, at + 12) };
    }
    case 0x80000001:
    case 0x80000008:
      break;
    default:
      return r;
  }
  for (const b of mine(leaf, subleaf)) setBit(r, b, true);
  return r;
}

/** CPUID's result for EAX = leaf, ECX = subleaf. */
export function cpuid(cfg: CpuConfig, s: CpuState, leaf: number, subleaf: number): CpuidRegs {
  const raw = cfg.cpuid?.(leaf, leaf === 7 || leaf === 0xd ? subleaf : 0);
  const r: Regs = raw ? { eax: raw.eax, ebx: raw.ebx, ecx: raw.ecx, edx: raw.edx } : synthesize(cfg, leaf, subleaf);
  if (leaf === 1) {
    setBit(r, CPUID.VMX, cfg.features.vmx);
    setBit(r, CPUID.OSXSAVE, (s.cr4 & C4.OSXSAVE) !== 0);
    // Leaf 1 EBX[31:24]: initial APIC ID of the (only) processor is 0.
    r.ebx &= 0x00ffffff;
  }
  if (leaf === 7 && subleaf === 0) setBit(r, CPUID.OSPKE, (s.cr4 & C4.PKE) !== 0);
  if (leaf === 0x80000008) {
    // SDM Vol. 2A "CPUID", leaf 80000008H: EAX[7:0] physical, EAX[15:8] linear address bits.
    r.eax = ((r.eax & ~0xffff) | (cfg.features.la57 ? 57 << 8 : 48 << 8) | cfg.maxPhysAddr) >>> 0;
  }
  return r;
}
