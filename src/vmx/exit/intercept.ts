// Whether an instruction executed in VMX non-root operation causes a VM exit, with which basic
// reason and which exit information: the one place the decision is taken. SDM Vol. 3C §26.1.1
// "Relative Priority of Faults and VM Exits", §26.1.2 "Instructions That Cause VM Exits
// Unconditionally", §26.1.3 "Instructions That Cause VM Exits Conditionally", §26.3 "Changes to
// Instruction Behavior in VMX Non-Root Operation" (the #UD of RDTSCP and INVPCID), and the
// VMREAD / VMWRITE operation sections of §31.3 "VMX Instructions" for VMCS shadowing. The exit
// qualification formats are those of §28.2.1 "Basic VM-Exit Information".

import { CR0, CR4 } from '../../arch/cr.ts';
import { RFLAGS } from '../../arch/rflags.ts';
import { QUAL_CR_ACCESS, QUAL_IO, QUAL_MOV_DR } from '../../arch/vmx-info.ts';
import type { CpuHandle } from '../../x86/env.ts';
import { ud } from '../../x86/fault.ts';
import type { DecodedInstruction } from '../../x86/isa/decoded.ts';
import type { Operand } from '../../x86/isa/operands.ts';
import { RegKind, regIndex, regKind } from '../../x86/isa/registers.ts';
import { EXIT_REASON, PRIMARY_CTLS, SECONDARY_CTLS } from '../local-arch.ts';
import { secondaryControls, vmcsGet } from '../vmcs-access.ts';
import { F } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { in64BitMode, memLinearAddress, registerNumber, registerValue } from './guest-values.ts';
import { instructionExitInfo } from './instruction-info.ts';

/** What an instruction-caused VM exit records besides the instruction length. */
export interface InstructionExit {
  readonly reason: number;
  readonly qualification: bigint;
  /** VM-exit instruction information (0 when the reason defines none). */
  readonly info: bigint;
  /** Guest-linear address field, for the exits that define it (LMSW from memory, INS/OUTS). */
  readonly guestLinear?: bigint;
}

/**
 * Instructions that cause VM exits unconditionally in VMX non-root operation and are not VMX
 * instructions (those decide inside their own handlers, where the SDM places the exit among
 * their #UD and #GP checks). SDM Vol. 3C §26.1.2: CPUID, GETSEC, INVD, XSETBV.
 */
const UNCONDITIONAL: ReadonlyMap<string, number> = new Map([
  ['cpuid', EXIT_REASON.CPUID],
  ['getsec', EXIT_REASON.GETSEC],
  ['invd', EXIT_REASON.INVD],
  ['xsetbv', EXIT_REASON.XSETBV],
]);


/**
 * Whether `instructionExit` or `executeChanged` (behaviour.ts) may act on an instruction with
 * this mnemonic: the unconditional and conditional exits, plus RDMSR of the TSC (already
 * listed). The model's fast path skips every other instruction.
 */
export function mayExitOrChange(mnemonic: string): boolean {
  return CONDITIONAL.has(mnemonic) || UNCONDITIONAL.has(mnemonic);
}

const CR0_TS = CR0.mask.TS;
const CR0_PE = CR0.mask.PE;
/** LMSW writes CR0 bits 3:0 (PE, MP, EM, TS). */
const LMSW_BITS = CR0.of('PE', 'MP', 'EM', 'TS');
const CR4_PCE = Number(CR4.mask.PCE);
const CR4_TSD = Number(CR4.mask.TSD);

/** Why an exit is "none": the executor runs the instruction (raising its own faults). */
const NONE = null;

function exitOf(reason: number, qualification = 0n, info = 0n, guestLinear?: bigint): InstructionExit {
  return guestLinear === undefined ? { reason, qualification, info } : { reason, qualification, info, guestLinear };
}

