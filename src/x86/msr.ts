// RDMSR/WRMSR semantics per MSR (SDM Vol. 2B "RDMSR", "WRMSR"; Vol. 4 §2.1 "Architectural
// MSRs"). An MSR this processor does not implement raises #GP(0) on both; writing a reserved
// bit, a non-canonical address MSR, a locked IA32_FEATURE_CONTROL (Vol. 3C §24.7 "Enabling
// and Entering VMX Operation") or a read-only capability MSR (Vol. 3D Appendix A) raises #GP(0).

import { EFER_INTEL_RESERVED } from '../arch/efer.ts';
import { FEATURE_CONTROL } from '../arch/feature-control.ts';
import { MSR, msrInfo } from '../arch/msrs.ts';
import { C0, EF } from './archbits.ts';
import type { Cpu } from './cpu.ts';
import { gp } from './fault.ts';
import { SegIndex } from './state.ts';

/** Default values of the stored MSRs at reset (SDM Vol. 3A §10.1.1 "Processor State After Reset", Table 10-1). */
export const MSR_RESET_VALUES: ReadonlyMap<number, bigint> = new Map([
  [MSR.IA32_APIC_BASE, 0xfee00900n],
  [MSR.IA32_PAT, 0x0007040600070406n],
  [MSR.IA32_FEATURE_CONTROL, 0n],
]);

/** MSRs kept verbatim in `state.msrs` (any 64-bit value, or with the checks below). */
const STORED = new Set<number>([
  MSR.IA32_APIC_BASE, MSR.IA32_FEATURE_CONTROL, MSR.IA32_TSC_ADJUST, MSR.IA32_SMM_MONITOR_CTL,
  MSR.IA32_SYSENTER_CS, MSR.IA32_SYSENTER_ESP, MSR.IA32_SYSENTER_EIP, MSR.IA32_DEBUGCTL, MSR.IA32_PAT,
  MSR.IA32_PERF_GLOBAL_CTRL, MSR.IA32_STAR, MSR.IA32_LSTAR, MSR.IA32_CSTAR, MSR.IA32_FMASK, MSR.IA32_TSC_AUX,
]);

/** MSRs whose value is a linear address and must be canonical (SDM Vol. 2B "WRMSR"). */
const CANONICAL = new Set<number>([
  MSR.IA32_SYSENTER_ESP, MSR.IA32_SYSENTER_EIP, MSR.IA32_LSTAR, MSR.IA32_CSTAR,
  MSR.IA32_FS_BASE, MSR.IA32_GS_BASE, MSR.IA32_KERNEL_GS_BASE,
]);

function name(index: number): string {
  return msrInfo(index)?.sdmName ?? `MSR 0x${index.toString(16)}`;
}

const toNumber = (v: bigint): number => Number(BigInt.asIntN(64, v));
const toBig = (n: number): bigint => BigInt.asUintN(64, BigInt(n));

/** RDMSR's value, or #GP(0) if the MSR does not exist on this processor. */
export function readMsr(cpu: Cpu, index: number): bigint {
  const s = cpu.state;
  const ro = cpu.env.config.readOnlyMsrs.get(index);
  if (ro !== undefined) return ro;
  switch (index) {
    case MSR.IA32_TIME_STAMP_COUNTER: return BigInt.asUintN(64, s.tscOffset + BigInt(s.icount));
    case MSR.IA32_EFER: return BigInt(s.efer);
    case MSR.IA32_FS_BASE: return toBig(s.segBase[SegIndex.FS]!);
    case MSR.IA32_GS_BASE: return toBig(s.segBase[SegIndex.GS]!);
    case MSR.IA32_KERNEL_GS_BASE: return toBig(s.kernelGsBase);
  }
  if (index === MSR.IA32_TSC_AUX && !cpu.env.config.features.rdtscp) throw gp(`RDMSR of ${name(index)}: not implemented without RDTSCP`);
  if (STORED.has(index)) return s.msrs.get(index) ?? MSR_RESET_VALUES.get(index) ?? 0n;
  throw gp(`RDMSR of ${name(index)}: this processor does not implement it`);
}

