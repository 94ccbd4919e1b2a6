// Loading host state at VM exit and after a VM-entry failure (SDM Vol. 3C §28.5 "Loading Host
// State": §28.5.1 control registers, debug registers and MSRs; §28.5.2 segment and
// descriptor-table registers; §28.5.3 page-directory-pointer-table entries (PAE hosts only, which
// the lab does not run); RIP, RSP and RFLAGS per §28.5 intro).

import { CR0 } from '../../arch/cr.ts';
import { EFER } from '../../arch/efer.ts';
import { MSR } from '../../arch/msrs.ts';
import { RFLAGS_FIXED1 } from '../../arch/rflags.ts';
import { ACCESS_RIGHTS } from '../../arch/segments.ts';
import { SegIndex, type CpuState } from '../../x86/state.ts';
import type { VmxCaps } from '../caps.ts';
import { EXIT_CTLS } from '../local-arch.ts';
import { valuesOf } from '../vmcs-values.ts';
import { X } from '../vmcs-fields.ts';
import type { ActiveVmcs } from '../vmx-state.ts';
import { writeMsr, writeMsrFromField } from './cpu-values.ts';
import { HOST_SELECTOR_IX } from './segment-fields.ts';

/** DR7 after a VM exit (§28.5.1): 400H. */
const DR7_AFTER_EXIT = 0x400n;

/**
 * CR0 bits a VM exit leaves unchanged (§28.5.1): ET, CD, NW, bits 63:32, 28:19, 17, 15:6, and
 * every bit fixed in VMX operation. The rest comes from the host CR0 field. As a number: the
 * processor keeps CR0 in 32 bits.
 */
function cr0Kept(caps: VmxCaps): number {
  // The capability MSRs are read live (the learner may edit them): memoized on their values.
  const f0 = caps.cr0Fixed0;
  const f1 = caps.cr0Fixed1;
  if (f0 !== lastFixed0 || f1 !== lastFixed1 || lastKept === undefined) {
    lastKept = Number(cr0KeptOf(f0, f1) & 0xffff_ffffn);
    lastFixed0 = f0;
    lastFixed1 = f1;
  }
  return lastKept;
}

let lastFixed0 = 0n;
let lastFixed1 = 0n;
let lastKept: number | undefined;

/** CR4 bits a VM exit leaves unchanged (§28.5.1: the bits fixed in VMX operation), as a 32-bit number, memoized likewise. */
function cr4Kept(caps: VmxCaps): number {
  const f0 = caps.cr4Fixed0;
  const f1 = caps.cr4Fixed1;
  if (f0 !== lastCr4Fixed0 || f1 !== lastCr4Fixed1 || lastCr4Kept === undefined) {
    lastCr4Kept = Number((f0 | ~f1) & 0xffff_ffffn);
    lastCr4Fixed0 = f0;
    lastCr4Fixed1 = f1;
  }
  return lastCr4Kept;
}

let lastCr4Fixed0 = 0n;
let lastCr4Fixed1 = 0n;
let lastCr4Kept: number | undefined;

function cr0KeptOf(cr0Fixed0: bigint, cr0Fixed1: bigint): bigint {
  // Bits 28:19, 17 and 15:6 are reserved in CR0; the SDM lists them by number (§28.5.1).
  const reservedLow = bitRange(19, 28) | bitRange(17, 17) | bitRange(6, 15);
  // Implementation choice: "bits fixed in VMX operation" keep their fixed value, which the host
  // CR0 field already holds (VM entry checked it against FIXED0/FIXED1, §27.2.2). Taking them from
  // the field rather than from the current CR0 matters after a guest that ran with PE or PG clear
  // under "unrestricted guest": the host gets PE = PG = 1 back, as on hardware (Bochs and KVM load
  // PE and PG from the host field too).
  const fixed = (cr0Fixed0 | ~cr0Fixed1) & ~CR0.of('PE', 'PG');
  return CR0.of('ET', 'CD', 'NW') | reservedLow | 0xffff_ffff_0000_0000n | fixed;
}

function bitRange(lo: number, hi: number): bigint {
  return ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo);
}

/** Builds VMX access rights from named fields. */
function ar(fields: { type: bigint; s: boolean; l?: boolean; db?: boolean; g: boolean }): number {
  let v = ACCESS_RIGHTS.set(0n, 'TYPE', fields.type);
  v = ACCESS_RIGHTS.set(v, 'S', fields.s);
  v = ACCESS_RIGHTS.set(v, 'P', true);
  v = ACCESS_RIGHTS.set(v, 'L', fields.l ?? false);
  v = ACCESS_RIGHTS.set(v, 'DB', fields.db ?? false);
  v = ACCESS_RIGHTS.set(v, 'G', fields.g);
  return Number(v);
}

const UNUSABLE = Number(ACCESS_RIGHTS.mask.UNUSABLE);
/** Segment types the SDM gives the host segments (§28.5.2): code execute/read accessed, data read/write accessed, busy 64-bit TSS. */
const TYPE_CODE = 11n;
const TYPE_DATA = 3n;
const TYPE_BUSY_TSS = 11n;
/** The access rights §28.5.2 gives CS (64-bit host: L = 1; else D/B = 1), SS/DS/ES/FS/GS and TR. */
const AR_CODE64 = ar({ type: TYPE_CODE, s: true, l: true, db: false, g: true });
const AR_CODE32 = ar({ type: TYPE_CODE, s: true, l: false, db: true, g: true });
const AR_DATA = ar({ type: TYPE_DATA, s: true, db: true, g: true });
const AR_TSS = ar({ type: TYPE_BUSY_TSS, s: false, g: false });