/** The controls of the current VMCS that decide instruction exits. */
function primary(vmcs: ActiveVmcs, name: string): boolean {
  return PRIMARY_CTLS.has(vmcsGet(vmcs, F.CPU_BASED_VM_EXEC_CONTROL), name);
}
function secondary(vmcs: ActiveVmcs, name: string): boolean {
  return SECONDARY_CTLS.has(secondaryControls(vmcs), name);
}

type Decider = (cpu: CpuHandle, insn: DecodedInstruction, vmcs: ActiveVmcs) => InstructionExit | null;

/** An exit decided by one primary control, at CPL 0 only when `cpl0` (privilege faults win, §26.1.1). */
function byPrimary(control: string, reason: number, cpl0: boolean): Decider {
  return (cpu, _insn, vmcs) => ((!cpl0 || cpu.state.cpl === 0) && primary(vmcs, control) ? exitOf(reason) : NONE);
}

/** RDTSC and RDTSCP: the CR4.TSD #GP at CPL > 0 comes first. */
function tscExit(reason: number): Decider {
  return (cpu, _insn, vmcs) => {
    const s = cpu.state;
    if (s.cpl > 0 && (s.cr4 & CR4_TSD) !== 0) return NONE;
    return primary(vmcs, 'CPU_BASED_RDTSC_EXITING') ? exitOf(reason) : NONE;
  };
}

/** Descriptor-table exiting: LGDT LIDT SGDT SIDT (reason 46), LLDT LTR SLDT STR (47), with the information of Tables 28-10 / 28-11. */
function descriptorExit(reason: number): Decider {
  return (cpu, insn, vmcs) => {
    if (!secondary(vmcs, 'SECONDARY_EXEC_DESC')) return NONE;
    const { qualification, info } = instructionExitInfo(insn, cpu.state.rip + insn.length);
    return exitOf(reason, qualification, info);
  };
}

/** RDRAND / RDSEED exiting, with the register and operand size of Table 28-12. */
function randomExit(control: string, reason: number): Decider {
  return (cpu, insn, vmcs) => (secondary(vmcs, control) ? exitOf(reason, 0n, instructionExitInfo(insn, cpu.state.rip + insn.length).info) : NONE);
}

const invlpgExit: Decider = (cpu, insn, vmcs) => {
  const s = cpu.state;
  if (s.cpl !== 0 || !primary(vmcs, 'CPU_BASED_INVLPG_EXITING')) return NONE;
  // §28.2.1: the qualification is the linear-address operand (bits 63:32 clear outside 64-bit mode).
  const op = insn.operands[0];
  return exitOf(EXIT_REASON.INVLPG, op?.kind === 'mem' ? memLinearAddress(s, op, s.rip + insn.length) : 0n);
};

const rdpmcExit: Decider = (cpu, _insn, vmcs) => {
  const s = cpu.state;
  if (s.cpl > 0 && (s.cr4 & CR4_PCE) === 0) return NONE;
  return primary(vmcs, 'CPU_BASED_RDPMC_EXITING') ? exitOf(EXIT_REASON.RDPMC) : NONE;
};

const rdtscpExit: Decider = (cpu, insn, vmcs) => {
  // §26.3: with "enable RDTSCP" = 0, RDTSCP raises #UD.
  if (!secondary(vmcs, 'SECONDARY_EXEC_ENABLE_RDTSCP')) throw ud('RDTSCP in VMX non-root operation with "enable RDTSCP" = 0 (SDM Vol. 3C §26.3)');
  return tscExit(EXIT_REASON.RDTSCP)(cpu, insn, vmcs);
};

const cltsExit: Decider = (cpu, _insn, vmcs) => {
  if (cpu.state.cpl !== 0) return NONE;
  // §26.1.3: CLTS exits when CR0.TS is set in both the guest/host mask and the read shadow.
  const owned = (vmcsGet(vmcs, F.CR0_GUEST_HOST_MASK) & vmcsGet(vmcs, F.CR0_READ_SHADOW) & CR0_TS) !== 0n;
  return owned ? exitOf(EXIT_REASON.CR_ACCESS, QUAL_CR_ACCESS.set(0n, 'ACCESS_TYPE', 2n)) : NONE;
};

