// The CPUID feature bits the lab reports or checks, one row each: leaf, subleaf,
// register, bit, Linux X86_FEATURE_* name, doc. SDM Vol. 2A §3.3, CPUID—CPU
// Identification (tables "Feature Information Returned in the ECX/EDX Register" and
// "Information Returned by CPUID Instruction"). A profile says which ones are set.

import type { SdmRef } from './sdm.ts';
import { SDM_CPUID as R } from './sdm-refs.ts';

export type CpuidReg = 'eax' | 'ebx' | 'ecx' | 'edx';

export interface CpuidBit {
  /** Linux `X86_FEATURE_*` suffix (cpufeatures.h), e.g. `VMX`. */
  readonly name: string;
  readonly leaf: number;
  readonly subleaf: number;
  readonly reg: CpuidReg;
  readonly bit: number;
  readonly doc: string;
  readonly sdm: SdmRef;
}

const b = (leaf: number, subleaf: number, reg: CpuidReg) => (bit: number, name: string, doc: string): CpuidBit =>
  ({ name, leaf, subleaf, reg, bit, doc, sdm: R });
const l1c = b(1, 0, 'ecx');
const l1d = b(1, 0, 'edx');
const l7b = b(7, 0, 'ebx');
const l7c = b(7, 0, 'ecx');
const l7d = b(7, 0, 'edx');
const l71a = b(7, 1, 'eax');
const x1c = b(0x8000_0001, 0, 'ecx');
const x1d = b(0x8000_0001, 0, 'edx');

