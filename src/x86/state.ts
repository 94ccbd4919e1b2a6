// The architectural state of one x86-64 logical processor (SDM Vol. 1 §3.4 "Basic Program
// Execution Registers", Vol. 3A §2.5 "Control Registers", §3.4.3 "Segment Registers").
// Everything is plain numbers and typed arrays so a snapshot is a handful of array copies:
// the machine keeps thousands of them for step-back. BigInt appears only in MSR storage.

/** Index of each segment register in `CpuState.seg*` arrays (ES..GS in Sreg encoding order). */
export const SegIndex = { ES: 0, CS: 1, SS: 2, DS: 3, FS: 4, GS: 5, LDTR: 6, TR: 7 } as const;
export type SegIndex = (typeof SegIndex)[keyof typeof SegIndex];

/** Names of the segment slots, in `SegIndex` order. */
export const SEG_SLOT_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'] as const;

// Segment access rights are kept in the VMX access-rights format (SDM Vol. 3C §25.4.1 "Guest
// Register State"; `ACCESS_RIGHTS` in src/arch/segments.ts): descriptor bits 47:40 in bits 7:0,
// bits 55:52 in 15:12, and bit 16 "unusable" for a register loaded with a null selector. The
// VMX layer reads and writes them without conversion.

/** Whether the processor is stopped and why (SDM Vol. 3C §25.4.2 "Guest Non-Register State": activity state). */
export type Activity = 'active' | 'halted' | 'shutdown';

/**
 * CPU state. GPRs are 16 (lo, hi) 32-bit pairs; RIP and other linear addresses are JS numbers
 * holding the sign-extended canonical address (exact for |addr| < 2^53: every 48-bit canonical
 * address, and 57-bit ones below 2^53 in magnitude). Physical addresses are non-negative numbers.
 */
export class CpuState {
  /** RAX..R15 as pairs: gpr[2*i] = bits 31:0, gpr[2*i+1] = bits 63:32. */
  readonly gpr = new Uint32Array(32);
  /** Instruction pointer (signed canonical linear address, or the 32/16-bit IP outside 64-bit mode). */
  rip = 0;
  /** RFLAGS bits 31:0 (bits 63:32 are reserved and always zero, SDM Vol. 1 §3.4.3.4 "RFLAGS Register in 64-Bit Mode"). */
  rflags = 0x2;

  /** CR0 (bits 63:32 reserved; kept in 32 bits). */
  cr0 = 0x60000010;
  /** CR2: page-fault linear address (signed canonical number). */
  cr2 = 0;
  /** CR3: physical base of the top paging structure plus PCD/PWT/PCID bits (< 2^53). */
  cr3 = 0;
  /** CR4 (all defined bits lie below 32). */
  cr4 = 0;
  /** CR8: task-priority class, bits 3:0 (SDM Vol. 3A §11.8.6.1 "Interaction of Task Priorities between CR8 and APIC"). */
  cr8 = 0;
  /** IA32_EFER bits 31:0 (bits above 11 are reserved). */
  efer = 0;
  /** DR0..DR7 (DR4/DR5 alias DR6/DR7 when CR4.DE = 0; kept as distinct slots only for indices 0-3, 6, 7). */
  readonly dr = new BigUint64Array(8);

  /** Segment selectors, indexed by SegIndex. */
  readonly segSel = new Uint16Array(8);
  /** Segment base addresses (signed canonical numbers for FS/GS/TR/LDTR in 64-bit mode). */
  readonly segBase = new Float64Array(8);
  /** Segment limits, byte-granular (already scaled by G). */
  readonly segLimit = new Uint32Array(8);
  /** Access rights in VMX format (see `AR`). */
  readonly segAr = new Uint32Array(8);

  gdtrBase = 0;
  gdtrLimit = 0xffff;
  idtrBase = 0;
  idtrLimit = 0xffff;

  /** IA32_KERNEL_GS_BASE (swapped with GS.base by SWAPGS). */
  kernelGsBase = 0;
  /** TSC = tscOffset + retired instruction count (one tick per instruction; deterministic). */
  tscOffset = 0n;
  /** Instructions retired since reset (drives the TSC and the event log's step numbers). */
  icount = 0;
  /** Every other MSR the executor keeps (IA32_FEATURE_CONTROL, PAT, STAR, SYSENTER_*, TSC_AUX, ...). */
  msrs = new Map<number, bigint>();
  /** XCR0 (SDM Vol. 1 §13.3 "Enabling the XSAVE Feature Set and XSAVE-Enabled Features"). */
  xcr0 = 1;

