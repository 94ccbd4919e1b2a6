// What the machine plugs into the executor: physical memory, I/O ports, the platform's A20
// gate and reset line, the CPU configuration taken from a profile, and the VMX hooks that
// the VT-x model (issue 3) installs. The executor never owns any of these.

import type { InterruptPins } from './external.ts';
import type { DecodedInstruction } from './isa/decoded.ts';
import type { CpuState } from './state.ts';

/**
 * Physical memory as the executor sees it. Addresses are non-negative numbers below
 * 2^MAXPHYADDR. The executor never asks for an access that crosses a 4 KiB boundary
 * (it splits them), so an implementation may serve each access from one page.
 */
export interface PhysMemory {
  read8(addr: number): number;
  read16(addr: number): number;
  read32(addr: number): number;
  write8(addr: number, value: number): void;
  write16(addr: number, value: number): void;
  write32(addr: number, value: number): void;
}

/** I/O port space (SDM Vol. 1 §19 "Input/Output"). Values are zero-extended to `size` bytes. */
export interface IoPorts {
  in(port: number, size: 1 | 2 | 4): number;
  out(port: number, size: 1 | 2 | 4, value: number): void;
}

/**
 * The chipset lines the executor touches. Port 0x92 ("system control port A") is decoded by
 * the executor itself: bit 1 is the A20 gate, bit 0 pulses a fast reset.
 */
export interface Platform {
  /** A20 gate: when false, physical address bit 20 is forced to 0 on every access. */
  a20Enabled: boolean;
  /** Called when software writes 1 to port 0x92 bit 0 (fast reset); the machine decides what happens. */
  requestReset(): void;
  /**
   * The processor's INTR and NMI pins (src/x86/external.ts), driven by the machine's interrupt
   * controller; absent when no device raises interrupts.
   */
  interrupts?: InterruptPins;
}

/** Processor features a profile may have or lack (drives CPUID and the CR4/EFER reserved bits). */
export interface CpuFeatures {
  readonly vmx: boolean;
  readonly smx: boolean;
  readonly pae: boolean;
  readonly pse: boolean;
  readonly pge: boolean;
  readonly nx: boolean;
  readonly pcid: boolean;
  readonly la57: boolean;
  readonly smep: boolean;
  readonly smap: boolean;
  readonly umip: boolean;
  readonly fsgsbase: boolean;
  readonly xsave: boolean;
  readonly rdtscp: boolean;
  readonly page1gb: boolean;
  readonly pku: boolean;
}

/** CPU configuration from a profile; the machine builds it (and may edit it between runs). */
export interface CpuConfig {
  /** 12-character vendor string for CPUID leaf 0. */
  readonly vendor: string;
  /** CPUID.1:EAX (family, model, stepping). */
  readonly signature: number;
  /** Brand string for CPUID 0x80000002-4 (at most 48 characters). */
  readonly brand: string;
  /** MAXPHYADDR, 36..52 (CPUID.80000008H:EAX[7:0]). */
  readonly maxPhysAddr: number;
  readonly features: CpuFeatures;
  /**
   * Read-only MSRs of the profile, above all the VMX capability MSRs 0x480-0x493: RDMSR
   * returns the value, WRMSR raises #GP(0). A learner's edits are made here by the machine.
   */
  readonly readOnlyMsrs: Map<number, bigint>;
  /**
   * The profile's raw CPUID leaves, when it has them (undefined for a leaf it does not list).
   * CPUID then returns these values, with the bits that reflect live state (OSXSAVE, OSPKE,
   * MAXPHYADDR) and the VMX bit (from `features.vmx`) filled in by the executor.
   */
  readonly cpuid?: (leaf: number, subleaf: number) => CpuidRegs | undefined;
}

/** EAX, EBX, ECX, EDX of one CPUID leaf. */
export interface CpuidRegs {
  readonly eax: number;
  readonly ebx: number;
  readonly ecx: number;
  readonly edx: number;
}

/** What a VMX hook may ask the stepper to do instead of continuing. */
export type VmxStop = { readonly kind: 'stop'; readonly message: string } | undefined | void;

/**
 * The VT-x model's entry points. With `env.vmx` null, every VMX instruction stops the machine
 * with the message of `NO_VMX_MODEL_MESSAGE`, and CR writes follow the non-VMX rules only.
 */
