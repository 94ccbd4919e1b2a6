// Bit layouts of the MSRs whose reserved bits VM entry checks (SDM Vol. 3C §27.3.1.1
// "Checks on Guest Control Registers, Debug Registers, and MSRs") and that WRMSR guards:
// IA32_DEBUGCTL, IA32_PERF_GLOBAL_CTRL, IA32_RTIT_CTL, IA32_LBR_CTL, and the memory types
// IA32_PAT accepts. Which optional bits exist depends on CPUID; the functions below say
// which bits a given processor reserves.

import { bitfield } from './bitfield.ts';
import { sdm } from './sdm.ts';

const DBG = sdm('3B', '18.4.1', 'IA32_DEBUGCTL MSR');
const PERF = sdm('3B', '20.2.2', 'Architectural Performance Monitoring Version 2');
const RTIT = sdm('3C', '33.2.8.2', 'IA32_RTIT_CTL MSR');
const LBR = sdm('3B', '19.1', 'Architectural Last Branch Records (LBRs)');
const PAT_REF = sdm('3A', '13.12.2', 'IA32_PAT MSR');

/** IA32_DEBUGCTL (1D9H). Bits 5:3 and 63:16 are always reserved. */
export const DEBUGCTL = bitfield({
  name: 'IA32_DEBUGCTL',
  size: 64,
  sdm: DBG,
  fields: {
    LBR: { bit: 0, sdmName: 'LBR', doc: 'Record last branches in the LBR stack.', sdm: DBG },
    BTF: { bit: 1, sdmName: 'BTF', doc: 'Single-step on branches: with RFLAGS.TF, #DB after a taken branch instead of every instruction.', sdm: DBG },
    BLD: { bit: 2, sdmName: 'BLD', doc: 'Bus-lock detection: #DB after a bus lock (exists if CPUID.(EAX=07H,ECX=0):ECX[24]).', sdm: DBG },
    TR: { bit: 6, sdmName: 'TR', doc: 'Send branch trace messages.', sdm: DBG },
    BTS: { bit: 7, sdmName: 'BTS', doc: 'Store branch trace messages in the BTS buffer.', sdm: DBG },
    BTINT: { bit: 8, sdmName: 'BTINT', doc: 'Interrupt when the BTS buffer is full.', sdm: DBG },
    BTS_OFF_OS: { bit: 9, sdmName: 'BTS_OFF_OS', doc: 'Do not store branches taken at CPL 0.', sdm: DBG },
    BTS_OFF_USR: { bit: 10, sdmName: 'BTS_OFF_USR', doc: 'Do not store branches taken at CPL > 0.', sdm: DBG },
    FREEZE_LBRS_ON_PMI: { bit: 11, sdmName: 'FREEZE_LBRS_ON_PMI', doc: 'Clear LBR on a performance-monitoring interrupt.', sdm: DBG },
    FREEZE_PERFMON_ON_PMI: { bit: 12, sdmName: 'FREEZE_PERFMON_ON_PMI', doc: 'Disable the counters on a performance-monitoring interrupt.', sdm: DBG },
    ENABLE_UNCORE_PMI: { bit: 13, sdmName: 'ENABLE_UNCORE_PMI', doc: 'Let the uncore raise PMIs on this core.', sdm: DBG },
    FREEZE_WHILE_SMM: { bit: 14, sdmName: 'FREEZE_WHILE_SMM', doc: 'Freeze counters and LBRs in SMM.', sdm: DBG },
    RTM_DEBUG: { bit: 15, sdmName: 'RTM_DEBUG', doc: 'Advanced debugging of RTM regions (exists if CPUID RTM).', sdm: DBG },
  },
  reserved: 0xffff_ffff_ffff_0000n | 0x38n,
});

/** What the optional DEBUGCTL bits depend on. */
export interface DebugctlFeatures {
  /** CPUID.(EAX=07H,ECX=0):ECX[24] BUS_LOCK_DETECT. */
  readonly busLockDetect: boolean;
  /** CPUID.(EAX=07H,ECX=0):EBX[11] RTM. */
  readonly rtm: boolean;
}

/** Bits of IA32_DEBUGCTL that WRMSR rejects on a processor with these features. */
export function debugctlReservedBits(f: DebugctlFeatures): bigint {
  return DEBUGCTL.reservedMask | (f.busLockDetect ? 0n : DEBUGCTL.mask.BLD) | (f.rtm ? 0n : DEBUGCTL.mask.RTM_DEBUG);
}