const msrExit: Decider = (cpu, insn, vmcs) => {
  if (cpu.state.cpl !== 0) return NONE;
  const write = insn.mnemonic === 'wrmsr';
  return msrExits(cpu, vmcs, Number(cpu.state.getGpr64(1) & 0xffff_ffffn), write) ? exitOf(write ? EXIT_REASON.MSR_WRITE : EXIT_REASON.MSR_READ) : NONE;
};

const invpcidExit: Decider = (cpu, insn, vmcs) => {
  // §26.3: with "enable INVPCID" = 0, INVPCID raises #UD; else it exits with "INVLPG exiting".
  if (!secondary(vmcs, 'SECONDARY_EXEC_ENABLE_INVPCID')) throw ud('INVPCID in VMX non-root operation with "enable INVPCID" = 0 (SDM Vol. 3C §26.3)');
  if (cpu.state.cpl !== 0 || !primary(vmcs, 'CPU_BASED_INVLPG_EXITING')) return NONE;
  const { qualification, info } = instructionExitInfo(insn, cpu.state.rip + insn.length);
  return exitOf(EXIT_REASON.INVPCID, qualification, info);
};

const wbinvdExit: Decider = (cpu, _insn, vmcs) => (cpu.state.cpl === 0 && secondary(vmcs, 'SECONDARY_EXEC_WBINVD_EXITING') ? exitOf(EXIT_REASON.WBINVD) : NONE);
const lmswDecider: Decider = (cpu, insn, vmcs) => (cpu.state.cpl === 0 ? lmswExit(cpu, insn, vmcs) : NONE);
const ioDecider: Decider = (cpu, insn, vmcs) => ioExit(cpu, insn, vmcs);
const movDecider: Decider = (cpu, insn, vmcs) => movExit(cpu, insn, vmcs);

/** Instructions whose exit depends on the controls (§26.1.3), each with its decider. */
const CONDITIONAL: ReadonlyMap<string, Decider> = new Map<string, Decider>([
  ['hlt', byPrimary('CPU_BASED_HLT_EXITING', EXIT_REASON.HLT, true)],
  ['invlpg', invlpgExit],
  ['mwait', byPrimary('CPU_BASED_MWAIT_EXITING', EXIT_REASON.MWAIT, true)],
  ['monitor', byPrimary('CPU_BASED_MONITOR_EXITING', EXIT_REASON.MONITOR, true)],
  ['rdpmc', rdpmcExit],
  ['rdtsc', tscExit(EXIT_REASON.RDTSC)],
  ['rdtscp', rdtscpExit],
  ['mov', movDecider],
  ['clts', cltsExit],
  ['lmsw', lmswDecider],
  ...['in', 'out', 'insb', 'insw', 'insd', 'outsb', 'outsw', 'outsd'].map((m) => [m, ioDecider] as const),
  ['rdmsr', msrExit],
  ['wrmsr', msrExit],
  ['pause', byPrimary('CPU_BASED_PAUSE_EXITING', EXIT_REASON.PAUSE, false)],
  ['wbinvd', wbinvdExit],
  ['wbnoinvd', wbinvdExit],
  ['invpcid', invpcidExit],
  ['rdrand', randomExit('SECONDARY_EXEC_RDRAND_EXITING', EXIT_REASON.RDRAND)],
  ['rdseed', randomExit('SECONDARY_EXEC_RDSEED_EXITING', EXIT_REASON.RDSEED)],
  ...['lgdt', 'lidt', 'sgdt', 'sidt'].map((m) => [m, descriptorExit(EXIT_REASON.GDTR_IDTR)] as const),
  ...['lldt', 'ltr', 'sldt', 'str'].map((m) => [m, descriptorExit(EXIT_REASON.LDTR_TR)] as const),
]);

/**
 * The basic exit reason and exit information an instruction causes before it executes in
 * non-root operation, or null when it executes (possibly with the changed behaviour of §26.3,
 * see behaviour.ts). Exceptions that have priority over the exit (§26.1.1: #UD, faults based on
 * privilege level) are left to the executor by answering null; the two #UD cases that only VMX
 * non-root operation creates (RDTSCP, INVPCID not enabled) are thrown here.
 */