// Control and flag bits as numbers, from the arch tables (all lie below bit 32).
const HOST_64 = Number(EXIT_CTLS.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE);
const LOAD_PERF = Number(EXIT_CTLS.mask.VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL);
const LOAD_PAT = Number(EXIT_CTLS.mask.VM_EXIT_LOAD_IA32_PAT);
const LOAD_EFER = Number(EXIT_CTLS.mask.VM_EXIT_LOAD_IA32_EFER);
const EFER_LMA_LME = Number(EFER.of('LMA', 'LME'));
const RFLAGS_AFTER_EXIT = Number(RFLAGS_FIXED1);
const DATA_SLOTS = [SegIndex.SS, SegIndex.DS, SegIndex.ES, SegIndex.FS, SegIndex.GS] as const;

/** Loads the host-state area of `vmcs` into the processor. */
export function loadHostState(s: CpuState, vmcs: ActiveVmcs, caps: VmxCaps): void {
  const v = valuesOf(vmcs);
  const exit = v.u32(X.VM_EXIT_CONTROLS);
  const host64 = (exit & HOST_64) !== 0;

  // §28.5.1: CR0, CR3, CR4 (fixed bits and the bits listed above unchanged), DR7, IA32_DEBUGCTL,
  // SYSENTER MSRs, FS/GS bases, IA32_PERF_GLOBAL_CTRL, IA32_PAT, IA32_EFER.
  const keep0 = cr0Kept(caps);
  s.cr0 = ((s.cr0 & keep0) | (v.u32(X.HOST_CR0) & ~keep0)) >>> 0;
  s.cr3 = v.num(X.HOST_CR3);
  const keep4 = cr4Kept(caps);
  s.cr4 = ((s.cr4 & keep4) | (v.u32(X.HOST_CR4) & ~keep4)) >>> 0;
  s.dr[7] = DR7_AFTER_EXIT;
  if (s.msrs.get(MSR.IA32_DEBUGCTL) !== 0n) writeMsr(s, MSR.IA32_DEBUGCTL, 0n);
  writeMsrFromField(s, MSR.IA32_SYSENTER_CS, v, X.HOST_IA32_SYSENTER_CS);
  writeMsrFromField(s, MSR.IA32_SYSENTER_ESP, v, X.HOST_IA32_SYSENTER_ESP);
  writeMsrFromField(s, MSR.IA32_SYSENTER_EIP, v, X.HOST_IA32_SYSENTER_EIP);
  if ((exit & LOAD_PERF) !== 0) writeMsrFromField(s, MSR.IA32_PERF_GLOBAL_CTRL, v, X.HOST_IA32_PERF_GLOBAL_CTRL);
  if ((exit & LOAD_PAT) !== 0) writeMsrFromField(s, MSR.IA32_PAT, v, X.HOST_IA32_PAT);
  if ((exit & LOAD_EFER) !== 0) {
    s.efer = v.u32(X.HOST_IA32_EFER);
  } else {
    // LMA and LME take the "host address-space size" VM-exit control.
    s.efer = (host64 ? s.efer | EFER_LMA_LME : s.efer & ~EFER_LMA_LME) >>> 0;
  }

  // §28.5.2: selectors from the host fields (RPL and TI cleared); fixed attributes.
  for (let k = 0; k < HOST_SELECTOR_IX.length; k++) {
    const pair = HOST_SELECTOR_IX[k]!;
    const slot = pair[0];
    const ix = pair[1];
    s.segSel[slot] = v.u32(ix) & 0xfff8;
  }
  s.segBase[SegIndex.CS] = 0;
  s.segLimit[SegIndex.CS] = 0xffff_ffff;
  s.segAr[SegIndex.CS] = host64 ? AR_CODE64 : AR_CODE32;
  for (let k = 0; k < DATA_SLOTS.length; k++) {
    const slot = DATA_SLOTS[k]!;
    // A null selector leaves the register unusable, except SS (§28.5.2: SS stays usable in 64-bit mode).
    const usable = s.segSel[slot] !== 0 || slot === SegIndex.SS;
    s.segBase[slot] = 0;
    s.segLimit[slot] = 0xffff_ffff;
    s.segAr[slot] = AR_DATA | (usable ? 0 : UNUSABLE);
  }
  s.segBase[SegIndex.FS] = v.signed(X.HOST_FS_BASE);
  s.segBase[SegIndex.GS] = v.signed(X.HOST_GS_BASE);
  s.segBase[SegIndex.TR] = v.signed(X.HOST_TR_BASE);
  s.segLimit[SegIndex.TR] = 0x67;
  s.segAr[SegIndex.TR] = AR_TSS;
  s.segSel[SegIndex.LDTR] = 0;
  s.segBase[SegIndex.LDTR] = 0;
  s.segLimit[SegIndex.LDTR] = 0;
  s.segAr[SegIndex.LDTR] = UNUSABLE;
  s.gdtrBase = v.signed(X.HOST_GDTR_BASE);
  s.gdtrLimit = 0xffff;
  s.idtrBase = v.signed(X.HOST_IDTR_BASE);
  s.idtrLimit = 0xffff;

  // §28.5 intro: RIP and RSP from the host fields; RFLAGS cleared except bit 1.
  s.rip = v.signed(X.HOST_RIP);
  s.gpr[8] = v.lo[X.HOST_RSP]!;
  s.gpr[9] = v.hi[X.HOST_RSP]!;
  s.rflags = RFLAGS_AFTER_EXIT;
  s.activity = 'active';
  s.shadowUntil = -1;
}