/** IA32_PERF_GLOBAL_CTRL (38FH): one enable per general-purpose counter (bits 31:0) and per fixed counter (47:32). */
export const PERF_GLOBAL_CTRL = bitfield({
  name: 'IA32_PERF_GLOBAL_CTRL',
  size: 64,
  sdm: PERF,
  fields: {
    EN_PMC: { bit: 0, width: 32, sdmName: 'EN_PMCn', doc: 'Bit n enables IA32_PMCn; bits at or above CPUID.0AH:EAX[15:8] are reserved.', sdm: PERF },
    EN_FIXED_CTR: { bit: 32, width: 16, sdmName: 'EN_FIXED_CTRn', doc: 'Bit 32+n enables IA32_FIXED_CTRn; only the fixed counters CPUID.0AH enumerates exist.', sdm: PERF },
    EN_PERF_METRICS: { bit: 48, sdmName: 'EN_PERF_METRICS', doc: 'Enables the topdown performance metrics (IA32_PERF_CAPABILITIES[15]).', sdm: PERF },
  },
  reserved: 0xfffe_0000_0000_0000n,
});

/**
 * Bits of IA32_PERF_GLOBAL_CTRL that WRMSR rejects, from CPUID leaf 0AH (EAX[7:0] version,
 * EAX[15:8] general counters, EDX[4:0] fixed counters; ECX a fixed-counter bitmap from
 * version 5). Bit 48 really exists when IA32_PERF_CAPABILITIES[15] is 1, which the lab does
 * not model: it is taken as present from version 5 (the first with topdown metrics). Without
 * leaf 0AH only the always-reserved bits are known.
 */
export function perfGlobalCtrlReservedBits(leafA?: { readonly eax: number; readonly ecx: number; readonly edx: number }): bigint {
  if (leafA === undefined) return PERF_GLOBAL_CTRL.reservedMask;
  const version = leafA.eax & 0xff;
  if (version < 2) return 0xffff_ffff_ffff_ffffn; // no IA32_PERF_GLOBAL_CTRL before version 2
  const gp = (leafA.eax >>> 8) & 0xff;
  const fixedCount = leafA.edx & 0x1f;
  let fixed = 0n;
  for (let i = 0; i < 16; i++) if (i < fixedCount || (version >= 5 && ((leafA.ecx >>> i) & 1) === 1)) fixed |= 1n << BigInt(32 + i);
  const pmc = gp >= 32 ? 0xffff_ffffn : (1n << BigInt(gp)) - 1n;
  const metrics = version >= 5 ? PERF_GLOBAL_CTRL.mask.EN_PERF_METRICS : 0n;
  return ~(pmc | fixed | metrics) & 0xffff_ffff_ffff_ffffn;
}

/** IA32_RTIT_CTL (570H), Intel Processor Trace control. Optional fields depend on CPUID leaf 14H. */
export const RTIT_CTL = bitfield({
  name: 'IA32_RTIT_CTL',
  size: 64,
  sdm: RTIT,
  fields: {
    TRACE_EN: { bit: 0, sdmName: 'TraceEn', doc: 'Tracing enabled.', sdm: RTIT },
    CYC_EN: { bit: 1, sdmName: 'CYCEn', doc: 'Cycle-count packets.', sdm: RTIT },
    OS: { bit: 2, sdmName: 'OS', doc: 'Trace at CPL 0.', sdm: RTIT },
    USER: { bit: 3, sdmName: 'User', doc: 'Trace at CPL > 0.', sdm: RTIT },
    PWR_EVT_EN: { bit: 4, sdmName: 'PwrEvtEn', doc: 'Power-event trace packets.', sdm: RTIT },
    FUP_ON_PTW: { bit: 5, sdmName: 'FUPonPTW', doc: 'FUP after PTWRITE packets.', sdm: RTIT },
    FABRIC_EN: { bit: 6, sdmName: 'FabricEn', doc: 'Send trace output to the trace transport subsystem.', sdm: RTIT },
    CR3_FILTER: { bit: 7, sdmName: 'CR3Filter', doc: 'Trace only when CR3 matches IA32_RTIT_CR3_MATCH.', sdm: RTIT },
    TOPA: { bit: 8, sdmName: 'ToPA', doc: 'Output through a table of physical addresses.', sdm: RTIT },
    MTC_EN: { bit: 9, sdmName: 'MTCEn', doc: 'Mini time-counter packets.', sdm: RTIT },
    TSC_EN: { bit: 10, sdmName: 'TSCEn', doc: 'TSC packets.', sdm: RTIT },
    DIS_RETC: { bit: 11, sdmName: 'DisRETC', doc: 'Disable return compression.', sdm: RTIT },
    PTW_EN: { bit: 12, sdmName: 'PTWEn', doc: 'PTWRITE packets.', sdm: RTIT },
    BRANCH_EN: { bit: 13, sdmName: 'BranchEn', doc: 'Control-flow packets.', sdm: RTIT },
    MTC_FREQ: { bit: 14, width: 4, sdmName: 'MTCFreq', doc: 'MTC packet frequency.', sdm: RTIT },
    CYC_THRESH: { bit: 19, width: 4, sdmName: 'CycThresh', doc: 'CYC packet threshold.', sdm: RTIT },
    PSB_FREQ: { bit: 24, width: 4, sdmName: 'PSBFreq', doc: 'PSB packet frequency.', sdm: RTIT },
    EVENT_EN: { bit: 31, sdmName: 'EventEn', doc: 'Event-trace packets (newer processors).', sdm: RTIT },
    ADDR0_CFG: { bit: 32, width: 4, sdmName: 'ADDR0_CFG', doc: 'Use of address range 0.', sdm: RTIT },
    ADDR1_CFG: { bit: 36, width: 4, sdmName: 'ADDR1_CFG', doc: 'Use of address range 1.', sdm: RTIT },
    ADDR2_CFG: { bit: 40, width: 4, sdmName: 'ADDR2_CFG', doc: 'Use of address range 2.', sdm: RTIT },
    ADDR3_CFG: { bit: 44, width: 4, sdmName: 'ADDR3_CFG', doc: 'Use of address range 3.', sdm: RTIT },
    DIS_TNT: { bit: 55, sdmName: 'DisTNT', doc: 'Disable TNT packets (newer processors).', sdm: RTIT },
    INJECT_PSB_PMI_ON_ENABLE: { bit: 56, sdmName: 'InjectPsbPmiOnEnable', doc: 'PSB+ and pending PMI on enable.', sdm: RTIT },
  },
  reserved: (1n << 18n) | (1n << 23n) | (0x7n << 28n) | (0x7fn << 48n) | (0x7fn << 57n),
});