  activity: Activity = 'active';
  /**
   * Interrupt shadow left by STI or MOV SS/POP SS (SDM Vol. 3A §6.8.3 "Masking Exceptions and
   * Interrupts When Switching Stacks"). MOV SS/POP SS set it to the retiring instruction's
   * count + 1 and STI to count + 2, so right after either retires, `shadowUntil === icount`
   * means "blocking by MOV SS" and `shadowUntil === icount + 1` "blocking by STI" (the VMX
   * layer saves and restores the guest interruptibility state this way). -1: none.
   */
  shadowUntil = -1;
  /**
   * Blocking by NMI: an NMI was delivered (or a VM exit was caused by one) and no IRET has
   * unblocked NMIs since (SDM Vol. 3A §6.7.1 "Handling Multiple NMIs"; src/x86/external.ts).
   */
  nmiBlocked = false;

  constructor() {
    // DR6 and DR7 reset values (SDM Vol. 3A §10.1.1 "Processor State After Reset", Table 10-1).
    this.dr[6] = 0xffff0ff0n;
    this.dr[7] = 0x400n;
  }

  /** A deep copy (typed arrays copied, the MSR map cloned). */
  clone(): CpuState {
    const c = new CpuState();
    c.copyFrom(this);
    return c;
  }

  /** Overwrites this state with `o` (the machine restores snapshots in place). */
  copyFrom(o: CpuState): void {
    this.gpr.set(o.gpr);
    this.rip = o.rip;
    this.rflags = o.rflags;
    this.cr0 = o.cr0;
    this.cr2 = o.cr2;
    this.cr3 = o.cr3;
    this.cr4 = o.cr4;
    this.cr8 = o.cr8;
    this.efer = o.efer;
    this.dr.set(o.dr);
    this.segSel.set(o.segSel);
    this.segBase.set(o.segBase);
    this.segLimit.set(o.segLimit);
    this.segAr.set(o.segAr);
    this.gdtrBase = o.gdtrBase;
    this.gdtrLimit = o.gdtrLimit;
    this.idtrBase = o.idtrBase;
    this.idtrLimit = o.idtrLimit;
    this.kernelGsBase = o.kernelGsBase;
    this.tscOffset = o.tscOffset;
    this.icount = o.icount;
    this.msrs = new Map(o.msrs);
    this.xcr0 = o.xcr0;
    this.activity = o.activity;
    this.shadowUntil = o.shadowUntil;
    this.nmiBlocked = o.nmiBlocked;
  }

  /** A 64-bit GPR as a bigint (for panels, tests and the CLI; never on the hot path). */
  getGpr64(i: number): bigint {
    return (BigInt(this.gpr[2 * i + 1]) << 32n) | BigInt(this.gpr[2 * i]);
  }

  /** Sets a 64-bit GPR from a bigint (masked to 64 bits). */
  setGpr64(i: number, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.gpr[2 * i] = Number(u & 0xffffffffn);
    this.gpr[2 * i + 1] = Number(u >> 32n);
  }

  /** RIP as an unsigned 64-bit bigint (for display). */
  getRip64(): bigint {
    return BigInt.asUintN(64, BigInt(this.rip));
  }

  /** Sets RIP from an unsigned or signed 64-bit bigint (must be canonical to be exact). */
  setRip64(v: bigint): void {
    this.rip = Number(BigInt.asIntN(64, v));
  }

  /**
   * CPL: the RPL of CS in protected mode (SDM Vol. 3A §5.5 "Privilege Levels"), 0 in real mode,
   * 3 in virtual-8086 mode (RFLAGS.VM, bit 17; Vol. 3B §20.2.4 "Protection within a Virtual-8086 Task").
   */
  get cpl(): number {
    if ((this.cr0 & 1) === 0) return 0;
    return (this.rflags & 0x20000) !== 0 ? 3 : this.segSel[SegIndex.CS] & 3;
  }
}

/** GPR names for display, in index order. */
export const GPR_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