/** WRMSR, with each MSR's #GP(0) conditions. */
export function writeMsr(cpu: Cpu, index: number, value: bigint): void {
  const s = cpu.state;
  if (cpu.env.config.readOnlyMsrs.has(index) || msrInfo(index)?.readOnly === true) {
    throw gp(`WRMSR to ${name(index)}: the MSR is read-only`);
  }
  if (CANONICAL.has(index) && !cpu.isCanonical(toNumber(value))) throw gp(`WRMSR to ${name(index)}: 0x${value.toString(16)} is not canonical`);
  switch (index) {
    case MSR.IA32_TIME_STAMP_COUNTER:
      s.tscOffset = value - BigInt(s.icount);
      return;
    case MSR.IA32_EFER: return writeEfer(cpu, value);
    case MSR.IA32_FS_BASE: s.segBase[SegIndex.FS] = toNumber(value); return;
    case MSR.IA32_GS_BASE: s.segBase[SegIndex.GS] = toNumber(value); return;
    case MSR.IA32_KERNEL_GS_BASE: s.kernelGsBase = toNumber(value); return;
    case MSR.IA32_FEATURE_CONTROL: {
      const cur = s.msrs.get(index) ?? 0n;
      if (FEATURE_CONTROL.has(cur, 'LOCKED')) throw gp('WRMSR to IA32_FEATURE_CONTROL while its lock bit is set (firmware locked it)');
      if ((value & FEATURE_CONTROL.reservedMask) !== 0n) throw gp('WRMSR to IA32_FEATURE_CONTROL sets a reserved bit');
      if (FEATURE_CONTROL.has(value, 'VMX_ENABLED_OUTSIDE_SMX') && !cpu.env.config.features.vmx) {
        throw gp('WRMSR to IA32_FEATURE_CONTROL enables VMX on a processor without VMX');
      }
      break;
    }
    case MSR.IA32_PAT:
      // Each of the eight entries must be a valid memory type: 0, 1, 4, 5, 6 or 7 (SDM Vol. 3A §12.12.2 "IA32_PAT MSR").
      for (let i = 0n; i < 64n; i += 8n) {
        const t = (value >> i) & 0xffn;
        if (t === 2n || t === 3n || t > 7n) throw gp(`WRMSR to IA32_PAT: entry ${i / 8n} holds the invalid memory type ${t}`);
      }
      break;
    case MSR.IA32_TSC_AUX:
      if (!cpu.env.config.features.rdtscp) throw gp('WRMSR to IA32_TSC_AUX: not implemented without RDTSCP');
      if (value >> 32n !== 0n) throw gp('WRMSR to IA32_TSC_AUX sets a bit in 63:32 (reserved)');
      break;
    case MSR.IA32_APIC_BASE: {
      const maxPhys = BigInt(cpu.env.config.maxPhysAddr);
      // Bits 7:0, 9 and 63:MAXPHYADDR are reserved (SDM Vol. 3A §11.4.4 "Local APIC Status and Location").
      if (value >> maxPhys !== 0n || (value & 0x2ffn) !== 0n) throw gp('WRMSR to IA32_APIC_BASE sets a reserved bit');
      break;
    }
    default:
      if (!STORED.has(index)) throw gp(`WRMSR to ${name(index)}: this processor does not implement it`);
  }
  s.msrs.set(index, BigInt.asUintN(64, value));
}

/**
 * WRMSR to IA32_EFER: reserved bits #GP(0); LME cannot change while paging is on; LMA is
 * read-only (the written bit is ignored); NXE needs the NX feature (SDM Vol. 3A §2.2.1
 * "Extended Feature Enable Register", Vol. 2B "WRMSR").
 */
function writeEfer(cpu: Cpu, value: bigint): void {
  const s = cpu.state;
  const reserved = EFER_INTEL_RESERVED & ~BigInt(EF.LMA);
  if ((value & reserved) !== 0n) throw gp('WRMSR to IA32_EFER sets a reserved bit');
  const v = Number(value & 0xffffffffn);
  if ((v & EF.NXE) !== 0 && !cpu.env.config.features.nx) throw gp('WRMSR to IA32_EFER sets NXE on a processor without execute-disable');
  if (((v ^ s.efer) & EF.LME) !== 0 && (s.cr0 & C0.PG) !== 0) throw gp('WRMSR to IA32_EFER changes LME while paging is enabled');
  const nxeChanged = ((v ^ s.efer) & EF.NXE) !== 0;
  s.efer = ((v & ~EF.LMA) | (s.efer & EF.LMA)) >>> 0;
  if (nxeChanged) cpu.flushTlb();
  cpu.refreshMode();
}