/** IA32_LBR_CTL (14CEH), architectural-LBR control (CPUID.(EAX=07H,ECX=0):EDX[19]). */
export const LBR_CTL = bitfield({
  name: 'IA32_LBR_CTL',
  size: 64,
  sdm: LBR,
  fields: {
    LBR_EN: { bit: 0, sdmName: 'LBREn', doc: 'Record branches.', sdm: LBR },
    OS: { bit: 1, sdmName: 'OS', doc: 'Record branches that end at CPL 0.', sdm: LBR },
    USR: { bit: 2, sdmName: 'USR', doc: 'Record branches that end at CPL > 0.', sdm: LBR },
    CALL_STACK: { bit: 3, sdmName: 'CALL_STACK', doc: 'Call-stack mode.', sdm: LBR },
    COND: { bit: 16, sdmName: 'COND', doc: 'Record conditional branches.', sdm: LBR },
    NEAR_REL_JMP: { bit: 17, sdmName: 'NEAR_REL_JMP', doc: 'Record near relative jumps.', sdm: LBR },
    NEAR_IND_JMP: { bit: 18, sdmName: 'NEAR_IND_JMP', doc: 'Record near indirect jumps.', sdm: LBR },
    NEAR_REL_CALL: { bit: 19, sdmName: 'NEAR_REL_CALL', doc: 'Record near relative calls.', sdm: LBR },
    NEAR_IND_CALL: { bit: 20, sdmName: 'NEAR_IND_CALL', doc: 'Record near indirect calls.', sdm: LBR },
    NEAR_RET: { bit: 21, sdmName: 'NEAR_RET', doc: 'Record near returns.', sdm: LBR },
    OTHER_BRANCH: { bit: 22, sdmName: 'OTHER_BRANCH', doc: 'Record other branches (far transfers, interrupts).', sdm: LBR },
  },
  reserved: 0xffff_ffff_ff80_fff0n,
});

/** The memory types a byte of IA32_PAT may hold: UC, WC, WT, WP, WB, UC- (2, 3 and 8-255 are reserved). */
export const PAT_MEMORY_TYPES: readonly { readonly value: number; readonly name: string }[] = [
  { value: 0, name: 'UC' }, { value: 1, name: 'WC' }, { value: 4, name: 'WT' },
  { value: 5, name: 'WP' }, { value: 6, name: 'WB' }, { value: 7, name: 'UC-' },
];

/** Whether WRMSR would accept `v` for IA32_PAT: every byte one of PAT_MEMORY_TYPES (SDM Vol. 3A §13.12.2). */
export function isValidPat(v: bigint): boolean {
  for (let i = 0n; i < 64n; i += 8n) {
    const t = Number((v >> i) & 0xffn);
    if (!PAT_MEMORY_TYPES.some((m) => m.value === t)) return false;
  }
  return true;
}

/** The SDM reference of IA32_PAT's rule (for messages). */
export const PAT_SDM = PAT_REF;