export interface VmxHooks {
  /** Executes one VMX instruction (vmxon .. invvpid, vmfunc) in root or non-root operation. May throw X86Fault. */
  execute(cpu: CpuHandle, insn: DecodedInstruction): VmxStop;
  /**
   * Called before every instruction while in VMX non-root operation: returns true when the
   * instruction caused a VM exit instead of executing (the hook has already done the exit).
   */
  intercept?(cpu: CpuHandle, insn: DecodedInstruction): boolean;
  /** Whether the processor is in VMX non-root operation (intercept is consulted only then). */
  inNonRoot?(): boolean;
  /**
   * Checks a MOV to CR0/CR4 against VMX-operation rules (fixed bits, clearing CR4.VMXE) after
   * the non-VMX checks passed; throws X86Fault to refuse. SDM Vol. 3C §24.8 "Restrictions on
   * VMX Operation".
   */
  checkCrWrite?(cpu: CpuHandle, cr: 0 | 4, value: number): void;
  /**
   * Offered every exception or interrupt before IDT delivery in non-root operation; returns
   * true when it caused a VM exit (e.g. a triple fault, exit reason 2). `event` carries what
   * the exit information needs beyond the vector: the page fault's linear address (`cr2`).
   */
  interceptEvent?(
    cpu: CpuHandle, vector: number, errorCode: number | undefined, kind: 'fault' | 'trap' | 'interrupt' | 'software' | 'triple-fault',
    event?: { readonly cr2?: number; readonly nextRip?: number },
  ): boolean;
  /**
   * A task switch attempted in VMX non-root operation: it always causes a VM exit (SDM Vol. 3C
   * §26.1.2 "Instructions That Cause VM Exits Unconditionally", exit reason 9). The executor calls
   * it once the switch is certain to happen (after the checks SDM Vol. 3A §8.3 "Task Switching"
   * makes before it), with the new TSS's selector and the source of the switch as the exit
   * qualification encodes it: 0 CALL, 1 IRET, 2 JMP, 3 task gate in the IDT. `insn` is the CALL,
   * JMP or IRET (its length goes in the exit's instruction-length field); for source 3 the event
   * being delivered is what the hook recorded in `interceptEvent`. Returns true when it performed
   * the VM exit; the executor then ends the step (`VmExitUnwind`).
   */
  taskSwitch?(cpu: CpuHandle, selector: number, source: 0 | 1 | 2 | 3, insn?: DecodedInstruction): boolean;
  /**
   * EPT (issue 4): translates a guest-physical address in VMX non-root operation. Returns the
   * host-physical address; returns `gpa` unchanged when EPT is not in use. When the access causes
   * an EPT violation or misconfiguration, the hook performs the VM exit and throws
   * `VmExitUnwind`: the instruction does not complete, and the step ends there. Every
   * guest-physical access must come through it while EPT is in use: instruction fetches, data
   * accesses, the guest's own paging-structure reads and A/D writes, and PAE PDPTE loads. SDM Vol.
   * 3C §29.3.2 "EPT Translation Mechanism", §29.3.3 "EPT-Induced VM Exits".
   */
  translateGuestPhysical?(cpu: CpuHandle, gpa: number, access: GuestPhysicalAccess): number;
}

/** A guest-physical access, as EPT must know it (see `VmxHooks.translateGuestPhysical`). */
export interface GuestPhysicalAccess {
  /** Data read (a read-modify-write sets both read and write). */
  readonly read?: boolean;
  /** Data write (including the processor's writes of guest paging A/D flags). */
  readonly write?: boolean;
  /** Instruction fetch. */
  readonly fetch?: boolean;
  /** The access is to a guest paging-structure entry (a guest page walk or its A/D update). */
  readonly guestPaging?: boolean;
  /** A load of the PAE PDPTEs by MOV to CR0/CR3/CR4 (no linear address is being translated). */
  readonly pdpteLoad?: boolean;
  /** The linear address being translated, when there is one (EPT-violation qualification bit 7). */
  readonly linear?: number;
  /** With `linear`: the access is to the final translation (true) or to a guest paging entry (false). */
  readonly finalTranslation?: boolean;
  /** The guest paging rights of `linear`, for a final translation (qualification bits 9-11). */
  readonly guestRights?: { readonly user: boolean; readonly writable: boolean; readonly executeDisable: boolean };
  /** User-mode linear address (for mode-based execute control). */
  readonly userMode?: boolean;
}

/**
 * Thrown by a VMX hook that has already performed a VM exit in the middle of an instruction
 * (an EPT violation or misconfiguration). It is not an x86 exception: the executor lets it pass
 * and `Machine.step` ends the step as one that caused a VM exit.
 */
export class VmExitUnwind extends Error {
  constructor(readonly reason: number, readonly explain: string) {
    super(`VM exit ${reason} during the instruction: ${explain}`);
    this.name = 'VmExitUnwind';
  }
}

/** Everything the executor needs from outside. */
export interface X86Env {
  readonly memory: PhysMemory;
  readonly io: IoPorts;
  readonly platform: Platform;
  readonly config: CpuConfig;
  vmx: VmxHooks | null;
}

/** Message of the stop caused by a VMX instruction while no VT-x model is installed. */
export const NO_VMX_MODEL_MESSAGE = 'VMX instruction semantics arrive with the VT-x model (issue 3)';

/**
 * What the VMX hooks get: the state plus linear/physical memory access through the
 * executor's paging and segmentation (faults thrown as X86Fault). Implemented by `Cpu`.
 */
export interface CpuHandle {
  readonly state: CpuState;
  readonly env: X86Env;
  /** Reads `size` bytes (1, 2, 4 or 8) at a segment:offset effective address, as a data read. Returns a bigint. */
  readMem(seg: number, offset: number, size: 1 | 2 | 4 | 8): bigint;
  /** Writes `size` bytes at a segment:offset effective address. */
  writeMem(seg: number, offset: number, size: 1 | 2 | 4 | 8, value: bigint): void;
  /** Reads physical memory (little-endian, any alignment). */
  readPhys(addr: number, size: 1 | 2 | 4 | 8): bigint;
  /** Writes physical memory (little-endian, any alignment); invalidates cached decodes there. */
  writePhys(addr: number, size: 1 | 2 | 4 | 8, value: bigint): void;
  /** Drops every cached translation (after CR3/CR4/EPT changes made by the VMX layer). */
  flushTlb(): void;
  /** Drops every cached decode (after the machine writes memory behind the executor's back). */
  flushDecodeCache(): void;
  /**
   * Whether the I/O permission check (CPL/IOPL, virtual-8086 mode, the TSS I/O bitmap) lets an
   * IN/OUT of `size` bytes at `port` through. A #GP it would raise has priority over an I/O VM
   * exit (SDM Vol. 3C §26.1.1 "Relative Priority of Faults and VM Exits").
   */
  ioPermitted(port: number, size: number): boolean;
}