export function instructionExit(cpu: CpuHandle, insn: DecodedInstruction, vmcs: ActiveVmcs): InstructionExit | null {
  const unconditional = UNCONDITIONAL.get(insn.mnemonic);
  if (unconditional !== undefined) return exitOf(unconditional);
  const decide = CONDITIONAL.get(insn.mnemonic);
  return decide === undefined ? NONE : decide(cpu, insn, vmcs);
}

function isKind(op: Operand | undefined, kind: number): op is { kind: 'reg'; reg: number } {
  return op?.kind === 'reg' && regKind(op.reg) === kind;
}

/** MOV to/from CR0, CR3, CR4, CR8 and MOV DR (§26.1.3). */
function movExit(cpu: CpuHandle, insn: DecodedInstruction, vmcs: ActiveVmcs): InstructionExit | null {
  const [dst, src] = insn.operands;
  const s = cpu.state;
  if (isKind(dst, RegKind.DR) || isKind(src, RegKind.DR)) {
    // MOV-DR exits take priority over #GP for CPL > 0 and #UD for DR4/DR5 with CR4.DE (§26.1.3).
    if (!primary(vmcs, 'CPU_BASED_MOV_DR_EXITING')) return NONE;
    const toDr = isKind(dst, RegKind.DR);
    let q = QUAL_MOV_DR.set(0n, 'DR', BigInt(registerNumber(toDr ? dst : src)));
    q = QUAL_MOV_DR.set(q, 'DIRECTION', !toDr);
    q = QUAL_MOV_DR.set(q, 'GPR', BigInt(registerNumber(toDr ? src : dst)));
    return exitOf(EXIT_REASON.DR_ACCESS, q);
  }
  const toCr = isKind(dst, RegKind.CR);
  if (!toCr && !isKind(src, RegKind.CR)) return NONE;
  if (s.cpl !== 0) return NONE;
  const cr = registerNumber(toCr ? dst : src);
  const gpr = toCr ? src : dst;
  let exits = false;
  if (toCr) {
    const value = registerValue(s, gpr);
    switch (cr) {
      case 0: exits = ((value ^ vmcsGet(vmcs, F.CR0_READ_SHADOW)) & vmcsGet(vmcs, F.CR0_GUEST_HOST_MASK)) !== 0n; break;
      case 4: exits = ((value ^ vmcsGet(vmcs, F.CR4_READ_SHADOW)) & vmcsGet(vmcs, F.CR4_GUEST_HOST_MASK)) !== 0n; break;
      case 3: exits = primary(vmcs, 'CPU_BASED_CR3_LOAD_EXITING') && !isCr3Target(vmcs, value); break;
      case 8: exits = primary(vmcs, 'CPU_BASED_CR8_LOAD_EXITING'); break;
    }
  } else {
    if (cr === 3) exits = primary(vmcs, 'CPU_BASED_CR3_STORE_EXITING');
    else if (cr === 8) exits = primary(vmcs, 'CPU_BASED_CR8_STORE_EXITING');
  }
  if (!exits) return NONE;
  let q = QUAL_CR_ACCESS.set(0n, 'CR', BigInt(cr));
  q = QUAL_CR_ACCESS.set(q, 'ACCESS_TYPE', toCr ? 0n : 1n);
  q = QUAL_CR_ACCESS.set(q, 'GPR', BigInt(registerNumber(gpr)));
  return exitOf(EXIT_REASON.CR_ACCESS, q);
}

const CR3_TARGETS = [F.CR3_TARGET_VALUE0, F.CR3_TARGET_VALUE1, F.CR3_TARGET_VALUE2, F.CR3_TARGET_VALUE3];