export const CPUID_BITS = [
  l1c(0, 'XMM3', 'SSE3.'),
  l1c(5, 'VMX', 'Virtual Machine Extensions: VMXON and the VMX instructions exist.'),
  l1c(6, 'SMX', 'Safer Mode Extensions (GETSEC).'),
  l1c(9, 'SSSE3', 'Supplemental SSE3.'),
  l1c(13, 'CX16', 'CMPXCHG16B.'),
  l1c(17, 'PCID', 'Process-context identifiers (CR4.PCIDE).'),
  l1c(19, 'XMM4_1', 'SSE4.1.'),
  l1c(20, 'XMM4_2', 'SSE4.2.'),
  l1c(21, 'X2APIC', 'x2APIC mode.'),
  l1c(22, 'MOVBE', 'MOVBE instruction.'),
  l1c(23, 'POPCNT', 'POPCNT instruction.'),
  l1c(24, 'TSC_DEADLINE_TIMER', 'APIC timer TSC-deadline mode.'),
  l1c(25, 'AES', 'AES-NI.'),
  l1c(26, 'XSAVE', 'XSAVE/XRSTOR, XSETBV/XGETBV, XCR0.'),
  l1c(27, 'OSXSAVE', 'Reflects CR4.OSXSAVE.'),
  l1c(28, 'AVX', 'AVX.'),
  l1c(30, 'RDRAND', 'RDRAND instruction.'),
  l1c(31, 'HYPERVISOR', 'Running under a hypervisor (always 0 on bare metal).'),
  l1d(0, 'FPU', 'x87 FPU on chip.'),
  l1d(1, 'VME', 'Virtual-8086 mode enhancements (CR4.VME, CR4.PVI).'),
  l1d(2, 'DE', 'Debugging extensions (CR4.DE).'),
  l1d(3, 'PSE', 'Page size extensions (CR4.PSE).'),
  l1d(4, 'TSC', 'RDTSC and CR4.TSD.'),
  l1d(5, 'MSR', 'RDMSR and WRMSR.'),
  l1d(6, 'PAE', 'Physical address extension (CR4.PAE).'),
  l1d(7, 'MCE', 'Machine-check exception (CR4.MCE).'),
  l1d(8, 'CX8', 'CMPXCHG8B.'),
  l1d(9, 'APIC', 'Local APIC on chip.'),
  l1d(11, 'SEP', 'SYSENTER and SYSEXIT.'),
  l1d(12, 'MTRR', 'Memory type range registers.'),
  l1d(13, 'PGE', 'Global pages (CR4.PGE).'),
  l1d(14, 'MCA', 'Machine-check architecture.'),
  l1d(15, 'CMOV', 'CMOVcc.'),
  l1d(16, 'PAT', 'Page attribute table.'),
  l1d(19, 'CLFLUSH', 'CLFLUSH.'),
  l1d(23, 'MMX', 'MMX.'),
  l1d(24, 'FXSR', 'FXSAVE/FXRSTOR and CR4.OSFXSR.'),
  l1d(25, 'XMM', 'SSE.'),
  l1d(26, 'XMM2', 'SSE2.'),
  l1d(28, 'HT', 'Max APIC IDs field is valid (hyper-threading).'),
  l7b(0, 'FSGSBASE', 'RDFSBASE/WRFSBASE/RDGSBASE/WRGSBASE (CR4.FSGSBASE).'),
  l7b(1, 'TSC_ADJUST', 'IA32_TSC_ADJUST MSR.'),
  l7b(2, 'SGX', 'Software Guard Extensions.'),
  l7b(3, 'BMI1', 'BMI1.'),
  l7b(5, 'AVX2', 'AVX2.'),
  l7b(7, 'SMEP', 'Supervisor-mode execution prevention (CR4.SMEP).'),
  l7b(8, 'BMI2', 'BMI2.'),
  l7b(9, 'ERMS', 'Enhanced REP MOVSB/STOSB.'),
  l7b(10, 'INVPCID', 'INVPCID instruction.'),
  l7b(11, 'RTM', 'Restricted transactional memory.'),
  l7b(14, 'MPX', 'Memory protection extensions (IA32_BNDCFGS).'),
  l7b(16, 'AVX512F', 'AVX-512 foundation.'),
  l7b(18, 'RDSEED', 'RDSEED.'),
  l7b(19, 'ADX', 'ADCX/ADOX.'),
  l7b(20, 'SMAP', 'Supervisor-mode access prevention (CR4.SMAP, STAC/CLAC).'),
  l7b(23, 'CLFLUSHOPT', 'CLFLUSHOPT.'),
  l7b(24, 'CLWB', 'CLWB.'),
  l7b(25, 'INTEL_PT', 'Intel Processor Trace.'),
  l7b(29, 'SHA_NI', 'SHA extensions.'),
  l7c(2, 'UMIP', 'User-mode instruction prevention (CR4.UMIP).'),
  l7c(3, 'PKU', 'Protection keys for user pages (CR4.PKE).'),
  l7c(4, 'OSPKE', 'Reflects CR4.PKE.'),
  l7c(5, 'WAITPKG', 'UMONITOR/UMWAIT/TPAUSE.'),
  l7c(7, 'SHSTK', 'CET shadow stacks (CR4.CET).'),
  l7c(16, 'LA57', '57-bit linear addresses and 5-level paging (CR4.LA57).'),
  l7c(22, 'RDPID', 'RDPID.'),
  l7c(23, 'KEYLOCKER', 'Key Locker (CR4.KL).'),
  l7c(24, 'BUS_LOCK_DETECT', 'OS bus-lock detection (IA32_DEBUGCTL bit 2).'),
  l7c(30, 'SGX_LC', 'SGX launch configuration.'),
  l7c(31, 'PKS', 'Protection keys for supervisor pages (CR4.PKS).'),
  l7d(5, 'UINTR', 'User interrupts (CR4.UINTR).'),
  l7d(19, 'ARCH_LBR', 'Architectural LBRs (IA32_LBR_CTL and the LBR MSRs).'),
  l7d(20, 'IBT', 'CET indirect-branch tracking.'),
  l71a(26, 'LAM', 'Linear-address masking (CR3 bits 62:61, CR4.LAM_SUP).'),
  x1c(0, 'LAHF_LM', 'LAHF/SAHF in 64-bit mode.'),
  x1c(5, 'ABM', 'LZCNT.'),
  x1c(8, '3DNOWPREFETCH', 'PREFETCHW.'),
  x1d(11, 'SYSCALL', 'SYSCALL/SYSRET in 64-bit mode.'),
  x1d(20, 'NX', 'Execute-disable bit (IA32_EFER.NXE).'),
  x1d(26, 'GBPAGES', '1-GiB pages.'),
  x1d(27, 'RDTSCP', 'RDTSCP and IA32_TSC_AUX.'),
  x1d(29, 'LM', 'Intel 64 architecture (IA-32e mode, IA32_EFER.LME).'),
] as const satisfies readonly CpuidBit[];

/** A CPUID bit by its Linux name: `CPUID.VMX` = leaf 1 ECX bit 5. */
export const CPUID = Object.fromEntries(CPUID_BITS.map((r) => [r.name, r])) as {
  readonly [R in (typeof CPUID_BITS)[number] as R['name']]: CpuidBit;
};

/** CPUID leaf 0x80000008 EAX: bits 7:0 physical-address width, 15:8 linear-address width. */
export const CPUID_ADDRESS_SIZES = {
  leaf: 0x8000_0008,
  maxPhysAddr: { reg: 'eax', bit: 0, width: 8, doc: 'MAXPHYADDR: physical-address width in bits.' },
  linearAddressBits: { reg: 'eax', bit: 8, width: 8, doc: 'Linear-address width in bits (48, or 57 with LA57).' },
  sdm: R,
} as const;

/** Whether a CPUID output register set has a bit (`regs` is the leaf/subleaf's EAX..EDX). */
export function cpuidHas(regs: Readonly<Record<CpuidReg, number>>, bit: CpuidBit): boolean {
  return ((regs[bit.reg] >>> bit.bit) & 1) === 1;
}