/** Whether a MOV to CR3 loads one of the first CR3_TARGET_COUNT CR3-target values (§26.1.3). */
function isCr3Target(vmcs: ActiveVmcs, value: bigint): boolean {
  const n = Math.min(Number(vmcsGet(vmcs, F.CR3_TARGET_COUNT)), CR3_TARGETS.length);
  for (let i = 0; i < n; i++) if (vmcsGet(vmcs, CR3_TARGETS[i]!) === value) return true;
  return false;
}

/**
 * LMSW (§26.1.3): exits when CR0.PE is owned (mask), clear in the read shadow and set in the
 * source, or when any of MP, EM, TS is owned and the source differs from the shadow there.
 */
export function lmswExit(cpu: CpuHandle, insn: DecodedInstruction, vmcs: ActiveVmcs): InstructionExit | null {
  const op = insn.operands[0];
  const s = cpu.state;
  let source: bigint;
  let linear: bigint | undefined;
  if (op?.kind === 'mem') {
    linear = memLinearAddress(s, op, s.rip + insn.length);
    source = cpu.readMem(op.seg === null ? 3 : regIndex(op.seg), Number(linear & 0xffff_ffffn), 2);
  } else {
    source = registerValue(s, op) & 0xffffn;
  }
  const mask = vmcsGet(vmcs, F.CR0_GUEST_HOST_MASK);
  const shadow = vmcsGet(vmcs, F.CR0_READ_SHADOW);
  const pe = (mask & CR0_PE) !== 0n && (shadow & CR0_PE) === 0n && (source & CR0_PE) !== 0n;
  const others = (mask & (LMSW_BITS & ~CR0_PE) & (source ^ shadow)) !== 0n;
  if (!pe && !others) return NONE;
  let q = QUAL_CR_ACCESS.set(0n, 'ACCESS_TYPE', 3n);
  q = QUAL_CR_ACCESS.set(q, 'LMSW_MEMORY', op?.kind === 'mem');
  q = QUAL_CR_ACCESS.set(q, 'LMSW_SOURCE', source & 0xffffn);
  return exitOf(EXIT_REASON.CR_ACCESS, q, 0n, linear);
}

/** Size in bytes of an I/O instruction's access. */
function ioSize(insn: DecodedInstruction): 1 | 2 | 4 {
  const m = insn.mnemonic;
  if (m === 'in') return regSizeOf(insn.operands[0]);
  if (m === 'out') return regSizeOf(insn.operands[1]);
  const last = m[m.length - 1];
  return last === 'b' ? 1 : last === 'w' ? 2 : 4;
}

function regSizeOf(op: Operand | undefined): 1 | 2 | 4 {
  if (op?.kind !== 'reg') return 1;
  const k = regKind(op.reg);
  return k === RegKind.GPR32 || k === RegKind.GPR64 ? 4 : k === RegKind.GPR16 ? 2 : 1;
}

/**
 * I/O instructions (§26.1.3): with "use I/O bitmaps" = 1 the bitmaps decide (bitmap A: ports
 * 0000-7FFF, bitmap B: 8000-FFFF; an access exits when the bit of any port it touches is set,
 * or when it wraps past FFFF); otherwise "unconditional I/O exiting" decides. At CPL > IOPL in
 * protected mode the TSS I/O-permission check has priority (§26.1.1): the lab then leaves the
 * instruction to the executor (see decision 0020).
 */
function ioExit(cpu: CpuHandle, insn: DecodedInstruction, vmcs: ActiveVmcs): InstructionExit | null {
  const s = cpu.state;
  const m = insn.mnemonic;
  const size = ioSize(insn);
  const isIn = m === 'in' || m.startsWith('ins');
  const string = m !== 'in' && m !== 'out';
  const portOp = m === 'in' ? insn.operands[1] : m === 'out' ? insn.operands[0] : undefined;
  const immediate = portOp?.kind === 'imm';
  const port = immediate ? Number(portOp.value & 0xffn) : Number(s.getGpr64(2) & 0xffffn);
  // A #GP from the I/O permission check (CPL > IOPL, or virtual-8086 mode, and the TSS bitmap
  // denies) has priority over the exit (§26.1.1): the executor raises it.
  if (!cpu.ioPermitted(port, size)) return NONE;
  if (!ioPortsExit(cpu, vmcs, port, size)) return NONE;
  let q = QUAL_IO.set(0n, 'SIZE', BigInt(size - 1));
  q = QUAL_IO.set(q, 'IN', isIn);
  q = QUAL_IO.set(q, 'STRING', string);
  q = QUAL_IO.set(q, 'REP', string && insn.prefixes.rep !== null);
  q = QUAL_IO.set(q, 'IMMEDIATE', immediate);
  q = QUAL_IO.set(q, 'PORT', BigInt(port));
  return exitOf(EXIT_REASON.IO_INSTRUCTION, q);
}

/** Whether an access of `size` bytes at `port` exits under the controls (§26.1.3, §25.6.4 "I/O-Bitmap Addresses"). */
export function ioPortsExit(cpu: CpuHandle, vmcs: ActiveVmcs, port: number, size: number): boolean {
  if (!primary(vmcs, 'CPU_BASED_USE_IO_BITMAPS')) return primary(vmcs, 'CPU_BASED_UNCOND_IO_EXITING');
  if (port + size - 1 > 0xffff) return true;
  for (let p = port; p < port + size; p++) {
    const base = vmcsGet(vmcs, p < 0x8000 ? F.IO_BITMAP_A : F.IO_BITMAP_B);
    const bit = p & 0x7fff;
    if ((Number(cpu.readPhys(Number(base) + (bit >> 3), 1)) >> (bit & 7)) & 1) return true;
  }
  return false;
}

/**
 * RDMSR/WRMSR (§26.1.3, §25.6.9 "MSR-Bitmap Address"): without "use MSR bitmaps" every access
 * exits; with it, ECX in 00000000-00001FFF uses the low read (offset 0) / write (2048) bitmap,
 * ECX in C0000000-C0001FFF the high read (1024) / write (3072) bitmap; any other ECX exits.
 */
export function msrExits(cpu: CpuHandle, vmcs: ActiveVmcs, ecx: number, write: boolean): boolean {
  if (!primary(vmcs, 'CPU_BASED_USE_MSR_BITMAPS')) return true;
  let offset: number;
  if (ecx >= 0 && ecx <= 0x1fff) offset = write ? 2048 : 0;
  else if (ecx >= 0xc000_0000 && ecx <= 0xc000_1fff) offset = write ? 3072 : 1024;
  else return true;
  const bit = ecx & 0x1fff;
  const byte = cpu.readPhys(Number(vmcsGet(vmcs, F.MSR_BITMAP)) + offset + (bit >> 3), 1);
  return ((Number(byte) >> (bit & 7)) & 1) === 1;
}

/** Whether the guest is in 64-bit mode (CR8 exists only there). Re-exported for the behaviour module. */
export { in64BitMode };

/**
 * VMREAD/VMWRITE in VMX non-root operation exit when "VMCS shadowing" is 0, when the encoding
 * sets any bit in 63:15, or when the bit for encoding bits 14:0 is set in the VMREAD (VMWRITE)
 * bitmap. SDM Vol. 3C §31.3 "VMX Instructions" (VMREAD, VMWRITE operation sections) and §25.6.15
 * "VMCS Shadowing Bitmap Addresses".
 */
export function vmcsAccessExits(cpu: CpuHandle, vmcs: ActiveVmcs, which: 'vmread' | 'vmwrite', encoding: bigint): boolean {
  if (!SECONDARY_CTLS.has(secondaryControls(vmcs), 'SECONDARY_EXEC_SHADOW_VMCS')) return true;
  if (encoding >> 15n !== 0n) return true;
  const bitmap = vmcsGet(vmcs, which === 'vmread' ? F.VMREAD_BITMAP : F.VMWRITE_BITMAP);
  const e = Number(encoding);
  const byte = cpu.readPhys(Number(bitmap) + (e >> 3), 1);
  return ((byte >> BigInt(e & 7)) & 1n) === 1n;
}
